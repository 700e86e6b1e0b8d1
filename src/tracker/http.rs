//! HTTP for tracker clients: conditional reads (ETag / If-None-Match, kept between runs),
//! pagination by the `Link` header, rate limits (`x-ratelimit-*` or GitLab's `ratelimit-*`,
//! `retry-after`), retries with
//! capped backoff, and writes sent one at a time with a pause between them.
//!
//! A create (POST) is not idempotent: it is retried only when the tracker said it did not
//! act on it (429, or 403 with a spent rate limit). After any other failure the sync engine
//! looks for the marker before trying again, so a retry never makes a duplicate.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::TrackerError;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PATCH.
    Patch,
    /// PUT.
    Put,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
        })
    }
}

/// A request, as data (no credentials: they are added when it is sent).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full address.
    pub url: String,
    /// The JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)?;
        if let Some(b) = &self.body {
            write!(f, " {b}")?;
        }
        Ok(())
    }
}

/// A response: status, the headers kept reads, and the JSON body.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The body (`null` when empty).
    pub body: Value,
    /// The `Link` header's `next` page.
    pub next: Option<String>,
}

/// How patient the client is.
#[derive(Debug, Clone)]
pub struct Options {
    /// Attempts per request (the first included).
    pub attempts: u32,
    /// The first pause after a failure; it doubles after each, up to `max_wait`.
    pub backoff: Duration,
    /// The longest kept waits for a rate limit or between retries; longer is an error.
    pub max_wait: Duration,
    /// The pause between two writes (GitHub asks for a second between mutations).
    pub write_interval: Duration,
    /// The timeout of one request.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            attempts: 6,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
            write_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
        }
    }
}

impl Options {
    /// The defaults, with `KEPT_TRACKER_INTERVAL_MS`, `KEPT_TRACKER_BACKOFF_MS`,
    /// `KEPT_TRACKER_MAX_WAIT_S` and `KEPT_TRACKER_TIMEOUT_S` from the environment when set.
    pub fn from_env() -> Options {
        let num = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok());
        let mut o = Options::default();
        if let Some(ms) = num("KEPT_TRACKER_INTERVAL_MS") {
            o.write_interval = Duration::from_millis(ms);
        }
        if let Some(ms) = num("KEPT_TRACKER_BACKOFF_MS") {
            o.backoff = Duration::from_millis(ms);
        }
        if let Some(s) = num("KEPT_TRACKER_MAX_WAIT_S") {
            o.max_wait = Duration::from_secs(s);
        }
        if let Some(s) = num("KEPT_TRACKER_TIMEOUT_S") {
            o.timeout = Duration::from_secs(s);
        }
        o
    }
}

/// What the client did, for the report and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Requests sent (retries included).
    pub requests: u32,
    /// Of them, writes.
    pub writes: u32,
    /// Reads sent with If-None-Match.
    pub conditional: u32,
    /// Reads answered 304 Not Modified (GitHub does not count them against the rate limit).
    pub not_modified: u32,
    /// Requests sent again after a failure.
    pub retries: u32,
    /// What was retried and why.
    pub retried: Vec<String>,
}

/// Pages read before, by address: their ETag, body and next page, kept between runs so a
/// sync with nothing new costs only conditional reads.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Cache {
    pages: BTreeMap<String, CachedPage>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CachedPage {
    etag: String,
    body: Value,
    next: Option<String>,
}

/// An HTTP client for one tracker.
pub struct Http {
    client: reqwest::blocking::Client,
    headers: Vec<(String, String)>,
    options: Options,
    cache: Cache,
    stats: Stats,
    last_write: Option<Instant>,
}

impl fmt::Debug for Http {
    // Headers carry the token: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http").field("options", &self.options).field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl Http {
    /// A client sending `headers` (the tracker's media type, its credentials) with every
    /// request, and reusing a cache of earlier reads.
    pub fn new(headers: Vec<(String, String)>, options: Options, cache: Cache) -> Result<Http, TrackerError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("kept/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .build()
            .map_err(|e| TrackerError::Config(format!("cannot start the HTTP client: {e}")))?;
        Ok(Http { client, headers, options, cache, stats: Stats::default(), last_write: None })
    }

    /// What was done so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The reads to keep for next time.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Every page of a list, following `Link: <...>; rel="next"`; each page read
    /// conditionally. The pages' arrays are concatenated.
    pub fn get_all(&mut self, url: &str) -> Result<Vec<Value>, TrackerError> {
        let mut items = Vec::new();
        let mut next = Some(url.to_string());
        let mut seen = std::collections::HashSet::new();
        while let Some(url) = next.take() {
            // A tracker that links a page to itself (or in a loop) is not followed forever.
            if !seen.insert(url.clone()) {
                break;
            }
            let page = self.get(&url)?;
            match page.body {
                Value::Array(a) => items.extend(a),
                other => {
                    return Err(TrackerError::Decode {
                        url,
                        message: format!("expected a list, got {}", kind(&other)),
                    });
                }
            }
            next = match page.next {
                Some(link) => Some(same_origin(&url, &link)?),
                None => None,
            };
        }
        Ok(items)
    }

    /// A conditional GET: answered from the cache on 304.
    pub fn get(&mut self, url: &str) -> Result<Response, TrackerError> {
        let request = Request { method: Method::Get, url: url.to_string(), body: None };
        let etag = self.cache.pages.get(url).map(|p| p.etag.clone());
        let (response, new_etag) = self.send_raw(&request, etag.as_deref())?;
        if response.status == 304 {
            self.stats.not_modified += 1;
            // A 304 answers a request made with a cached ETag; a tracker that sends one
            // unasked is read again without the condition.
            match self.cache.pages.get(url) {
                Some(page) => return Ok(Response { status: 200, body: page.body.clone(), next: page.next.clone() }),
                None => return self.send_raw(&request, None).map(|(r, _)| r),
            }
        }
        match new_etag {
            Some(etag) => {
                let page = CachedPage { etag, body: response.body.clone(), next: response.next.clone() };
                self.cache.pages.insert(url.to_string(), page);
            }
            None => {
                self.cache.pages.remove(url);
            }
        }
        Ok(response)
    }

    /// Send a write, after the pause writes keep between them.
    pub fn send(&mut self, request: &Request) -> Result<Response, TrackerError> {
        if let Some(last) = self.last_write {
            let since = last.elapsed();
            if since < self.options.write_interval {
                std::thread::sleep(self.options.write_interval - since);
            }
        }
        let result = self.send_raw(request, None).map(|(r, _)| r);
        self.last_write = Some(Instant::now());
        result
    }

    /// Send with retries; returns the response and its ETag.
    fn send_raw(&mut self, request: &Request, etag: Option<&str>) -> Result<(Response, Option<String>), TrackerError> {
        let idempotent = request.method != Method::Post;
        let mut wait = self.options.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.stats.requests += 1;
            if request.method != Method::Get {
                self.stats.writes += 1;
            } else if etag.is_some() {
                self.stats.conditional += 1;
            }
            let outcome = self.once(request, etag);
            let last = attempt >= self.options.attempts;
            let retry_in = match &outcome {
                Ok(Attempt { status, retry_after, .. }) => {
                    let throttled = *status == 429 || (*status == 403 && retry_after.is_some());
                    if throttled {
                        // The tracker did not act on it: safe to send again, even a create.
                        match retry_after {
                            Some(d) if *d > self.options.max_wait => {
                                return Err(TrackerError::RateLimited { reset: reset_text(*d) });
                            }
                            Some(d) => Some(*d),
                            None => Some(wait),
                        }
                    } else if *status >= 500 && idempotent {
                        Some(wait)
                    } else {
                        None
                    }
                }
                Err(_) if idempotent => Some(wait),
                Err(_) => None,
            };
            match (retry_in, last) {
                (Some(pause), false) => {
                    let why = match &outcome {
                        Ok(a) => a.status.to_string(),
                        Err(e) => transport_reason(e),
                    };
                    self.stats.retries += 1;
                    self.stats.retried.push(format!("{} {}: {why}", request.method, request.url));
                    std::thread::sleep(pause);
                    wait = (wait * 2).min(self.options.max_wait);
                }
                _ => {
                    let a = outcome.map_err(|source| TrackerError::Transport {
                        method: request.method.to_string(),
                        url: request.url.clone(),
                        source,
                    })?;
                    if a.status == 304 || (200..300).contains(&a.status) {
                        return Ok((Response { status: a.status, body: a.body, next: a.next }, a.etag));
                    }
                    if a.status == 403 && a.remaining == Some(0) {
                        return Err(TrackerError::RateLimited {
                            reset: a.reset.map_or("its reset time".to_string(), |r| format!("{r} (epoch seconds)")),
                        });
                    }
                    return Err(TrackerError::Status {
                        method: request.method.to_string(),
                        url: request.url.clone(),
                        status: a.status,
                        message: message_of(&a.body),
                    });
                }
            }
        }
    }

    /// One attempt.
    fn once(&self, request: &Request, etag: Option<&str>) -> Result<Attempt, reqwest::Error> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
        };
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(tag) = etag {
            builder = builder.header("If-None-Match", tag);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send()?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        // GitHub and Gitea's proxies say `x-ratelimit-*`; GitLab says `ratelimit-*`.
        let number = |name: &str| {
            header(&format!("x-{name}")).or_else(|| header(name)).and_then(|v| v.trim().parse::<u64>().ok())
        };
        let remaining = number("ratelimit-remaining");
        let reset = number("ratelimit-reset");
        // A spent primary limit without retry-after: wait for its reset when that is soon.
        let retry_after = retry_after.or_else(|| {
            (status == 403 || status == 429).then_some(())?;
            let (0, Some(reset)) = (remaining?, reset) else { return None };
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
            Some(Duration::from_secs(reset.saturating_sub(now) + 1))
        });
        let etag = header("etag");
        let next = header("link").and_then(|l| next_link(&l));
        let text = response.text()?;
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Attempt { status, body, etag, next, retry_after, remaining, reset })
    }
}

struct Attempt {
    status: u16,
    body: Value,
    etag: Option<String>,
    next: Option<String>,
    retry_after: Option<Duration>,
    remaining: Option<u64>,
    reset: Option<u64>,
}

fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "connection failed".into()
    }
}

fn reset_text(wait: Duration) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let at = now + wait.as_secs();
    let date = crate::date::Date::from_days((at / 86_400) as i64);
    let s = at % 86_400;
    format!("{date} {:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The tracker's own words for an error: `message`, and the first of `errors` if any.
fn message_of(body: &Value) -> String {
    let message = body.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
    let detail = body.get("errors").and_then(|e| e.get(0)).map(|e| match e {
        Value::String(s) => s.clone(),
        other => other.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| other.to_string()),
    });
    match (message.is_empty(), detail, body) {
        (false, Some(d), _) => format!("{message} ({d})"),
        (false, None, _) => message,
        (true, Some(d), _) => d,
        (true, None, Value::String(s)) => s.chars().take(200).collect(),
        (true, None, _) => "no message".into(),
    }
}

/// A page link resolved against the page that gave it, if it stays on the same scheme, host
/// and port: the token is never sent to a host a `Link` header names.
fn same_origin(page: &str, link: &str) -> Result<String, TrackerError> {
    let refuse = |why: &str| TrackerError::Decode { url: page.to_string(), message: why.to_string() };
    let base = reqwest::Url::parse(page).map_err(|_| refuse("the page's address is not a URL"))?;
    let next = base.join(link).map_err(|_| refuse("its Link header's next page is not a URL"))?;
    if next.origin() != base.origin() {
        return Err(refuse(&format!(
            "its Link header sends the next page to {}, another host; kept does not follow it (the \
             token would go there): check [tracker] url in kept.toml",
            next.origin().ascii_serialization()
        )));
    }
    Ok(next.into())
}

/// The `rel="next"` address of a `Link` header (RFC 8288).
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        let h = "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"";
        assert_eq!(next_link(h).as_deref(), Some("https://api.github.com/repositories/1/issues?page=2"));
        assert_eq!(next_link("<https://x/?page=1>; rel=\"prev\""), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn page_links_stay_on_the_trackers_host() {
        let page = "http://127.0.0.1:4010/repos/o/r/issues?per_page=100";
        assert_eq!(
            same_origin(page, "/repos/o/r/issues?page=2").unwrap(),
            "http://127.0.0.1:4010/repos/o/r/issues?page=2"
        );
        assert!(same_origin(page, "http://127.0.0.1:4010/repositories/1/issues?page=2").is_ok());
        for elsewhere in
            ["https://api.github.com/resource?page=2", "http://127.0.0.1:4011/x", "https://127.0.0.1:4010/x"]
        {
            let e = same_origin(page, elsewhere).unwrap_err().to_string();
            assert!(e.contains("another host"), "{e}");
        }
    }

    #[test]
    fn tracker_messages() {
        let v: Value = serde_json::json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}]});
        assert!(message_of(&v).starts_with("Validation Failed ("));
        assert_eq!(message_of(&serde_json::json!({"message": "Not Found"})), "Not Found");
        assert_eq!(message_of(&Value::String("Bad gateway".into())), "Bad gateway");
    }
}
