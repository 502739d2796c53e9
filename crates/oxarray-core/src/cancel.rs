//! Cancellation seen from inside a kernel. The executor checks its run's flag between tasks; a
//! task over one large chunk (512 MiB of a fused program, a reduction, random numbers) would still
//! hold Ctrl-C for most of a second, so long kernels also look at the flag every few MiB.
//!
//! The executor installs the run's flag for the duration of each task on the thread running it
//! ([`with_flag`]); a kernel reads it once on entry ([`CancelFlag::current`]) and may then check it
//! from any thread it fans out to, since the task (and so the run that owns the flag) outlives its
//! own parallel loops.

use crate::error::{OxError, OxResult};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static CURRENT: Cell<*const AtomicBool> = const { Cell::new(std::ptr::null()) };
}

/// The cancellation flag of the task running on this thread (or none outside a run).
#[derive(Clone, Copy, Debug)]
pub struct CancelFlag(*const AtomicBool);

// SAFETY: the pointer is only read (an atomic load), and only while the task that installed it
// runs: `with_flag` keeps the flag borrowed for that whole time.
unsafe impl Send for CancelFlag {}
unsafe impl Sync for CancelFlag {}

impl CancelFlag {
    /// The flag installed on this thread by the executor; a kernel takes it on entry and must not
    /// keep it beyond its own call.
    pub fn current() -> Self {
        CancelFlag(CURRENT.with(|c| c.get()))
    }

    pub fn is_set(self) -> bool {
        // SAFETY: non-null only inside `with_flag`, which borrows the flag for the task's duration.
        !self.0.is_null() && unsafe { (*self.0).load(Ordering::Relaxed) }
    }

    /// `Err(Cancelled)` once the run has been cancelled.
    pub fn check(self) -> OxResult<()> {
        if self.is_set() {
            Err(OxError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Runs `f` (one task) with `flag` visible to the kernels it calls on this thread.
pub fn with_flag<R>(flag: &AtomicBool, f: impl FnOnce() -> R) -> R {
    struct Restore(*const AtomicBool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(flag as *const AtomicBool)));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_is_visible_only_inside_the_task() {
        assert!(!CancelFlag::current().is_set());
        let flag = AtomicBool::new(false);
        with_flag(&flag, || {
            let f = CancelFlag::current();
            assert!(f.check().is_ok());
            flag.store(true, Ordering::Relaxed);
            assert!(matches!(f.check(), Err(OxError::Cancelled)));
        });
        assert!(CancelFlag::current().check().is_ok());
    }
}
