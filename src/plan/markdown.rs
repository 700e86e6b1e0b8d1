//! The little of Markdown the plan needs: headings with their spans, and TOML front matter.

use crate::diagnostic::Loc;
use crate::plan::model::Section;

/// The headings of a Markdown text (ATX `#` and setext underlines; fenced code skipped),
/// each with whether text follows it before the next heading of the same or higher level.
pub fn sections(file: crate::diagnostic::FileName, text: &str) -> Vec<Section> {
    // (title, level, span, first line index, line index)
    let lines: Vec<(usize, &str)> = line_offsets(text);
    let mut heads: Vec<(String, usize, std::ops::Range<usize>, usize)> = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, (start, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent < 4
            && let Some(level) = atx_level(trimmed)
        {
            let title = clean_title(trimmed[level..].trim_end_matches(['\r']).trim_end().trim_end_matches('#'));
            heads.push((title, level, *start..start + line.trim_end().len(), i));
            continue;
        }
        // Setext: a non-blank paragraph line followed by === or ---.
        if i > 0 && !trimmed.is_empty() && indent < 4 {
            let under = trimmed.trim_end();
            let level = if !under.is_empty() && under.bytes().all(|b| b == b'=') {
                1
            } else if under.len() >= 2 && under.bytes().all(|b| b == b'-') {
                2
            } else {
                0
            };
            let (pstart, prev) = lines[i - 1];
            let prev_is_text = !prev.trim().is_empty() && heads.last().is_none_or(|h| h.3 != i - 1);
            if level > 0 && prev_is_text && atx_level(prev.trim_start()).is_none() {
                heads.push((clean_title(prev), level, pstart..pstart + prev.trim_end().len(), i - 1));
            }
        }
    }
    // Which lines are headings, and which are setext underlines, marked once: the body
    // check below must stay linear even for a file of nothing but headings.
    let mut heading_line = vec![false; lines.len() + 1];
    for h in &heads {
        heading_line[h.3] = true;
    }
    let is_body = |j: usize| {
        let l = lines[j].1.trim();
        let underline = j > 0 && heading_line[j - 1] && l.bytes().all(|b| b == b'=' || b == b'-');
        !(l.is_empty() || heading_line[j] || underline)
    };
    // Index of the next line with text, for each line, so each heading finds its body in O(1).
    let mut next_body = vec![usize::MAX; lines.len() + 1];
    for j in (0..lines.len()).rev() {
        next_body[j] = if is_body(j) { j } else { next_body[j + 1] };
    }
    let mut out = Vec::with_capacity(heads.len());
    for (n, (title, level, span, line)) in heads.iter().enumerate() {
        let end_line = heads[n + 1..].iter().find(|h| h.1 <= *level).map_or(lines.len(), |h| h.3);
        // Body: any non-blank line that is not itself a heading line or a setext underline.
        let has_body = next_body[line + 1] < end_line;
        out.push(Section { title: title.clone(), level: *level, loc: Loc::new(file, span.clone()), has_body });
    }
    out
}

fn line_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        out.push((start, line));
        start += line.len() + 1;
    }
    out
}

fn atx_level(line: &str) -> Option<usize> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t']))).then_some(level)
}

fn clean_title(s: &str) -> String {
    let s = s.trim();
    // Drop a trailing attribute block such as `{#vision}`.
    let s = match s.rfind('{') {
        Some(i) if s.ends_with('}') => s[..i].trim_end(),
        _ => s,
    };
    s.to_string()
}

/// The text under each heading whose normalised title is one of `titles` (normalised, in
/// any language), in document order; used to tell whether a commitment's problem or action
/// changed.
pub fn section_bodies(text: &str, titles: &[&str]) -> Vec<String> {
    let heads = sections(Default::default(), text);
    let mut out = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        if !titles.contains(&normalise(&h.title).as_str()) {
            continue;
        }
        let start = text[h.loc.span().end..].find('\n').map_or(text.len(), |n| h.loc.span().end + n + 1);
        let end = heads[i + 1..].iter().find(|n| n.level <= h.level).map_or(text.len(), |n| n.loc.span().start);
        out.push(text.get(start..end.max(start)).unwrap_or("").trim().to_string());
    }
    out
}

/// Normalise a heading for comparison with accepted section titles.
pub fn normalise(title: &str) -> String {
    title.trim().trim_end_matches([':', '.']).replace(['’', 'ʼ', '`'], "'").to_lowercase()
}

/// Split `+++` TOML front matter from a Markdown text: (front matter, its byte offset).
pub fn front_matter(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix("+++")?;
    let rest_start = 3 + rest.find('\n')? + 1;
    if !text[3..rest_start].trim().is_empty() {
        return None;
    }
    let body = &text[rest_start..];
    let mut pos = 0;
    for line in body.split('\n') {
        if line.trim_end() == "+++" {
            return Some((&body[..pos], rest_start));
        }
        pos += line.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headings_and_bodies() {
        let text = "# Title\n\n## Problem\nText.\n\n## Action\n\n```\n# not a heading\n```\n## Empty\n\nSetext\n------\nbody\n";
        let s = sections("a.md".into(), text);
        let titles: Vec<_> = s.iter().map(|s| (s.title.as_str(), s.level, s.has_body)).collect();
        assert_eq!(
            titles,
            vec![
                ("Title", 1, true),
                ("Problem", 2, true),
                ("Action", 2, true),
                ("Empty", 2, false),
                ("Setext", 2, true)
            ]
        );
        assert_eq!(&text[s[1].loc.span()], "## Problem");
    }

    #[test]
    fn attributes_and_normalising() {
        let s = sections("a.md".into(), "## Vision {#vision}\ntext\n");
        assert_eq!(s[0].title, "Vision");
        assert_eq!(normalise("Внесок зобов’язань:"), "внесок зобов'язань");
    }

    #[test]
    fn section_bodies_pick_the_named_sections() {
        let text = "# T\n\n## Problem\nA\n\n### Detail\nB\n## Action\nC\n## Other\nD\n";
        assert_eq!(section_bodies(text, &["problem", "action"]), vec!["A\n\n### Detail\nB", "C"]);
    }

    #[test]
    fn front_matter_split() {
        let text = "+++\ntitle = \"x\"\n+++\nbody\n";
        let (fm, off) = front_matter(text).unwrap();
        assert_eq!(fm, "title = \"x\"\n");
        assert_eq!(off, 4);
        assert!(front_matter("no front matter").is_none());
        assert!(front_matter("+++\nunterminated\n").is_none());
    }
}
