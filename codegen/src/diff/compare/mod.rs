//! The walk over two revisions that finds the changes: servers, security, operations (their
//! parameters, bodies and responses), then schemas (properties, enum values, alternatives).
//! One file per family of rules; this one holds the walk and what they share.

mod bodies;
mod constraints;
mod documented;
mod lifecycle;
mod operations;
mod schemas;
mod servers;

use schemas::*;
use servers::*;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use crate::ir::{
    Api, BodyDecoding, Constraints, Field, Operation, Param, ParamLocation, RequestBody, Struct,
    SuccessCase, TypeDef, TypeId, TypeKind, TypeRef,
};
use crate::source_map::escape_token;

use super::correlate::{self, error_key, status_text, OpMatch, TypeMap};
use super::rules::{Level, Rule};
use super::side::{Direction, Side};
use super::wire::{constraints_text, relate, relate_constraints, relate_schemas, rust_text, same_rust, similar_objects, wire_text};
use super::{Change, Location};

pub fn spec_added(new: &Side) -> Change {
    let mut change = new_change(
        Rule::SpecAdded,
        format!("new spec: {}, {}", count(new.api.operations.len(), "operation"), count(new.api.types.len(), "type")),
        format!("new crate `{}`", new.api.package),
    );
    change.new = Some(new.locate("#"));
    finish(change)
}

pub fn spec_removed(old: &Side) -> Change {
    let mut change = new_change(
        Rule::SpecRemoved,
        format!("spec removed, with its {}", count(old.api.operations.len(), "operation")),
        format!("crate `{}` is no longer generated", old.api.package),
    );
    change.old = Some(old.locate("#"));
    finish(change)
}

/// Every change between two loaded revisions, worst first, in document order within a level.
pub fn compare(old: &Side, new: &Side) -> Vec<Change> {
    let ops = correlate::match_operations(old, new);
    let map = correlate::correlate(old, new, &ops);
    let mut walk = Walk { old, new, map, changes: Vec::new(), rewritten: HashSet::new() };
    walk.servers();
    walk.security();
    for m in &ops {
        walk.operation(*m);
    }
    walk.schemas();
    let mut changes: Vec<Change> = walk.changes.into_iter().map(finish).collect();
    changes.sort_by_key(|c| std::cmp::Reverse(c.level));
    changes
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn new_change(rule: Rule, message: String, rust_effect: String) -> Change {
    let info = rule.info();
    Change {
        rule,
        level: info.wire.max(info.rust),
        wire: info.wire,
        rust: info.rust,
        message,
        rust_effect,
        used_by: Vec::new(),
        old: None,
        new: None,
    }
}

fn finish(mut change: Change) -> Change {
    change.level = change.wire.max(change.rust);
    change
}

/// The Rust effect of a change that the crate's API does not show.
const NO_API_CHANGE: &str = "no change to the crate's API";

/// `` `GET /tokens` (`getTokens`) ``
fn op_label(op: &Operation) -> String {
    format!("`{} {}` (`{}`)", op.http_method.as_str(), op.path_template, op.id)
}

fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
}

/// `then` when `condition` holds, else `otherwise`.
fn pick(condition: bool, then: Level, otherwise: Level) -> Level {
    if condition {
        then
    } else {
        otherwise
    }
}

/// Where a value sits, for the changes to its type.
struct Site {
    direction: Direction,
    /// `` `GET /x` (`getX`): query parameter `limit` ``
    what: String,
    /// How Rust users meet the value: `setter `.limit()``, `field `Token::name``.
    rust_what: String,
    old: Option<Location>,
    new: Option<Location>,
    used_by: Vec<String>,
}

/// The success type of an operation's `send()`, as the generator decides it.
enum SuccessShape<'a> {
    Single(Option<&'a TypeRef>),
    Enum(Vec<(&'a str, Option<&'a TypeRef>)>),
}

fn success_shape(op: &Operation) -> SuccessShape<'_> {
    let cases: &[SuccessCase] = &op.responses.success;
    let first = cases.first().map(|c| c.body.ty());
    if cases.iter().all(|c| Some(c.body.ty()) == first) {
        SuccessShape::Single(first.flatten())
    } else {
        SuccessShape::Enum(cases.iter().map(|c| (c.variant.as_str(), c.body.ty())).collect())
    }
}

struct Walk<'s> {
    old: &'s Side,
    new: &'s Side,
    map: TypeMap,
    changes: Vec<Change>,
    /// Objects that do not correspond but stand in one place (a `$ref` replaced by an inline
    /// copy), whose properties have been compared, per direction: compared once.
    rewritten: HashSet<(TypeId, TypeId, Direction)>,
}

impl Walk<'_> {
    fn push(&mut self, rule: Rule, message: String, rust_effect: String) -> &mut Change {
        let index = self.changes.len();
        self.changes.push(new_change(rule, message, rust_effect));
        &mut self.changes[index]
    }

    fn old_at(&self, pointer: &str) -> Option<Location> {
        Some(self.old.locate(pointer))
    }

    fn new_at(&self, pointer: &str) -> Option<Location> {
        Some(self.new.locate(pointer))
    }
}
