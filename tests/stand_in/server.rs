//! The HTTP side of the stand-ins: a tiny HTTP/1.1 server on loopback (keep-alive, JSON
//! bodies) that records every request and injects faults on demand; each stand-in answers
//! requests from its own state.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A fault to inject into the next request that reaches the stand-in.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a GitHub error body.
    Status(u16),
    /// 429 with `retry-after: 1`... in seconds given.
    TooMany(u64),
    /// Close the connection without answering (after reading the request).
    Drop,
    /// Do what was asked, then close the connection without answering: the client cannot
    /// know whether a create was made.
    DropAfter,
    /// Wait this long before answering normally.
    Slow(Duration),
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub conditional: bool,
    pub status: u16,
}

/// Status, extra headers and JSON body of an answer.
pub type Answer = (u16, Vec<(String, String)>, Value);

/// What a stand-in saw and what it is to inject.
#[derive(Debug, Default)]
pub struct Traffic {
    /// Every request, in order.
    pub log: Vec<Seen>,
    /// Faults for the next requests, in order.
    pub faults: VecDeque<Fault>,
    /// Every n-th request fails with one of these faults, in turn.
    pub every: Option<(u64, Vec<Fault>)>,
}

impl Traffic {
    /// Writes (anything but GET) answered successfully.
    pub fn writes(&self) -> usize {
        self.log.iter().filter(|s| s.method != "GET" && s.status < 300).count()
    }

    /// The fault for the next request: the next queued one, or else every n-th request
    /// one of `every`, in turn.
    fn next_fault(&mut self) -> Option<Fault> {
        let n = self.log.len() as u64 + 1;
        let periodic = self
            .every
            .as_ref()
            .and_then(|(k, faults)| (n % k == 0).then(|| faults[((n / k) as usize) % faults.len()].clone()));
        self.faults.pop_front().or(periodic)
    }
}

/// A rate limit: `limit` requests per `window`, as a forge (or the proxy in front of it)
/// counts them. A request over the limit is refused until the window ends.
#[derive(Debug, Clone)]
pub struct RateWindow {
    pub limit: u64,
    pub remaining: u64,
    pub window: Duration,
    pub reset_at: std::time::Instant,
    /// Requests refused so far.
    pub refused: u64,
}

impl Default for RateWindow {
    fn default() -> Self {
        RateWindow::new(5000, Duration::from_secs(3600))
    }
}

impl RateWindow {
    pub fn new(limit: u64, window: Duration) -> RateWindow {
        RateWindow { limit, remaining: limit, window, reset_at: std::time::Instant::now() + window, refused: 0 }
    }

    /// Count a request: `Err(seconds)` to wait when the limit is spent.
    pub fn take(&mut self) -> Result<(), u64> {
        let now = std::time::Instant::now();
        if now >= self.reset_at {
            self.remaining = self.limit;
            self.reset_at = now + self.window;
        }
        if self.remaining == 0 {
            self.refused += 1;
            return Err((self.reset_at - now).as_secs_f64().ceil().max(1.0) as u64);
        }
        self.remaining -= 1;
        Ok(())
    }

    /// When the window ends, in seconds since the epoch.
    pub fn reset_epoch(&self) -> u64 {
        let left = self.reset_at.saturating_duration_since(std::time::Instant::now());
        (std::time::SystemTime::now() + left).duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 1
    }
}

/// Whether a branch exists in the forge's copy of the repository (a bare repository the
/// test pushes to), as a forge checks before it opens a pull request.
pub fn branch_exists(git_dir: Option<&std::path::Path>, branch: &str) -> bool {
    git_dir.is_some_and(|dir| {
        std::process::Command::new("git")
            .arg("--git-dir")
            .arg(dir)
            .args(["rev-parse", "--verify", "--quiet", &format!("refs/heads/{branch}")])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Edit a GitHub- or Gitea-shaped milestone (`state` open or closed): the `fields` the body
/// has are copied, then `due_on` goes through `due` (each forge keeps it its own way).
pub fn edit_milestone(m: &mut Value, body: &Value, now: &str, due: impl Fn(&str) -> String) {
    for key in ["title", "description"] {
        if let Some(v) = body.get(key) {
            m[key] = v.clone();
        }
    }
    if let Some(d) = body.get("due_on") {
        m["due_on"] = d.as_str().map_or(Value::Null, |d| json!(due(d)));
    }
    match body["state"].as_str() {
        Some("closed") if m["state"] != "closed" => {
            m["state"] = json!("closed");
            m["closed_at"] = json!(now);
        }
        Some("open") => {
            m["state"] = json!("open");
            m["closed_at"] = Value::Null;
        }
        _ => {}
    }
    m["updated_at"] = json!(now);
}

/// An error answer with a message, in the shape the forges use.
pub fn error(status: u16, message: &str) -> Answer {
    (status, vec![], json!({"message": message, "documentation_url": "https://docs.github.com/rest"}))
}

/// The weak ETag of a body, as GitHub sends them.
pub fn etag(body: &Value) -> String {
    format!("W/\"{:016x}\"", kept::hash::fnv1a(body.to_string().as_bytes()))
}

/// What a stand-in does with requests.
pub trait Service: Send + 'static {
    /// What it saw and is to inject.
    fn traffic(&mut self) -> &mut Traffic;
    /// Answer a request.
    fn answer(&mut self, req: &Incoming, base: &str) -> Answer;
    /// Headers sent with every answer (rate limits).
    fn headers(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Serve on a free loopback port; returns the base address.
pub fn start<S: Service>(state: Arc<Mutex<S>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let base = url.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = state.clone();
            let base = base.clone();
            std::thread::spawn(move || {
                let _ = serve(stream, &state, &base);
            });
        }
    });
    url
}

pub struct Incoming {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Incoming> {
    let mut line = String::new();
    stream.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        stream.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    stream.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let body = if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    Some(Incoming { method, path: path.to_string(), query, headers, body })
}

fn serve<S: Service>(stream: TcpStream, state: &Arc<Mutex<S>>, base: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    let record = |req: &Incoming, conditional: bool, status: u16| {
        state.lock().unwrap().traffic().log.push(Seen {
            method: req.method.clone(),
            path: req.path.clone(),
            conditional,
            status,
        });
    };
    while let Some(req) = read_request(&mut reader) {
        let fault = state.lock().unwrap().traffic().next_fault();
        let (status, mut headers, body) = match fault {
            Some(Fault::Drop) => {
                record(&req, false, 0);
                return Ok(());
            }
            Some(Fault::DropAfter) => {
                let (status, _, _) = state.lock().unwrap().answer(&req, base);
                record(&req, false, status);
                return Ok(());
            }
            Some(Fault::Slow(d)) => {
                std::thread::sleep(d);
                state.lock().unwrap().answer(&req, base)
            }
            Some(Fault::Status(code)) => (code, vec![], json!({"message": "Server Error (injected)"})),
            Some(Fault::TooMany(secs)) => (
                429,
                vec![("retry-after".into(), secs.to_string())],
                json!({"message": "You have exceeded a secondary rate limit"}),
            ),
            None => state.lock().unwrap().answer(&req, base),
        };
        record(&req, req.headers.contains_key("if-none-match"), status);
        headers.extend(state.lock().unwrap().headers());
        let text = if status == 304 || body.is_null() { String::new() } else { body.to_string() };
        let mut out = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n",
            reason(status),
            text.len()
        );
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&text);
        stream.write_all(out.as_bytes())?;
        stream.flush()?;
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Status",
    }
}
