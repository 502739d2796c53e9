//! What the scheduler tells the outside about a run in progress: counters of submitted and
//! finished tasks (always on: one relaxed atomic add per task, no lock), and a profile of time per
//! task kind and the peak of memory (only while a profiler is active).
//!
//! Process-wide on purpose: a progress bar or a profiler in Python watches every run started while
//! it is active, whichever Python call started it (`compute`, `persist`, a size pass), and polls
//! these counters from its own thread while the run holds no GIL.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

static SUBMITTED: AtomicUsize = AtomicUsize::new(0);
static FINISHED: AtomicUsize = AtomicUsize::new(0);
/// How many profilers are active (nested `with Profiler()` blocks count one each).
static PROFILERS: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);
static PROFILE: Mutex<BTreeMap<&'static str, KindTime>> = Mutex::new(BTreeMap::new());

/// The tasks of one kind that ran while profiling, and their total time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindTime {
    pub tasks: u64,
    pub nanos: u64,
}

/// Tasks submitted to and finished by the scheduler since the process started (both only grow:
/// a watcher takes the difference from the values it saw when it started).
pub fn counters() -> (usize, usize) {
    (
        SUBMITTED.load(Ordering::Relaxed),
        FINISHED.load(Ordering::Relaxed),
    )
}

/// A run of `n` tasks starts.
pub(crate) fn run_started(n: usize) {
    SUBMITTED.fetch_add(n, Ordering::Relaxed);
}

/// A task finished (successfully).
#[inline]
pub(crate) fn task_finished() {
    FINISHED.fetch_add(1, Ordering::Relaxed);
}

/// `n` tasks finished at once (blocks handed to their readers without running).
pub(crate) fn tasks_finished(n: usize) {
    FINISHED.fetch_add(n, Ordering::Relaxed);
}

/// A failed or cancelled run gives back the tasks it will not finish, so watchers do not wait.
pub(crate) fn run_ended(submitted: usize, finished: usize) {
    SUBMITTED.fetch_sub(submitted.saturating_sub(finished), Ordering::Relaxed);
}

/// The start time of a task when a profiler is active, `None` otherwise (no clock read).
#[inline]
pub(crate) fn task_clock() -> Option<Instant> {
    (PROFILERS.load(Ordering::Relaxed) > 0).then(Instant::now)
}

/// Records a task of kind `label` that started at `start` (from [`task_clock`]).
pub(crate) fn record_task(label: &'static str, start: Instant) {
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut p = PROFILE.lock().unwrap_or_else(|e| e.into_inner());
    let e = p.entry(label).or_default();
    e.tasks += 1;
    e.nanos = e.nanos.saturating_add(nanos);
}

/// Records the peak bytes a run held (its held values plus the projections of running tasks).
pub(crate) fn record_peak(bytes: usize) {
    if PROFILERS.load(Ordering::Relaxed) > 0 {
        PEAK_BYTES.fetch_max(bytes, Ordering::Relaxed);
    }
}

/// Starts a profiler: clears the profile when it is the first one active.
pub fn profiler_start() {
    if PROFILERS.fetch_add(1, Ordering::AcqRel) == 0 {
        PROFILE.lock().unwrap_or_else(|e| e.into_inner()).clear();
        PEAK_BYTES.store(0, Ordering::Relaxed);
    }
}

/// Stops a profiler; returns the time per task kind and the peak bytes recorded so far.
pub fn profiler_stop() -> (Vec<(&'static str, KindTime)>, usize) {
    let out = profile_snapshot();
    // Never below zero, even if Python calls stop twice.
    let _ = PROFILERS.fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| n.checked_sub(1));
    out
}

/// The profile so far (time per task kind, peak bytes).
pub fn profile_snapshot() -> (Vec<(&'static str, KindTime)>, usize) {
    let p = PROFILE.lock().unwrap_or_else(|e| e.into_inner());
    (
        p.iter().map(|(k, v)| (*k, *v)).collect(),
        PEAK_BYTES.load(Ordering::Relaxed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_only_grow_and_profile_records_kinds() {
        // Other tests run graphs at the same time: only "finished grows" is certain here.
        let (_, f0) = counters();
        run_started(3);
        task_finished();
        run_ended(3, 1);
        let (_, f1) = counters();
        assert!(f1 > f0);
        profiler_start();
        let t = task_clock().expect("profiling is on");
        record_task("fused", t);
        record_peak(1234);
        let (kinds, peak) = profiler_stop();
        assert!(kinds.iter().any(|(k, v)| *k == "fused" && v.tasks >= 1));
        assert!(peak >= 1234);
    }
}
