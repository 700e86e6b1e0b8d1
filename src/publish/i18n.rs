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
