//! `kept daemon --config FILE` and `kept serve --demo`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use kept::daemon::config::{Config, PlanConfig, PlanSource, Secrets};

use super::CmdResult;

/// Log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per event, for people.
    Human,
    /// One JSON object per event, for log collectors.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DaemonArgs {
    /// The daemon's configuration file (TOML; see docs/daemon.md).
    #[arg(long)]
    config: PathBuf,
    /// Listen here instead of the configuration's address.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Log format (to stderr); the level comes from KEPT_LOG (default info).
    #[arg(long, value_enum, default_value = "human")]
    log_format: LogFormat,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Serve the embedded example plan, with a generated history and a built-in stand-in tracker.
    #[arg(long)]
    demo: bool,
    /// Where to listen.
    #[arg(long, default_value = kept::daemon::config::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Where to lay the demo (default: a new directory under the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Log format (to stderr); the level comes from KEPT_LOG (default info).
    #[arg(long, value_enum, default_value = "human")]
    log_format: LogFormat,
}

fn logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEPT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,hyper=warn,reqwest=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.with_ansi(super::render::colour_stderr()).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("kept").build()
}

pub fn daemon(args: DaemonArgs) -> CmdResult {
    crate::long_running();
    let mut config = Config::read(&args.config)?;
    if let Some(l) = args.listen {
        config.listen = l;
    }
    logs(args.log_format);
    let ready = |addr: SocketAddr| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "kept daemon: serving http://{addr}/");
        let _ = out.flush();
    };
    runtime()?.block_on(kept::daemon::run(config, None, None, ready, None))?;
    Ok(0)
}

pub fn serve(args: ServeArgs) -> CmdResult {
    crate::long_running();
    if !args.demo {
        return Err("kept serve needs --demo (for your own plans, run kept daemon --config FILE)".into());
    }
    let root = match args.dir {
        Some(d) => d,
        None => {
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            std::env::temp_dir().join(format!("kept-serve-demo-{}-{stamp}", std::process::id()))
        }
    };
    if root.exists() && std::fs::read_dir(&root).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("{} already exists and is not empty; choose a new --dir", root.display()).into());
    }
    let plan = root.join("plan");
    std::fs::create_dir_all(&plan).map_err(|e| format!("cannot create {}: {e}", plan.display()))?;
    // Listen first, so the plan can name the stand-in tracker's address (the port may be 0).
    let listener =
        std::net::TcpListener::bind(args.listen).map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    kept::daemon::demo::lay_out(&plan, &format!("http://{addr}/demo/github"))?;
    logs(args.log_format);
    let config = Config {
        listen: addr,
        data_dir: root.join("data"),
        base_url: Some(format!("http://{addr}")),
        debounce: std::time::Duration::from_millis(50),
        fetch_interval: None,
        sync_interval: Some(std::time::Duration::from_secs(30)),
        tracker_write_interval: Some(std::time::Duration::ZERO),
        secrets: Secrets::default(),
        plans: vec![PlanConfig { source: PlanSource::Worktree(plan.clone()), code: None, sync: true }],
    };
    let tracker = Arc::new(kept::daemon::demo::Tracker::default());
    let ready = |addr: SocketAddr| {
        use std::io::Write;
        // Whoever started kept may stop reading; that is no reason to stop serving.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "kept is serving the demo plan at http://{addr}/");
        let _ = writeln!(out, "  dashboard  http://{addr}/");
        let _ = writeln!(out, "  feeds      http://{addr}/feed.atom  http://{addr}/feed.json");
        let _ = writeln!(out, "  status     http://{addr}/api/v1/status");
        let _ = writeln!(out, "  tracker    http://{addr}/demo/github/  (close an issue: the plan follows)");
        let _ = writeln!(out, "  the plan's repository: {} (commit there: the site follows)", plan.display());
        let _ = writeln!(out, "Ctrl-C stops.");
        let _ = out.flush();
    };
    runtime()?.block_on(kept::daemon::run(config, Some(listener), Some(tracker), ready, None))?;
    Ok(0)
}
