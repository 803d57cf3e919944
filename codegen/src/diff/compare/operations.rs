//! Operations and their parameters: added, removed, renamed (by `operationId` or by the
//! settings), moved, deprecated, paginated.

use super::*;

impl Walk<'_> {
    // --- Operations. ---

    pub(super) fn operation(&mut self, m: OpMatch) {
        match m {
            OpMatch::Added { new } => {
                let Some(op) = self.new.op(new) else { return };
                let stream = if op.pagination.is_some() { " with `.stream()`" } else { "" };
                let message = format!("{}: new operation", op_label(op));
                let effect = format!("new method `Client::{}()`{stream}", op.method_name);
                let at = self.new_at(&self.new.op_pointer(new));
                self.push(Rule::OperationAdded, message, effect).new = at;
            }
            OpMatch::Removed { old } => self.operation_removed(old),
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

    pub(super) fn operation_pair(&mut self, i: usize, j: usize) {
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
        self.operation_lifecycle(i, j, &label);
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

    pub(super) fn operation_security(&mut self, i: usize, j: usize, label: &str) {
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

    pub(super) fn params(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
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
            self.parameter_deprecated(&what, old.param_pointer(i, p).as_deref(), new.param_pointer(j, q).as_deref());
            self.parameter_serialization(&what, old.param_pointer(i, p).as_deref(), new.param_pointer(j, q).as_deref(), q.location);
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
}

/// What renaming an operation does to the generated crate.
pub(super) fn rust_rename(a: &Operation, b: &Operation) -> String {
    format!(
        "`Client::{}()` → `Client::{}()`; builder `{}` → `{}`, error enum `{}Error` → `{}Error`",
        a.method_name, b.method_name, a.type_name, b.type_name, a.type_name, b.type_name
    )
}
