//! A real Redmine on loopback (Debian's `redmine` and `redmine-sqlite`, installed by
//! .ci/run): a copy of the packaged database in a temporary directory, the REST API enabled,
//! a project made, and Redmine's own server started on a free port; stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const APP: &str = "/usr/share/redmine";
const DATABASE: &str = "/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default";
pub const PROJECT: &str = "open-gov-plan";

pub struct Redmine {
    pub url: String,
    pub key: String,
    server: Child,
}

impl Drop for Redmine {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn rails(db: &Path) -> Command {
    let mut cmd = Command::new("ruby");
    cmd.current_dir(APP)
        .env("RAILS_ENV", "production")
        .env("X_DEBIAN_SITEID", "default")
        .env("DATABASE_URL", format!("sqlite3:{}", db.display()));
    cmd
}

impl Redmine {
    /// Start one; panics with what to install when Redmine is missing.
    pub fn start(dir: &Path) -> Redmine {
        assert!(
            Path::new(DATABASE).exists() && Path::new(APP).join("Gemfile.local").exists(),
            "a real Redmine is needed: apt-get install redmine redmine-sqlite ruby-webrick, and \
             echo 'gem \"webrick\"' > {APP}/Gemfile.local (.ci/run does both)"
        );
        let db: PathBuf = dir.join("redmine.sqlite3");
        std::fs::copy(DATABASE, &db).expect("copy Redmine's database");
        let setup = "Setting.rest_api_enabled = '1'; \
            p = Project.create!(name: 'Open government plan', identifier: 'open-gov-plan', tracker_ids: Tracker.pluck(:id), is_public: true); \
            p.enabled_module_names = ['issue_tracking']; \
            puts User.find_by(login: 'admin').api_key";
        let out = rails(&db).args(["bin/rails", "runner", setup]).output().expect("ruby runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let key = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().trim().to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = rails(&db)
            .args(["bin/rails", "server", "-u", "webrick", "-b", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Redmine's server starts");
        let url = format!("http://127.0.0.1:{port}");
        let redmine = Redmine { url, key, server };
        for _ in 0..120 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redmine;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        panic!("Redmine did not start within a minute");
    }

    /// A JSON request with the API key, as an administrator would make in the web interface.
    pub fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let mut args =
            vec!["-s".to_string(), "-X".into(), method.into(), "-H".into(), format!("X-Redmine-API-Key: {}", self.key)];
        if let Some(b) = body {
            args.extend(["-H".into(), "Content-Type: application/json".into(), "-d".into(), b.to_string()]);
        }
        args.push(format!("{}{path}", self.url));
        let out = Command::new("curl").args(&args).output().expect("curl runs");
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    }
}
