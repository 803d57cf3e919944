//! Reports: plain text for terminals, Markdown for pull-request comments, JSON for tools.

use std::fmt::Write;

use serde_json::{json, Value};

use super::rules::Level;
use super::{Change, Location, SpecDiff, SpecStatus};

/// What was compared with what, for the report's title.
#[derive(Debug, Clone)]
pub struct ReportHeader {
    /// The base revision as the user knows it: `main (1a2b3c4)`.
    pub base: String,
    /// What it is compared with: `the working tree`.
    pub target: String,
}

/// How many operations a "used by" list names before it says "and N more".
const USED_BY_SHOWN: usize = 4;

const LEVELS: [Level; 3] = [Level::Breaking, Level::Warning, Level::Info];

fn totals(diffs: &[SpecDiff]) -> [usize; 3] {
    LEVELS.map(|level| diffs.iter().map(|d| d.count(level)).sum())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_text(counts: [usize; 3]) -> String {
    format!(
        "{} breaking, {}, {} info",
        counts[0],
        plural(counts[1], "warning", "warnings"),
        counts[2]
    )
}

fn spec_counts(diff: &SpecDiff) -> [usize; 3] {
    LEVELS.map(|level| diff.count(level))
}

fn location_text(location: &Location) -> String {
    match location.line {
        Some(line) => format!("{}:{line}", location.file),
        None => location.file.clone(),
    }
}

fn used_by_text(used_by: &[String]) -> String {
    let shown: Vec<String> = used_by.iter().take(USED_BY_SHOWN).map(|id| format!("`{id}`")).collect();
    let rest = used_by.len().saturating_sub(USED_BY_SHOWN);
    if rest > 0 {
        format!("{} and {rest} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// `minor (0.1.0 → 0.1.1)`, or what stands in for a bump when the crate is new or gone.
fn bump_text(diff: &SpecDiff) -> String {
    match diff.status {
        SpecStatus::Added => "new crate".into(),
        SpecStatus::Removed => "crate removed".into(),
        SpecStatus::Compared => match (diff.crate_version.as_deref(), diff.next_version()) {
            (Some(current), Some(next)) if current != next => match &diff.target_version {
                Some(target) if !diff.bump_missing() => format!("{} ({current} → {next}; the settings say {target})", diff.bump.as_str()),
                Some(target) => format!("{} ({current} → {next}; the settings still say {target}: `cargo xtask diff --apply-bump`)", diff.bump.as_str()),
                None => format!("{} ({current} → {next})", diff.bump.as_str()),
            },
            _ => diff.bump.as_str().to_string(),
        },
    }
}

fn spec_file(diff: &SpecDiff) -> &str {
    diff.new_file.as_deref().or(diff.old_file.as_deref()).unwrap_or(&diff.stem)
}

fn spec_summary(diff: &SpecDiff) -> String {
    match diff.status {
        SpecStatus::Added => "new spec".into(),
        SpecStatus::Removed => "spec removed".into(),
        SpecStatus::Compared if diff.changes.is_empty() && diff.text_changed => "edited; no API changes".into(),
        SpecStatus::Compared if diff.changes.is_empty() => "no changes".into(),
        SpecStatus::Compared => format!(
            "{}: {}",
            plural(diff.changes.len(), "change", "changes"),
            counts_text(spec_counts(diff))
        ),
    }
}

// --- Text. ---

/// A report for terminals: one block per spec, one paragraph per change.
pub fn render_text(diffs: &[SpecDiff], header: &ReportHeader) -> String {
    let mut out = String::new();
    let changed = diffs.iter().filter(|d| !d.changes.is_empty()).count();
    let _ = writeln!(out, "API changes from {} to {}", header.base, header.target);
    let _ = writeln!(
        out,
        "{} compared, {} with API changes: {}",
        plural(diffs.len(), "spec", "specs"),
        changed,
        counts_text(totals(diffs))
    );
    for diff in diffs {
        let _ = writeln!(out);
        let _ = write!(out, "{} ({}): {}", diff.package, spec_file(diff), spec_summary(diff));
        if !diff.changes.is_empty() {
            let _ = write!(out, "; suggested bump: {}", bump_text(diff));
        }
        let _ = writeln!(out);
        for note in &diff.left_out {
            let _ = writeln!(out, "  not compared, left out by the generator: {note}");
        }
        for change in &diff.changes {
            write_text_change(&mut out, change);
        }
    }
    out
}

fn write_text_change(out: &mut String, change: &Change) {
    let indent = " ".repeat(12);
    let _ = writeln!(out, "  {:<10}{}", change.level.as_str(), change.rule.id());
    let _ = writeln!(out, "{indent}{}", change.message);
    let _ = writeln!(out, "{indent}wire: {}; Rust: {}, {}", change.wire.as_str(), change.rust.as_str(), change.rust_effect);
    if !change.used_by.is_empty() {
        let _ = writeln!(out, "{indent}used by {}", used_by_text(&change.used_by));
    }
    if let Some(at) = change.location() {
        let _ = writeln!(out, "{indent}at {} {}", location_text(at), at.pointer);
    }
    if let (Some(old), Some(new)) = (&change.old, &change.new) {
        if old.pointer != new.pointer {
            let _ = writeln!(out, "{indent}was {} {}", location_text(old), old.pointer);
        }
    }
}

// --- Markdown. ---

fn level_badge(level: Level) -> &'static str {
    match level {
        Level::Breaking => "🔴 **breaking**",
        Level::Warning => "🟠 warning",
        Level::Info => "🔵 info",
    }
}

/// A verdict in a table: breaking ones stand out.
fn verdict_cell(level: Level) -> String {
    match level {
        Level::Breaking => "**breaking**".into(),
        other => other.as_str().into(),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Makes text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// A report to paste into a pull request: a summary table, then a table of changes per spec.
pub fn render_markdown(diffs: &[SpecDiff], header: &ReportHeader) -> String {
    let mut out = String::new();
    let counts = totals(diffs);
    let _ = writeln!(out, "## API changes: {} → {}", header.base, header.target);
    let _ = writeln!(out);
    let verdict = if counts[0] > 0 {
        format!("**{}.**", plural(counts[0], "breaking change", "breaking changes"))
    } else {
        "No breaking changes.".to_string()
    };
    let _ = writeln!(out, "{verdict} {}, {} info.", plural(counts[1], "warning", "warnings"), counts[2]);
    let _ = writeln!(out);
    let _ = writeln!(out, "| Spec | Crate | Breaking | Warnings | Info | Suggested bump |");
    let _ = writeln!(out, "| --- | --- | ---: | ---: | ---: | --- |");
    for diff in diffs {
        let [breaking, warnings, info] = spec_counts(diff);
        let bump = if diff.changes.is_empty() && diff.status == SpecStatus::Compared {
            if diff.text_changed { "none (edited, no API change)".to_string() } else { "none".to_string() }
        } else {
            bump_text(diff)
        };
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {breaking} | {warnings} | {info} | {} |",
            spec_file(diff),
            diff.package,
            cell(&bump)
        );
    }
    for diff in diffs.iter().filter(|d| !d.changes.is_empty()) {
        let _ = writeln!(out);
        let _ = writeln!(out, "### `{}` (`{}`)", diff.package, spec_file(diff));
        let _ = writeln!(out);
        let _ = writeln!(out, "{}. Suggested bump: {}.", capitalize(&spec_summary(diff)), bump_text(diff));
        let _ = writeln!(out);
        for note in &diff.left_out {
            let _ = writeln!(out, "- Not compared, left out by the generator: {}", cell(note));
        }
        if !diff.left_out.is_empty() {
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "| Level | Change | Wire clients | Rust users | Rule | Where |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for change in &diff.changes {
            let mut what = change.message.clone();
            if !change.used_by.is_empty() {
                what.push_str(&format!("<br><sub>used by {}</sub>", used_by_text(&change.used_by)));
            }
            let place = match change.location() {
                Some(at) => format!("`{}`<br><sub>`{}`</sub>", location_text(at), at.pointer),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}: {} | `{}` | {} |",
                level_badge(change.level),
                cell(&what),
                verdict_cell(change.wire),
                verdict_cell(change.rust),
                cell(&change.rust_effect),
                change.rule.id(),
                cell(&place)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<sub>Wire clients: any client of the HTTP API. Rust users: code using the generated crate. \
         Rules and verdicts: `codegen/src/diff/RULES.md`. Generated by `cargo xtask diff`.</sub>"
    );
    out
}

// --- JSON. ---

/// Every field of every change, for tools: `{ base, target, summary, specs: [...] }`.
pub fn render_json(diffs: &[SpecDiff], header: &ReportHeader) -> String {
    let counts = totals(diffs);
    let specs: Vec<Value> = diffs
        .iter()
        .map(|diff| {
            let mut value = serde_json::to_value(diff).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("next_version".into(), json!(diff.next_version()));
            }
            value
        })
        .collect();
    let report = json!({
        "base": header.base,
        "target": header.target,
        "summary": { "breaking": counts[0], "warning": counts[1], "info": counts[2] },
        "specs": specs,
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// GitHub Actions workflow commands, one per change: `::error` for breaking changes,
/// `::warning` and `::notice` for the rest, each at the changed line of the spec (the new
/// revision's, or the base's for something removed), so that a break shows on the pull
/// request's diff.
pub fn render_github(diffs: &[SpecDiff]) -> String {
    let mut out = String::new();
    for change in diffs.iter().flat_map(|d| &d.changes) {
        let command = match change.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = change.location() {
            // A base revision's file is named `rev:path`; annotations want the path.
            let file = location.file.split_once(':').map_or(location.file.as_str(), |(_, path)| path);
            properties.push(format!("file={}", escape_property(file)));
            if let Some(line) = location.line {
                properties.push(format!("line={line}"));
            }
        }
        properties.push(format!("title={}", escape_property(change.rule.id())));
        let message = format!("{} | Rust: {}", change.message, change.rust_effect);
        let _ = writeln!(out, "::{command} {}::{}", properties.join(","), escape_data(&message));
    }
    out
}

/// The escapes of a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// The escapes of a workflow command's property values.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
