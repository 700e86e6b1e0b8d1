//! `kept init`: a new plan repository at the start of phase 1, committed, validating clean.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::date::Date;

/// What the new plan is for.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The member's name, e.g. "Test City".
    pub member: String,
    /// The member code, e.g. UATST.
    pub code: String,
    /// Declared languages; the first is primary.
    pub languages: Vec<String>,
    /// Today: the plan period starts on the first of next month and runs two years.
    pub today: Date,
}

/// Why a plan repository could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The target exists and is not an empty directory.
    #[error("{} already exists and is not empty; choose a new directory", .0.display())]
    NotEmpty(PathBuf),
    /// An option is not usable.
    #[error("{0}")]
    Invalid(String),
    /// Writing a file failed.
    #[error("cannot write {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Creating the repository or its first commit failed.
    #[error("cannot create the git repository in {}", path.display())]
    Git {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
}

fn tr(lang: &str, uk: &str, en: &str) -> String {
    if lang == "uk" { uk.to_string() } else { en.to_string() }
}

fn text(langs: &[String], f: impl Fn(&str) -> String) -> String {
    let parts: Vec<String> = langs.iter().map(|l| format!("{l} = {}", quote(&f(l)))).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The files of a new plan, as (path, contents).
pub fn files(opts: &InitOptions) -> Result<Vec<(String, String)>, InitError> {
    if !crate::plan::shape::is_safe_id(&opts.code) || opts.code.len() < 3 {
        return Err(InitError::Invalid(format!(
            "member code `{}` must be letters and digits, such as UAKLY (country code and place)",
            opts.code
        )));
    }
    if opts.member.trim().is_empty() {
        return Err(InitError::Invalid("the member name is empty; pass --member \"City name\"".into()));
    }
    if opts.languages.is_empty() {
        return Err(InitError::Invalid("declare at least one language, e.g. --languages uk,en".into()));
    }
    for (i, l) in opts.languages.iter().enumerate() {
        if !crate::plan::shape::is_language_code(l) {
            return Err(InitError::Invalid(format!("`{l}` is not a language code; use codes such as uk,en")));
        }
        if opts.languages[..i].contains(l) {
            return Err(InitError::Invalid(format!("language `{l}` is given twice; list each language once")));
        }
    }
    let langs = &opts.languages;
    let start = Date::new(opts.today.year(), opts.today.month(), 1).expect("first of month exists").add_months(1);
    let end = Date::from_days(start.add_months(24).to_days() - 1);
    let member = text(langs, |_| opts.member.clone());
    let title = text(langs, |l| {
        tr(
            l,
            &format!("План дій з відкритого врядування: {}", opts.member),
            &format!("{} open government action plan", opts.member),
        )
    });
    let coordinator = text(langs, |l| tr(l, "Координатор (замініть)", "Coordinator (replace me)"));
    let council = text(langs, |l| {
        tr(l, &format!("{} (орган влади)", opts.member), &format!("{} (local government)", opts.member))
    });
    let step_note = text(langs, |l| {
        tr(l, "Сформуйте команду та запишіть її у [team].", "Build the team and list it under [team].")
    });

    let mut out = Vec::new();
    out.push((
        "kept.toml".to_string(),
        "#:schema ./.kept/schema/kept.schema.json\n# kept settings; every key is described in kept's docs/plan-format.md\nschema-version = 1\n\n[roles]\ncoordinator = [\"p-coordinator\"]\napprover = [\"o-council\"]\nmonitor = []\nbot = []\n\n[branches]\nprotected = [\"main\"]\n\n[signatures]\nrequired = false\n"
        .to_string(),
    ));
    let mut plan = format!(
        "#:schema ./.kept/schema/plan.schema.json\nmember = {member}\nmember-code = {}\ntitle = {title}\nlanguages = [{}]\nperiod = {{ start = {start}, end = {end} }}\nphase = \"prepare\"\ncatalogue = \"{}\"\n\n[team]\nlead = \"p-coordinator\"\nmembers = [\"p-coordinator\"]\n\n",
        quote(&opts.code),
        langs.iter().map(|l| quote(l)).collect::<Vec<_>>().join(", "),
        crate::catalogue::DEFAULT,
    );
    let _ = write!(plan, "[steps.\"1.1\"]\nstatus = \"in-progress\"\nstarted = {}\nnotes = {step_note}\n", opts.today);
    out.push(("plan.toml".to_string(), plan));
    out.push((
        "people.toml".to_string(),
        format!(
            "#:schema ./.kept/schema/people.schema.json\n[[organisations]]\nid = \"o-council\"\nname = {council}\nsector = \"government\"\n\n[[people]]\nid = \"p-coordinator\"\nname = {coordinator}\norganisation = \"o-council\"\nsector = \"government\"\n"
        ),
    ));
    out.push((
        "README.md".to_string(),
        format!(
            "# {}\n\nThe open government action plan of {}, kept as code with `kept`.\n\n- `kept validate` checks the plan; `kept status` shows what the current phase still needs.\n- The layout and every field are described in kept's docs/plan-format.md.\n",
            opts.member, opts.member
        ),
    ));
    out.push((".gitignore".to_string(), "/_site/\n/.kept/cache/\n".to_string()));
    out.extend(schema_files());
    Ok(out)
}

/// The JSON Schemas every plan repository carries for editors, as (path, contents).
pub fn schema_files() -> Vec<(String, String)> {
    crate::schema::all()
        .into_iter()
        .map(|(name, _, schema)| {
            let body = serde_json::to_string_pretty(&schema).expect("schema values serialize");
            (format!(".kept/schema/{name}.schema.json"), body + "\n")
        })
        .collect()
}

/// Create the plan repository in `dir` (created if missing; must be empty) with one commit.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<git2::Oid, InitError> {
    let files = files(opts)?;
    lay_down(dir, &files, "Start the open government action plan (kept init)")
}

/// Whether `dir` is missing or an empty directory: the only places kept creates a plan in.
pub fn is_vacant(dir: &Path) -> bool {
    !dir.exists() || std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false)
}

/// Write `files` into `dir` (created if missing; must be empty) and commit them all.
pub fn lay_down(dir: &Path, files: &[(String, String)], message: &str) -> Result<git2::Oid, InitError> {
    if !is_vacant(dir) {
        return Err(InitError::NotEmpty(dir.to_path_buf()));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (path, contents) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&target, contents).map_err(io(&target))?;
    }
    crate::repo::commit_all(dir, message).map_err(|source| InitError::Git { path: dir.to_path_buf(), source })
}
