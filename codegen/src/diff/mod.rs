//! What a spec change means for the API's callers: on the wire, and for Rust users of the
//! generated crate.
//!
//! [`compare`] takes the text of a spec at two revisions and returns a [`SpecDiff`]: every
//! change, each with a stable [`Rule`] id, a [`Level`], two verdicts (for wire clients and for
//! the generated Rust crate), and where it is in the new or old spec (JSON pointer and line).
//! [`render_text`], [`render_markdown`] and [`render_json`] print a set of them. `cargo xtask
//! diff` runs this over every spec against a git revision; the rules are listed in
//! `codegen/src/diff/RULES.md`.
//!
//! How it works:
//!
//! ```text
//! old text ─load─▶ Document + lower ─▶ ir::Api ┐                      ┌─▶ servers, security
//!                                              ├─ correlate types ───▶├─▶ operations: params,
//! new text ─load─▶ Document + lower ─▶ ir::Api ┘  (by name, by site,  │   bodies, responses
//!                                                  by structure)      └─▶ schemas: properties,
//!                                                                         enums, unions
//! ```
//!
//! Both sides are lowered with the generator's own `lower`, so the Rust verdicts are about the
//! names and types the generator really emits (a renamed `operationId` renames a method; a
//! `format: password` makes a `Secret`). The wire verdicts come from the spec's semantics, and
//! depend on direction: a schema used in requests is judged as input the server must accept,
//! one used in responses as output callers must decode; a schema used both ways is judged
//! both ways. The raw documents supply JSON pointers and lines.
//!
//! The module is pure: no I/O, no git, deterministic output, and no panic on any input.

mod accept;
mod compare;
mod correlate;
mod report;
mod rules;
mod semver;
mod side;
mod wire;

use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::settings::Settings;

pub use accept::{apply_accepted, parse_accepted, Accepted};
pub use report::{render_github, render_json, render_markdown, render_text, ReportHeader};
pub use rules::{Level, Rule, RuleInfo};
pub use semver::Bump;

/// A place in one revision of a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file as the caller named it (`main:specs/launchdarkly.yaml`, `specs/launchdarkly.yaml`).
    pub file: String,
    /// A JSON pointer into that document.
    pub pointer: String,
    /// 1-based line of the node (or of its nearest located ancestor), when the text has one.
    pub line: Option<usize>,
}

/// One change, judged twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub rule: Rule,
    /// The worse of the two verdicts.
    pub level: Level,
    /// For clients of the HTTP API, whatever their language.
    pub wire: Level,
    /// For Rust users of the generated crate.
    pub rust: Level,
    /// What changed, in the spec's terms (`` `GET /tokens` (`getTokens`): ... ``).
    pub message: String,
    /// What it does to the generated crate (`new setter ...`, `field ... removed`).
    pub rust_effect: String,
    /// The operations whose requests or responses carry the changed schema, by operationId.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    /// Where the change is in the base revision (absent for additions).
    pub old: Option<Location>,
    /// Where the change is in the new revision (absent for removals).
    pub new: Option<Location>,
}

impl Change {
    /// The location to show first: in the new spec when the thing still exists.
    pub fn location(&self) -> Option<&Location> {
        self.new.as_ref().or(self.old.as_ref())
    }
}

/// Whether the spec exists at each revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecStatus {
    Added,
    Removed,
    /// At both revisions (with or without API changes).
    Compared,
}

/// Everything that changed in one spec, and what it means for its crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecDiff {
    /// The spec's file stem.
    pub stem: String,
    /// The generated crate, `<stem>-client`.
    pub package: String,
    pub status: SpecStatus,
    pub old_file: Option<String>,
    pub new_file: Option<String>,
    /// The text differs between the revisions (even when no rule fires: prose, examples).
    pub text_changed: bool,
    /// Worst first; within a level, in document order.
    pub changes: Vec<Change>,
    /// The suggested version bump of the generated crate.
    pub bump: Bump,
    /// The crate's version at the base revision (its settings), or when the caller knows it
    /// otherwise (`generated/<stem>/Cargo.toml`).
    pub crate_version: Option<String>,
    /// The version the new revision's settings give, when they give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_version: Option<String>,
    /// What the generator leaves out of either revision (`file:line: message at pointer`),
    /// and so the comparison too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

impl SpecDiff {
    /// How many changes have this level.
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }

    /// The worst level of any change.
    pub fn worst(&self) -> Option<Level> {
        self.changes.iter().map(|c| c.level).max()
    }

    /// Whether the new revision's settings lag behind the suggested version: the API changed
    /// more than its version says (`--apply-bump` writes it).
    pub fn bump_missing(&self) -> bool {
        let Some(next) = self.next_version() else { return false };
        if self.crate_version.as_deref() == Some(next.as_str()) {
            return false;
        }
        let parse = |v: &str| ::semver::Version::parse(v).ok();
        match (self.target_version.as_deref().and_then(parse), parse(&next)) {
            (Some(target), Some(next)) => target < next,
            _ => true,
        }
    }

    /// The version to publish next, when the current one is known.
    pub fn next_version(&self) -> Option<String> {
        match self.status {
            SpecStatus::Compared => self.bump.apply(self.crate_version.as_deref()?),
            SpecStatus::Added | SpecStatus::Removed => None,
        }
    }
}

/// One revision of a spec: its text and the name to locate diagnostics and changes with, and
/// its generator settings at that revision, if it has any.
#[derive(Debug, Clone, Copy)]
pub struct Revision<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub settings: Option<SettingsText<'a>>,
    /// Read as `cargo xtask generate` reads a spec: what the generator cannot express is left
    /// out of the comparison and listed (`SpecDiff::left_out`), instead of refusing the
    /// revision. Off for `specs/`, which `cargo xtask codegen` refuses on any problem; on for
    /// two files compared by path (a vendor's spec before and after an upgrade).
    pub lenient: bool,
}

/// The text of a settings file (`specs/<stem>.toml`) at one revision.
#[derive(Debug, Clone, Copy)]
pub struct SettingsText<'a> {
    pub text: &'a str,
    pub file: &'a str,
}

impl<'a> Revision<'a> {
    /// A spec without settings.
    pub fn new(text: &'a str, file: &'a str) -> Revision<'a> {
        Revision { text, file, settings: None, lenient: false }
    }

    fn settings(&self, stem: &str) -> Result<Settings, Diagnostics> {
        match self.settings {
            Some(s) => Settings::parse(stem, s.text, s.file),
            None => Ok(Settings::new(stem)),
        }
    }
}

/// Compares the spec `stem` at two revisions; `None` means the spec does not exist there.
///
/// A spec that fails to load or lower at either revision yields the generator's located
/// diagnostics (of both revisions, when both fail).
///
/// Each side is lowered with its own settings, so that a change of settings is judged like a
/// change of the spec: a rename there renames in Rust, a filter that drops an operation
/// removes it.
pub fn compare(old: Option<Revision<'_>>, new: Option<Revision<'_>>, stem: &str) -> Result<SpecDiff, Diagnostics> {
    let old_settings = old.map(|r| r.settings(stem)).transpose();
    let new_settings = new.map(|r| r.settings(stem)).transpose();
    let (old_settings, new_settings) = match (old_settings, new_settings) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            let problems = [o.err(), n.err()].into_iter().flatten().flat_map(|d| d.0).collect();
            return Err(Diagnostics(problems));
        }
    };
    // The two revisions load and lower independently: side by side, on two threads.
    let (old_side, new_side) = std::thread::scope(|scope| {
        let old_side = scope.spawn(|| old.zip(old_settings.as_ref()).map(|(r, s)| side::Side::load(r.text, r.file, s, r.lenient)));
        let new_side = new.zip(new_settings.as_ref()).map(|(r, s)| side::Side::load(r.text, r.file, s, r.lenient));
        (old_side.join(), new_side)
    });
    let old_side = match old_side {
        Ok(side) => side,
        // Lowering never panics on any input (the fuzz test holds it to that); if it did, the
        // panic is the caller's to see, as it would be without the thread.
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let mut problems = Vec::new();
    let old_side = match old_side.transpose() {
        Ok(side) => side,
        Err(d) => {
            problems.extend(d.0);
            None
        }
    };
    let new_side = match new_side.transpose() {
        Ok(side) => side,
        Err(d) => {
            problems.extend(d.0);
            None
        }
    };
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    let package = new_settings.as_ref().or(old_settings.as_ref()).map_or_else(|| format!("{stem}-client"), Settings::package);
    let text_changed = match (old, new) {
        (Some(o), Some(n)) => o.text != n.text || o.settings.map(|s| s.text) != n.settings.map(|s| s.text),
        _ => true,
    };
    let (status, changes) = match (&old_side, &new_side) {
        (Some(o), Some(n)) => (SpecStatus::Compared, compare::compare(o, n)),
        (None, Some(n)) => (SpecStatus::Added, vec![compare::spec_added(n)]),
        (Some(o), None) => (SpecStatus::Removed, vec![compare::spec_removed(o)]),
        (None, None) => (SpecStatus::Compared, Vec::new()),
    };
    let mut changes = changes;
    if let Some(o) = old {
        fill_lines(o.text, changes.iter_mut().filter_map(|c| c.old.as_mut()));
    }
    if let Some(n) = new {
        fill_lines(n.text, changes.iter_mut().filter_map(|c| c.new.as_mut()));
    }
    for change in &mut changes {
        if let Some(note) = semver::cargo_note(change.rule).filter(|_| change.rust != Level::Breaking) {
            change.rust_effect.push_str(&format!(" ({note})"));
        }
    }
    let bump = match status {
        SpecStatus::Compared => semver::suggest(&changes),
        SpecStatus::Added | SpecStatus::Removed => Bump::None,
    };
    Ok(SpecDiff {
        stem: stem.to_string(),
        package,
        status,
        old_file: old.map(|r| r.file.to_string()),
        new_file: new.map(|r| r.file.to_string()),
        text_changed,
        changes,
        bump,
        // The version at the base revision: the bump applies to it, however often it is asked.
        crate_version: old_settings.and_then(|s| s.krate.version).map(|v| v.to_string()),
        target_version: new_settings.and_then(|s| s.krate.version).map(|v| v.to_string()),
        left_out: [&old_side, &new_side].into_iter().flatten().flat_map(|side| &side.left_out).map(left_out_text).collect(),
    })
}

/// `file:line: message (at #/pointer)`, on one line.
fn left_out_text(diagnostic: &crate::diagnostics::Diagnostic) -> String {
    let line = diagnostic.line.map(|l| format!(":{l}")).unwrap_or_default();
    format!("{}{line}: {} (at {})", diagnostic.file, diagnostic.message, diagnostic.pointer)
}

/// Gives each location in one revision's `text` its line: only the places the report names
/// are looked for, in one pass over the text.
fn fill_lines<'c>(text: &str, locations: impl Iterator<Item = &'c mut Location>) {
    let mut locations: Vec<&mut Location> = locations.collect();
    let source = crate::source_map::SourceMap::index_only(text, locations.iter().map(|l| l.pointer.as_str()));
    for location in &mut locations {
        location.line = source.locate(&location.pointer).map(|p| p.line);
    }
}

/// Whether any change in `diffs` is at least as bad as `level`: what `--fail-on` asks.
pub fn any_at_least(diffs: &[SpecDiff], level: Level) -> bool {
    diffs.iter().flat_map(|d| &d.changes).any(|c| c.level >= level)
}
