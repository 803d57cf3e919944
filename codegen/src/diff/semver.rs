//! The version bump a generated crate needs, from the Rust verdicts of its changes.
//!
//! - **major**: some change breaks Rust users (a method, field, variant or setter goes away or
//!   changes type, a builder refuses what it accepted), or Cargo's semver rules call it major
//!   (a new public field or enum variant: see `MAJOR_FOR_CARGO`);
//! - **minor**: nothing breaks, but the crate gains API (a rule marked additive) or a change
//!   deserves a look from Rust users (a warning: a new variant, a struct field that struct
//!   literals must name);
//! - **patch**: only behaviour the types do not show (a wire-only change such as a moved path);
//! - **none**: no rule fired.
//!
//! Generated crates start at 0.1.0. Cargo treats the first non-zero component as the major
//! one, so for a `0.y.z` crate a major bump is `0.(y+1).0`, and minor and patch bumps are both
//! `0.y.(z+1)` (Cargo has no separate place for additions below 1.0).

use serde::Serialize;

use super::rules::{Level, Rule};
use super::Change;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The next version after `current` (`major.minor.patch`, pre-release and build metadata
    /// dropped), or `None` when `current` is not a version.
    pub fn apply(self, current: &str) -> Option<String> {
        let core = current.trim().split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<u64> = core.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        let [major, minor, patch] = parts[..] else { return None };
        let next = match (self, major) {
            (Bump::None, _) => (major, minor, patch),
            (Bump::Major, 0) => (0, minor.saturating_add(1), 0),
            (Bump::Major, _) => (major.saturating_add(1), 0, 0),
            (Bump::Minor, 0) | (Bump::Patch, _) => (major, minor, patch.saturating_add(1)),
            (Bump::Minor, _) => (major, minor.saturating_add(1), 0),
        };
        Some(format!("{}.{}.{}", next.0, next.1, next.2))
    }
}

/// Changes that the diff rates below breaking for review (they are what an evolving API does,
/// and `--fail-on breaking` lets them through) but that Cargo's semver rules call major, as
/// cargo-semver-checks confirms on their fixtures (`cargo xtask semver-proof`): a new public
/// field of a struct users can build with a literal (`constructible_struct_adds_field`), a new
/// variant of an exhaustive enum (`enum_variant_added`), a response that gains a body (its
/// success type and its mock's `respond` change). The suggested bump follows Cargo, so that
/// `cargo update` never pulls a release that stops code compiling.
const MAJOR_FOR_CARGO: &[Rule] = &[
    Rule::RequestPropertyAdded,
    Rule::ResponsePropertyAdded,
    Rule::RequestEnumValueAdded,
    Rule::ResponseEnumValueAdded,
    Rule::RequestUnionVariantAdded,
    Rule::ResponseUnionVariantAdded,
    Rule::ResponseBodyAdded,
];

/// Why a change below breaking still needs a major version, for the report.
pub fn cargo_note(rule: Rule) -> Option<&'static str> {
    MAJOR_FOR_CARGO.contains(&rule).then_some(match rule {
        Rule::RequestPropertyAdded | Rule::ResponsePropertyAdded => "a new public field is a major change for Cargo",
        Rule::ResponseBodyAdded => "a changed response type is a major change for Cargo",
        _ => "a new variant of an exhaustive enum is a major change for Cargo",
    })
}

pub fn suggest(changes: &[Change]) -> Bump {
    changes
        .iter()
        .map(|change| match change.rust {
            _ if MAJOR_FOR_CARGO.contains(&change.rule) => Bump::Major,
            Level::Breaking => Bump::Major,
            Level::Warning => Bump::Minor,
            Level::Info if change.rule.info().additive => Bump::Minor,
            Level::Info => Bump::Patch,
        })
        .max()
        .unwrap_or(Bump::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_versions() {
        assert_eq!(Bump::Major.apply("0.1.0").as_deref(), Some("0.2.0"));
        assert_eq!(Bump::Minor.apply("0.1.0").as_deref(), Some("0.1.1"));
        assert_eq!(Bump::Patch.apply("0.1.3").as_deref(), Some("0.1.4"));
        assert_eq!(Bump::Major.apply("1.4.2").as_deref(), Some("2.0.0"));
        assert_eq!(Bump::Minor.apply("1.4.2").as_deref(), Some("1.5.0"));
        assert_eq!(Bump::None.apply("1.4.2").as_deref(), Some("1.4.2"));
        assert_eq!(Bump::Major.apply("1.0.0-rc.1").as_deref(), Some("2.0.0"));
        assert_eq!(Bump::Major.apply("one").as_deref(), None);
        assert_eq!(Bump::Major.apply("1.2").as_deref(), None);
    }
}
