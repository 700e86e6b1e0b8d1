//! The daemon's metrics, in Prometheus' text exposition format (version 0.0.4): counters of
//! events, webhook deliveries, tracker requests and retries; histograms of publish, sync and
//! commit-to-publish durations; and each plan's validation errors as a gauge.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the duration buckets, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// A histogram of durations.
#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if s <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += s;
    }
}

/// A metric's labels, rendered (`plan="UAYAB"`).
type Labels = String;

#[derive(Debug, Default)]
struct Inner {
    counters: BTreeMap<(&'static str, Labels), u64>,
    gauges: BTreeMap<(&'static str, Labels), f64>,
    histograms: BTreeMap<(&'static str, Labels), Histogram>,
}

/// The daemon's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// What each metric means, for `# HELP`.
const HELP: &[(&str, &str, &str)] = &[
    ("kept_events_total", "counter", "Changes seen, by plan and kind (head, worktree, fetch, webhook, timer)."),
    ("kept_webhook_deliveries_total", "counter", "Webhook deliveries, by forge and result."),
    ("kept_publish_total", "counter", "Publishes, by plan and result."),
    ("kept_publish_duration_seconds", "histogram", "Time to validate and publish a new revision."),
    ("kept_commit_to_publish_seconds", "histogram", "Time from a commit landing to its site being served."),
    ("kept_sync_total", "counter", "Tracker sync passes, by plan and result."),
    ("kept_sync_duration_seconds", "histogram", "Time of a tracker sync pass."),
    ("kept_tracker_requests_total", "counter", "Requests sent to trackers, by plan."),
    ("kept_tracker_retries_total", "counter", "Tracker requests sent again after a failure, by plan."),
    ("kept_validation_errors", "gauge", "Errors in the plan at the followed revision, by plan."),
    ("kept_validation_warnings", "gauge", "Warnings in the plan at the followed revision, by plan."),
];

/// Labels from pairs, escaped as the format asks.
pub fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")))
        .collect::<Vec<_>>()
        .join(",")
}

impl Metrics {
    /// Add to a counter.
    pub fn add(&self, name: &'static str, labels: String, n: u64) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()).counters.entry((name, labels)).or_default() += n;
    }

    /// Set a gauge.
    pub fn set(&self, name: &'static str, labels: String, v: f64) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).gauges.insert((name, labels), v);
    }

    /// Observe a duration.
    pub fn observe(&self, name: &'static str, labels: String, d: Duration) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).histograms.entry((name, labels)).or_default().observe(d);
    }

    /// A counter's value (for tests and the status API).
    pub fn counter(&self, name: &'static str, labels: &str) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.counters.get(&(name, labels.to_string())).copied().unwrap_or(0)
    }

    /// Everything, in the text exposition format.
    pub fn render(&self) -> String {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        for (name, kind, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            let brace = |l: &str| if l.is_empty() { String::new() } else { format!("{{{l}}}") };
            for ((n, l), v) in inner.counters.iter().filter(|((n, _), _)| n == name) {
                let _ = writeln!(out, "{n}{} {v}", brace(l));
            }
            for ((n, l), v) in inner.gauges.iter().filter(|((n, _), _)| n == name) {
                let _ = writeln!(out, "{n}{} {v}", brace(l));
            }
            for ((n, l), h) in inner.histograms.iter().filter(|((n, _), _)| n == name) {
                let sep = if l.is_empty() { "" } else { "," };
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(out, "{n}_bucket{{{l}{sep}le=\"{bound}\"}} {count}");
                }
                let _ = writeln!(out, "{n}_bucket{{{l}{sep}le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{n}_sum{} {}", brace(l), h.sum);
                let _ = writeln!(out, "{n}_count{} {}", brace(l), h.count);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format() {
        let m = Metrics::default();
        m.add("kept_events_total", labels(&[("plan", "UAYAB"), ("kind", "head")]), 2);
        m.observe("kept_publish_duration_seconds", labels(&[("plan", "UAYAB")]), Duration::from_millis(30));
        m.set("kept_validation_errors", labels(&[("plan", "a\"b")]), 3.0);
        let text = m.render();
        assert!(text.contains("kept_events_total{plan=\"UAYAB\",kind=\"head\"} 2\n"), "{text}");
        assert!(text.contains("kept_publish_duration_seconds_bucket{plan=\"UAYAB\",le=\"0.025\"} 0\n"), "{text}");
        assert!(text.contains("kept_publish_duration_seconds_bucket{plan=\"UAYAB\",le=\"0.05\"} 1\n"), "{text}");
        assert!(text.contains("kept_publish_duration_seconds_count{plan=\"UAYAB\"} 1\n"), "{text}");
        assert!(text.contains("kept_validation_errors{plan=\"a\\\"b\"} 3\n"), "{text}");
        assert!(text.contains("# TYPE kept_sync_duration_seconds histogram\n"));
    }
}
