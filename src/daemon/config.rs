//! The daemon's configuration file (TOML), with secrets read from the environment or from
//! files, never from the file itself.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! data-dir = "/var/lib/kept"           # published sites and the clones the daemon owns
//! base-url = "https://plans.example.org"
//!
//! [webhooks]
//! github-secret = { env = "KEPT_GITHUB_WEBHOOK_SECRET" }
//! gitlab-token = { file = "/etc/kept/gitlab-token" }
//! gitea-secret = { env = "KEPT_GITEA_WEBHOOK_SECRET" }
//!
//! [[plans]]
//! path = "/home/coordinator/open-gov-plan"   # a working tree, watched
//! sync = true
//!
//! [[plans]]
//! remote = "https://github.com/kyiv/open-gov-plan.git"   # a clone the daemon owns
//! branch = "main"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the daemon configuration {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with where.
        message: String,
    },
    /// A secret could not be read.
    #[error("{what}: {why}")]
    Secret {
        /// Which secret.
        what: String,
        /// Why.
        why: String,
    },
}

/// Where a secret comes from.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretSource {
    /// An environment variable.
    #[serde(default)]
    pub env: Option<String>,
    /// A file (its contents, trimmed).
    #[serde(default)]
    pub file: Option<PathBuf>,
}

/// Webhook secrets, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebhooksFile {
    /// GitHub's `X-Hub-Signature-256` secret.
    pub github_secret: Option<SecretSource>,
    /// GitLab's `X-Gitlab-Token`.
    pub gitlab_token: Option<SecretSource>,
    /// Gitea's and Forgejo's signature secret.
    pub gitea_secret: Option<SecretSource>,
}

/// One plan, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PlanFile {
    /// A working tree to watch.
    pub path: Option<PathBuf>,
    /// A repository to clone and fetch.
    pub remote: Option<String>,
    /// The branch to follow in a clone.
    pub branch: Option<String>,
    /// The plan's member code, if it should not come from plan.toml.
    pub code: Option<String>,
    /// Keep the tracker in step.
    #[serde(default)]
    pub sync: bool,
}

/// The file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Where to listen.
    pub listen: Option<String>,
    /// Where published sites and clones live.
    pub data_dir: Option<PathBuf>,
    /// The public address of the served sites.
    pub base_url: Option<String>,
    /// Quiet time after a file event before acting on it, in milliseconds.
    pub debounce_ms: Option<u64>,
    /// How often a clone is fetched, in seconds (0: only on webhooks).
    pub fetch_interval_s: Option<u64>,
    /// How often the tracker is reconciled without a change, in seconds (0: never).
    pub sync_interval_s: Option<u64>,
    /// The pause between two writes to a tracker, in milliseconds (GitHub asks for 1000).
    pub tracker_write_interval_ms: Option<u64>,
    /// Webhook secrets.
    #[serde(default)]
    pub webhooks: WebhooksFile,
    /// The plans.
    #[serde(default)]
    pub plans: Vec<PlanFile>,
}

/// Where a plan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSource {
    /// A working tree someone works in: watched, never written to except by the bot commit.
    Worktree(PathBuf),
    /// A repository the daemon clones into its data directory and fetches.
    Clone {
        /// Where it is fetched from (and pushed to).
        remote: String,
        /// The branch followed.
        branch: String,
    },
}

/// One plan to follow.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    /// Where it comes from.
    pub source: PlanSource,
    /// Its member code, when set in the configuration.
    pub code: Option<String>,
    /// Keep the tracker in step.
    pub sync: bool,
}

/// Webhook secrets, read.
#[derive(Clone, Default)]
pub struct Secrets {
    /// GitHub.
    pub github: Option<Vec<u8>>,
    /// GitLab.
    pub gitlab: Option<Vec<u8>>,
    /// Gitea and Forgejo.
    pub gitea: Option<Vec<u8>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values.
        f.debug_struct("Secrets")
            .field("github", &self.github.is_some())
            .field("gitlab", &self.gitlab.is_some())
            .field("gitea", &self.gitea.is_some())
            .finish()
    }
}

/// The configuration, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where published sites and clones live.
    pub data_dir: PathBuf,
    /// The public address of the served sites.
    pub base_url: Option<String>,
    /// Quiet time after a file event.
    pub debounce: Duration,
    /// How often clones are fetched.
    pub fetch_interval: Option<Duration>,
    /// How often the tracker is reconciled without a change.
    pub sync_interval: Option<Duration>,
    /// The pause between two tracker writes, when not the default.
    pub tracker_write_interval: Option<Duration>,
    /// Webhook secrets.
    pub secrets: Secrets,
    /// The plans.
    pub plans: Vec<PlanConfig>,
}

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// Read and check a configuration file; relative paths are relative to it.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: match e.span() {
                Some(span) => {
                    let at = crate::diagnostic::line_col(&text, span.start);
                    format!("line {}, column {}: {}", at.line, at.column, e.message().trim())
                }
                None => e.message().trim().to_string(),
            },
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::from_file(file, base).map_err(|message| ConfigError::Invalid { path: path.to_path_buf(), message })
    }

    /// Check a configuration; `base` is where relative paths start.
    pub fn from_file(file: ConfigFile, base: &Path) -> Result<Config, String> {
        let listen_text = file.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.parse().map_err(|_| {
            format!("listen = \"{listen_text}\" is not an address and port, such as \"127.0.0.1:8080\"")
        })?;
        let abs = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        if file.plans.is_empty() {
            return Err("no [[plans]]: list at least one plan (path = a working tree, or remote = a URL)".into());
        }
        let mut plans = Vec::new();
        for (i, p) in file.plans.into_iter().enumerate() {
            let n = i + 1;
            let source = match (p.path, p.remote) {
                (Some(path), None) => {
                    if p.branch.is_some() {
                        return Err(format!(
                            "[[plans]] #{n}: branch applies to a remote; a working tree follows its HEAD"
                        ));
                    }
                    PlanSource::Worktree(abs(path))
                }
                (None, Some(remote)) => {
                    PlanSource::Clone { remote, branch: p.branch.unwrap_or_else(|| "main".to_string()) }
                }
                (Some(_), Some(_)) => {
                    return Err(format!("[[plans]] #{n}: give path (a working tree) or remote (a clone), not both"));
                }
                (None, None) => return Err(format!("[[plans]] #{n}: give path (a working tree) or remote (a clone)")),
            };
            if let Some(code) = &p.code
                && (code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            {
                return Err(format!("[[plans]] #{n}: code = \"{code}\" must be letters, digits, - or _"));
            }
            plans.push(PlanConfig { source, code: p.code, sync: p.sync });
        }
        let secret = |name: &str, s: Option<SecretSource>| -> Result<Option<Vec<u8>>, String> {
            let Some(s) = s else { return Ok(None) };
            read_secret(&s, base).map(Some).map_err(|why| format!("[webhooks] {name}: {why}"))
        };
        let secrets = Secrets {
            github: secret("github-secret", file.webhooks.github_secret)?,
            gitlab: secret("gitlab-token", file.webhooks.gitlab_token)?,
            gitea: secret("gitea-secret", file.webhooks.gitea_secret)?,
        };
        let seconds =
            |s: Option<u64>, default: u64| Some(s.unwrap_or(default)).filter(|&s| s > 0).map(Duration::from_secs);
        Ok(Config {
            listen,
            data_dir: abs(file.data_dir.unwrap_or_else(|| PathBuf::from("kept-data"))),
            base_url: file.base_url.map(|u| u.trim_end_matches('/').to_string()),
            debounce: Duration::from_millis(file.debounce_ms.unwrap_or(50)),
            fetch_interval: seconds(file.fetch_interval_s, 300),
            sync_interval: seconds(file.sync_interval_s, 600),
            tracker_write_interval: file.tracker_write_interval_ms.map(Duration::from_millis),
            secrets,
            plans,
        })
    }
}

/// Read a secret; never says what it is.
fn read_secret(s: &SecretSource, base: &Path) -> Result<Vec<u8>, String> {
    let value = match (&s.env, &s.file) {
        (Some(var), None) => std::env::var(var).map_err(|_| format!("the environment variable {var} is not set"))?,
        (None, Some(file)) => {
            let path = if file.is_absolute() { file.clone() } else { base.join(file) };
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        _ => return Err("give env = \"VARIABLE\" or file = \"PATH\", one of them".into()),
    };
    let value = value.trim();
    if value.is_empty() {
        return Err("it is empty".into());
    }
    Ok(value.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::from_file(toml::from_str(text).map_err(|e: toml::de::Error| e.to_string())?, Path::new("/etc/kept"))
    }

    #[test]
    fn a_minimal_configuration() {
        let c = parse("[[plans]]\npath = \"plan\"\n").unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.plans[0].source, PlanSource::Worktree(PathBuf::from("/etc/kept/plan")));
        assert_eq!(c.data_dir, PathBuf::from("/etc/kept/kept-data"));
        assert_eq!(c.debounce, Duration::from_millis(50));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, says) in [
            ("", "no [[plans]]"),
            ("[[plans]]\n", "give path"),
            ("[[plans]]\npath = \"a\"\nremote = \"b\"\n", "not both"),
            ("[[plans]]\npath = \"a\"\nbranch = \"main\"\n", "branch applies to a remote"),
            ("listen = \"everywhere\"\n[[plans]]\npath = \"a\"\n", "is not an address"),
            ("[[plans]]\npath = \"a\"\ncode = \"../x\"\n", "must be letters"),
            (
                "[webhooks]\ngithub-secret = { env = \"KEPT_TEST_UNSET_SECRET_VARIABLE\" }\n[[plans]]\npath = \"a\"\n",
                "KEPT_TEST_UNSET_SECRET_VARIABLE is not set",
            ),
            ("[webhooks]\ngithub-secret = {}\n[[plans]]\npath = \"a\"\n", "one of them"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(parse("lisen = \"x\"\n[[plans]]\npath = \"a\"\n").unwrap_err().contains("lisen"));
    }
}
