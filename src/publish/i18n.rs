//! The dashboard's own words, in the languages kept speaks (Ukrainian and English); other
//! languages fall back to English.

/// A UI string in a language.
pub fn t(lang: &str, key: &str) -> &'static str {
    let uk = lang == "uk";
    match key {
        "phase" => {
            if uk {
                "Фаза"
            } else {
                "Phase"
            }
        }
        "of" => {
            if uk {
                "з"
            } else {
                "of"
            }
        }
        "steps" => {
            if uk {
                "Кроки поточної фази"
            } else {
                "Steps of the current phase"
            }
        }
        "title" => {
            if uk {
                "Назва"
            } else {
                "Title"
            }
        }
        "commitments" => {
            if uk {
                "Зобов'язання"
            } else {
                "Commitments"
            }
        }
        "milestones" => {
            if uk {
                "Етапи"
            } else {
                "Milestones"
            }
        }
        "progress" => {
            if uk {
                "Прогрес"
            } else {
                "Progress"
            }
        }
        "declared" => {
            if uk {
                "заявлений"
            } else {
                "declared"
            }
        }
        "computed" => {
            if uk {
                "за етапами"
            } else {
                "by milestones"
            }
        }
        "unknown" => {
            if uk {
                "невідомо"
            } else {
                "unknown"
            }
        }
        "formula" => {
            if uk {
                "Прогрес за етапами = виконані етапи / етапи, що не вилучені. Заявлений прогрес — те, що вказала відповідальна сторона; їх показано окремо."
            } else {
                "Progress by milestones = completed milestones / milestones not withdrawn. Declared progress is what the lead states; the two are shown apart."
            }
        }
        "timeline" => {
            if uk {
                "Графік етапів"
            } else {
                "Milestone timeline"
            }
        }
        "overdue" => {
            if uk {
                "прострочено"
            } else {
                "overdue"
            }
        }
        "recent" => {
            if uk {
                "Останні зміни"
            } else {
                "Recent changes"
            }
        }
        "history" => {
            if uk {
                "Історія змін"
            } else {
                "History of changes"
            }
        }
        "status" => {
            if uk {
                "Статус"
            } else {
                "Status"
            }
        }
        "due" => {
            if uk {
                "Строк"
            } else {
                "Due"
            }
        }
        "lead" => {
            if uk {
                "Відповідальна сторона"
            } else {
                "Lead"
            }
        }
        "period" => {
            if uk {
                "Період"
            } else {
                "Period"
            }
        }
        "as_of" => {
            if uk {
                "Станом на"
            } else {
                "As of"
            }
        }
        "feed" => {
            if uk {
                "Стрічка оновлень"
            } else {
                "Updates feed"
            }
        }
        "data" => {
            if uk {
                "Відкриті дані"
            } else {
                "Open data"
            }
        }
        "back" => {
            if uk {
                "До плану"
            } else {
                "Back to the plan"
            }
        }
        "languages" => {
            if uk {
                "Мова"
            } else {
                "Language"
            }
        }
        "done" => {
            if uk {
                "виконано"
            } else {
                "done"
            }
        }
        "missing" => {
            if uk {
                "бракує"
            } else {
                "missing"
            }
        }
        "by" => {
            if uk {
                "автор"
            } else {
                "by"
            }
        }
        "no_changes" => {
            if uk {
                "Змін ще немає."
            } else {
                "No changes yet."
            }
        }
        _ => "",
    }
}

/// The word for a status value, for people.
pub fn status(lang: &str, s: &str) -> String {
    let uk = lang == "uk";
    let w = match s {
        "not-started" => {
            if uk {
                "не розпочато"
            } else {
                "not started"
            }
        }
        "in-progress" => {
            if uk {
                "виконується"
            } else {
                "in progress"
            }
        }
        "delayed" => {
            if uk {
                "із затримкою"
            } else {
                "delayed"
            }
        }
        "completed" => {
            if uk {
                "виконано"
            } else {
                "completed"
            }
        }
        "withdrawn" => {
            if uk {
                "вилучено"
            } else {
                "withdrawn"
            }
        }
        "draft" => {
            if uk {
                "чернетка"
            } else {
                "draft"
            }
        }
        "validated" => {
            if uk {
                "погоджено"
            } else {
                "validated"
            }
        }
        "approved" => {
            if uk {
                "затверджено"
            } else {
                "approved"
            }
        }
        "in-implementation" => {
            if uk {
                "впроваджується"
            } else {
                "in implementation"
            }
        }
        "done" => {
            if uk {
                "виконано"
            } else {
                "done"
            }
        }
        "skipped" => {
            if uk {
                "пропущено"
            } else {
                "skipped"
            }
        }
        other => return other.to_string(),
    };
    w.to_string()
}

/// A field's name, for people.
fn field(lang: &str, f: &str) -> String {
    if lang != "uk" {
        return f.to_string();
    }
    let w = match f {
        "status" => "статус",
        "due" => "строк",
        "start" => "початок",
        "end" => "завершення",
        "completed-on" => "дата виконання",
        "evidence" => "підтвердження",
        "title" => "назва",
        "deliverable" => "результат",
        "responsible" => "відповідальний",
        "delay-reason" => "причина затримки",
        "next-steps" => "наступні кроки",
        "withdrawn-reason" => "причина вилучення",
        "reopen-reason" => "причина повторного відкриття",
        "progress" => "заявлений прогрес",
        "lead" => "відповідальна сторона",
        "approval" => "затвердження",
        "issue" => "задача в трекері",
        "supporting" => "мережа підтримки",
        "record" => "запис",
        "identity" => "ідентичність",
        "details" => "відомості",
        other => other,
    };
    w.to_string()
}

fn phase(lang: &str, p: &str) -> String {
    if lang != "uk" {
        return p.to_string();
    }
    match p {
        "prepare" => "підготовка",
        "discover" => "дослідження та визначення",
        "draft" => "розробка, валідація та запуск",
        "implement" => "впровадження",
        "learn" => "навчання",
        other => other,
    }
    .to_string()
}

/// A change in domain words, in a language (English is the change's own wording).
pub fn describe(change: &crate::diff::Change, lang: &str) -> String {
    use crate::diff::Kind;
    if lang != "uk" {
        return change.to_string();
    }
    let value = |v: &Option<String>, is_status: bool| match v {
        None => "(немає)".to_string(),
        Some(v) if is_status => status(lang, v),
        Some(v) => v.clone(),
    };
    let note = change
        .note
        .as_deref()
        .map(|n| {
            n.replace("evidence added", "додано підтвердження").replace("completion date set", "вказано дату виконання")
        })
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let subject = match (&change.commitment, &change.milestone, &change.item) {
        (Some(c), Some(m), _) => format!("{c}/{m}"),
        (Some(c), None, _) => format!("зобов'язання {c}"),
        (None, _, Some(i)) if change.kind == Kind::Step => format!("крок {i}"),
        (None, _, Some(i)) if change.kind == Kind::Roles => format!("роль {i}"),
        (None, _, Some(i)) => i.clone(),
        _ => change.path.clone(),
    };
    if change.whole_file {
        let verb = match (&change.from, &change.to) {
            (None, Some(_)) => "додано",
            (Some(_), None) => "вилучено",
            _ => "змінено",
        };
        return format!("{} {verb}{note}", change.path);
    }
    match change.kind {
        Kind::Phase => format!(
            "фаза: {} -> {}",
            phase(lang, change.from.as_deref().unwrap_or("")),
            phase(lang, change.to.as_deref().unwrap_or(""))
        ),
        Kind::CommitmentAdded => {
            format!("зобов'язання {} додано ({})", change.commitment.as_deref().unwrap_or("?"), value(&change.to, true))
        }
        Kind::CommitmentRemoved => format!("зобов'язання {} вилучено", change.commitment.as_deref().unwrap_or("?")),
        Kind::MilestoneAdded => format!("{subject} додано ({})", value(&change.to, true)),
        Kind::MilestoneRemoved => format!("{subject} вилучено"),
        Kind::Amendment => {
            format!("{subject}: внесено поправку{}", change.to.as_ref().map(|t| format!(": {t}")).unwrap_or_default())
        }
        Kind::People => format!("особа {}: змінено", change.item.as_deref().unwrap_or("?")),
        Kind::Step if change.field.is_none() => {
            format!("{subject}: {} -> {}", value(&change.from, true), value(&change.to, true))
        }
        _ => {
            let is_status = change.field.as_deref() == Some("status");
            match &change.field {
                Some(f) => format!(
                    "{subject}, {}: {} -> {}{note}",
                    field(lang, f),
                    value(&change.from, is_status),
                    value(&change.to, is_status)
                ),
                None => format!("{subject}: {} -> {}{note}", value(&change.from, false), value(&change.to, false)),
            }
        }
    }
}
