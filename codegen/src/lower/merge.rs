//! Merges types that come out identical: the same kind, fields (names, types, docs,
//! constraints), derives and checks, once the types they refer to are merged too. bunq
//! declares the same `{ Error: [...] }` body inline on each of its 429 operations' 400
//! responses, and repeats the shape of many component schemas: 763 of its 990 types were
//! copies, each with its own serde derives, and type checking them was most of the crate's
//! build. A copy is generated as `pub type <copy> = <first>;`, so every name stays and every
//! use of it reads as before.
//!
//! Copies of an inline schema are always merged: their names are made up from where they
//! are. A component schema is its author's name for a thing, and `Debug` prints the type a
//! value really is: components are merged only where the spec repeats one shape many times.
//! Only the generated code is merged: `diff` compares two revisions' types unmerged.

use std::collections::{HashMap, HashSet};

use crate::ir::{Api, TypeDef, TypeId, TypeKind, TypeRef};

/// How many component schemas must share one shape before they are generated as one type.
pub const MIN_COMPONENT_COPIES: usize = 8;

pub fn identical_types(api: &mut Api) {
    let count = api.types.len();
    // Each type's merge target (itself: generated as it is).
    let mut target: Vec<usize> = (0..count).collect();
    // A schema of its own under `components/schemas`, not one nested in it.
    let is_component = |def: &TypeDef| def.pointer.as_deref().and_then(|p| p.strip_prefix("#/components/schemas/")).is_some_and(|name| !name.contains('/'));
    // Merging types makes the types that refer to them identical: until nothing changes.
    // Likeness sees references through merges made, never through ones left out, so a
    // type is merged only into one whose fields have the very same Rust types.
    loop {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for i in (0..count).filter(|&i| target[i] == i && !matches!(api.types[i].kind, TypeKind::Opaque)) {
            let key = likeness(&api.types[i], &|id| TypeId(root(&target, id.0)));
            let next = groups.len();
            let at = *group_of.entry(key).or_insert(next);
            if at == next {
                groups.push(Vec::new());
            }
            groups[at].push(i);
        }
        let mut merged = false;
        for group in groups.iter().filter(|group| group.len() > 1) {
            let components = group.iter().filter(|&&i| is_component(&api.types[i])).count();
            // Generated: the first, in document order (a component when one comes first).
            for &i in &group[1..] {
                if components >= MIN_COMPONENT_COPIES || !is_component(&api.types[i]) {
                    target[i] = group[0];
                    merged = true;
                }
            }
        }
        if !merged {
            break;
        }
    }
    let feature_order: Vec<String> = api.features.iter().map(|f| f.name.clone()).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for i in 0..count {
        members[root(&target, i)].push(i);
    }
    for (generated, group) in members.iter().enumerate().filter(|(_, group)| group.len() > 1) {
        let features = union_of_features(group.iter().map(|&i| &api.types[i].features), &feature_order);
        for &copy in group.iter().filter(|&&i| i != generated) {
            api.types[copy].alias_of = Some(TypeId(generated));
        }
        api.types[generated].features = features;
    }
}

fn root(target: &[usize], mut i: usize) -> usize {
    while target[i] != i {
        i = target[i];
    }
    i
}

/// Everything the generated code says about a type but its name, its doc and where it came
/// from, with references as `merged` resolves them.
fn likeness(def: &TypeDef, merged: &dyn Fn(TypeId) -> TypeId) -> String {
    let mut kind = def.kind.clone();
    match &mut kind {
        TypeKind::Struct(s) => {
            for field in &mut s.fields {
                field.pointer.clear();
                resolve(&mut field.ty, merged);
            }
            if let Some(additional) = &mut s.additional {
                resolve(additional, merged);
            }
        }
        TypeKind::Union(u) => {
            for variant in &mut u.variants {
                variant.pointer.clear();
                resolve(&mut variant.ty, merged);
            }
        }
        TypeKind::Enum(_) | TypeKind::Opaque => {}
    }
    format!("{kind:?} {} {:?}", def.validated, def.derives)
}

fn resolve(ty: &mut TypeRef, merged: &dyn Fn(TypeId) -> TypeId) {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => resolve(inner, merged),
        TypeRef::Named(id) => *id = merged(*id),
        _ => {}
    }
}

/// The features any of which compiles one of the types: none (always compiled) when one of
/// them is always compiled.
fn union_of_features<'a>(lists: impl Iterator<Item = &'a Vec<String>>, order: &[String]) -> Vec<String> {
    let mut union: HashSet<&String> = HashSet::new();
    for list in lists {
        if list.is_empty() {
            return Vec::new();
        }
        union.extend(list);
    }
    order.iter().filter(|f| union.contains(f)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_merged_types_add_up() {
        let order: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let (c, a, none) = (vec!["c".to_string()], vec!["a".to_string()], Vec::new());
        assert_eq!(union_of_features([&c, &a].into_iter(), &order), ["a", "c"]);
        assert!(union_of_features([&c, &none].into_iter(), &order).is_empty(), "one copy is always compiled");
    }
}
