//! The shape of every TOML file kind in a plan repository (docs/plan-format.md).

use crate::plan::shape::{Field, Shape, opt, req};

/// Sectors of people and organisations.
pub const SECTORS: &[&str] = &["government", "cso", "academia", "private", "monitor"];
/// Phases.
pub const PHASE_WORDS: &[&str] = &["prepare", "discover", "draft", "implement", "learn"];
/// Step record statuses.
pub const STEP_STATUSES: &[&str] = &["not-started", "in-progress", "done", "skipped"];
/// Commitment statuses.
pub const COMMITMENT_STATUSES: &[&str] =
    &["draft", "validated", "approved", "in-implementation", "completed", "withdrawn"];
/// Milestone statuses.
pub const MILESTONE_STATUSES: &[&str] = &["not-started", "in-progress", "delayed", "completed", "withdrawn"];
/// OGP values.
pub const OGP_VALUES: &[&str] =
    &["access-to-information", "civic-participation", "public-accountability", "technology-and-innovation"];
/// IRM "did it open government" scale.
pub const DIOG: &[&str] = &["worsened", "did-not-change", "marginal", "major", "outstanding"];

const TEXTS: Shape = Shape::Array(&Shape::Text);
const IDS: Shape = Shape::Array(&Shape::Id);
const STRS: Shape = Shape::Array(&Shape::Str);

/// kept.toml.
pub const KEPT: &[Field] = &[
    req("schema-version", Shape::Int(1, 1), "version of the repository format; 1"),
    opt(
        "roles",
        Shape::Table(&[
            opt("coordinator", IDS, "people who run the process and merge changes"),
            opt("approver", IDS, "people or bodies who approve commitments and amendments"),
            opt("monitor", IDS, "the independent monitoring body's people"),
            opt("bot", IDS, "automation identities (tracker sync)"),
        ]),
        "people.toml ids per role",
    ),
    opt(
        "branches",
        Shape::Table(&[opt("protected", STRS, "branch names whose history is never rewritten")]),
        "branch rules",
    ),
    opt(
        "signatures",
        Shape::Table(&[opt("required", Shape::Bool, "require verified SSH or GPG signatures on commits")]),
        "commit signature policy",
    ),
    opt(
        "tracker",
        Shape::Table(&[
            req("kind", Shape::Enum(&["github", "gitlab", "gitea", "redmine"]), "the issue tracker's kind"),
            opt("url", Shape::Url, "API base URL"),
            opt("project", Shape::Str, "project path or id in the tracker"),
            opt(
                "milestones",
                Shape::Bool,
                "keep each commitment as a tracker milestone (due at the commitment's end) holding its milestones' issues",
            ),
            opt(
                "write-back",
                Shape::Enum(&["commit", "pull-request"]),
                "how changes made in the tracker reach the plan: a commit on the branch, or a branch and a pull request",
            ),
            opt(
                "statuses",
                Shape::Table(&[
                    opt("not-started", Shape::Str, "the Redmine status for not-started milestones"),
                    opt("in-progress", Shape::Str, "the Redmine status for milestones in progress"),
                    opt("delayed", Shape::Str, "the Redmine status for delayed milestones"),
                    opt("completed", Shape::Str, "the Redmine status for completed milestones"),
                    opt("withdrawn", Shape::Str, "the Redmine status for withdrawn milestones"),
                ]),
                "Redmine status names per milestone status, where they differ from the defaults",
            ),
        ]),
        "the issue tracker kept in step with milestones",
    ),
    opt(
        "publish",
        Shape::Table(&[
            opt("base-url", Shape::Url, "where the published site lives"),
            opt("forge-url", Shape::Url, "the repository's web address, for commit links"),
        ]),
        "publishing settings",
    ),
];

const STEP: Shape = Shape::Table(&[
    req("status", Shape::Enum(STEP_STATUSES), "not-started, in-progress, done or skipped"),
    opt("started", Shape::Date, "when work on the step started"),
    opt("completed", Shape::Date, "when the step was done; required when done"),
    opt("evidence", STRS, "URLs or repository paths showing the step was done"),
    opt("reason", Shape::Text, "why the step was skipped; required when skipped"),
    opt("notes", Shape::Text, "free notes"),
]);

/// plan.toml.
pub const PLAN: &[Field] = &[
    req("member", Shape::Text, "the member (municipality) name"),
    req("member-code", Shape::Id, "the OGP member code, e.g. UAKLY; commitment ids start with it"),
    req("title", Shape::Text, "the plan's title"),
    req("languages", Shape::Array(&Shape::Str), "language codes; the first is the primary one"),
    req(
        "period",
        Shape::Table(&[
            req("start", Shape::Date, "first day of the plan"),
            req("end", Shape::Date, "last day of the plan"),
        ]),
        "the plan's implementation period",
    ),
    req("phase", Shape::Enum(PHASE_WORDS), "the current co-creation phase"),
    opt("phase-reason", Shape::Text, "why the phase moved back, when it did"),
    opt("catalogue", Shape::Str, "step catalogue version; default ogp-local-2024"),
    opt(
        "team",
        Shape::Table(&[
            opt("lead", Shape::Id, "who leads the co-creation process"),
            opt("members", IDS, "team members"),
        ]),
        "step 1.1: the team",
    ),
    opt(
        "forum",
        Shape::Table(&[
            opt("name", Shape::Text, "the forum's name"),
            opt("members", IDS, "participants, from government and outside it"),
            opt("frequency", Shape::Text, "how often it meets"),
            opt("communication", Shape::Text, "how it communicates"),
            opt("expectations", Shape::Text, "expectations and responsibilities"),
        ]),
        "step 1.2: the forum",
    ),
    opt("steps", Shape::Map("step id", &STEP), "records of the catalogue's steps"),
];

const ENTITY_COMMON: [Field; 3] = [
    req("id", Shape::Id, "unique id, shared namespace for people and organisations"),
    req("name", Shape::Text, "name"),
    req("sector", Shape::Enum(SECTORS), "government, cso, academia, private or monitor"),
];

/// people.toml.
pub const PEOPLE: &[Field] = &[
    opt(
        "organisations",
        Shape::Array(&Shape::Table(&[
            ENTITY_COMMON[0],
            ENTITY_COMMON[1],
            ENTITY_COMMON[2],
            opt("url", Shape::Url, "web address"),
        ])),
        "organisations",
    ),
    opt(
        "people",
        Shape::Array(&Shape::Table(&[
            ENTITY_COMMON[0],
            ENTITY_COMMON[1],
            ENTITY_COMMON[2],
            opt("organisation", Shape::Id, "the organisation's id"),
            opt("position", Shape::Text, "job title"),
            opt("email", Shape::Str, "email, matched against commit identities"),
            opt("forge", Shape::Map("forge name", &Shape::Str), "handles by forge: github, gitlab, gitea"),
            opt("signing-keys", STRS, "SSH or GPG public keys"),
        ])),
        "people",
    ),
];

/// roadmap.toml.
pub const ROADMAP: &[Field] = &[
    opt(
        "tasks",
        Shape::Array(&Shape::Table(&[
            req("id", Shape::Id, "task id"),
            req("title", Shape::Text, "what is to be done"),
            req("step", Shape::Str, "the catalogue step it belongs to, e.g. 2.1"),
            req("owner", Shape::Id, "who is responsible"),
            req("start", Shape::Date, "start date"),
            req("due", Shape::Date, "due date"),
            opt("status", Shape::Enum(&["not-started", "in-progress", "done", "cancelled"]), "task status"),
        ])),
        "step 1.3: roadmap tasks",
    ),
    opt(
        "awareness",
        Shape::Array(&Shape::Table(&[
            req("id", Shape::Id, "activity id"),
            req("date", Shape::Date, "when it happened"),
            req("title", Shape::Text, "what it was"),
            req("audience", Shape::Text, "who was reached"),
            opt("channel", Shape::Text, "meeting, radio, social media..."),
            opt("evidence", STRS, "URLs or repository paths"),
        ])),
        "step 1.4: awareness activities",
    ),
];

const LEVEL: Shape = Shape::Enum(&["low", "medium", "high"]);

/// opportunities.toml.
pub const OPPORTUNITIES: &[Field] = &[
    opt(
        "matrix",
        Shape::Table(&[
            req("criteria", STRS, "prioritization criteria"),
            opt("scale", Shape::Int(2, 100), "scores run from 1 to this; default 5"),
        ]),
        "step 2.2: the prioritization matrix",
    ),
    opt(
        "opportunities",
        Shape::Array(&Shape::Table(&[
            req("id", Shape::Id, "opportunity id"),
            req("title", Shape::Text, "short name"),
            req("problem", Shape::Text, "the problem, as those affected see it"),
            req("root-causes", TEXTS, "root causes of the problem"),
            opt("proposed-by", IDS, "who raised it"),
            opt(
                "feasibility",
                Shape::Table(&[
                    opt("political", LEVEL, "political feasibility"),
                    opt("financial", LEVEL, "financial feasibility"),
                    opt("technical", LEVEL, "technical feasibility"),
                ]),
                "feasibility assessment",
            ),
            // The range depends on the matrix scale: checked by the priority-score rule.
            opt("scores", Shape::Map("criterion", &Shape::Int(i64::MIN, i64::MAX)), "score per matrix criterion"),
            opt("selected", Shape::Bool, "chosen for the plan"),
            opt(
                "solutions",
                Shape::Array(&Shape::Table(&[
                    req("id", Shape::Id, "solution id"),
                    req("title", Shape::Text, "short name"),
                    opt("description", Shape::Text, "what it would do"),
                    opt("commitment", Shape::Id, "the commitment it became"),
                ])),
                "step 2.3: candidate solutions",
            ),
        ])),
        "step 2.1: opportunity areas",
    ),
];

const ASSESSMENT_VALUES: Shape = Shape::Enum(DIOG);

/// Assessment fields with their IRM scales, in OGP's order.
pub const ASSESSMENT_SCALES: &[(&str, &[&str])] = &[
    ("verifiable", &["yes", "no"]),
    ("potential-for-results", &["unclear", "modest", "substantial"]),
    ("completion", &["not-started", "limited", "substantial", "complete", "withdrawn"]),
    ("did-it-open-government", DIOG),
    ("early-results", &["no-notable", "moderate", "significant"]),
    ("potential-impact", POTENTIAL_IMPACT),
    ("specificity", SPECIFICITY),
];

/// IRM "potential impact" scale (action plans assessed before 2019).
pub const POTENTIAL_IMPACT: &[&str] = &["none", "minor", "moderate", "transformative"];
/// IRM "specificity" scale (action plans assessed before 2019).
pub const SPECIFICITY: &[&str] = &["none", "low", "medium", "high"];

/// `commitments/<ID>/commitment.toml`.
pub const COMMITMENT: &[Field] = &[
    req("id", Shape::Id, "stable id, equal to the directory name; never reused"),
    req("title", Shape::Text, "the commitment's title"),
    req("lead", Shape::Id, "the lead institution or person"),
    opt("supporting", IDS, "the support network (step 2.4)"),
    opt("opportunity", Shape::Id, "the opportunity area it answers"),
    opt("ogp-values", Shape::Array(&Shape::Enum(OGP_VALUES)), "OGP values it advances"),
    opt("policy-areas", STRS, "policy areas, OGP dataset vocabulary"),
    req("start", Shape::Date, "start date"),
    req("end", Shape::Date, "end date"),
    req(
        "status",
        Shape::Enum(COMMITMENT_STATUSES),
        "draft, validated, approved, in-implementation, completed or withdrawn",
    ),
    opt("progress", Shape::Int(0, 100), "declared progress in percent"),
    opt("withdrawn-reason", Shape::Text, "why it was withdrawn"),
    opt(
        "approval",
        Shape::Table(&[
            req("by", Shape::Id, "the approver"),
            req("on", Shape::Date, "date of approval"),
            req("decision", Shape::Text, "the decision, e.g. its number"),
        ]),
        "formal approval, required from approved on",
    ),
    opt(
        "milestones",
        Shape::Array(&Shape::Table(&[
            req("id", Shape::Id, "milestone id, unique in the commitment"),
            req("title", Shape::Text, "title"),
            opt("deliverable", Shape::Text, "the measurable output"),
            opt("responsible", Shape::Id, "who delivers it"),
            opt("start", Shape::Date, "start date"),
            opt("due", Shape::Date, "due date"),
            req("status", Shape::Enum(MILESTONE_STATUSES), "not-started, in-progress, delayed, completed or withdrawn"),
            opt("completed-on", Shape::Date, "when it was completed"),
            opt("evidence", STRS, "URLs or repository paths proving completion"),
            opt("delay-reason", Shape::Text, "why it is delayed"),
            opt("next-steps", Shape::Text, "what happens next, when delayed"),
            opt("withdrawn-reason", Shape::Text, "why it was withdrawn"),
            opt("reopen-reason", Shape::Text, "why a completed or withdrawn milestone was reopened"),
            opt("issue", Shape::Url, "the tracker issue, written back by sync"),
        ])),
        "milestones",
    ),
    opt(
        "amendments",
        Shape::Array(&Shape::Table(&[
            req("on", Shape::Date, "date of the amendment"),
            req("reason", Shape::Text, "why the commitment changed"),
            req("approved-by", Shape::Id, "the approver"),
            opt("changes", Shape::Text, "summary of what changed"),
        ])),
        "amendments to the approved commitment",
    ),
    opt(
        "assessment",
        Shape::Table(&[
            req("by", Shape::Id, "the monitor who assessed"),
            opt("on", Shape::Date, "date of the assessment"),
            opt("verifiable", Shape::Enum(&["yes", "no"]), "IRM: verifiable"),
            opt(
                "potential-for-results",
                Shape::Enum(&["unclear", "modest", "substantial"]),
                "IRM: potential for results",
            ),
            opt(
                "completion",
                Shape::Enum(&["not-started", "limited", "substantial", "complete", "withdrawn"]),
                "IRM: completion",
            ),
            opt("did-it-open-government", ASSESSMENT_VALUES, "IRM: did it open government (overall)"),
            opt("early-results", Shape::Enum(&["no-notable", "moderate", "significant"]), "IRM: early results"),
            opt(
                "potential-impact",
                Shape::Enum(POTENTIAL_IMPACT),
                "IRM: potential impact (plans assessed before 2019)",
            ),
            opt("specificity", Shape::Enum(SPECIFICITY), "IRM: specificity (plans assessed before 2019)"),
            opt("did-it-open-government-by-value", Shape::Map("OGP value", &ASSESSMENT_VALUES), "IRM: per OGP value"),
        ]),
        "IRM-style assessment by the monitor",
    ),
    opt(
        "source",
        Shape::Table(&[
            req("dataset", Shape::Enum(&["ogp"]), "the dataset: ogp (OGP's commitment dataset)"),
            req("id", Shape::Str, "the dataset's identifier of the commitment (OGP: Commitment Unique Identifier)"),
            opt("url", Shape::Url, "the commitment's page in the source"),
            opt("action-plan", Shape::Str, "the source's action plan identifier (OGP: Action Plan ID)"),
            opt("number", Shape::Str, "the commitment's number in its action plan, as the source writes it"),
        ]),
        "where an imported commitment came from (kept import); kept never changes it",
    ),
];

/// Front matter of updates/*.md.
pub const UPDATE: &[Field] = &[
    req("title", Shape::Text, "title"),
    req("date", Shape::Date, "date, equal to the file name's"),
    req("kind", Shape::Enum(&["progress", "meeting", "event", "report"]), "progress, meeting, event or report"),
    req("authors", IDS, "authors"),
    opt("commitments", IDS, "commitments reported on"),
    opt("steps", STRS, "catalogue steps documented"),
];

/// learning.toml.
pub const LEARNING: &[Field] = &[
    opt(
        "monitoring-body",
        Shape::Table(&[
            req("members", IDS, "people or organisations of the body"),
            req("selected-on", Shape::Date, "when it was chosen"),
            req("independence", Shape::Text, "why it is independent"),
        ]),
        "step 5.1: the independent monitoring body",
    ),
    opt(
        "questions",
        Shape::Array(&Shape::Table(&[req("id", Shape::Id, "question id"), req("text", Shape::Text, "the question")])),
        "learning questions",
    ),
    opt(
        "repository",
        Shape::Table(&[
            req("url", Shape::Url, "where information is gathered"),
            opt("description", Shape::Text, "what it holds"),
        ]),
        "step 5.2: the information repository",
    ),
    opt(
        "reports",
        Shape::Array(&Shape::Table(&[
            req("id", Shape::Id, "report id"),
            req("title", Shape::Text, "title"),
            req("due", Shape::Date, "due date"),
            opt("kind", Shape::Enum(&["learning", "accountability", "end-of-commitment"]), "kind of report"),
            opt("path", Shape::Str, "repository path of the report, once written"),
        ])),
        "accountability and learning reports",
    ),
];

/// Every file kind: name used for the schema file, its file pattern, its fields.
pub const ALL: &[(&str, &str, &[Field])] = &[
    ("kept", "kept.toml", KEPT),
    ("plan", "plan.toml", PLAN),
    ("people", "people.toml", PEOPLE),
    ("roadmap", "roadmap.toml", ROADMAP),
    ("opportunities", "opportunities.toml", OPPORTUNITIES),
    ("commitment", "commitments/<ID>/commitment.toml", COMMITMENT),
    ("learning", "learning.toml", LEARNING),
    ("update", "updates/<date>-<slug>.md front matter", UPDATE),
];
