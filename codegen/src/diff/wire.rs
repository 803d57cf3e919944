//! How a value's type at one revision relates to its type at the other: on the wire (does
//! it accept more values, fewer, or different ones?) and in Rust (is it the same Rust type?).

use std::collections::{BTreeSet, HashSet};

use crate::ir::{Constraints, Number, TimeFormat, TypeId, TypeKind, TypeRef};

use super::correlate::TypeMap;
use super::side::Side;

/// The set of values a type admits at the new revision, compared with the old one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    /// Some value that was valid is not any more.
    pub narrowed: bool,
    /// Some value that was not valid is now.
    pub widened: bool,
    /// The widening is of the JSON type itself (`int32` to `int64`, an enum to any string),
    /// not only of a bound, length or pattern.
    pub widened_type: bool,
    /// The two types have nothing to do with each other (a string that is now an object).
    pub incompatible: bool,
}

impl Relation {
    const SAME: Relation = Relation { narrowed: false, widened: false, widened_type: false, incompatible: false };
    const NARROWED: Relation = Relation { narrowed: true, ..Relation::SAME };
    const WIDENED_TYPE: Relation = Relation { widened: true, widened_type: true, ..Relation::SAME };
    const INCOMPATIBLE: Relation = Relation { incompatible: true, ..Relation::SAME };

    pub fn is_same(self) -> bool {
        self == Relation::SAME
    }

    fn union(self, other: Relation) -> Relation {
        Relation {
            narrowed: self.narrowed || other.narrowed,
            widened: self.widened || other.widened,
            widened_type: self.widened_type || other.widened_type,
            incompatible: self.incompatible || other.incompatible,
        }
    }
}

/// The JSON shape of a type, which is what wire clients see.
#[derive(Debug, Clone, Copy)]
enum Shape<'a> {
    Bool,
    Integer { bits: u8 },
    Number,
    String { date_time: bool },
    Enum(TypeId),
    Any,
    Empty,
    Bytes,
    Array(&'a TypeRef),
    Map(&'a TypeRef),
    Object(TypeId),
    Union(TypeId),
}

fn shape<'a>(side: &Side, ty: &'a TypeRef) -> Shape<'a> {
    match ty {
        TypeRef::Bool => Shape::Bool,
        TypeRef::I32 => Shape::Integer { bits: 32 },
        TypeRef::I64 | TypeRef::DateTime(TimeFormat::EpochMillis) => Shape::Integer { bits: 64 },
        TypeRef::F32 | TypeRef::F64 | TypeRef::DateTime(TimeFormat::EpochSeconds) => Shape::Number,
        TypeRef::String | TypeRef::Secret => Shape::String { date_time: false },
        TypeRef::DateTime(TimeFormat::Rfc3339) => Shape::String { date_time: true },
        TypeRef::Json => Shape::Any,
        TypeRef::Unit => Shape::Empty,
        TypeRef::Bytes => Shape::Bytes,
        TypeRef::Vec(inner) => Shape::Array(inner),
        TypeRef::Map(inner) => Shape::Map(inner),
        TypeRef::External { wire, .. } => shape(side, wire),
        TypeRef::Named(id) => match side.def(*id).map(|d| &d.kind) {
            Some(TypeKind::Enum(_)) => Shape::Enum(*id),
            Some(TypeKind::Union(_)) => Shape::Union(*id),
            Some(TypeKind::Opaque) => Shape::Any,
            _ => Shape::Object(*id),
        },
    }
}

fn enum_values(side: &Side, id: TypeId) -> BTreeSet<&str> {
    match side.def(id).map(|d| &d.kind) {
        Some(TypeKind::Enum(variants)) => variants.iter().map(|v| v.wire.as_str()).collect(),
        _ => BTreeSet::new(),
    }
}

/// How `new` (at the new revision) relates to `old`. Named types that correspond across the
/// revisions are the same here, whatever became of them: their insides are compared once, as
/// schemas, and reported there with the operations that use them.
pub fn relate(old_side: &Side, new_side: &Side, map: &TypeMap, old: &TypeRef, new: &TypeRef) -> Relation {
    Relater { old_side, new_side, map, open: HashSet::new(), depth: 0 }.relate(old, new, true)
}

/// How the schema a corresponding pair of named types stands for changed on the wire: what
/// `relate` takes as given for such a pair (an object that became a `oneOf` of which one
/// alternative is the old object takes more values).
pub fn relate_schemas(old_side: &Side, new_side: &Side, map: &TypeMap, old: TypeId, new: TypeId) -> Relation {
    Relater { old_side, new_side, map, open: HashSet::new(), depth: 0 }.relate(&TypeRef::Named(old), &TypeRef::Named(new), false)
}

/// Two objects that stand in the same place without corresponding are the same object
/// rewritten (a `$ref` replaced by an inline copy with a property more) when they share at
/// least half of their property names; otherwise they are unrelated.
pub fn similar_objects(old_side: &Side, new_side: &Side, old: TypeId, new: TypeId) -> bool {
    match (old_side.def(old).map(|d| &d.kind), new_side.def(new).map(|d| &d.kind)) {
        (Some(TypeKind::Struct(s)), Some(TypeKind::Struct(t))) => {
            share_half(s.fields.iter().map(|f| f.wire_name.as_str()), t.fields.iter().map(|f| f.wire_name.as_str()))
        }
        _ => false,
    }
}

/// Whether two sets of names (properties, enum values) share at least half of their union:
/// the test for two types being one type rewritten or renamed.
pub fn share_half<'a>(p: impl Iterator<Item = &'a str>, q: impl Iterator<Item = &'a str>) -> bool {
    let p: HashSet<&str> = p.collect();
    let q: HashSet<&str> = q.collect();
    let union = p.union(&q).count();
    union == 0 || p.intersection(&q).count() * 2 >= union
}

struct Relater<'a> {
    old_side: &'a Side,
    new_side: &'a Side,
    map: &'a TypeMap,
    /// Pairs of objects being compared property by property, so that a recursive schema
    /// ends (a pair met again inside itself is taken as the same).
    open: HashSet<(TypeId, TypeId)>,
    /// How deep the comparison is: unions that do not correspond may hold each other, and
    /// deeper than [`MAX_DEPTH`] is taken as the same.
    depth: usize,
}

const MAX_DEPTH: usize = 32;

impl Relater<'_> {
    /// `trust_map`: a corresponding pair is the same (false only for the pair asked about).
    fn relate(&mut self, old: &TypeRef, new: &TypeRef, trust_map: bool) -> Relation {
        if self.depth > MAX_DEPTH {
            return Relation::SAME;
        }
        self.depth += 1;
        let relation = self.relate_shapes(old, new, trust_map);
        self.depth -= 1;
        relation
    }

    fn relate_shapes(&mut self, old: &TypeRef, new: &TypeRef, trust_map: bool) -> Relation {
        use Shape as S;
        let (old_side, new_side) = (self.old_side, self.new_side);
        if let (TypeRef::Named(a), TypeRef::Named(b)) = (old, new) {
            if trust_map && self.map.new_of(*a) == Some(*b) {
                return Relation::SAME;
            }
        }
        match (shape(old_side, old), shape(new_side, new)) {
            (S::Bool, S::Bool) | (S::Number, S::Number) | (S::Any, S::Any) | (S::Empty, S::Empty) | (S::Bytes, S::Bytes) => {
                Relation::SAME
            }
            (S::Integer { bits: a }, S::Integer { bits: b }) => match a.cmp(&b) {
                std::cmp::Ordering::Less => Relation::WIDENED_TYPE,
                std::cmp::Ordering::Greater => Relation::NARROWED,
                std::cmp::Ordering::Equal => Relation::SAME,
            },
            (S::Integer { .. }, S::Number) => Relation::WIDENED_TYPE,
            (S::Number, S::Integer { .. }) => Relation::NARROWED,
            (S::String { date_time: a }, S::String { date_time: b }) => match (a, b) {
                (false, true) => Relation::NARROWED,
                (true, false) => Relation::WIDENED_TYPE,
                _ => Relation::SAME,
            },
            (S::Enum(a), S::Enum(b)) => {
                let (before, after) = (enum_values(old_side, a), enum_values(new_side, b));
                match (before.is_subset(&after), after.is_subset(&before)) {
                    (true, true) => Relation::SAME,
                    (true, false) => Relation::WIDENED_TYPE,
                    (false, true) => Relation::NARROWED,
                    (false, false) => Relation { narrowed: true, ..Relation::WIDENED_TYPE },
                }
            }
            (S::Enum(_), S::String { date_time: false }) => Relation::WIDENED_TYPE,
            (S::String { date_time: false }, S::Enum(_)) => Relation::NARROWED,
            (S::Any, _) => Relation::NARROWED,
            (_, S::Any) => Relation::WIDENED_TYPE,
            (S::Array(a), S::Array(b)) | (S::Map(a), S::Map(b)) => self.relate(a, b, true),
            (S::Object(a), S::Object(b)) => self.objects(a, b),
            // A value that became one alternative of a union (`string[]` → `string | string[]`)
            // takes more values; the reverse takes fewer.
            (old_shape, S::Union(b)) if !matches!(old_shape, S::Union(_)) => {
                let fits = union_members(new_side, b).iter().any(|v| fits(self.relate(old, v, true)));
                if fits { Relation::WIDENED_TYPE } else { Relation::INCOMPATIBLE }
            }
            (S::Union(a), S::Union(b)) => {
                // Each alternative of one side is looked for among the other's.
                let (before, after) = (union_members(old_side, a), union_members(new_side, b));
                let kept = before.iter().all(|v| after.iter().any(|w| fits(self.relate(v, w, true))));
                let nothing_new = after.iter().all(|w| before.iter().any(|v| within(self.relate(v, w, true))));
                match (kept, nothing_new) {
                    (true, true) => Relation::SAME,
                    (true, false) => Relation::WIDENED_TYPE,
                    (false, true) => Relation::NARROWED,
                    (false, false) => Relation { narrowed: true, ..Relation::WIDENED_TYPE },
                }
            }
            (S::Union(a), _) => {
                let fits = union_members(old_side, a).iter().any(|v| fits(self.relate(v, new, true)));
                if fits { Relation::NARROWED } else { Relation::INCOMPATIBLE }
            }
            _ => Relation::INCOMPATIBLE,
        }
    }

    /// Two objects that do not correspond: property by property when they are similar.
    fn objects(&mut self, a: TypeId, b: TypeId) -> Relation {
        if !similar_objects(self.old_side, self.new_side, a, b) {
            return Relation::INCOMPATIBLE;
        }
        if !self.open.insert((a, b)) {
            return Relation::SAME;
        }
        let (Some(TypeKind::Struct(s)), Some(TypeKind::Struct(t))) =
            (self.old_side.def(a).map(|d| &d.kind), self.new_side.def(b).map(|d| &d.kind))
        else {
            return Relation::INCOMPATIBLE;
        };
        let mut relation = Relation::SAME;
        for f in &s.fields {
            let Some(g) = t.fields.iter().find(|g| g.wire_name == f.wire_name) else {
                // A property the object no longer describes: values that had it may be refused.
                relation.narrowed = true;
                continue;
            };
            relation = relation.union(self.relate(&f.ty, &g.ty, true));
            relation = relation.union(relate_constraints(&f.constraints, &g.constraints));
            relation.narrowed |= (!f.required && g.required) || (f.nullable && !g.nullable);
            relation.widened |= (f.required && !g.required) || (!f.nullable && g.nullable);
        }
        for g in t.fields.iter().filter(|g| !s.fields.iter().any(|f| f.wire_name == g.wire_name)) {
            if g.required {
                relation.narrowed = true;
            } else {
                relation.widened = true;
            }
        }
        if let (Some(p), Some(q)) = (&s.additional, &t.additional) {
            relation = relation.union(self.relate(p, q, true));
        }
        self.open.remove(&(a, b));
        relation
    }
}

/// The types of a union's alternatives.
fn union_members(side: &Side, id: TypeId) -> Vec<TypeRef> {
    match side.def(id).map(|d| &d.kind) {
        Some(TypeKind::Union(u)) => u.variants.iter().map(|v| v.ty.clone()).collect(),
        _ => Vec::new(),
    }
}

/// A relation in which every old value is still a value: nothing incompatible or narrowed.
fn fits(relation: Relation) -> bool {
    !relation.incompatible && !relation.narrowed
}

/// A relation in which every new value was already a value: nothing incompatible or widened.
fn within(relation: Relation) -> bool {
    !relation.incompatible && !relation.widened
}

/// How the validation keywords changed: tighter is narrowed, looser is widened.
pub fn relate_constraints(old: &Constraints, new: &Constraints) -> Relation {
    let mut relation = Relation::SAME;
    let mut note = |tighter: bool, looser: bool| {
        relation.narrowed |= tighter;
        relation.widened |= looser;
    };
    // Lower bounds: absent is 0; a larger one is tighter.
    for (a, b) in [(old.min_length, new.min_length), (old.min_items, new.min_items)] {
        let (a, b) = (a.unwrap_or(0), b.unwrap_or(0));
        note(b > a, b < a);
    }
    // Upper bounds: absent is unbounded; a smaller one is tighter.
    for (a, b) in [(old.max_length, new.max_length), (old.max_items, new.max_items)] {
        let (a, b) = (a.unwrap_or(u64::MAX), b.unwrap_or(u64::MAX));
        note(b < a, b > a);
    }
    match (&old.pattern, &new.pattern) {
        (None, Some(_)) => note(true, false),
        (Some(_), None) => note(false, true),
        (Some(a), Some(b)) if a != b => note(true, true),
        _ => {}
    }
    let minimum = |c: &Constraints| c.minimum.map(|n| (as_f64(n), c.exclusive_minimum));
    let maximum = |c: &Constraints| c.maximum.map(|n| (as_f64(n), c.exclusive_maximum));
    match (minimum(old), minimum(new)) {
        (None, Some(_)) => note(true, false),
        (Some(_), None) => note(false, true),
        (Some((a, ax)), Some((b, bx))) => note(b > a || (b == a && bx && !ax), b < a || (b == a && ax && !bx)),
        (None, None) => {}
    }
    match (maximum(old), maximum(new)) {
        (None, Some(_)) => note(true, false),
        (Some(_), None) => note(false, true),
        (Some((a, ax)), Some((b, bx))) => note(b < a || (b == a && bx && !ax), b > a || (b == a && ax && !bx)),
        (None, None) => {}
    }
    if old.items.is_none() && new.items.is_none() {
        return relation;
    }
    let empty = Constraints::default();
    let items = relate_constraints(old.items.as_deref().unwrap_or(&empty), new.items.as_deref().unwrap_or(&empty));
    relation.union(Relation { widened_type: false, ..items })
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

/// Whether the Rust types are the same, with corresponding named types counted as the same
/// (a renamed schema is reported once, as a schema).
pub fn same_rust(map: &TypeMap, old: &TypeRef, new: &TypeRef) -> bool {
    match (old, new) {
        (TypeRef::DateTime(_), TypeRef::DateTime(_)) => true,
        (TypeRef::Vec(a), TypeRef::Vec(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => same_rust(map, a, b),
        (TypeRef::Named(a), TypeRef::Named(b)) => map.new_of(*a) == Some(*b),
        (a, b) => a == b,
    }
}

/// The Rust type as users write it (`Vec<Token>`, `Option` left to the caller).
pub fn rust_text(side: &Side, ty: &TypeRef) -> String {
    ty.rust_text(&|id| side.type_name(id).to_string())
}

/// The type as the spec describes it (`integer (int32)`, `array of string (date-time)`).
pub fn wire_text(side: &Side, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "boolean".into(),
        TypeRef::I32 => "integer (int32)".into(),
        TypeRef::I64 => "integer".into(),
        TypeRef::F32 => "number (float)".into(),
        TypeRef::F64 => "number".into(),
        TypeRef::String => "string".into(),
        TypeRef::Secret => "string (secret)".into(),
        TypeRef::DateTime(TimeFormat::Rfc3339) => "string (date-time)".into(),
        TypeRef::DateTime(TimeFormat::EpochSeconds) => "number (epoch-seconds)".into(),
        TypeRef::DateTime(TimeFormat::EpochMillis) => "integer (epoch-millis)".into(),
        TypeRef::Json => "any value".into(),
        TypeRef::Unit => "nothing".into(),
        TypeRef::Bytes => "bytes".into(),
        TypeRef::Vec(inner) => format!("array of {}", wire_text(side, inner)),
        TypeRef::Map(inner) => format!("map of {}", wire_text(side, inner)),
        TypeRef::External { wire, .. } => wire_text(side, wire),
        TypeRef::Named(id) => {
            let name = side.component_name(*id).unwrap_or_else(|| side.type_name(*id).to_string());
            match side.def(*id).map(|d| &d.kind) {
                Some(TypeKind::Enum(variants)) => {
                    let values: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
                    format!("enum {name} ({})", values.join(", "))
                }
                Some(TypeKind::Union(_)) => format!("one of {name}"),
                Some(TypeKind::Opaque) => format!("any value ({name})"),
                _ => format!("object {name}"),
            }
        }
    }
}

/// The validation keywords, for messages: `maxLength 64, pattern ^a`.
pub fn constraints_text(c: &Constraints) -> String {
    let mut parts = Vec::new();
    let number = |n: Number| match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
    };
    if let Some(v) = c.min_length {
        parts.push(format!("minLength {v}"));
    }
    if let Some(v) = c.max_length {
        parts.push(format!("maxLength {v}"));
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("pattern {p}"));
    }
    if let Some(v) = c.minimum {
        parts.push(format!("{} {}", if c.exclusive_minimum { "exclusiveMinimum" } else { "minimum" }, number(v)));
    }
    if let Some(v) = c.maximum {
        parts.push(format!("{} {}", if c.exclusive_maximum { "exclusiveMaximum" } else { "maximum" }, number(v)));
    }
    if let Some(v) = c.min_items {
        parts.push(format!("minItems {v}"));
    }
    if let Some(v) = c.max_items {
        parts.push(format!("maxItems {v}"));
    }
    if let Some(items) = &c.items {
        let inner = constraints_text(items);
        if !inner.is_empty() {
            parts.push(format!("items: {inner}"));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(min: Option<u64>, max: Option<u64>) -> Constraints {
        Constraints { min_length: min, max_length: max, ..Constraints::default() }
    }

    #[test]
    fn constraints_tighten_and_loosen() {
        let r = relate_constraints(&lengths(None, Some(64)), &lengths(None, Some(32)));
        assert!(r.narrowed && !r.widened);
        let r = relate_constraints(&lengths(None, Some(32)), &lengths(None, None));
        assert!(!r.narrowed && r.widened && !r.widened_type);
        let r = relate_constraints(&lengths(Some(1), Some(64)), &lengths(Some(2), Some(128)));
        assert!(r.narrowed && r.widened);
        assert!(relate_constraints(&lengths(Some(1), None), &lengths(Some(1), None)).is_same());
        let min = |v: i64, exclusive: bool| Constraints { minimum: Some(Number::Int(v)), exclusive_minimum: exclusive, ..Constraints::default() };
        assert!(relate_constraints(&min(1, false), &min(1, true)).narrowed);
        assert!(relate_constraints(&min(1, false), &min(0, false)).widened);
    }
}
