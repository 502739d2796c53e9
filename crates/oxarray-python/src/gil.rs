//! The one place that releases the GIL around engine work. The work runs on a helper thread while
//! this thread waits, waking every few milliseconds to let Python check for Ctrl-C; a pending
//! signal cancels the run and surfaces as `KeyboardInterrupt`.

use oxarray_core::{OxError, OxResult};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// [`run_detached`] for a tiny computation (`oxarray_graph::inline::is_small`): on the calling
/// thread with the GIL released, without the watchdog thread (spawning it costs more than the
/// work; the work ends before a Ctrl-C could need it).
pub fn run_inline<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> OxResult<T> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    py.allow_threads(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&cancel)))
            .unwrap_or_else(|_| Err(OxError::Internal("the engine panicked".into())))
    })
    .map_err(|e| crate::errors::PyOxError(e).into())
}

pub fn run_detached<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> OxResult<T> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let mut interrupt: Option<PyErr> = None;
    let result = py.allow_threads(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let cancel = &cancel;
            s.spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(cancel)));
                let _ = tx.send(
                    r.unwrap_or_else(|_| Err(OxError::Internal("the engine panicked".into()))),
                );
            });
            loop {
                match rx.recv_timeout(SIGNAL_POLL) {
                    Ok(r) => return r,
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(OxError::Internal("engine thread vanished".into()))
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if interrupt.is_none() {
                            if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                                interrupt = Some(e);
                                cancel.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
        })
    });
    match (result, interrupt) {
        (_, Some(e)) => Err(e),
        (r, None) => r.map_err(|e| crate::errors::PyOxError(e).into()),
    }
}
