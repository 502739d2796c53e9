//! The calling thread's IEEE 754 exception flags (C99 `<fenv.h>`), as NumPy's status bits.
//!
//! Kernels that split one task across threads hand the flags their helper threads raised back to
//! the task's own thread ([`raise`]), so whoever checks the task reads one thread's flags.
//!
//! On x86_64 [`test`] and [`clear`] read and write the SSE control register (MXCSR) and the x87
//! status word themselves: every task clears and tests the flags, and glibc's `feclearexcept`
//! saves and reloads the whole x87 environment to do it (about 4% of the 10,000-chunk
//! `(x + 1).sum()` under `perf`). Same flags as `<fenv.h>`: both registers are still read and
//! cleared, because a libm routine may raise its flags on the x87 unit.

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
    #[cfg(target_arch = "x86_64")]
    let raw = x86::test();
    // SAFETY: fetestexcept only reads the calling thread's floating-point status.
    #[cfg(not(target_arch = "x86_64"))]
    let raw = unsafe { fenv::fetestexcept(fenv::ALL) };
    BITS.iter()
        .filter(|(_, fe)| raw & fe != 0)
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// Clears the calling thread's sticky exception flags.
pub fn clear() {
    #[cfg(target_arch = "x86_64")]
    x86::clear();
    // SAFETY: feclearexcept only writes the calling thread's floating-point status.
    #[cfg(not(target_arch = "x86_64"))]
    unsafe {
        fenv::feclearexcept(fenv::ALL);
    }
}

/// The flags straight from the registers (see the module doc). MXCSR and the x87 status word keep
/// the four exception flags at the same bits as `<fenv.h>`'s constants: invalid 0x01, divide
/// 0x04, overflow 0x08, underflow 0x10.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::fenv::ALL;
    use std::arch::asm;
    use std::os::raw::c_int;

    fn mxcsr() -> u32 {
        let mut csr = 0u32;
        // SAFETY: stmxcsr stores the calling thread's MXCSR into `csr`, a live u32.
        unsafe { asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags)) };
        csr
    }

    fn x87_status() -> u16 {
        let sw: u16;
        // SAFETY: fnstsw only copies the x87 status word into `ax`.
        unsafe { asm!("fnstsw ax", out("ax") sw, options(nomem, nostack, preserves_flags)) };
        sw
    }

    #[inline]
    pub(super) fn test() -> c_int {
        (mxcsr() | u32::from(x87_status())) as c_int & ALL
    }

    /// Writes a register only when one of its flags is set (the common case writes nothing).
    #[inline]
    pub(super) fn clear() {
        let csr = mxcsr();
        if csr & ALL as u32 != 0 {
            let cleared = csr & !(ALL as u32);
            // SAFETY: ldmxcsr loads `cleared`, the thread's own MXCSR with the four exception
            // flags cleared (its masks, rounding and other bits unchanged).
            unsafe { asm!("ldmxcsr [{}]", in(reg) &cleared, options(nostack, preserves_flags)) };
        }
        if x87_status() as c_int & ALL != 0 {
            // SAFETY: fnclex clears the x87 unit's exception flags and nothing else we use.
            unsafe { asm!("fnclex", options(nomem, nostack, preserves_flags)) };
        }
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

    /// The register reads agree with glibc's `<fenv.h>` on every flag, and `clear` leaves
    /// nothing for `fetestexcept` to see, flags raised on the x87 unit included.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_registers_agree_with_fenv() {
        for (bit, fe) in BITS {
            clear();
            // SAFETY: raising a flag with traps disabled only sets the sticky bit.
            unsafe { fenv::feraiseexcept(fe) };
            assert_eq!(test(), bit);
            // SAFETY: fetestexcept only reads the floating-point status.
            assert_eq!(unsafe { fenv::fetestexcept(fenv::ALL) }, fe);
            clear();
            assert_eq!(unsafe { fenv::fetestexcept(fenv::ALL) }, 0);
        }
        // 1 / 0 on the x87 unit (masked: the result is inf, the flag is set).
        // SAFETY: pushes two values, divides, pops both; the x87 stack ends as it began.
        unsafe {
            std::arch::asm!(
                "fld1",
                "fldz",
                "fdivp st(1), st",
                "fstp st(0)",
                out("st(0)") _,
                out("st(1)") _,
            )
        };
        assert_eq!(test(), DIVIDE);
        clear();
        assert_eq!(test(), 0);
        assert_eq!(unsafe { fenv::fetestexcept(fenv::ALL) }, 0);
    }
}
