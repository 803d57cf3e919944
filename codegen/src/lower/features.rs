//! Cargo features per tag: each tag of the spec becomes a feature that compiles its
//! operations and exactly the types they need, so a user of one part of a big API (GitHub's
//! `repos`) builds only that part. All are on by default.
//!
//! An operation belongs to the feature of its first tag; untagged operations are always
//! compiled. A type is compiled when any operation that reaches it is (through parameters,
//! bodies, responses, errors and pages, and every type those hold). Types that no operation
//! reaches are gated by [`UNREACHED`], also on by default.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, Feature, Operation, Pagination, TypeId, TypeKind, TypeRef};

/// The public registry refuses crates with more than 300 features; stay well under it.
pub const MAX_FEATURES: usize = 250;

/// The feature of the types that no operation uses.
pub const UNREACHED: &str = "other-schemas";

/// The feature that collects the smallest tags once there are too many.
pub const MERGED: &str = "other-tags";

pub fn assign(api: &mut Api) {
    let groups = group_tags(&api.operations);
    if groups.len() < 2 {
        return;
    }
    let mut feature_of_tag: BTreeMap<&str, String> = BTreeMap::new();
    let mut features: Vec<Feature> = Vec::new();
    for (name, tags) in &groups {
        for tag in tags {
            feature_of_tag.insert(tag.as_str(), name.clone());
        }
        features.push(Feature { name: name.clone(), tags: tags.clone() });
    }
    for op in &mut api.operations {
        op.feature = op.tags.first().and_then(|tag| feature_of_tag.get(tag.as_str())).cloned();
    }

    // Which features reach each type; `always` for types an untagged operation needs.
    let mut reached: Vec<BTreeSet<String>> = vec![BTreeSet::new(); api.types.len()];
    let mut always = vec![false; api.types.len()];
    for op in &api.operations {
        for root in operation_types(op) {
            walk(api, root, &mut |id| match &op.feature {
                Some(feature) => reached[id.0].insert(feature.clone()),
                None => !std::mem::replace(&mut always[id.0], true),
            });
        }
    }
    let unreached = reached.iter().zip(&always).any(|(r, a)| r.is_empty() && !a);
    for (def, (features_here, always)) in api.types.iter_mut().zip(reached.into_iter().zip(always)) {
        def.features = if always || features_here.len() == features.len() {
            Vec::new()
        } else if features_here.is_empty() {
            vec![UNREACHED.to_string()]
        } else {
            features_here.into_iter().collect()
        };
    }
    if unreached {
        features.push(Feature { name: UNREACHED.to_string(), tags: Vec::new() });
    }
    api.features = features;
}

/// Feature name → the tags it gates, in a stable order: every tag used as a first tag gets
/// its own feature, unless there are more than [`MAX_FEATURES`]; then the tags with the
/// fewest operations (ties by name) share [`MERGED`].
fn group_tags(operations: &[Operation]) -> Vec<(String, Vec<String>)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for op in operations {
        if let Some(tag) = op.tags.first() {
            *counts.entry(tag.as_str()).or_default() += 1;
        }
    }
    let mut by_size: Vec<(&str, usize)> = counts.into_iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // Room for the merged feature and the unreached types' feature.
    let own = if by_size.len() > MAX_FEATURES { MAX_FEATURES - 2 } else { by_size.len() };
    let mut names = BTreeSet::from([UNREACHED.to_string(), MERGED.to_string()]);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (tag, _) in &by_size[..own] {
        let name = unique(&feature_name(tag), &mut names);
        groups.push((name, vec![tag.to_string()]));
    }
    if own < by_size.len() {
        let mut rest: Vec<String> = by_size[own..].iter().map(|(tag, _)| tag.to_string()).collect();
        rest.sort();
        groups.push((MERGED.to_string(), rest));
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// A cargo feature name from a tag: lowercase ASCII letters, digits, `-` and `_`, starting
/// with a letter or digit (`Access Tokens` → `access-tokens`).
pub fn feature_name(tag: &str) -> String {
    let mut name = String::new();
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if c == '_' || c == '-' {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_matches(|c| c == '-' || c == '_').to_string();
    if name.is_empty() {
        "tag".to_string()
    } else {
        name
    }
}

fn unique(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut name = wanted.to_string();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{wanted}-{n}");
        n += 1;
    }
    name
}

/// The types an operation names directly.
pub(super) fn operation_types(op: &Operation) -> Vec<&TypeRef> {
    let mut roots: Vec<&TypeRef> = op.params.iter().map(|p| &p.ty).collect();
    if let Some(body) = &op.body {
        roots.push(&body.ty);
        roots.extend(body.properties.iter().map(|p| &p.ty));
    }
    roots.extend(op.responses.success.iter().filter_map(|s| s.body.ty()));
    roots.extend(op.responses.errors.iter().filter_map(|e| e.body.ty()));
    roots.extend(op.responses.events.iter().map(|e| &e.item));
    match &op.pagination {
        Some(Pagination::Token { item_ty, .. } | Pagination::Offset { item_ty, .. }) => roots.push(item_ty),
        None => {}
    }
    roots
}

/// Calls `visit` on every named type `ty` holds, transitively; `visit` returns whether the
/// type is new to it, so that shared types and cycles are walked once.
pub(super) fn walk(api: &Api, ty: &TypeRef, visit: &mut dyn FnMut(TypeId) -> bool) {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => walk(api, inner, visit),
        TypeRef::Named(id) => {
            if !visit(*id) {
                return;
            }
            match &api.types[id.0].kind {
                TypeKind::Struct(s) => {
                    for field in &s.fields {
                        walk(api, &field.ty, visit);
                    }
                    if let Some(additional) = &s.additional {
                        walk(api, additional, visit);
                    }
                }
                TypeKind::Union(u) => {
                    for variant in &u.variants {
                        walk(api, &variant.ty, visit);
                    }
                }
                TypeKind::Enum(_) | TypeKind::Opaque => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_cargo_names() {
        assert_eq!(feature_name("repos"), "repos");
        assert_eq!(feature_name("Access Tokens"), "access-tokens");
        assert_eq!(feature_name("  Café / Ops! "), "caf-ops");
        assert_eq!(feature_name("__x__"), "x");
        assert_eq!(feature_name("???"), "tag");
        let mut taken = BTreeSet::new();
        assert_eq!(unique("a", &mut taken), "a");
        assert_eq!(unique("a", &mut taken), "a-2");
    }
}
