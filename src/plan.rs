//! Loading a plan from a directory or a git revision into the typed [`Plan`].
//!
//! The loader lists the repository, reads the files of the layout (docs/plan-format.md),
//! checks each TOML file against its shape and converts it. Problems with single files
//! become diagnostics; only a repository that cannot be read at all is an `Err`.

pub mod commitment;
pub mod convert;
mod follow;
pub mod kinds;
pub mod markdown;
pub mod model;
pub mod shape;
pub mod source;
pub mod toml_doc;
pub mod tree;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use commitment::*;
pub use follow::{Following, Step};
pub use model::*;

use crate::catalogue;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, FileName};
use source::{EntryKind, ReadError, Source};
use toml_doc::{Ctx, View};

/// Why a plan could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// An I/O error on a path.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path is not a directory.
    #[error("{} is not a directory; give the plan repository's directory", .0.display())]
    NotADirectory(PathBuf),
    /// No git repository at or above the path.
    #[error("no git repository at or above {}", path.display())]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The revision does not name a tree.
    #[error("cannot resolve revision `{rev}` to a tree")]
    Revision {
        /// The revision.
        rev: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// Another git error.
    #[error("cannot read the git repository")]
    Git {
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The plan's directory does not exist at the revision.
    #[error("revision `{rev}` has no directory `{dir}`")]
    NotInRevision {
        /// The revision.
        rev: String,
        /// The directory, relative to the repository root.
        dir: String,
    },
    /// The repository lists more entries than any plan has.
    #[error("too many files or directories nested too deep under {}", .0.display())]
    TooManyFiles(PathBuf),
}

/// A loaded plan and what the loader found wrong with its files.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The plan, with whatever could be read.
    pub plan: Plan,
    /// Problems reading, parsing and type-checking files.
    pub diagnostics: Vec<Diagnostic>,
}

/// Load the plan in a directory (its working tree, as on disk).
pub fn load_dir(path: &Path) -> Result<Loaded, LoadError> {
    Ok(load(&source::DirSource::open(path)?))
}

/// Load the plan at a git revision of the repository at or above `path`, without a checkout.
pub fn load_rev(path: &Path, rev: &str) -> Result<Loaded, LoadError> {
    Ok(load(&source::GitSource::open(path, rev)?))
}

/// What a file is to the loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// kept.toml.
    Settings,
    /// plan.toml.
    Meta,
    /// people.toml.
    People,
    /// roadmap.toml.
    Roadmap,
    /// opportunities.toml.
    Opportunities,
    /// learning.toml.
    Learning,
    /// vision.md and translations (language of a translation).
    Vision(Option<String>),
    /// `commitments/<dir>/commitment.toml`.
    Commitment(String),
    /// `commitments/<dir>/README.md` and translations.
    Readme(String, Option<String>),
    /// `commitments/<dir>/end-of-commitment.md` and translations.
    EndReport(String, Option<String>),
    /// `updates/<date>-<slug>.md` (the date from the name).
    Update(Option<Date>),
}

/// What one plan file holds, parsed on its own. The larger kinds are boxed: a plan has
/// thousands of pieces, and each is moved between threads and vectors while loading.
#[derive(Debug, Clone)]
pub enum Piece {
    /// kept.toml.
    Settings(Box<Settings>),
    /// plan.toml.
    Meta(Box<PlanMeta>),
    /// people.toml.
    People(Vec<Entity>),
    /// roadmap.toml.
    Roadmap(Roadmap),
    /// opportunities.toml.
    Opportunities(Opportunities),
    /// learning.toml.
    Learning(Box<Learning>),
    /// vision.md or a translation.
    Vision(Narrative),
    /// A commitment.toml.
    Commitment(Box<Commitment>),
    /// A commitment's README (directory, narrative).
    Readme(String, Narrative),
    /// A commitment's end-of-commitment report (directory, narrative).
    EndReport(String, Narrative),
    /// An update note.
    Update(Box<Update>),
}

/// The role of a repository path in the layout, if it has one.
pub fn role_of(path: &str) -> Option<Role> {
    let top = match path {
        "kept.toml" => Some(Role::Settings),
        "plan.toml" => Some(Role::Meta),
        "people.toml" => Some(Role::People),
        "roadmap.toml" => Some(Role::Roadmap),
        "opportunities.toml" => Some(Role::Opportunities),
        "learning.toml" => Some(Role::Learning),
        _ => None,
    };
    if top.is_some() {
        return top;
    }
    if let Some(lang) = path.strip_prefix("vision").and_then(narrative_lang) {
        return Some(Role::Vision(lang));
    }
    if let Some(rest) = path.strip_prefix("commitments/") {
        let (dir, file) = rest.split_once('/')?;
        if !shape::is_safe_id(dir) || file.contains('/') {
            return None;
        }
        let dir = dir.to_string();
        return if file == "commitment.toml" {
            Some(Role::Commitment(dir))
        } else if let Some(lang) = file.strip_prefix("end-of-commitment").and_then(narrative_lang) {
            Some(Role::EndReport(dir, lang))
        } else {
            file.strip_prefix("README").and_then(narrative_lang).map(|lang| Role::Readme(dir, lang))
        };
    }
    let name = path.strip_prefix("updates/")?;
    if name.contains('/') || !name.ends_with(".md") {
        return None;
    }
    Some(Role::Update(name.get(..10).and_then(Date::parse).filter(|_| name.as_bytes().get(10) == Some(&b'-'))))
}

/// Parse one plan file on its own, as the loader would: its piece, and what is wrong with it.
pub fn parse_file(path: &str, role: &Role, bytes: Vec<u8>) -> (Option<Piece>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let piece = decode(path, bytes, &mut diags).and_then(|text| parse_one(path, role, &text, &mut diags));
    (piece, diags)
}

/// Load a plan from any source.
pub fn load(source: &dyn Source) -> Loaded {
    let mut diags = Vec::new();
    let mut plan = Plan::default();
    let entries = source.entries();
    plan.files = listed_files(entries);

    let mut wanted: Vec<(String, Role)> = Vec::new();
    for (name, role) in [
        ("kept.toml", Role::Settings),
        ("plan.toml", Role::Meta),
        ("people.toml", Role::People),
        ("roadmap.toml", Role::Roadmap),
        ("opportunities.toml", Role::Opportunities),
        ("learning.toml", Role::Learning),
    ] {
        if entries.contains_key(name) {
            wanted.push((name.to_string(), role));
        } else if matches!(role, Role::Settings | Role::Meta) {
            diags.push(
                Diagnostic::error("missing-file", format!("the plan has no {name}")).in_file(name).help(
                    "every plan repository needs kept.toml and plan.toml at its root; `kept init` lays them down",
                ),
            );
        }
    }
    if entries.contains_key("catalogue.toml") {
        load_catalogue(source, &mut plan, &mut diags);
    }
    for path in entries.keys() {
        if let Some(lang) = path.strip_prefix("vision").and_then(narrative_lang) {
            wanted.push((path.clone(), Role::Vision(lang)));
        }
    }
    for dir in ["commitments", "updates"] {
        match entries.get(dir) {
            None | Some(EntryKind::Dir) => {}
            Some(_) => diags.push(
                Diagnostic::error("not-a-file", format!("{dir} is not a directory")).in_file(dir).help(format!(
                    "{dir}/ holds one entry per {}; make it a directory",
                    if dir == "updates" { "update note" } else { "commitment" }
                )),
            ),
        }
    }
    classify_commitments(entries, &mut wanted, &mut diags);
    classify_updates(entries, &mut wanted, &mut diags);

    // Read and parse on every core. A git repository handle is single-threaded, so a source
    // that is not `Sync` is read serially first and only parsed in parallel.
    let done = match source.as_sync() {
        Some(shared) => crate::parallel::map(wanted, |(path, role)| {
            let bytes = shared.read_checked(&path);
            process(path, &role, bytes)
        }),
        None => {
            let read: Vec<_> = wanted
                .into_iter()
                .map(|(path, role)| {
                    let bytes = source.read_checked(&path);
                    (path, role, bytes)
                })
                .collect();
            crate::parallel::map(read, |(path, role, bytes)| process(path, &role, bytes))
        }
    };
    let mut waiting = Narratives::default();
    let mut texts = Vec::with_capacity(done.len());
    for mut d in done {
        diags.append(&mut d.diags);
        if d.broken {
            plan.broken.insert(d.path.clone());
        }
        if let Some(piece) = d.piece {
            assemble(&mut plan, &mut waiting, piece);
        }
        if let Some(text) = d.text {
            texts.push((d.path, text));
        }
    }
    plan.sources.extend(texts);
    // Narratives whose directory has no commitment.toml were reported as missing-file.
    for c in &mut plan.commitments {
        c.narratives = waiting.readmes.remove(&c.dir).unwrap_or_default();
        c.end_reports = waiting.end_reports.remove(&c.dir).unwrap_or_default();
    }
    sort_pieces(&mut plan);
    look_up_evidence(source, &mut plan);
    plan.reindex();
    Loaded { plan, diagnostics: diags }
}

/// The files (and links to files inside the repository) a source lists.
fn listed_files(entries: &std::collections::BTreeMap<String, EntryKind>) -> BTreeSet<String> {
    entries
        .iter()
        .filter(|(_, kind)| matches!(kind, EntryKind::File(_) | EntryKind::Symlink { inside: Some(_), .. }))
        .map(|(path, _)| path.clone())
        .collect()
}

/// Commitments in id order (by directory among equal ids), updates in path order.
fn sort_pieces(plan: &mut Plan) {
    plan.commitments.sort_by(|a, b| a.id.value.cmp(&b.id.value).then_with(|| a.dir.cmp(&b.dir)));
    plan.updates.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Add to `plan.files` the evidence paths outside the listed plan directories that exist.
fn look_up_evidence(source: &dyn Source, plan: &mut Plan) {
    let mut wanted: Vec<&str> = Vec::new();
    let meta = plan.meta.iter().flat_map(|m| &m.steps).flat_map(|s| &s.evidence);
    let milestones = plan.commitments.iter().flat_map(|c| &c.milestones).flat_map(|m| &m.evidence);
    let awareness = plan.roadmap.iter().flat_map(|r| &r.awareness).flat_map(|a| &a.evidence);
    let reports = plan.learning.iter().flat_map(|l| &l.reports).filter_map(|r| r.path.as_ref());
    for e in meta.chain(milestones).chain(awareness).chain(reports) {
        if let Some(path) = evidence_path(&e.value)
            && !plan.files.contains(path)
        {
            wanted.push(path);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let found: Vec<String> = wanted.into_iter().filter(|p| source.exists(p)).map(str::to_string).collect();
    plan.files.extend(found);
}

/// The repository path an evidence entry names, if it names one safely (not a URL, not
/// absolute, no `..`).
pub fn evidence_path(evidence: &str) -> Option<&str> {
    let e = evidence.trim();
    if e.starts_with("https://") || e.starts_with("http://") {
        return None;
    }
    let path = e.trim_start_matches("./");
    let safe = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
    safe.then_some(path)
}

/// Read the plan's own step catalogue; a catalogue with problems is reported and not used.
fn load_catalogue(source: &dyn Source, plan: &mut Plan, diags: &mut Vec<Diagnostic>) {
    const PATH: &str = "catalogue.toml";
    let text = match source.read_checked(PATH) {
        Ok(bytes) => match decode(PATH, bytes, diags) {
            Some(t) => t,
            None => return,
        },
        Err(e) => return diags.push(read_diagnostic(PATH, e)),
    };
    let help =
        "see src/catalogue/ogp-local-2024.toml in kept for the format, or remove catalogue.toml to use a built-in one";
    match catalogue::Catalogue::parse(&text) {
        Err((message, span)) => diags.push(
            Diagnostic::error(
                "invalid-catalogue",
                format!("the plan's step catalogue cannot be read: {}", message.trim()),
            )
            .at(PATH, span.unwrap_or(0..0))
            .help(help),
        ),
        Ok(c) => {
            let problems = c.problems();
            if problems.is_empty() {
                plan.catalogue = Some(c);
            } else {
                let mut d = Diagnostic::error("invalid-catalogue", "the plan's step catalogue is not usable")
                    .at(PATH, 0..0)
                    .help(help);
                for p in problems {
                    d = d.note(p);
                }
                diags.push(d);
            }
        }
    }
    plan.sources.insert(PATH, text);
}

/// `.md` → primary language (None); `.en.md` → Some("en").
fn narrative_lang(rest: &str) -> Option<Option<String>> {
    if rest == ".md" {
        return Some(None);
    }
    let lang = rest.strip_prefix('.')?.strip_suffix(".md")?;
    shape::is_language_code(lang).then(|| Some(lang.to_string()))
}

fn classify_commitments(
    entries: &std::collections::BTreeMap<String, EntryKind>,
    wanted: &mut Vec<(String, Role)>,
    diags: &mut Vec<Diagnostic>,
) {
    for (path, kind) in entries {
        let Some(rest) = path.strip_prefix("commitments/") else {
            continue;
        };
        let mut parts = rest.splitn(2, '/');
        let dir = parts.next().unwrap_or_default();
        match parts.next() {
            None => {
                if let EntryKind::Symlink { target, .. } = kind {
                    diags.push(
                        Diagnostic::error(
                            "unsafe-path",
                            format!("commitment directory `{dir}` is a symbolic link to `{target}`"),
                        )
                        .in_file(path.clone())
                        .help("keep each commitment in a real directory; kept does not follow directory links"),
                    );
                    continue;
                }
                if !matches!(kind, EntryKind::Dir) {
                    continue;
                }
                if !shape::is_safe_id(dir) {
                    diags.push(
                        Diagnostic::error("unsafe-path", format!("commitment directory `{dir}` is not a safe id"))
                            .in_file(path.clone())
                            .help("name each commitment directory after its id: ASCII letters, digits, `-` and `_`"),
                    );
                } else if !entries.contains_key(&format!("{path}/commitment.toml")) {
                    diags.push(
                        Diagnostic::error(
                            "missing-file",
                            format!("commitment directory `{dir}` has no commitment.toml"),
                        )
                        .in_file(path.clone())
                        .help("add commitment.toml, or remove the directory"),
                    );
                }
            }
            Some(file) if shape::is_safe_id(dir) => {
                let role = if file == "commitment.toml" {
                    Role::Commitment(dir.to_string())
                } else if let Some(lang) = file.strip_prefix("end-of-commitment").and_then(narrative_lang) {
                    Role::EndReport(dir.to_string(), lang)
                } else if let Some(lang) = file.strip_prefix("README").and_then(narrative_lang) {
                    Role::Readme(dir.to_string(), lang)
                } else {
                    continue;
                };
                wanted.push((path.clone(), role));
            }
            Some(_) => {}
        }
    }
}

fn classify_updates(
    entries: &std::collections::BTreeMap<String, EntryKind>,
    wanted: &mut Vec<(String, Role)>,
    diags: &mut Vec<Diagnostic>,
) {
    for (path, kind) in entries {
        let Some(name) = path.strip_prefix("updates/") else {
            continue;
        };
        if matches!(kind, EntryKind::Dir) || name.contains('/') || !name.ends_with(".md") {
            continue;
        }
        let date = name.get(..10).and_then(Date::parse).filter(|_| name.as_bytes().get(10) == Some(&b'-'));
        if date.is_none() {
            diags.push(
                Diagnostic::warning("update-file-name", format!("update `{name}` is not named <YYYY-MM-DD>-<slug>.md"))
                    .in_file(path.clone())
                    .help(
                        "rename it after its date, e.g. updates/2025-09-12-geoportal.md, so history and feeds order it",
                    ),
            );
        }
        wanted.push((path.clone(), Role::Update(date)));
    }
}

fn read_diagnostic(path: &str, e: ReadError) -> Diagnostic {
    let d = match e {
        ReadError::TooLarge(size) => Diagnostic::error(
            "file-too-large",
            format!("{path} is {size} bytes, more than the {} byte limit", source::MAX_FILE_SIZE),
        )
        .help("plan files are small text; split the content or remove generated data"),
        ReadError::OutsideRepository(target) => Diagnostic::error(
            "unsafe-path",
            format!("{path} is a symbolic link to `{target}`, which does not resolve to a file inside the repository"),
        )
        .help("replace the link with the file itself; kept never reads outside the plan repository"),
        ReadError::NotAFile(what) => Diagnostic::error("not-a-file", format!("{path} is {what}, expected a file"))
            .help("replace it with a regular file"),
        ReadError::Io(msg) => Diagnostic::error("unreadable-file", format!("cannot read {path}: {msg}"))
            .help("check the file's permissions"),
    };
    d.in_file(path)
}

fn decode(path: &str, bytes: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.replace_range(..3, "");
            }
            Some(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            diags.push(
                Diagnostic::error("invalid-utf8", format!("{path} is not valid UTF-8 (at byte {at})"))
                    .in_file(path)
                    .help("save the file as UTF-8; kept reads every plan file as UTF-8"),
            );
            None
        }
    }
}

/// One file, read and parsed.
struct Done {
    path: String,
    text: Option<String>,
    piece: Option<Piece>,
    diags: Vec<Diagnostic>,
    broken: bool,
}

fn process(path: String, role: &Role, bytes: Result<Vec<u8>, ReadError>) -> Done {
    let mut diags = Vec::new();
    let text = match bytes {
        Ok(bytes) => decode(&path, bytes, &mut diags),
        Err(e) => {
            diags.push(read_diagnostic(&path, e));
            None
        }
    };
    let piece = text.as_deref().and_then(|t| parse_one(&path, role, t, &mut diags));
    let broken = piece.is_none() && !matches!(role, Role::Vision(_) | Role::Readme(..) | Role::EndReport(..));
    Done { broken: broken || text.is_none(), path, text, piece, diags }
}

fn parse_one(path: &str, role: &Role, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Piece> {
    let file = FileName::new(path);
    let narrative = |lang: &Option<String>| Narrative {
        path: path.to_string(),
        language: lang.clone(),
        sections: markdown::sections(file, text),
    };
    let (fields, what): (&'static [shape::Field], &str) = match role {
        Role::Vision(lang) => return Some(Piece::Vision(narrative(lang))),
        Role::Readme(dir, lang) => return Some(Piece::Readme(dir.clone(), narrative(lang))),
        Role::EndReport(dir, lang) => return Some(Piece::EndReport(dir.clone(), narrative(lang))),
        Role::Settings => (kinds::KEPT, "kept.toml"),
        Role::Meta => (kinds::PLAN, "plan.toml"),
        Role::People => (kinds::PEOPLE, "people.toml"),
        Role::Roadmap => (kinds::ROADMAP, "roadmap.toml"),
        Role::Opportunities => (kinds::OPPORTUNITIES, "opportunities.toml"),
        Role::Learning => (kinds::LEARNING, "learning.toml"),
        Role::Commitment(_) => (kinds::COMMITMENT, "the commitment"),
        Role::Update(_) => (kinds::UPDATE, "the update's front matter"),
    };
    let (toml_text, offset) = match role {
        Role::Update(_) => match markdown::front_matter(text) {
            Some(fm) => fm,
            None => {
                let diag = if text.starts_with("+++") {
                    Diagnostic::error(
                        "missing-front-matter",
                        format!("{path} opens its TOML front matter but never closes it"),
                    )
                    .at(path, 0..3)
                    .help("end the front matter with a line holding only `+++`")
                } else {
                    Diagnostic::error("missing-front-matter", format!("{path} has no TOML front matter"))
                        .at(path, 0..0)
                        .help("start the file with a `+++` line, the fields title, date, kind and authors, and another `+++` line")
                };
                diags.push(diag);
                return None;
            }
        },
        _ => (text, 0),
    };
    let mut ctx = Ctx { file, offset, diags };
    let root = toml_doc::parse(&mut ctx, toml_text)?;
    shape::check(&mut ctx, &root, fields, what);
    let v = View::root(&ctx, &root)?;
    Some(match role {
        Role::Settings => Piece::Settings(Box::new(convert::settings(&v))),
        Role::Meta => Piece::Meta(Box::new(convert::meta(&v))),
        Role::People => Piece::People(convert::people(&v)),
        Role::Roadmap => Piece::Roadmap(convert::roadmap(&v)),
        Role::Opportunities => Piece::Opportunities(convert::opportunities(&v)),
        Role::Learning => Piece::Learning(Box::new(convert::learning(&v))),
        Role::Commitment(dir) => Piece::Commitment(Box::new(convert::commitment(&v, dir, path))),
        Role::Update(date) => Piece::Update(Box::new(convert::update(&v, path, *date))),
        Role::Vision(_) | Role::Readme(..) | Role::EndReport(..) => return None,
    })
}

/// Narratives wait here until every commitment is read, then join their commitment.
#[derive(Default)]
struct Narratives {
    readmes: std::collections::HashMap<String, Vec<Narrative>>,
    end_reports: std::collections::HashMap<String, Vec<Narrative>>,
}

fn assemble(plan: &mut Plan, waiting: &mut Narratives, piece: Piece) {
    match piece {
        Piece::Settings(s) => plan.settings = Some(*s),
        Piece::Meta(m) => plan.meta = Some(*m),
        Piece::People(p) => plan.entities = p,
        Piece::Roadmap(r) => plan.roadmap = Some(r),
        Piece::Opportunities(o) => plan.opportunities = Some(o),
        Piece::Learning(l) => plan.learning = Some(*l),
        Piece::Vision(n) => plan.vision.push(n),
        Piece::Commitment(c) => plan.commitments.push(*c),
        Piece::Readme(dir, n) => waiting.readmes.entry(dir).or_default().push(n),
        Piece::EndReport(dir, n) => waiting.end_reports.entry(dir).or_default().push(n),
        Piece::Update(u) => plan.updates.push(*u),
    }
}
