//! The calling thread's IEEE 754 exception flags (C99 `<fenv.h>`), as NumPy's status bits.
//!
//! Kernels that split one task across threads hand the flags their helper threads raised back to
//! the task's own thread ([`raise`]), so whoever checks the task reads one thread's flags.

/// NumPy's status bits (`NPY_FPE_*`), in the order NumPy handles them.
pub const DIVIDE: u8 = 1;
pub const OVERFLOW: u8 = 2;
pub const UNDERFLOW: u8 = 4;
pub const INVALID: u8 = 8;

const BITS: [(u8, std::os::raw::c_int); 4] = [
    (DIVIDE, fenv::DIVBYZERO),
    (OVERFLOW, fenv::OVERFLOW),
    (UNDERFLOW, fenv::UNDERFLOW),
    (INVALID, fenv::INVALID),
];

/// The calling thread's sticky exception flags.
pub fn test() -> u8 {
    // SAFETY: fetestexcept only reads the calling thread's floating-point status.
    let raw = unsafe { fenv::fetestexcept(fenv::ALL) };
    BITS.iter()
        .filter(|(_, fe)| raw & fe != 0)
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// Clears the calling thread's sticky exception flags.
pub fn clear() {
    // SAFETY: feclearexcept only writes the calling thread's floating-point status.
    unsafe {
        fenv::feclearexcept(fenv::ALL);
    }
}

/// Sets `flags` on the calling thread (no trap is enabled, so this only sets the sticky bits).
pub fn raise(flags: u8) {
    let raw = BITS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .fold(0, |acc, (_, fe)| acc | fe);
    if raw != 0 {
        // SAFETY: feraiseexcept only writes the calling thread's floating-point status; traps
        // are disabled in every thread we run (Rust and Python leave them off).
        unsafe {
            fenv::feraiseexcept(raw);
        }
    }
}

#[allow(dead_code)]
mod fenv {
    use std::os::raw::c_int;

    extern "C" {
        pub fn fetestexcept(excepts: c_int) -> c_int;
        pub fn feclearexcept(excepts: c_int) -> c_int;
        pub fn feraiseexcept(excepts: c_int) -> c_int;
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    mod bits {
        use std::os::raw::c_int;
        pub const INVALID: c_int = 0x01;
        pub const DIVBYZERO: c_int = 0x04;
        pub const OVERFLOW: c_int = 0x08;
        pub const UNDERFLOW: c_int = 0x10;
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    mod bits {
        // aarch64, riscv, ...: the C99 values glibc and Apple's libm use there.
        use std::os::raw::c_int;
        pub const INVALID: c_int = 0x01;
        pub const DIVBYZERO: c_int = 0x02;
        pub const OVERFLOW: c_int = 0x04;
        pub const UNDERFLOW: c_int = 0x08;
    }
    pub use bits::*;
    pub const ALL: c_int = INVALID | DIVBYZERO | OVERFLOW | UNDERFLOW;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_seen_raised_and_cleared() {
        clear();
        let z = std::hint::black_box(0.0f64);
        let _ = std::hint::black_box(1.0 / z);
        assert_eq!(test() & DIVIDE, DIVIDE);
        clear();
        assert_eq!(test(), 0);
        let _ = std::hint::black_box(z / z);
        assert_eq!(test(), INVALID);
        clear();
        raise(OVERFLOW | UNDERFLOW);
        assert_eq!(test(), OVERFLOW | UNDERFLOW);
        clear();
    }
}
