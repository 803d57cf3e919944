//! Which operation and which named type at the old revision is which at the new one.
//!
//! Operations are the same when their method and path are (path parameter names aside:
//! `/tokens/{id}` and `/tokens/{tokenId}` are one path on the wire); an operation that kept
//! its `operationId` but not its method or path has moved.
//!
//! Named types correspond, in this order:
//! 1. by Rust name (the generator names component schemas after their key);
//! 2. by site: where corresponding operations, parameters, bodies, responses and properties
//!    hold a named type on both sides, and neither has a partner yet, the two are the same
//!    schema renamed, provided they are of the same kind and share at least half of their
//!    property names or enum values;
//! 3. by structure: of the types still alone, those with an identical structure and no twin.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ir::{ErrorCase, HttpMethod, Operation, ParamLocation, PathPiece, StatusMatch, TypeId, TypeKind, TypeRef};

use super::side::Side;

/// How an operation at one revision matches one at the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpMatch {
    /// Same method and path.
    Same { old: usize, new: usize },
    /// Same operationId, different method or path.
    Moved { old: usize, new: usize },
    Removed { old: usize },
    Added { new: usize },
}

/// `/tokens/{id}` → `/tokens/{}`: path parameter names do not show on the wire.
fn wire_path(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut depth = 0usize;
    for c in template.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push('{');
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

fn op_key(op: &Operation) -> (HttpMethod, String) {
    (op.http_method, wire_path(&op.path_template))
}

pub fn match_operations(old: &Side, new: &Side) -> Vec<OpMatch> {
    let mut taken = vec![false; new.api.operations.len()];
    let mut matched: Vec<Option<usize>> = Vec::new();
    for op in &old.api.operations {
        let key = op_key(op);
        let found = new.api.operations.iter().enumerate().position(|(i, n)| !taken[i] && op_key(n) == key);
        if let Some(i) = found {
            taken[i] = true;
        }
        matched.push(found);
    }
    let mut out = Vec::new();
    for (old_index, found) in matched.iter().enumerate() {
        match found {
            Some(new_index) => out.push(OpMatch::Same { old: old_index, new: *new_index }),
            None => {
                let id = &old.api.operations[old_index].id;
                let moved = new.api.operations.iter().enumerate().position(|(i, n)| !taken[i] && &n.id == id);
                match moved {
                    Some(new_index) => {
                        taken[new_index] = true;
                        out.push(OpMatch::Moved { old: old_index, new: new_index });
                    }
                    None => out.push(OpMatch::Removed { old: old_index }),
                }
            }
        }
    }
    for (new_index, was_taken) in taken.iter().enumerate() {
        if !was_taken {
            out.push(OpMatch::Added { new: new_index });
        }
    }
    out
}

/// Pairs of named types that are the same schema at both revisions.
#[derive(Debug, Clone, Default)]
pub struct TypeMap {
    old_to_new: HashMap<TypeId, TypeId>,
    new_to_old: HashMap<TypeId, TypeId>,
}

impl TypeMap {
    pub fn new_of(&self, old: TypeId) -> Option<TypeId> {
        self.old_to_new.get(&old).copied()
    }

    pub fn old_of(&self, new: TypeId) -> Option<TypeId> {
        self.new_to_old.get(&new).copied()
    }

    fn pair(&mut self, old: TypeId, new: TypeId) -> bool {
        if self.old_to_new.contains_key(&old) || self.new_to_old.contains_key(&new) {
            return false;
        }
        self.old_to_new.insert(old, new);
        self.new_to_old.insert(new, old);
        true
    }

    /// Every pair, in the old revision's type order.
    pub fn pairs(&self) -> Vec<(TypeId, TypeId)> {
        let mut pairs: Vec<(TypeId, TypeId)> = self.old_to_new.iter().map(|(a, b)| (*a, *b)).collect();
        pairs.sort();
        pairs
    }
}

/// The parameters two matched operations share, and path parameters matched by position.
pub fn param_pairs(old: &Operation, new: &Operation) -> Vec<(usize, usize)> {
    let key = |p: &crate::ir::Param| {
        let name = if p.location == ParamLocation::Header { p.wire_name.to_ascii_lowercase() } else { p.wire_name.clone() };
        (p.location as u8, name)
    };
    let mut pairs = Vec::new();
    for (i, p) in old.params.iter().enumerate() {
        if let Some(j) = new.params.iter().position(|q| key(q) == key(p)) {
            pairs.push((i, j));
        }
    }
    // Path parameters that took another name stand in the same place of the path.
    let old_slots = path_slots(old);
    let new_slots = path_slots(new);
    for (slot, i) in old_slots.iter().enumerate() {
        if let Some(j) = new_slots.get(slot) {
            if !pairs.iter().any(|(a, b)| a == i || b == j) {
                pairs.push((*i, *j));
            }
        }
    }
    pairs
}

/// The path parameters, in the order the path holds them.
fn path_slots(op: &Operation) -> Vec<usize> {
    op.path.iter().filter_map(|piece| if let PathPiece::Param(index) = piece { Some(*index) } else { None }).collect()
}

/// How an error is known: by AWS error code when it has one, else by status.
pub fn error_key(case: &ErrorCase) -> String {
    match &case.code {
        Some(code) => code.clone(),
        None => status_text(case.status),
    }
}

pub fn status_text(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(range) => format!("{range}XX"),
        StatusMatch::Default => "default".to_string(),
    }
}

/// Decides which named types correspond.
pub fn correlate(old: &Side, new: &Side, ops: &[OpMatch]) -> TypeMap {
    let mut map = TypeMap::default();
    let new_by_name: HashMap<&str, TypeId> =
        new.api.types.iter().enumerate().map(|(i, d)| (d.name.as_str(), TypeId(i))).collect();
    for (i, def) in old.api.types.iter().enumerate() {
        if let Some(j) = new_by_name.get(def.name.as_str()) {
            map.pair(TypeId(i), *j);
        }
    }

    let mut linker = Linker { old, new, map, expanded: HashSet::new(), work: Vec::new() };
    for (a, b) in linker.map.pairs() {
        linker.work.push((TypeRef::Named(a), TypeRef::Named(b)));
    }
    for m in ops {
        let (OpMatch::Same { old: i, new: j } | OpMatch::Moved { old: i, new: j }) = *m else { continue };
        let (Some(a), Some(b)) = (old.op(i), new.op(j)) else { continue };
        linker.operation(a, b);
    }
    linker.run();

    // Whatever is still alone: twins by structure.
    let mut map = linker.map;
    let alone_old: Vec<TypeId> = (0..old.api.types.len()).map(TypeId).filter(|t| map.new_of(*t).is_none()).collect();
    let alone_new: Vec<TypeId> = (0..new.api.types.len()).map(TypeId).filter(|t| map.old_of(*t).is_none()).collect();
    let mut by_print: BTreeMap<String, (Vec<TypeId>, Vec<TypeId>)> = BTreeMap::new();
    for t in alone_old {
        by_print.entry(fingerprint(old, t)).or_default().0.push(t);
    }
    for t in alone_new {
        by_print.entry(fingerprint(new, t)).or_default().1.push(t);
    }
    for (olds, news) in by_print.values() {
        if let ([a], [b]) = (olds.as_slice(), news.as_slice()) {
            map.pair(*a, *b);
        }
    }
    map
}

struct Linker<'s> {
    old: &'s Side,
    new: &'s Side,
    map: TypeMap,
    expanded: HashSet<(TypeId, TypeId)>,
    work: Vec<(TypeRef, TypeRef)>,
}

impl Linker<'_> {
    fn operation(&mut self, a: &Operation, b: &Operation) {
        for (i, j) in param_pairs(a, b) {
            self.work.push((a.params[i].ty.clone(), b.params[j].ty.clone()));
        }
        if let (Some(x), Some(y)) = (&a.body, &b.body) {
            self.work.push((x.ty.clone(), y.ty.clone()));
        }
        for x in &a.responses.success {
            if let Some(y) = b.responses.success.iter().find(|y| y.status == x.status) {
                if let (Some(p), Some(q)) = (x.body.ty(), y.body.ty()) {
                    self.work.push((p.clone(), q.clone()));
                }
            }
        }
        for x in &a.responses.errors {
            if let Some(y) = b.responses.errors.iter().find(|y| error_key(y) == error_key(x)) {
                if let (Some(p), Some(q)) = (x.body.ty(), y.body.ty()) {
                    self.work.push((p.clone(), q.clone()));
                }
            }
        }
    }

    fn run(&mut self) {
        while let Some((a, b)) = self.work.pop() {
            self.link(&a, &b);
        }
    }

    fn link(&mut self, a: &TypeRef, b: &TypeRef) {
        match (a, b) {
            (TypeRef::Vec(x), TypeRef::Vec(y)) | (TypeRef::Map(x), TypeRef::Map(y)) => self.link(x, y),
            (TypeRef::Named(x), TypeRef::Named(y)) => {
                let paired = self.map.new_of(*x) == Some(*y)
                    || (self.map.new_of(*x).is_none() && self.map.old_of(*y).is_none() && self.similar(*x, *y) && self.map.pair(*x, *y));
                if paired && self.expanded.insert((*x, *y)) {
                    self.expand(*x, *y);
                }
            }
            _ => {}
        }
    }

    /// Queues the types inside two corresponding types.
    fn expand(&mut self, a: TypeId, b: TypeId) {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else { return };
        match (&x.kind, &y.kind) {
            (TypeKind::Struct(s), TypeKind::Struct(t)) => {
                for f in &s.fields {
                    if let Some(g) = t.fields.iter().find(|g| g.wire_name == f.wire_name) {
                        self.work.push((f.ty.clone(), g.ty.clone()));
                    }
                }
                if let (Some(p), Some(q)) = (&s.additional, &t.additional) {
                    self.work.push((p.clone(), q.clone()));
                }
            }
            (TypeKind::Union(u), TypeKind::Union(v)) => {
                for (p, q) in u.variants.iter().zip(&v.variants) {
                    self.work.push((p.ty.clone(), q.ty.clone()));
                }
            }
            _ => {}
        }
    }

    /// Two types found in the same place are one schema renamed when they are of the same
    /// kind and share at least half of their names.
    fn similar(&self, a: TypeId, b: TypeId) -> bool {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else { return false };
        match (&x.kind, &y.kind) {
            (TypeKind::Struct(_), TypeKind::Struct(_)) => super::wire::similar_objects(self.old, self.new, a, b),
            (TypeKind::Enum(s), TypeKind::Enum(t)) => {
                super::wire::share_half(s.iter().map(|v| v.wire.as_str()), t.iter().map(|v| v.wire.as_str()))
            }
            (TypeKind::Union(_), TypeKind::Union(_)) | (TypeKind::Opaque, TypeKind::Opaque) => true,
            _ => false,
        }
    }
}

/// A type's structure without its name or the names of the types it holds.
fn fingerprint(side: &Side, id: TypeId) -> String {
    fn shape(ty: &TypeRef) -> String {
        match ty {
            TypeRef::Vec(inner) => format!("[{}]", shape(inner)),
            TypeRef::Map(inner) => format!("{{{}}}", shape(inner)),
            TypeRef::Named(_) => "named".to_string(),
            other => format!("{other:?}"),
        }
    }
    match side.def(id).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => {
            let mut fields: Vec<String> =
                s.fields.iter().map(|f| format!("{}:{}:{}:{}", f.wire_name, f.required, f.nullable, shape(&f.ty))).collect();
            fields.sort();
            format!("struct({});{:?}", fields.join(","), s.additional.as_ref().map(shape))
        }
        Some(TypeKind::Enum(variants)) => {
            let mut values: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
            values.sort();
            format!("enum({})", values.join(","))
        }
        Some(TypeKind::Union(u)) => {
            let variants: Vec<String> = u.variants.iter().map(|v| shape(&v.ty)).collect();
            format!("union({:?};{})", u.tag, variants.join(","))
        }
        Some(TypeKind::Opaque) => "opaque".to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameter_names_do_not_matter() {
        assert_eq!(wire_path("/tokens/{id}/reset"), "/tokens/{}/reset");
        assert_eq!(wire_path("/tokens/{tokenId}/reset"), "/tokens/{}/reset");
        assert_eq!(wire_path("/#X-Amz-Target=A.B"), "/#X-Amz-Target=A.B");
        assert_eq!(wire_path("/a/{unclosed"), "/a/{");
    }
}
