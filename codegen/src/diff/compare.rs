//! The walk over two revisions that finds the changes: servers, security, operations (their
//! parameters, bodies and responses), then schemas (properties, enum values, alternatives).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ir::{
    Api, BodyDecoding, Constraints, Field, Operation, Param, ParamLocation, RequestBody, Struct,
    SuccessCase, TypeDef, TypeId, TypeKind, TypeRef,
};
use crate::source_map::escape_token;

use super::correlate::{self, error_key, status_text, OpMatch, TypeMap};
use super::rules::{Level, Rule};
use super::side::{Direction, Side};
use super::wire::{constraints_text, relate, relate_constraints, rust_text, same_rust, wire_text};
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
    let mut walk = Walk { old, new, map, changes: Vec::new() };
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

    // --- Servers. ---

    fn servers(&mut self) {
        let (old, new) = (&self.old.api.servers, &self.new.api.servers);
        // A default server whose URL changed, with no trace of either URL on the other side,
        // is one server edited: reported once, as a new default.
        let edited_default = match (old.first(), new.first()) {
            (Some(a), Some(b)) => a.url != b.url && !new.iter().any(|s| s.url == a.url) && !old.iter().any(|s| s.url == b.url),
            _ => false,
        };
        for (i, server) in old.iter().enumerate().skip(usize::from(edited_default)) {
            if !new.iter().any(|s| s.url == server.url) {
                let at = self.old_at(&format!("#/servers/{i}"));
                let change = self.push(Rule::ServerRemoved, format!("server `{}` removed", server.url), NO_API_CHANGE.into());
                change.old = at;
            }
        }
        for (i, server) in new.iter().enumerate().skip(usize::from(edited_default)) {
            if !old.iter().any(|s| s.url == server.url) {
                let at = self.new_at(&format!("#/servers/{i}"));
                let change = self.push(Rule::ServerAdded, format!("server `{}` added", server.url), NO_API_CHANGE.into());
                change.new = at;
            }
        }
        if let (Some(a), Some(b)) = (old.first(), new.first()) {
            if a.url != b.url {
                let (at_old, at_new) = (self.old_at("#/servers/0"), self.new_at("#/servers/0"));
                let change = self.push(
                    Rule::ServerDefaultChanged,
                    format!("default server `{}` → `{}`", a.url, b.url),
                    format!("a client built without `.base_url(..)` now sends to `{}`", b.url),
                );
                change.old = at_old;
                change.new = at_new;
            }
        }
        let no_variables = Vec::new();
        let old_vars = old.first().map(|s| &s.variables).unwrap_or(&no_variables);
        let new_vars = new.first().map(|s| &s.variables).unwrap_or(&no_variables);
        for v in old_vars {
            if !new_vars.iter().any(|w| w.wire_name == v.wire_name) {
                let at = self.old_at(&format!("#/servers/0/variables/{}", escape_token(&v.wire_name)));
                let change = self.push(
                    Rule::ServerVariableRemoved,
                    format!("server variable `{}` removed", v.wire_name),
                    format!("setter `ClientBuilder::{}()` removed", v.rust_name),
                );
                change.old = at;
            }
        }
        for v in new_vars {
            if !old_vars.iter().any(|w| w.wire_name == v.wire_name) {
                let at = self.new_at(&format!("#/servers/0/variables/{}", escape_token(&v.wire_name)));
                let change = self.push(
                    Rule::ServerVariableAdded,
                    format!("server variable `{}` added (default `{}`)", v.wire_name, v.default),
                    format!("new setter `ClientBuilder::{}()`", v.rust_name),
                );
                change.new = at;
            }
        }
    }

    // --- Security. ---

    fn security(&mut self) {
        let schemes = |side: &Side| -> BTreeMap<String, Value> {
            side.doc
                .raw
                .pointer("/components/securitySchemes")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        let (old_schemes, new_schemes) = (schemes(self.old), schemes(self.new));
        let old_setters = auth_setters(&self.old.api);
        let new_setters = auth_setters(&self.new.api);
        let pointer = |name: &str| format!("#/components/securitySchemes/{}", escape_token(name));
        for (name, scheme) in &old_schemes {
            let setter = scheme_setter(&self.old.api, name);
            let lost = setter.filter(|s| old_setters.contains(s) && !new_setters.contains(s));
            match new_schemes.get(name) {
                None => {
                    let at = self.old_at(&pointer(name));
                    let effect = match &lost {
                        Some(s) => format!("auth setter `ClientBuilder::{s}()` removed"),
                        None => "auth setters unchanged".into(),
                    };
                    let change = self.push(Rule::SecuritySchemeRemoved, format!("security scheme `{name}` removed"), effect);
                    change.rust = pick(lost.is_some(), Level::Breaking, Level::Info);
                    change.old = at;
                }
                Some(now) if without_prose(scheme) != without_prose(now) => {
                    let (at_old, at_new) = (self.old_at(&pointer(name)), self.new_at(&pointer(name)));
                    let effect = match &lost {
                        Some(s) => format!("auth setter `ClientBuilder::{s}()` removed"),
                        None => "auth setters unchanged; the client sends the credential as the scheme now says".into(),
                    };
                    let change = self.push(
                        Rule::SecuritySchemeChanged,
                        format!("security scheme `{name}`: {} → {}", scheme_text(scheme), scheme_text(now)),
                        effect,
                    );
                    change.rust = pick(lost.is_some(), Level::Breaking, Level::Info);
                    change.old = at_old;
                    change.new = at_new;
                }
                Some(_) => {}
            }
        }
        for (name, scheme) in &new_schemes {
            if old_schemes.contains_key(name) {
                continue;
            }
            let at = self.new_at(&pointer(name));
            let effect = match scheme_setter(&self.new.api, name) {
                Some(s) if !old_setters.contains(&s) && new_setters.contains(&s) => format!("new auth setter `ClientBuilder::{s}()`"),
                Some(s) => format!("uses the existing auth setter `ClientBuilder::{s}()`"),
                None => "no auth setter (not supported by the generator)".into(),
            };
            let change = self.push(Rule::SecuritySchemeAdded, format!("security scheme `{name}` added ({})", scheme_text(scheme)), effect);
            change.new = at;
        }
        let (old_global, new_global) = (requirement(self.old.doc.raw.get("security")), requirement(self.new.doc.raw.get("security")));
        if old_global != new_global {
            let (at_old, at_new) = (self.old_at("#/security"), self.new_at("#/security"));
            self.requirement_changed("API-wide".to_string(), &old_global, &new_global, at_old, at_new);
        }
    }

    fn requirement_changed(&mut self, what: String, old: &Requirement, new: &Requirement, at_old: Option<Location>, at_new: Option<Location>) {
        let refused: Vec<&Alternative> = old.iter().filter(|a| !new.iter().any(|b| satisfies(a, b))).collect();
        let message = format!("{what} security `{}` → `{}`", requirement_text(old), requirement_text(new));
        let change = self.push(Rule::SecurityRequirementChanged, message, "no change to the crate's API: the client sends the credentials it is given".into());
        if refused.is_empty() {
            change.wire = Level::Info;
        } else {
            let refused: Vec<String> = refused.iter().map(|a| alternative_text(a)).collect();
            change.message.push_str(&format!("; requests authenticated with `{}` are refused", refused.join("` or `")));
        }
        change.old = at_old;
        change.new = at_new;
    }

    // --- Operations. ---

    fn operation(&mut self, m: OpMatch) {
        match m {
            OpMatch::Added { new } => {
                let Some(op) = self.new.op(new) else { return };
                let stream = if op.pagination.is_some() { " with `.stream()`" } else { "" };
                let message = format!("{}: new operation", op_label(op));
                let effect = format!("new method `Client::{}()`{stream}", op.method_name);
                let at = self.new_at(&self.new.op_pointer(new));
                self.push(Rule::OperationAdded, message, effect).new = at;
            }
            OpMatch::Removed { old } => {
                let Some(op) = self.old.op(old) else { return };
                let message = format!("{}: operation removed", op_label(op));
                let effect = format!("method `Client::{}()` removed", op.method_name);
                let at = self.old_at(&self.old.op_pointer(old));
                self.push(Rule::OperationRemoved, message, effect).old = at;
            }
            OpMatch::Moved { old, new } => {
                let (Some(a), Some(b)) = (self.old.op(old), self.new.op(new)) else { return };
                let message = format!(
                    "`{}`: moved from `{} {}` to `{} {}`",
                    b.id,
                    a.http_method.as_str(),
                    a.path_template,
                    b.http_method.as_str(),
                    b.path_template
                );
                let effect = format!("`Client::{}()` now sends `{} {}`", b.method_name, b.http_method.as_str(), b.path_template);
                let (at_old, at_new) = (self.old_at(&self.old.op_pointer(old)), self.new_at(&self.new.op_pointer(new)));
                let change = self.push(Rule::OperationMoved, message, effect);
                change.old = at_old;
                change.new = at_new;
                self.operation_pair(old, new);
            }
            OpMatch::Same { old, new } => self.operation_pair(old, new),
        }
    }

    fn operation_pair(&mut self, i: usize, j: usize) {
        let (old, new) = (self.old, self.new);
        let (Some(a), Some(b)) = (old.op(i), new.op(j)) else { return };
        let (old_pointer, new_pointer) = (old.op_pointer(i), new.op_pointer(j));
        let label = op_label(b);
        if a.id != b.id {
            let renamed = a.method_name != b.method_name || a.type_name != b.type_name;
            let effect = if renamed {
                rust_rename(a, b)
            } else {
                format!("Rust names unchanged (`Client::{}()`)", b.method_name)
            };
            let message = format!("`{} {}`: operationId `{}` → `{}`", b.http_method.as_str(), b.path_template, a.id, b.id);
            let (at_old, at_new) = (self.old_at(&format!("{old_pointer}/operationId")), self.new_at(&format!("{new_pointer}/operationId")));
            let change = self.push(Rule::OperationIdRenamed, message, effect);
            change.rust = pick(renamed, Level::Breaking, Level::Info);
            change.old = at_old;
            change.new = at_new;
        } else if a.method_name != b.method_name || a.type_name != b.type_name {
            // Same operation, same id: the settings renamed it.
            let effect = rust_rename(a, b);
            let message = format!("{label}: renamed in the generator settings");
            let (at_old, at_new) = (self.old_at(&old_pointer), self.new_at(&new_pointer));
            let change = self.push(Rule::OperationRustRenamed, message, effect);
            change.old = at_old;
            change.new = at_new;
        }
        if !a.deprecated && b.deprecated {
            let at = self.new_at(&format!("{new_pointer}/deprecated"));
            let effect = format!("`Client::{}()` is `#[deprecated]`", b.method_name);
            self.push(Rule::OperationDeprecated, format!("{label}: deprecated"), effect).new = at;
        }
        match (&a.pagination, &b.pagination) {
            (None, Some(_)) => {
                let at = self.new_at(&format!("{new_pointer}/x-pagination"));
                let effect = format!("new `.stream()` on `client.{}()`", b.method_name);
                self.push(Rule::PaginationAdded, format!("{label}: now paginated (`x-pagination`)"), effect).new = at;
            }
            (Some(_), None) => {
                let at = self.old_at(&format!("{old_pointer}/x-pagination"));
                let effect = format!("`.stream()` removed from `client.{}()`", b.method_name);
                self.push(Rule::PaginationRemoved, format!("{label}: no longer paginated"), effect).old = at;
            }
            _ => {}
        }
        self.operation_security(i, j, &label);
        self.params(i, j, a, b, &label);
        self.body(i, j, a, b, &label);
        self.responses(i, j, a, b, &label);
    }

    fn operation_security(&mut self, i: usize, j: usize, label: &str) {
        let (old_pointer, new_pointer) = (self.old.op_pointer(i), self.new.op_pointer(j));
        let own = |side: &Side, pointer: &str| side.doc.raw.pointer(&format!("{}/security", pointer.trim_start_matches('#'))).cloned();
        let (old_own, new_own) = (own(self.old, &old_pointer), own(self.new, &new_pointer));
        if old_own.is_none() && new_own.is_none() {
            return;
        }
        let effective = |own: &Option<Value>, side: &Side| match own {
            Some(value) => requirement(Some(value)),
            None => requirement(side.doc.raw.get("security")),
        };
        let (before, after) = (effective(&old_own, self.old), effective(&new_own, self.new));
        if before != after {
            let at_old = self.old_at(&format!("{old_pointer}{}", if old_own.is_some() { "/security" } else { "" }));
            let at_new = self.new_at(&format!("{new_pointer}{}", if new_own.is_some() { "/security" } else { "" }));
            self.requirement_changed(format!("{label}:"), &before, &after, at_old, at_new);
        }
    }

    // --- Parameters. ---

    fn params(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
        let (old, new) = (self.old, self.new);
        let pairs = correlate::param_pairs(a, b);
        let setter = |op: &Operation, p: &Param| format!("setter `.{}()` on `client.{}()`", p.rust_name, op.method_name);
        let param_at = |side: &Side, op: usize, p: &Param| side.param_pointer(op, p).unwrap_or_else(|| side.op_pointer(op));
        for (index, p) in a.params.iter().enumerate() {
            if p.constant.is_some() || pairs.iter().any(|(x, _)| *x == index) {
                continue;
            }
            let at = self.old_at(&param_at(old, i, p));
            let message = format!("{label}: {} parameter `{}` removed", location_word(p.location), p.wire_name);
            self.push(Rule::ParameterRemoved, message, format!("{} removed", setter(a, p))).old = at;
        }
        for (x, y) in &pairs {
            let (p, q) = (&a.params[*x], &b.params[*y]);
            if p.constant.is_some() || q.constant.is_some() {
                continue;
            }
            let (at_old, at_new) = (self.old_at(&param_at(old, i, p)), self.new_at(&param_at(new, j, q)));
            let what = format!("{label}: {} parameter `{}`", location_word(q.location), q.wire_name);
            if p.wire_name != q.wire_name {
                let renamed = p.rust_name != q.rust_name;
                let effect = if renamed {
                    format!("setter `.{}()` → `.{}()` on `client.{}()`", p.rust_name, q.rust_name, b.method_name)
                } else {
                    format!("{} unchanged", setter(b, q))
                };
                let message = format!("{label}: path parameter `{}` renamed to `{}`", p.wire_name, q.wire_name);
                let change = self.push(Rule::PathParameterRenamed, message, effect);
                change.rust = pick(renamed, Level::Breaking, Level::Info);
                change.old = at_old.clone();
                change.new = at_new.clone();
            }
            if !p.required && q.required {
                let effect = format!("`send()` fails unless `.{}()` is called", q.rust_name);
                let change = self.push(Rule::ParameterBecameRequired, format!("{what} is now required"), effect);
                change.old = at_old.clone();
                change.new = at_new.clone();
            } else if p.required && !q.required {
                let change = self.push(Rule::ParameterBecameOptional, format!("{what} is now optional"), format!("{} may be left out", setter(b, q)));
                change.old = at_old.clone();
                change.new = at_new.clone();
            }
            let site = Site {
                direction: Direction::Request,
                what,
                rust_what: setter(b, q),
                old: at_old,
                new: at_new,
                used_by: Vec::new(),
            };
            self.site_type(&site, (&p.ty, &p.constraints), (&q.ty, &q.constraints));
        }
        for (index, q) in b.params.iter().enumerate() {
            if q.constant.is_some() || pairs.iter().any(|(_, y)| *y == index) {
                continue;
            }
            let at = self.new_at(&param_at(new, j, q));
            let kind = format!("{} parameter `{}` (`{}`)", location_word(q.location), q.wire_name, wire_text(new, &q.ty));
            if q.required {
                let effect = format!("new {}; `send()` fails unless it is called", setter(b, q));
                self.push(Rule::ParameterRequiredAdded, format!("{label}: new required {kind}"), effect).new = at;
            } else {
                let effect = format!("new {} (`impl Into<{}>`)", setter(b, q), rust_text(new, &q.ty));
                self.push(Rule::ParameterAdded, format!("{label}: new optional {kind}"), effect).new = at;
            }
        }
    }

    // --- Request bodies. ---

    fn body(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
        let real = |body: &Option<RequestBody>| body.clone().filter(|x| x.ty != TypeRef::Unit);
        let (old_pointer, new_pointer) = (self.old.body_pointer(i), self.new.body_pointer(j));
        match (real(&a.body), real(&b.body)) {
            (None, None) => {}
            (None, Some(y)) => {
                let at = self.new_at(&new_pointer);
                let what = format!("{label}: new {} request body (`{}`)", if y.required { "required" } else { "optional" }, wire_text(self.new, &y.ty));
                let mut effect = format!("new {} on `client.{}()`", body_setters_text(&y), b.method_name);
                let mut rust = Level::Info;
                if y.required {
                    let (level, refusal) = self.required_body(&y);
                    effect.push_str(&format!("; {refusal}"));
                    rust = level;
                }
                let rule = if y.required { Rule::RequestBodyRequiredAdded } else { Rule::RequestBodyAdded };
                let change = self.push(rule, what, effect);
                change.rust = rust;
                change.new = at;
            }
            (Some(x), None) => {
                let at = self.old_at(&old_pointer);
                let effect = format!("{} removed from `client.{}()`", body_setters_text(&x), a.method_name);
                self.push(Rule::RequestBodyRemoved, format!("{label}: request body removed"), effect).old = at;
            }
            (Some(x), Some(y)) => {
                let (at_old, at_new) = (self.old_at(&old_pointer), self.new_at(&new_pointer));
                if !x.required && y.required {
                    let (rust, effect) = self.required_body(&y);
                    let change = self.push(Rule::RequestBodyBecameRequired, format!("{label}: request body is now required"), effect);
                    change.rust = rust;
                    change.old = at_old.clone();
                    change.new = at_new.clone();
                } else if x.required && !y.required {
                    let change = self.push(Rule::RequestBodyBecameOptional, format!("{label}: request body is now optional"), "the body may be left out".into());
                    change.old = at_old.clone();
                    change.new = at_new.clone();
                }
                if x.content_type != y.content_type {
                    let effect = format!("the client sends `Content-Type: {}`", y.content_type);
                    let message = format!("{label}: request body media type `{}` → `{}`", x.content_type, y.content_type);
                    let change = self.push(Rule::RequestMediaTypeChanged, message, effect);
                    change.old = at_old.clone();
                    change.new = at_new.clone();
                }
                let site = Site {
                    direction: Direction::Request,
                    what: format!("{label}: request body"),
                    rust_what: format!("`.body()` on `client.{}()`", b.method_name),
                    old: at_old,
                    new: at_new,
                    used_by: Vec::new(),
                };
                let none = Constraints::default();
                self.site_type(&site, (&x.ty, &none), (&y.ty, &none));
            }
        }
    }

    /// What a required body means for a builder: a whole body must be set; an object body
    /// is always sent, and fails only when a required property is missing.
    fn required_body(&self, body: &RequestBody) -> (Level, String) {
        if body.properties.is_empty() {
            return (Level::Breaking, "`send()` fails unless `.body()` is called".into());
        }
        let required: Vec<String> = match &body.ty {
            TypeRef::Named(id) => match self.new.def(*id).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => s.fields.iter().filter(|f| f.required).map(|f| format!("`.{}()`", f.rust_name)).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if required.is_empty() {
            (Level::Info, "the body is always sent (`{}` when nothing is set)".into())
        } else {
            (Level::Breaking, format!("`send()` fails unless {} set", if required.len() == 1 { format!("{} is", required[0]) } else { format!("{} are", required.join(", ")) }))
        }
    }

    // --- Responses. ---

    fn responses(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
        let (old, new) = (self.old, self.new);
        let shape_change = self.success_shape_change(a, b);
        for x in &a.responses.success {
            let at_old = self.old_at(&old.response_pointer(i, x.status));
            match b.responses.success.iter().find(|y| y.status == x.status) {
                None => {
                    let (rust, effect) = shape_change.clone();
                    let message = format!("{label}: success response {} removed", status_text(x.status));
                    let change = self.push(Rule::SuccessStatusRemoved, message, effect);
                    change.rust = rust;
                    change.old = at_old;
                }
                Some(y) => {
                    let at_new = self.new_at(&new.response_pointer(j, y.status));
                    let what = format!("{label}: response {}", status_text(y.status));
                    let rust_what = format!("the response of `client.{}().send()`", b.method_name);
                    self.response_body(&what, &rust_what, &x.body, &y.body, false, at_old, at_new);
                }
            }
        }
        for y in &b.responses.success {
            if a.responses.success.iter().any(|x| x.status == y.status) {
                continue;
            }
            let at = self.new_at(&new.response_pointer(j, y.status));
            let (rust, effect) = shape_change.clone();
            let body = y.body.ty().map(|t| format!(" (`{}`)", wire_text(new, t))).unwrap_or_default();
            let message = format!("{label}: new success response {}{body}", status_text(y.status));
            let change = self.push(Rule::SuccessStatusAdded, message, effect);
            change.rust = rust;
            change.new = at;
        }
        for x in &a.responses.errors {
            let at_old = self.old_at(&old.response_pointer(i, x.status));
            let key = error_key(x);
            match b.responses.errors.iter().find(|y| error_key(y) == key) {
                None => {
                    let effect = format!("variant `{}Error::{}` removed", a.type_name, x.variant);
                    let message = format!("{label}: error response {} removed", error_text(x));
                    self.push(Rule::ErrorResponseRemoved, message, effect).old = at_old;
                }
                Some(y) => {
                    let at_new = self.new_at(&new.response_pointer(j, y.status));
                    let what = format!("{label}: error response {}", error_text(y));
                    let rust_what = format!("variant `{}Error::{}`", b.type_name, y.variant);
                    self.response_body(&what, &rust_what, &x.body, &y.body, true, at_old, at_new);
                }
            }
        }
        for y in &b.responses.errors {
            let key = error_key(y);
            if a.responses.errors.iter().any(|x| error_key(x) == key) {
                continue;
            }
            let at = self.new_at(&new.response_pointer(j, y.status));
            let effect = format!("new variant `{}Error::{}`", b.type_name, y.variant);
            self.push(Rule::ErrorResponseAdded, format!("{label}: new error response {}", error_text(y)), effect).new = at;
        }
    }

    /// What adding or removing success statuses does to the type `send()` returns.
    fn success_shape_change(&self, a: &Operation, b: &Operation) -> (Level, String) {
        let (old, new) = (self.old, self.new);
        let text = |side: &Side, ty: Option<&TypeRef>| ty.map(|t| rust_text(side, t)).unwrap_or_else(|| "()".into());
        match (success_shape(a), success_shape(b)) {
            (SuccessShape::Single(x), SuccessShape::Single(y)) => {
                let same = match (x, y) {
                    (Some(p), Some(q)) => same_rust(&self.map, p, q),
                    (None, None) => true,
                    _ => false,
                };
                if same {
                    (Level::Info, format!("`send()` still returns `{}`", text(new, y)))
                } else {
                    (Level::Breaking, format!("`send()` returns `{}` instead of `{}`", text(new, y), text(old, x)))
                }
            }
            (SuccessShape::Single(x), SuccessShape::Enum(_)) => (
                Level::Breaking,
                format!("`send()` returns the enum `{}Response` (one variant per status) instead of `{}`", b.type_name, text(old, x)),
            ),
            (SuccessShape::Enum(_), SuccessShape::Single(y)) => (
                Level::Breaking,
                format!("`send()` returns `{}` instead of the enum `{}Response`", text(new, y), a.type_name),
            ),
            (SuccessShape::Enum(x), SuccessShape::Enum(y)) => {
                let removed: Vec<&str> = x.iter().filter(|(v, _)| !y.iter().any(|(w, _)| w == v)).map(|(v, _)| *v).collect();
                let added: Vec<&str> = y.iter().filter(|(v, _)| !x.iter().any(|(w, _)| w == v)).map(|(v, _)| *v).collect();
                let name = &b.type_name;
                let list = |vs: &[&str]| vs.iter().map(|v| format!("`{name}Response::{v}`")).collect::<Vec<_>>().join(", ");
                if !removed.is_empty() {
                    (Level::Breaking, format!("variant {} removed", list(&removed)))
                } else if !added.is_empty() {
                    (Level::Warning, format!("new variant {}", list(&added)))
                } else {
                    (Level::Info, format!("`send()` still returns `{name}Response`"))
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn response_body(
        &mut self,
        what: &str,
        rust_what: &str,
        x: &BodyDecoding,
        y: &BodyDecoding,
        error: bool,
        at_old: Option<Location>,
        at_new: Option<Location>,
    ) {
        let (old, new) = (self.old, self.new);
        match (x.ty(), y.ty()) {
            (None, None) => {}
            (None, Some(t)) => {
                let effect = if error {
                    format!("{rust_what} now holds a `{}`", rust_text(new, t))
                } else {
                    format!("{rust_what} is `{}` instead of `()`", rust_text(new, t))
                };
                let change = self.push(Rule::ResponseBodyAdded, format!("{what} now has a body (`{}`)", wire_text(new, t)), effect);
                if error {
                    change.rust = Level::Breaking;
                }
                change.old = at_old;
                change.new = at_new;
            }
            (Some(t), None) => {
                let effect = if error {
                    format!("{rust_what} no longer holds a `{}`", rust_text(old, t))
                } else {
                    format!("{rust_what} is `()` instead of `{}`", rust_text(old, t))
                };
                let change = self.push(Rule::ResponseBodyRemoved, format!("{what} no longer has a body"), effect);
                change.old = at_old;
                change.new = at_new;
            }
            (Some(p), Some(q)) => {
                let site = Site {
                    direction: Direction::Response,
                    what: format!("{what} body"),
                    rust_what: rust_what.to_string(),
                    old: at_old,
                    new: at_new,
                    used_by: Vec::new(),
                };
                let none = Constraints::default();
                self.site_type(&site, (p, &none), (q, &none));
            }
        }
    }

    // --- Types where they are used. ---

    /// Reports how the type at a site changed, if it did.
    fn site_type(&mut self, site: &Site, old: (&TypeRef, &Constraints), new: (&TypeRef, &Constraints)) {
        let (old_side, new_side) = (self.old, self.new);
        let relation = relate(old_side, new_side, &self.map, old.0, new.0);
        let constraints = relate_constraints(old.1, new.1);
        let rust_same = same_rust(&self.map, old.0, new.0);
        let type_same = relation.is_same();
        if type_same && constraints.is_same() && rust_same {
            return;
        }
        let describe = |side: &Side, ty: &TypeRef, c: &Constraints| {
            let bounds = constraints_text(c);
            if bounds.is_empty() {
                wire_text(side, ty)
            } else {
                format!("{}, {bounds}", wire_text(side, ty))
            }
        };
        let from = describe(old_side, old.0, old.1);
        let to = describe(new_side, new.0, new.1);
        let message = format!("{}: `{from}` → `{to}`", site.what);
        let (old_rust, new_rust) = (rust_text(old_side, old.0), rust_text(new_side, new.0));
        let rust_changed = format!("{}: `{old_rust}` → `{new_rust}`", site.rust_what);
        let narrowed = relation.narrowed || constraints.narrowed;
        let widened = relation.widened || constraints.widened;
        let request = site.direction == Direction::Request;
        let (rule, wire, rust, effect) = if relation.incompatible {
            let rust = if !rust_same || (request && narrowed) { Level::Breaking } else { Level::Info };
            (Rule::TypeChanged, Level::Breaking, rust, rust_changed)
        } else if request && narrowed {
            let effect = if rust_same {
                format!("{}: Rust type unchanged (`{new_rust}`), but `send()` now refuses values that break `{to}`", site.rust_what)
            } else {
                rust_changed
            };
            (Rule::RequestTypeNarrowed, Level::Breaking, Level::Breaking, effect)
        } else if request && widened {
            (Rule::RequestTypeWidened, Level::Info, pick(!rust_same, Level::Breaking, Level::Info), self.unchanged_or(rust_same, site, &new_rust, rust_changed))
        } else if !request && widened {
            let wire = pick(relation.widened_type, Level::Breaking, Level::Warning);
            (Rule::ResponseTypeWidened, wire, pick(!rust_same, Level::Breaking, Level::Info), self.unchanged_or(rust_same, site, &new_rust, rust_changed))
        } else if !request && narrowed {
            (Rule::ResponseTypeNarrowed, Level::Info, pick(!rust_same, Level::Breaking, Level::Info), self.unchanged_or(rust_same, site, &new_rust, rust_changed))
        } else {
            (Rule::RustTypeChanged, Level::Info, Level::Breaking, rust_changed)
        };
        let message = if rule == Rule::RustTypeChanged { format!("{}: `{from}` (Rust `{old_rust}` → `{new_rust}`)", site.what) } else { message };
        let change = self.push(rule, message, effect);
        change.wire = wire;
        change.rust = rust;
        change.old = site.old.clone();
        change.new = site.new.clone();
        change.used_by = site.used_by.clone();
    }

    fn unchanged_or(&self, rust_same: bool, site: &Site, new_rust: &str, changed: String) -> String {
        if rust_same {
            format!("{}: Rust type unchanged (`{new_rust}`)", site.rust_what)
        } else {
            changed
        }
    }

    // --- Schemas. ---

    fn schemas(&mut self) {
        let (old, new) = (self.old, self.new);
        for (a, b) in self.map.pairs() {
            let (Some(x), Some(y)) = (old.def(a), new.def(b)) else { continue };
            let (old_usage, new_usage) = (old.usage(a), new.usage(b));
            let mut directions: BTreeSet<Direction> = old_usage.directions().into_iter().collect();
            directions.extend(new_usage.directions());
            let used_by = if new_usage.operations.is_empty() { old.operation_ids(&old_usage.operations) } else { new.operation_ids(&new_usage.operations) };
            let at_old = old.type_pointer(a).map(|p| old.locate(p));
            let at_new = new.type_pointer(b).map(|p| new.locate(p));
            if x.name != y.name {
                let message = format!("schema `{}` renamed to `{}`", schema_name(old, a), schema_name(new, b));
                let change = self.push(Rule::SchemaRenamed, message, format!("`types::{}` → `types::{}`", x.name, y.name));
                change.used_by = used_by.clone();
                change.old = at_old.clone();
                change.new = at_new.clone();
            }
            let start = self.changes.len();
            let unused = directions.is_empty();
            let directions: Vec<Direction> = if unused { vec![Direction::Request] } else { directions.into_iter().collect() };
            let context = TypeContext { old: a, new: b, directions, used_by: used_by.clone() };
            match (&x.kind, &y.kind) {
                (TypeKind::Struct(s), TypeKind::Struct(t)) => self.struct_fields(&context, x, y, s, t),
                (TypeKind::Enum(_), TypeKind::Enum(_)) => self.enum_values(&context, x, y),
                (TypeKind::Union(_), TypeKind::Union(_)) => self.union_variants(&context, x, y),
                (TypeKind::Opaque, TypeKind::Opaque) => {}
                _ => {
                    let message = format!("schema `{}`: {} → {}", schema_name(new, b), kind_word(&x.kind), kind_word(&y.kind));
                    let effect = format!("`types::{}` is now {}", y.name, rust_kind_word(&y.kind));
                    let change = self.push(Rule::TypeChanged, message, effect);
                    change.used_by = used_by.clone();
                    change.old = at_old.clone();
                    change.new = at_new.clone();
                }
            }
            if unused && self.changes.len() > start {
                let inner: Vec<Change> = self.changes.drain(start..).collect();
                let rust = inner.iter().map(|c| c.rust).max().unwrap_or(Level::Info);
                let what: Vec<String> = inner.iter().map(|c| strip_subject(&c.message)).collect();
                let effects: Vec<String> = inner.iter().map(|c| c.rust_effect.clone()).collect();
                let message = format!("schema `{}` (used by no operation): {}", schema_name(new, b), what.join("; "));
                let change = self.push(Rule::UnusedSchemaChanged, message, effects.join("; "));
                change.rust = rust;
                change.old = at_old;
                change.new = at_new;
            }
        }
        for (index, _) in new.api.types.iter().enumerate() {
            let id = TypeId(index);
            if self.map.old_of(id).is_some() {
                continue;
            }
            if let Some(name) = new.component_name(id) {
                let at = new.type_pointer(id).map(|p| new.locate(p));
                let effect = format!("new type `types::{}`", new.type_name(id));
                self.push(Rule::SchemaAdded, format!("schema `{name}` added"), effect).new = at;
            }
        }
        for (index, _) in old.api.types.iter().enumerate() {
            let id = TypeId(index);
            if self.map.new_of(id).is_some() {
                continue;
            }
            if let Some(name) = old.component_name(id) {
                let at = old.type_pointer(id).map(|p| old.locate(p));
                let effect = format!("type `types::{}` removed", old.type_name(id));
                let change = self.push(Rule::SchemaRemoved, format!("schema `{name}` removed"), effect);
                change.used_by = old.operation_ids(&old.usage(id).operations);
                change.old = at;
            }
        }
    }

    fn struct_fields(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef, s: &Struct, t: &Struct) {
        let (old, new) = (self.old, self.new);
        let name = schema_name(new, cx.new);
        let had_default = s.fields.iter().all(Field::is_optional);
        let has_default = t.fields.iter().all(Field::is_optional);
        let loses_default = had_default && !has_default;
        let field_at = |side: &Side, id: TypeId, wire: &str| {
            side.type_pointer(id).and_then(|p| side.property_pointer(p, wire)).map(|p| side.locate(&p))
        };
        let setters_old = body_setters(old, cx.old);
        let setters_new = body_setters(new, cx.new);
        for f in &s.fields {
            let at_old = field_at(old, cx.old, &f.wire_name);
            let Some(g) = t.fields.iter().find(|g| g.wire_name == f.wire_name) else {
                for direction in &cx.directions {
                    let rule = match direction {
                        Direction::Request => Rule::RequestPropertyRemoved,
                        Direction::Response => Rule::ResponsePropertyRemoved,
                    };
                    let mut effect = format!("field `{}::{}` removed", x.name, f.rust_name);
                    if *direction == Direction::Request {
                        effect.push_str(&setter_note(&setters_old, &f.wire_name, false));
                    }
                    let change = self.push(rule, format!("`{name}`: property `{}` removed", f.wire_name), effect);
                    change.used_by = cx.used_by.clone();
                    change.old = at_old.clone();
                }
                continue;
            };
            let at_new = field_at(new, cx.new, &g.wire_name);
            let what = format!("`{name}`: property `{}`", g.wire_name);
            if f.rust_name != g.rust_name {
                let effect = format!("field `{}::{}` → `{}::{}`", x.name, f.rust_name, y.name, g.rust_name);
                let change = self.push(Rule::PropertyRustRenamed, format!("{what}: Rust field renamed"), effect);
                change.used_by = cx.used_by.clone();
                change.old = at_old.clone();
                change.new = at_new.clone();
            }
            let option_changed = f.is_optional() != g.is_optional();
            let field_text = |side: &Side, field: &Field| {
                let ty = rust_text(side, &field.ty);
                if field.is_optional() {
                    format!("Option<{ty}>")
                } else {
                    ty
                }
            };
            let optional_effect = if option_changed {
                let mut effect = format!("field `{}::{}`: `{}` → `{}`", y.name, g.rust_name, field_text(old, f), field_text(new, g));
                if loses_default && !g.is_optional() {
                    effect.push_str(&format!("; `{}` no longer implements `Default`", y.name));
                }
                effect
            } else {
                format!("field `{}::{}` unchanged (`{}`)", y.name, g.rust_name, field_text(new, g))
            };
            let stronger = (!f.required && g.required) || (f.nullable && !g.nullable);
            let weaker = (f.required && !g.required) || (!f.nullable && g.nullable);
            let describe = |field: &Field| match (field.required, field.nullable) {
                (true, false) => "required",
                (true, true) => "required, nullable",
                (false, false) => "optional",
                (false, true) => "optional, nullable",
            };
            let detail = format!("{what}: {} → {}", describe(f), describe(g));
            for direction in &cx.directions {
                let rule = match (direction, stronger, weaker) {
                    (Direction::Request, true, _) => Some(Rule::RequestPropertyBecameRequired),
                    (Direction::Request, false, true) => Some(Rule::RequestPropertyBecameOptional),
                    (Direction::Response, _, true) => Some(Rule::ResponsePropertyBecameOptional),
                    (Direction::Response, true, false) => Some(Rule::ResponsePropertyBecameRequired),
                    _ => None,
                };
                if let Some(rule) = rule {
                    let change = self.push(rule, detail.clone(), optional_effect.clone());
                    change.rust = pick(option_changed, Level::Breaking, Level::Info);
                    change.used_by = cx.used_by.clone();
                    change.old = at_old.clone();
                    change.new = at_new.clone();
                }
                let site = Site {
                    direction: *direction,
                    what: what.clone(),
                    rust_what: format!("field `{}::{}`", y.name, g.rust_name),
                    old: at_old.clone(),
                    new: at_new.clone(),
                    used_by: cx.used_by.clone(),
                };
                self.site_type(&site, (&f.ty, &f.constraints), (&g.ty, &g.constraints));
            }
        }
        for g in &t.fields {
            if s.fields.iter().any(|f| f.wire_name == g.wire_name) {
                continue;
            }
            let at_new = field_at(new, cx.new, &g.wire_name);
            let ty = format!("`{}`", wire_text(new, &g.ty));
            let rust_ty = rust_text(new, &g.ty);
            let field = if g.is_optional() { format!("Option<{rust_ty}>") } else { rust_ty };
            let default_note = if loses_default { format!("; `{}` no longer implements `Default`", y.name) } else { String::new() };
            for direction in &cx.directions {
                let (rule, rust, message) = match direction {
                    Direction::Request if g.required => (
                        Rule::RequestPropertyRequiredAdded,
                        Level::Breaking,
                        format!("`{name}`: new required property `{}` ({ty})", g.wire_name),
                    ),
                    Direction::Request => (
                        Rule::RequestPropertyAdded,
                        pick(loses_default, Level::Breaking, Level::Warning),
                        format!("`{name}`: new optional property `{}` ({ty})", g.wire_name),
                    ),
                    Direction::Response => (
                        Rule::ResponsePropertyAdded,
                        pick(loses_default, Level::Warning, Level::Info),
                        format!("`{name}`: new {} property `{}` ({ty})", if g.required { "required" } else { "optional" }, g.wire_name),
                    ),
                };
                let mut effect = format!("new field `{}::{}: {field}`{default_note}", y.name, g.rust_name);
                if *direction == Direction::Request {
                    effect.push_str(&setter_note(&setters_new, &g.wire_name, true));
                    if !loses_default && !g.required {
                        effect.push_str("; struct literals must name it");
                    }
                }
                let change = self.push(rule, message, effect);
                change.rust = rust;
                change.used_by = cx.used_by.clone();
                change.new = at_new.clone();
            }
        }
    }

    fn enum_values(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef) {
        let (old, new) = (self.old, self.new);
        let (TypeKind::Enum(before), TypeKind::Enum(after)) = (&x.kind, &y.kind) else { return };
        let name = schema_name(new, cx.new);
        for v in before {
            if after.iter().any(|w| w.wire == v.wire) {
                continue;
            }
            let at = enum_value_at(old, cx.old, &v.wire);
            for direction in &cx.directions {
                let rule = match direction {
                    Direction::Request => Rule::RequestEnumValueRemoved,
                    Direction::Response => Rule::ResponseEnumValueRemoved,
                };
                let change = self.push(rule, format!("`{name}`: value `{}` removed", v.wire), format!("variant `{}::{}` removed", x.name, v.rust_name));
                change.used_by = cx.used_by.clone();
                change.old = at.clone();
            }
        }
        for w in after {
            if before.iter().any(|v| v.wire == w.wire) {
                continue;
            }
            let at = enum_value_at(new, cx.new, &w.wire);
            for direction in &cx.directions {
                let (rule, effect) = match direction {
                    Direction::Request => (Rule::RequestEnumValueAdded, format!("new variant `{}::{}`", y.name, w.rust_name)),
                    Direction::Response => (
                        Rule::ResponseEnumValueAdded,
                        format!("new variant `{}::{}` (decoded as `{}::Unknown(\"{}\")` until now)", y.name, w.rust_name, y.name, w.wire),
                    ),
                };
                let change = self.push(rule, format!("`{name}`: new value `{}`", w.wire), effect);
                change.used_by = cx.used_by.clone();
                change.new = at.clone();
            }
        }
    }

    fn union_variants(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef) {
        let (old, new) = (self.old, self.new);
        let (TypeKind::Union(before), TypeKind::Union(after)) = (&x.kind, &y.kind) else { return };
        let name = schema_name(new, cx.new);
        let tagged = before.tag.is_some() && after.tag.is_some();
        let same = |p: &crate::ir::UnionVariant, q: &crate::ir::UnionVariant| {
            if tagged {
                p.tag_value == q.tag_value
            } else {
                same_rust(&self.map, &p.ty, &q.ty)
            }
        };
        let member_at = |side: &Side, id: TypeId, index: usize| {
            side.type_pointer(id).and_then(|p| side.union_member_pointer(p, index)).map(|p| side.locate(&p))
        };
        let describe = |side: &Side, v: &crate::ir::UnionVariant| match &v.tag_value {
            Some(tag) if tagged => format!("`{tag}` ({})", wire_text(side, &v.ty)),
            _ => format!("`{}`", wire_text(side, &v.ty)),
        };
        let mut events = Vec::new();
        for (index, p) in before.variants.iter().enumerate() {
            if !after.variants.iter().any(|q| same(p, q)) {
                events.push((false, describe(old, p), format!("variant `{}::{}` removed", x.name, p.rust_name), member_at(old, cx.old, index)));
            }
        }
        for (index, q) in after.variants.iter().enumerate() {
            if !before.variants.iter().any(|p| same(p, q)) {
                events.push((true, describe(new, q), format!("new variant `{}::{}`", y.name, q.rust_name), member_at(new, cx.new, index)));
            }
        }
        for (added, what, effect, at) in events {
            for direction in &cx.directions {
                let rule = match (direction, added) {
                    (Direction::Request, true) => Rule::RequestUnionVariantAdded,
                    (Direction::Request, false) => Rule::RequestUnionVariantRemoved,
                    (Direction::Response, true) => Rule::ResponseUnionVariantAdded,
                    (Direction::Response, false) => Rule::ResponseUnionVariantRemoved,
                };
                let message = if added { format!("`{name}`: new alternative {what}") } else { format!("`{name}`: alternative {what} removed") };
                let change = self.push(rule, message, effect.clone());
                change.used_by = cx.used_by.clone();
                if added {
                    change.new = at.clone();
                } else {
                    change.old = at.clone();
                }
            }
        }
    }
}

/// A pair of corresponding types and how they are used.
struct TypeContext {
    old: TypeId,
    new: TypeId,
    /// The directions to judge in: those of either revision (request when no operation uses it).
    directions: Vec<Direction>,
    used_by: Vec<String>,
}

/// The name a spec author knows a schema by: its component key, else the Rust name.
fn schema_name(side: &Side, id: TypeId) -> String {
    side.component_name(id).unwrap_or_else(|| side.type_name(id).to_string())
}

fn kind_word(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "an object",
        TypeKind::Enum(_) => "a string enum",
        TypeKind::Union(_) => "a oneOf/anyOf",
        TypeKind::Opaque => "a schema the generator cannot express",
    }
}

fn rust_kind_word(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "an enum of values",
        TypeKind::Union(_) => "an enum of alternatives",
        TypeKind::Opaque => "`serde_json::Value`",
    }
}

/// "`x`: rest" → "rest", for folding changes into one summary.
fn strip_subject(message: &str) -> String {
    match message.split_once("`: ") {
        Some((_, rest)) if message.starts_with('`') => rest.to_string(),
        _ => message.to_string(),
    }
}

fn enum_value_at(side: &Side, id: TypeId, wire: &str) -> Option<Location> {
    let pointer = side.type_pointer(id)?;
    let values = side.doc.raw.pointer(&format!("{}/enum", pointer.trim_start_matches('#')))?.as_array()?;
    let index = values.iter().position(|v| v.as_str() == Some(wire))?;
    Some(side.locate(&format!("{pointer}/enum/{index}")))
}

/// The operations whose request body is this struct, with its property setters.
/// The operations whose request body is this struct: method name, and the (wire, Rust)
/// names of the property setters.
fn body_setters(side: &Side, id: TypeId) -> Vec<(String, Vec<(String, String)>)> {
    side.api
        .operations
        .iter()
        .filter_map(|op| {
            let body = op.body.as_ref()?;
            let setters = body.properties.iter().map(|p| (p.wire_name.clone(), p.rust_name.clone())).collect();
            (body.ty == TypeRef::Named(id)).then(|| (op.method_name.clone(), setters))
        })
        .collect()
}

/// `; new setter `.tags()` on `client.create_item()`` (or `...` removed), when the property
/// has a setter.
fn setter_note(setters: &[(String, Vec<(String, String)>)], wire: &str, added: bool) -> String {
    let mut notes = Vec::new();
    for (method, properties) in setters {
        if let Some((_, rust)) = properties.iter().find(|(w, _)| w == wire) {
            notes.push(format!("`.{rust}()` on `client.{method}()`"));
        }
    }
    if notes.is_empty() {
        String::new()
    } else {
        let notes = notes.join(", ");
        if added {
            format!("; new setter {notes}")
        } else {
            format!("; setter {notes} removed")
        }
    }
}

/// `setters `.body()`, `.name()``: the whole-body setter and one per top-level property.
fn body_setters_text(body: &RequestBody) -> String {
    let names: Vec<String> =
        std::iter::once("`.body()`".to_string()).chain(body.properties.iter().map(|p| format!("`.{}()`", p.rust_name))).collect();
    format!("{} {}", if names.len() == 1 { "setter" } else { "setters" }, names.join(", "))
}

fn error_text(case: &crate::ir::ErrorCase) -> String {
    match &case.code {
        Some(code) => format!("`{code}` ({})", status_text(case.status)),
        None => status_text(case.status),
    }
}

// --- Security requirements. ---

/// One way to authenticate: every scheme named, with the scopes it needs.
type Alternative = BTreeMap<String, BTreeSet<String>>;
/// Any one of the alternatives will do; `{}` (or no requirement at all) means anonymous.
type Requirement = BTreeSet<Alternative>;

fn requirement(value: Option<&Value>) -> Requirement {
    let mut out = Requirement::new();
    match value.and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for item in list {
                let alternative: Alternative = item
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(scheme, scopes)| {
                                let scopes = scopes.as_array().map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
                                (scheme.clone(), scopes)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(alternative);
            }
        }
        _ => {
            out.insert(Alternative::new());
        }
    }
    out
}

/// Whether credentials that meet `old` also meet `new`.
fn satisfies(old: &Alternative, new: &Alternative) -> bool {
    new.iter().all(|(scheme, scopes)| old.get(scheme).is_some_and(|have| scopes.is_subset(have)))
}

fn alternative_text(alternative: &Alternative) -> String {
    if alternative.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = alternative
        .iter()
        .map(|(scheme, scopes)| {
            if scopes.is_empty() {
                scheme.clone()
            } else {
                format!("{scheme} [{}]", scopes.iter().cloned().collect::<Vec<_>>().join(", "))
            }
        })
        .collect();
    parts.join(" + ")
}

fn requirement_text(requirement: &Requirement) -> String {
    requirement.iter().map(alternative_text).collect::<Vec<_>>().join(" or ")
}

// --- Security schemes. ---

fn auth_setters(api: &Api) -> BTreeSet<String> {
    api.schemes.iter().flat_map(|s| s.setters()).map(|s| s.name).collect()
}

/// The `ClientBuilder` setter the generator gave a scheme, if it supports the scheme.
fn scheme_setter(api: &Api, name: &str) -> Option<String> {
    api.schemes.iter().find(|s| s.name == name).map(|s| s.setter.clone())
}

fn scheme_text(scheme: &Value) -> String {
    let field = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or("?");
    match field("type") {
        "apiKey" => format!("`apiKey` in {} `{}`", field("in"), field("name")),
        "http" => format!("`http` {}", field("scheme")),
        other => format!("`{other}`"),
    }
}

/// A value with every `description` dropped: prose changes are not scheme changes.
fn without_prose(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().filter(|(k, _)| k.as_str() != "description").map(|(k, v)| (k.clone(), without_prose(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}

/// What renaming an operation does to the generated crate.
fn rust_rename(a: &Operation, b: &Operation) -> String {
    format!(
        "`Client::{}()` → `Client::{}()`; builder `{}` → `{}`, error enum `{}Error` → `{}Error`",
        a.method_name, b.method_name, a.type_name, b.type_name, a.type_name, b.type_name
    )
}
