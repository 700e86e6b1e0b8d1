//! A plan's own thread for its blocking work: fetching, loading, checking, publishing, syncing.
//!
//! A plan's worker does one job at a time, so one thread is all it needs. Giving each plan its
//! own thread, instead of tokio's pool of blocking threads, keeps a plan's memory on one
//! allocator heap: the followed plan, the memo and each publish's pages are made and freed on
//! the same thread, so freed pages are reused instead of left half-empty on threads that
//! come and go. Measured on a plan of 1,000 commitments (BENCHMARKS.md): resident memory over
//! 100 commits averaged 53 MB and peaked at 61 MB on the pool, 44 MB and 49 MB on a lane.
//! Plans still never wait for each other.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// A thread that runs one plan's jobs in turn. Dropping the lane lets the job in hand finish
/// and waits for it, as tokio waits for its blocking threads when the runtime stops: a
/// stopping daemon never cuts a publish or a bot commit short.
#[derive(Debug)]
pub struct Lane {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Lane {
    /// Start the thread, named after the plan.
    pub fn new(name: &str) -> std::io::Result<Lane> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new().name(format!("kept {name}")).spawn(move || {
            for job in queue {
                // A job that panics is a bug, reported as a lost result to whoever waits for
                // it (as tokio reports a blocking task that panicked); the lane goes on.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
        })?;
        Ok(Lane { jobs: Some(jobs), thread: Some(thread) })
    }

    /// Run `f` on the lane and wait for it without blocking the async runtime; `None` if it
    /// panicked.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .as_ref()?
            .send(Box::new(move || {
                let _ = done.send(f());
            }))
            .ok()?;
        result.await.ok()
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        // No more jobs: the thread ends after the one in hand (a lane is dropped when its
        // plan's worker stops, so at most one job is queued).
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_turn_on_one_thread_and_a_panic_loses_only_its_own_result() {
        let lane = Lane::new("test").unwrap();
        let first = lane.run(|| std::thread::current().id()).await.unwrap();
        let second = lane.run(|| std::thread::current().id()).await.unwrap();
        assert_eq!(first, second, "every job runs on the lane's thread");
        assert_ne!(first, std::thread::current().id());
        let lost: Option<()> = lane.run(|| panic!("a bug in a job")).await;
        assert_eq!(lost, None);
        assert_eq!(lane.run(|| 2 + 2).await, Some(4), "the lane survives a job that panicked");
    }

    #[tokio::test]
    async fn dropping_the_lane_waits_for_the_job_in_hand() {
        let lane = Lane::new("test").unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = done.clone();
        let slow = lane.run(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        // The job is handed over, then its waiter gives up (as a worker cut off at shutdown).
        assert!(tokio::time::timeout(std::time::Duration::from_millis(50), slow).await.is_err());
        assert!(!done.load(std::sync::atomic::Ordering::SeqCst));
        drop(lane);
        assert!(done.load(std::sync::atomic::Ordering::SeqCst), "the job finished before the lane was gone");
    }
}
