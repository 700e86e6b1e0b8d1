//! `kept daemon`: the whole flow, continuously, for one plan or many. A change lands (a commit
//! in a watched working tree, a push to a followed remote, a webhook, a timer) and the plan is
//! checked, its site republished atomically, and its tracker synced; all served over HTTP
//! with a status API, webhooks, health and metrics.
//!
//! Each plan has one worker task that does its work one job at a time (jobs that pile up
//! while one runs are merged), so a plan is never published twice at once. The blocking work
//! (git, validation, publishing, tracker requests) runs on a thread of the plan's own
//! (`daemon::lane`), which keeps the plan's memory on one allocator heap. A stop
//! (SIGTERM, SIGINT) stops taking work, lets each worker finish the job it is in, and closes
//! the server; a job stopped harder (kill -9) is safe by construction: a site is swapped in
//! whole, a sync resumes from its state, a bot commit's working-tree update is journaled.

pub mod config;
pub mod demo;
pub mod hooks;
pub mod http;
mod lane;
pub mod metrics;
pub mod plan;
pub mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::date::Date;
use config::{Config, PlanSource};
use lane::Lane;
use metrics::{Metrics, labels};
use plan::Plan;

/// Something a plan's worker should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// HEAD may have moved (since the instant the change was seen).
    Head(Instant),
    /// Working-tree files changed.
    Worktree,
    /// The remote may have moved: fetch.
    Fetch(Instant),
    /// Reconcile the tracker.
    Sync,
}

/// Why the daemon cannot start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A directory cannot be made.
    #[error("cannot create {}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A working tree is not a git repository.
    #[error("{} is not a git repository: list a plan's working tree (or a remote) in [[plans]]", path.display())]
    NotARepository {
        /// The path.
        path: PathBuf,
    },
    /// Serving failed.
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
}

/// The running daemon, shared by its tasks and HTTP handlers.
#[derive(Debug)]
pub struct Daemon {
    /// Its configuration.
    pub config: Config,
    /// The plans, in configuration order.
    pub plans: Vec<Arc<Plan>>,
    /// Its metrics.
    pub metrics: Metrics,
    /// Webhook deliveries seen lately.
    pub seen: Mutex<hooks::Seen>,
    /// Each plan's worker's inbox.
    inboxes: Vec<mpsc::Sender<Event>>,
    /// A stand-in tracker served alongside (`kept serve --demo`).
    pub demo: Option<Arc<demo::Tracker>>,
}

impl Daemon {
    /// Whether plans are served under their codes (many plans) or at the root (one).
    pub fn many(&self) -> bool {
        self.plans.len() > 1
    }

    /// A plan by its code.
    pub fn plan(&self, code: &str) -> Option<(usize, &Arc<Plan>)> {
        self.plans.iter().enumerate().find(|(_, p)| p.code == code)
    }

    /// Ask a plan's worker to look at something. Never waits: a full inbox already holds
    /// work that will look at the same thing.
    pub fn tell(&self, index: usize, event: Event) {
        if let Some(tx) = self.inboxes.get(index) {
            let _ = tx.try_send(event);
        }
        if let Some(p) = self.plans.get(index) {
            let kind = match event {
                Event::Head(_) => "head",
                Event::Worktree => "worktree",
                Event::Fetch(_) => "fetch",
                Event::Sync => "sync",
            };
            self.metrics.add("kept_events_total", labels(&[("plan", &p.code), ("kind", kind)]), 1);
        }
    }
}

/// Today, as `KEPT_TODAY` says (for reproducible runs) or the clock.
pub fn today() -> Date {
    std::env::var("KEPT_TODAY").ok().and_then(|s| Date::parse(&s)).unwrap_or_else(Date::today_utc)
}

/// Set up the plans: a working tree is checked to be a repository; a remote is cloned (or
/// fetched) into the data directory. Blocking.
fn prepare(config: &Config) -> Result<Vec<Plan>, DaemonError> {
    let dir = |path: PathBuf| std::fs::create_dir_all(&path).map_err(|source| DaemonError::Dir { path, source });
    dir(config.data_dir.join("sites"))?;
    let mut plans: Vec<Plan> = Vec::new();
    let many = config.plans.len() > 1;
    for pc in &config.plans {
        let repo = match &pc.source {
            PlanSource::Worktree(path) => {
                let Ok(git) = git2::Repository::open(path) else {
                    return Err(DaemonError::NotARepository { path: path.clone() });
                };
                // A bot commit a stopped daemon left half done is finished first, before
                // anyone looks at the working tree (it would seem to undo the commit).
                if let Err(e) = crate::sync::commit::recover(&git) {
                    tracing::error!("cannot finish an interrupted bot commit in {}: {e}", path.display());
                }
                path.clone()
            }
            PlanSource::Clone { remote, branch } => {
                let name: String =
                    remote.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
                let repo = config.data_dir.join("clones").join(format!("{name}.git"));
                dir(repo.clone())?;
                if let Err(e) = plan::fetch(&repo, remote, branch) {
                    // Not fatal: the fetch timer and webhooks try again.
                    tracing::error!(remote, "cannot fetch: {}", e.message());
                }
                repo
            }
        };
        let fallback = match &pc.source {
            PlanSource::Worktree(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
            PlanSource::Clone { remote, .. } => {
                remote.rsplit('/').next().map(|n| n.trim_end_matches(".git").to_string())
            }
        }
        .unwrap_or_else(|| "plan".into());
        let mut code = pc.code.clone().or_else(|| plan::code_of(&repo)).unwrap_or(fallback);
        let mut n = 2;
        while plans.iter().any(|p| p.code == code) {
            code = format!("{}-{n}", code.trim_end_matches(&format!("-{}", n - 1)));
            n += 1;
        }
        let base_url = config.base_url.as_ref().map(|b| if many { format!("{b}/{code}") } else { b.clone() });
        plans.push(Plan::new(pc.clone(), code, repo, &config.data_dir, base_url, many));
    }
    Ok(plans)
}

/// Run the daemon until `stop` resolves (or SIGTERM / SIGINT when it is `None`); `ready` is
/// told the address it listens on.
pub async fn run(
    config: Config,
    listener: Option<std::net::TcpListener>,
    demo: Option<Arc<demo::Tracker>>,
    ready: impl FnOnce(std::net::SocketAddr),
    stop: Option<tokio::sync::oneshot::Receiver<()>>,
) -> Result<(), DaemonError> {
    let listen_error = |source| DaemonError::Listen { addr: config.listen.to_string(), source };
    let listener = match listener {
        Some(l) => {
            l.set_nonblocking(true).map_err(listen_error)?;
            tokio::net::TcpListener::from_std(l).map_err(listen_error)?
        }
        None => tokio::net::TcpListener::bind(config.listen).await.map_err(listen_error)?,
    };
    let addr =
        listener.local_addr().map_err(|source| DaemonError::Listen { addr: config.listen.to_string(), source })?;
    let prepared = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || prepare(&config)).await.expect("preparing does not panic")?
    };
    let mut inboxes = Vec::new();
    let mut receivers = Vec::new();
    for _ in &prepared {
        let (tx, rx) = mpsc::channel(64);
        inboxes.push(tx);
        receivers.push(rx);
    }
    let daemon = Arc::new(Daemon {
        plans: prepared.into_iter().map(Arc::new).collect(),
        config,
        metrics: Metrics::default(),
        seen: Mutex::new(hooks::Seen::default()),
        inboxes,
        demo,
    });
    if let Some(tracker) = &daemon.demo {
        // A visitor closing an issue in the stand-in: sync now.
        let weak = Arc::downgrade(&daemon);
        *tracker.on_change.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(move || {
            if let Some(d) = weak.upgrade() {
                (0..d.plans.len()).for_each(|i| d.tell(i, Event::Sync));
            }
        }));
    }
    let (stopping, stop_rx) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    for (i, rx) in receivers.into_iter().enumerate() {
        workers.push(tokio::spawn(work(daemon.clone(), i, rx, stop_rx.clone())));
        let now = Instant::now();
        daemon.tell(i, Event::Head(now));
        match &daemon.plans[i].config.source {
            PlanSource::Worktree(root) => {
                daemon.tell(i, Event::Worktree);
                start_watching(&daemon, i, root.clone());
            }
            PlanSource::Clone { .. } => {}
        }
        if daemon.plans[i].config.sync {
            daemon.tell(i, Event::Sync);
        }
    }
    tracing::info!(%addr, plans = daemon.plans.len(), "serving");
    ready(addr);
    let app = http::router(daemon.clone());
    let shutdown = async move {
        match stop {
            Some(rx) => {
                let _ = rx.await;
            }
            None => signal().await,
        }
        tracing::info!("stopping: finishing the work in hand");
    };
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(DaemonError::Serve);
    // Each worker finishes its job in hand and stops.
    let _ = stopping.send(true);
    drop(daemon);
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(60), w).await;
    }
    served
}

/// SIGTERM or SIGINT.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Watch a working tree on its own thread, telling the plan's worker what changed.
fn start_watching(daemon: &Arc<Daemon>, index: usize, root: PathBuf) {
    let tx = daemon.inboxes[index].clone();
    let debounce = daemon.config.debounce;
    let ignore = vec![daemon.config.data_dir.clone(), daemon.config.data_dir.canonicalize().unwrap_or_default()];
    let code = daemon.plans[index].code.clone();
    let daemon = daemon.clone();
    std::thread::Builder::new()
        .name(format!("watch-{code}"))
        .spawn(move || {
            let seen =
                |kind: &str| daemon.metrics.add("kept_events_total", labels(&[("plan", &code), ("kind", kind)]), 1);
            let result = watch::watch(&root, ignore, debounce, |touched| {
                let mut open = true;
                if touched.refs {
                    seen("head");
                    open &= tx.blocking_send(Event::Head(touched.since.unwrap_or_else(Instant::now))).is_ok();
                }
                if touched.files {
                    seen("worktree");
                    open &= tx.blocking_send(Event::Worktree).is_ok();
                }
                open
            });
            if let Err(e) = result {
                tracing::error!(plan = %code, "cannot watch {}: {e}", root.display());
            }
        })
        .expect("a thread can be spawned");
}

/// What a worker has to do, merged from the events that piled up.
#[derive(Debug, Default)]
struct Todo {
    head: Option<Instant>,
    worktree: bool,
    fetch: Option<Instant>,
    sync: bool,
}

impl Todo {
    fn add(&mut self, e: Event) {
        match e {
            Event::Head(t) => self.head = Some(self.head.map_or(t, |h| h.min(t))),
            Event::Worktree => self.worktree = true,
            Event::Fetch(t) => self.fetch = Some(self.fetch.map_or(t, |f| f.min(t))),
            Event::Sync => self.sync = true,
        }
    }
}

/// Run blocking work on the plan's own lane, or on tokio's blocking threads if the lane could
/// not be started.
async fn blocking<T: Send + 'static>(lane: &Option<Lane>, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match lane {
        Some(lane) => lane.run(f).await,
        None => tokio::task::spawn_blocking(f).await.ok(),
    }
}

/// A plan's worker: one job at a time, until the daemon stops.
async fn work(
    daemon: Arc<Daemon>,
    index: usize,
    mut inbox: mpsc::Receiver<Event>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let plan = daemon.plans[index].clone();
    let clone = matches!(plan.config.source, PlanSource::Clone { .. });
    let fetch_every = daemon.config.fetch_interval.filter(|_| clone);
    let sync_every = daemon.config.sync_interval.filter(|_| plan.config.sync);
    let mut next_fetch = fetch_every.map(|d| tokio::time::Instant::now() + d);
    let mut next_sync = sync_every.map(|d| tokio::time::Instant::now() + d);
    let mut sync_wait: Option<Duration> = None;
    let lane = Lane::new(&plan.code)
        .inspect_err(|e| tracing::warn!(plan = %plan.code, "no thread of its own, sharing the pool: {e}"))
        .ok();
    loop {
        let wake = [next_fetch, next_sync].into_iter().flatten().min();
        let mut todo = Todo::default();
        tokio::select! {
            _ = stop.changed() => break,
            e = inbox.recv() => match e {
                Some(e) => todo.add(e),
                None => break,
            },
            _ = async { tokio::time::sleep_until(wake.expect("a deadline")).await }, if wake.is_some() => {
                let now = tokio::time::Instant::now();
                if next_fetch.is_some_and(|t| t <= now) {
                    todo.fetch = Some(Instant::now());
                    next_fetch = fetch_every.map(|d| now + d);
                }
                if next_sync.is_some_and(|t| t <= now) {
                    todo.sync = true;
                    next_sync = sync_every.map(|d| now + d);
                }
            }
        }
        while let Ok(e) = inbox.try_recv() {
            todo.add(e);
        }
        let today = today();
        if let Some(since) = todo.fetch {
            let p = plan.clone();
            match blocking(&lane, move || p.fetch()).await {
                Some(Ok(true)) => todo.head = Some(todo.head.map_or(since, |h| h.min(since))),
                Some(Ok(false)) | None => {}
                Some(Err(e)) => {
                    tracing::error!(plan = %plan.code, "fetch failed: {}", plan::chain(&e));
                    plan.problem(&e);
                }
            }
        }
        if let Some(since) = todo.head {
            let (p, d) = (plan.clone(), daemon.clone());
            match blocking(&lane, move || p.refresh(&d.metrics, today, since)).await {
                Some(Ok(true)) => todo.sync |= plan.config.sync,
                Some(Ok(false)) | None => {}
                Some(Err(e)) => {
                    tracing::error!(plan = %plan.code, "publishing failed: {}", plan::chain(&e));
                    plan.problem(&e);
                }
            }
        }
        if todo.worktree {
            let p = plan.clone();
            if let Some(Err(e)) = blocking(&lane, move || p.check_worktree(today)).await {
                tracing::warn!(plan = %plan.code, "cannot check the working tree: {}", plan::chain(&e));
            }
        }
        if todo.sync && plan.config.sync {
            let (p, d) = (plan.clone(), daemon.clone());
            let result = blocking(&lane, move || {
                let interval = d.config.tracker_write_interval;
                let unsettled = p.sync(&d.metrics, today, interval)?;
                if let Some(unsettled) = unsettled {
                    p.push_bot_commit(&d.metrics, today, interval, unsettled)?;
                    return Ok::<bool, plan::WorkError>(true);
                }
                Ok(false)
            })
            .await;
            match result {
                Some(Ok(committed)) => {
                    sync_wait = None;
                    if committed {
                        // The bot commit moved the branch: publish it now.
                        let (p, d) = (plan.clone(), daemon.clone());
                        let _ = blocking(&lane, move || p.refresh(&d.metrics, today, Instant::now())).await;
                    }
                }
                Some(Err(e)) => {
                    // A tracker that is down is retried with capped backoff; publishing goes on.
                    let wait = plan::backoff(sync_wait, Duration::from_secs(5), Duration::from_secs(600));
                    sync_wait = Some(wait);
                    next_sync = Some(tokio::time::Instant::now() + wait);
                    tracing::warn!(plan = %plan.code, retry_in_s = wait.as_secs(), "sync failed: {}", plan::chain(&e));
                    plan.problem(&e);
                }
                None => {}
            }
        }
    }
}
