//! Schemas: renamed, properties added, removed or changed, enum values and union variants.

use super::*;

impl Walk<'_> {
    // --- Schemas. ---

    pub(super) fn schemas(&mut self) {
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
                _ => self.schema_kind_changed(&context, x, y, at_old.clone(), at_new.clone()),
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

    /// A schema that became another kind of type (an object that became a `oneOf`): judged on
    /// the wire by the values it takes, per direction; the Rust type is always another one.
    fn schema_kind_changed(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef, at_old: Option<Location>, at_new: Option<Location>) {
        let relation = relate_schemas(self.old, self.new, &self.map, cx.old, cx.new);
        let message = format!("schema `{}`: {} → {}", schema_name(self.new, cx.new), kind_word(&x.kind), kind_word(&y.kind));
        let effect = format!("`types::{}` is now {}", y.name, rust_kind_word(&y.kind));
        for direction in &cx.directions {
            let (rule, wire) = match direction {
                _ if relation.incompatible || (relation.narrowed && relation.widened) => (Rule::TypeChanged, Level::Breaking),
                Direction::Request if relation.narrowed => (Rule::RequestTypeNarrowed, Level::Breaking),
                Direction::Request if relation.widened => (Rule::RequestTypeWidened, Level::Info),
                Direction::Response if relation.widened => {
                    (Rule::ResponseTypeWidened, pick(relation.widened_type, Level::Breaking, Level::Warning))
                }
                Direction::Response if relation.narrowed => (Rule::ResponseTypeNarrowed, Level::Info),
                _ => (Rule::RustTypeChanged, Level::Info),
            };
            let change = self.push(rule, message.clone(), effect.clone());
            change.wire = wire;
            change.rust = Level::Breaking;
            change.used_by = cx.used_by.clone();
            change.old = at_old.clone();
            change.new = at_new.clone();
        }
    }

    pub(super) fn struct_fields(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef, s: &Struct, t: &Struct) {
        let (old, new) = (self.old, self.new);
        let name = schema_name(new, cx.new);
        let had_default = s.fields.iter().all(Field::is_optional);
        let has_default = t.fields.iter().all(Field::is_optional);
        let loses_default = had_default && !has_default;
        let field_at = |side: &Side, field: &Field| Some(side.locate(&field.pointer));
        let setters_old = body_setters(old, cx.old);
        let setters_new = body_setters(new, cx.new);
        for f in &s.fields {
            let at_old = field_at(old, f);
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
            let at_new = field_at(new, g);
            let what = format!("`{name}`: property `{}`", g.wire_name);
            self.property_deprecated(&what, Some(&f.pointer), Some(&g.pointer), &cx.used_by);
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
            let at_new = field_at(new, g);
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

    pub(super) fn enum_values(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef) {
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

    pub(super) fn union_variants(&mut self, cx: &TypeContext, x: &TypeDef, y: &TypeDef) {
        let (old, new) = (self.old, self.new);
        let (TypeKind::Union(before), TypeKind::Union(after)) = (&x.kind, &y.kind) else { return };
        let name = schema_name(new, cx.new);
        if before.tag != after.tag {
            let text = |tag: &Option<String>| tag.as_ref().map_or_else(|| "none (untagged)".to_string(), |t| format!("`{t}`"));
            let message = format!("`{name}`: discriminator property {} → {}", text(&before.tag), text(&after.tag));
            let effect = format!("`{}` is (de)serialized by the new discriminator; its variants are compared below", y.name);
            let (at_old, at_new) = (old.type_pointer(cx.old).map(|p| old.locate(p)), new.type_pointer(cx.new).map(|p| new.locate(p)));
            let change = self.push(Rule::DiscriminatorChanged, message, effect);
            change.used_by = cx.used_by.clone();
            change.old = at_old;
            change.new = at_new;
        }
        let tagged = before.tag.is_some() && after.tag.is_some();
        let same = |p: &crate::ir::UnionVariant, q: &crate::ir::UnionVariant| {
            if tagged {
                p.tag_value == q.tag_value
            } else {
                same_rust(&self.map, &p.ty, &q.ty)
            }
        };
        let member_at = |side: &Side, variant: &crate::ir::UnionVariant| Some(side.locate(&variant.pointer));
        let describe = |side: &Side, v: &crate::ir::UnionVariant| match &v.tag_value {
            Some(tag) if tagged => format!("`{tag}` ({})", wire_text(side, &v.ty)),
            _ => format!("`{}`", wire_text(side, &v.ty)),
        };
        let mut events = Vec::new();
        for p in &before.variants {
            if !after.variants.iter().any(|q| same(p, q)) {
                events.push((false, describe(old, p), format!("variant `{}::{}` removed", x.name, p.rust_name), member_at(old, p)));
            }
        }
        for q in &after.variants {
            if !before.variants.iter().any(|p| same(p, q)) {
                events.push((true, describe(new, q), format!("new variant `{}::{}`", y.name, q.rust_name), member_at(new, q)));
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
pub(super) struct TypeContext {
    old: TypeId,
    new: TypeId,
    /// The directions to judge in: those of either revision (request when no operation uses it).
    directions: Vec<Direction>,
    used_by: Vec<String>,
}

impl TypeContext {
    pub(super) fn new(old: TypeId, new: TypeId, directions: Vec<Direction>, used_by: Vec<String>) -> Self {
        TypeContext { old, new, directions, used_by }
    }
}

/// The name a spec author knows a schema by: its component key, else the Rust name.
pub(super) fn schema_name(side: &Side, id: TypeId) -> String {
    side.component_name(id).unwrap_or_else(|| side.type_name(id).to_string())
}

pub(super) fn kind_word(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "an object",
        TypeKind::Enum(_) => "a string enum",
        TypeKind::Union(_) => "a oneOf/anyOf",
        TypeKind::Opaque => "a schema the generator cannot express",
    }
}

pub(super) fn rust_kind_word(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "an enum of values",
        TypeKind::Union(_) => "an enum of alternatives",
        TypeKind::Opaque => "`serde_json::Value`",
    }
}

/// "`x`: rest" → "rest", for folding changes into one summary.
pub(super) fn strip_subject(message: &str) -> String {
    match message.split_once("`: ") {
        Some((_, rest)) if message.starts_with('`') => rest.to_string(),
        _ => message.to_string(),
    }
}

pub(super) fn enum_value_at(side: &Side, id: TypeId, wire: &str) -> Option<Location> {
    let pointer = side.type_pointer(id)?;
    let values = side.doc.raw.pointer(&format!("{}/enum", pointer.trim_start_matches('#')))?.as_array()?;
    let index = values.iter().position(|v| v.as_str() == Some(wire))?;
    Some(side.locate(&format!("{pointer}/enum/{index}")))
}

/// The operations whose request body is this struct, with its property setters.
/// The operations whose request body is this struct: method name, and the (wire, Rust)
/// names of the property setters.
pub(super) fn body_setters(side: &Side, id: TypeId) -> Vec<(String, Vec<(String, String)>)> {
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
pub(super) fn setter_note(setters: &[(String, Vec<(String, String)>)], wire: &str, added: bool) -> String {
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
pub(super) fn body_setters_text(body: &RequestBody) -> String {
    let names: Vec<String> =
        std::iter::once("`.body()`".to_string()).chain(body.properties.iter().map(|p| format!("`.{}()`", p.rust_name))).collect();
    format!("{} {}", if names.len() == 1 { "setter" } else { "setters" }, names.join(", "))
}

pub(super) fn error_text(case: &crate::ir::ErrorCase) -> String {
    match &case.code {
        Some(code) => format!("`{code}` ({})", status_text(case.status)),
        None => status_text(case.status),
    }
}
