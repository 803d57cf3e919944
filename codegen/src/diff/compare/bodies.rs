//! Request bodies and responses, and the types of values where they are used.

use super::*;

impl Walk<'_> {
    // --- Request bodies. ---

    pub(super) fn body(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
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
    pub(super) fn required_body(&self, body: &RequestBody) -> (Level, String) {
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

    pub(super) fn responses(&mut self, i: usize, j: usize, a: &Operation, b: &Operation, label: &str) {
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
                    self.response_documentation(&what, &old.response_pointer(i, x.status), &new.response_pointer(j, y.status));
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
                    self.response_documentation(&what, &old.response_pointer(i, x.status), &new.response_pointer(j, y.status));
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
    pub(super) fn success_shape_change(&self, a: &Operation, b: &Operation) -> (Level, String) {
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
    pub(super) fn response_body(
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
    pub(super) fn site_type(&mut self, site: &Site, old: (&TypeRef, &Constraints), new: (&TypeRef, &Constraints)) {
        let (old_side, new_side) = (self.old, self.new);
        if let Some((a, b)) = same_wrapping(old.0, new.0) {
            if self.map.new_of(a) != Some(b) && similar_objects(old_side, new_side, a, b) {
                self.rewritten_object(site, (old.0, a), (new.0, b));
                return;
            }
        }
        let relation = relate(old_side, new_side, &self.map, old.0, new.0);
        let constraints = relate_constraints(old.1, new.1);
        let rust_same = same_rust(&self.map, old.0, new.0);
        let type_same = relation.is_same();
        self.schema_keywords(site, type_same && rust_same);
        if type_same && rust_same {
            // Only the validation keywords changed, if anything: one finding per keyword.
            if !constraints.is_same() {
                self.constraint_changes(site, old.1, new.1, false);
            }
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

    /// One object in two places that do not correspond (a `$ref` replaced by an inline copy
    /// with a property more): what changed is said property by property, as for a schema,
    /// and the Rust type's new name once.
    fn rewritten_object(&mut self, site: &Site, (old_ty, a): (&TypeRef, TypeId), (new_ty, b): (&TypeRef, TypeId)) {
        let (old_side, new_side) = (self.old, self.new);
        let (old_rust, new_rust) = (rust_text(old_side, old_ty), rust_text(new_side, new_ty));
        if old_rust != new_rust {
            let message = format!("{}: `{}` (Rust `{old_rust}` → `{new_rust}`)", site.what, wire_text(old_side, old_ty));
            let effect = format!("{}: `{old_rust}` → `{new_rust}`", site.rust_what);
            let change = self.push(Rule::RustTypeChanged, message, effect);
            change.old = site.old.clone();
            change.new = site.new.clone();
            change.used_by = site.used_by.clone();
        }
        if !self.rewritten.insert((a, b, site.direction)) {
            return;
        }
        let (Some(x), Some(y)) = (old_side.def(a), new_side.def(b)) else { return };
        let (TypeKind::Struct(s), TypeKind::Struct(t)) = (&x.kind, &y.kind) else { return };
        let used_by = if site.used_by.is_empty() { new_side.operation_ids(&new_side.usage(b).operations) } else { site.used_by.clone() };
        let context = TypeContext::new(a, b, vec![site.direction], used_by);
        self.struct_fields(&context, x, y, s, t);
    }

    pub(super) fn unchanged_or(&self, rust_same: bool, site: &Site, new_rust: &str, changed: String) -> String {
        if rust_same {
            format!("{}: Rust type unchanged (`{new_rust}`)", site.rust_what)
        } else {
            changed
        }
    }
}

/// The named types two types hold in the same wrapping (`Vec<A>` and `Vec<B>`).
fn same_wrapping(old: &TypeRef, new: &TypeRef) -> Option<(TypeId, TypeId)> {
    match (old, new) {
        (TypeRef::Named(a), TypeRef::Named(b)) => Some((*a, *b)),
        (TypeRef::Vec(x), TypeRef::Vec(y)) | (TypeRef::Map(x), TypeRef::Map(y)) => same_wrapping(x, y),
        _ => None,
    }
}
