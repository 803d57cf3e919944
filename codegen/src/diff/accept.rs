//! Accepted changes (`specs/.diff-accept.yaml`): breaks a team has agreed to, each named by
//! its rule id and JSON pointer, with a reason and who accepted it. An accepted change is
//! still reported, as info with the reason, so `--fail-on` lets it through; the suggested
//! version bump is unchanged, since users of the crate still meet the break.

use serde::Deserialize;

use super::{Level, Rule, SpecDiff};

/// One accepted change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// The rule id (`response-property-became-required`).
    pub rule: String,
    /// The JSON pointer the report gives for the change (either revision's).
    pub pointer: String,
    pub reason: String,
    pub who: String,
}

/// Reads an accepted-changes file: a YAML list of `{rule, pointer, reason, who}`. Errors
/// name the entry and what is wrong with it.
pub fn parse_accepted(text: &str, file: &str) -> Result<Vec<Accepted>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let entries: Vec<Accepted> = serde_yaml::from_str(text).map_err(|e| format!("{file}: not a list of {{rule, pointer, reason, who}}: {e}"))?;
    for (i, entry) in entries.iter().enumerate() {
        if Rule::from_id(&entry.rule).is_none() {
            return Err(format!("{file}: entry {}: no rule `{}` (rule ids are in codegen/src/diff/RULES.md)", i + 1, entry.rule));
        }
        if !entry.pointer.starts_with('#') {
            return Err(format!("{file}: entry {}: `{}` is not a JSON pointer (`#/...`)", i + 1, entry.pointer));
        }
        if entry.reason.trim().is_empty() || entry.who.trim().is_empty() {
            return Err(format!("{file}: entry {}: an accepted change needs a reason and who accepted it", i + 1));
        }
    }
    Ok(entries)
}

/// Marks the accepted changes of `diffs` as info, with their reason. Returns the entries
/// that matched nothing: an acceptance whose change is gone should be removed.
pub fn apply_accepted<'a>(diffs: &mut [SpecDiff], accepted: &'a [Accepted]) -> Vec<&'a Accepted> {
    let mut used = vec![false; accepted.len()];
    for change in diffs.iter_mut().flat_map(|d| d.changes.iter_mut()) {
        let pointers: Vec<&str> = change.old.iter().chain(&change.new).map(|l| l.pointer.as_str()).collect();
        let found = accepted.iter().position(|a| a.rule == change.rule.id() && pointers.contains(&a.pointer.as_str()));
        if let Some(index) = found {
            used[index] = true;
            let entry = &accepted[index];
            change.level = Level::Info;
            change.message.push_str(&format!(" (accepted by {}: {})", entry.who, entry.reason));
        }
    }
    for diff in diffs.iter_mut() {
        diff.changes.sort_by_key(|c| std::cmp::Reverse(c.level));
    }
    accepted.iter().zip(used).filter(|(_, used)| !used).map(|(a, _)| a).collect()
}
