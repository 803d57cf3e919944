//! Extra derives from the settings' `[derive]`, decided per type.
//!
//! The derives the generator knows (`Eq`, `Hash`, `PartialOrd`, `Ord`, `Default`) compile only
//! when every field's type has them, so for each the types that can have it are worked out
//! first: `all` puts it on those, and a schema that asks for it by name and cannot have it is
//! refused, naming the field in the way. A derive macro from another crate
//! (`schemars::JsonSchema`) is put where it is asked for and on every type that type holds
//! (its fields need the trait too); whether the types fit it is the compiler's call.

use crate::diagnostics::Diagnostic;
use crate::ir::{Api, Field, TypeId, TypeKind, TypeRef};
use crate::lower::features::walk;
use crate::lower::customize::{schema_pointer, Custom};
use crate::settings::{pointer as settings_pointer, KNOWN_DERIVES};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
}

impl Known {
    fn of(name: &str) -> Option<Known> {
        Some(match name {
            "Eq" => Known::Eq,
            "Hash" => Known::Hash,
            "PartialOrd" => Known::PartialOrd,
            "Ord" => Known::Ord,
            "Default" => Known::Default,
            _ => return None,
        })
    }
}

pub fn assign(api: &mut Api, custom: &Custom, problems: &mut Vec<Diagnostic>) {
    let settings = custom.settings;
    if settings.derive.all.is_empty() && settings.derive.schemas.is_empty() {
        return;
    }
    let can: Vec<(String, Vec<bool>)> = KNOWN_DERIVES.iter().map(|name| (name.to_string(), can_derive(api, Known::of(name).expect("a known derive")))).collect();
    let possible = |id: usize, name: &str| can.iter().find(|(n, _)| n == name).is_none_or(|(_, c)| c[id]);

    let mut wanted: Vec<Vec<String>> = vec![Vec::new(); api.types.len()];
    for (id, def) in api.types.iter().enumerate() {
        for name in &settings.derive.all {
            if !already_has(&def.kind, name) && possible(id, name) && !matches!(def.kind, TypeKind::Opaque) {
                wanted[id].push(name.clone());
            }
        }
    }
    for (key, names) in &settings.derive.schemas {
        let pointer = schema_pointer(key);
        let at = settings_pointer(&["derive", "schemas", key]);
        let Some(id) = api.types.iter().position(|def| def.pointer.as_deref() == Some(pointer.as_str())) else {
            let why = if custom.settings.replace.schemas.contains_key(key) { "it is replaced by a type of yours" } else { "no schema here gets a Rust type of its own (it is inlined, or not in the spec, or no kept operation needs it)" };
            problems.push(settings.error(&at, format!("cannot derive on `{key}`: {why}")));
            continue;
        };
        let def = &api.types[id];
        for (i, name) in names.iter().enumerate() {
            let at = format!("{at}/{i}");
            if matches!(def.kind, TypeKind::Opaque) {
                problems.push(settings.error(&at, format!("`{}` is kept as JSON (`serde_json::Value`), which takes no derives", def.name)));
            } else if already_has(&def.kind, name) {
                problems.push(settings.warning(&at, format!("`{}` already has `{name}`", def.name)));
            } else if !possible(id, name) {
                problems.push(settings.error(&at, format!("`{name}` cannot be derived for `{}`: {}", def.name, obstacle(api, id, name))));
            } else if Known::of(name).is_some() {
                if !wanted[id].contains(name) {
                    wanted[id].push(name.clone());
                }
            } else {
                // Another crate's derive needs its trait on every type this one holds.
                let mut reached = vec![false; api.types.len()];
                walk(api, &TypeRef::Named(TypeId(id)), &mut |held| !std::mem::replace(&mut reached[held.0], true));
                for held in (0..api.types.len()).filter(|held| reached[*held]) {
                    if !wanted[held].contains(name) && !matches!(api.types[held].kind, TypeKind::Opaque) {
                        wanted[held].push(name.clone());
                    }
                }
            }
        }
    }
    // `Ord` needs `Eq` and `PartialOrd` on the type itself.
    for (id, names) in wanted.iter_mut().enumerate() {
        let has = |n: &str| names.iter().any(|x| x == n) || already_has(&api.types[id].kind, n);
        if names.iter().any(|n| n == "Ord") && !(has("Eq") && has("PartialOrd")) {
            names.retain(|n| n != "Ord");
            if let Some(key) = settings.derive.schemas.iter().find(|(key, list)| {
                api.types[id].pointer.as_deref() == Some(schema_pointer(key).as_str()) && list.iter().any(|n| n == "Ord")
            }) {
                let at = settings_pointer(&["derive", "schemas", key.0]);
                problems.push(settings.error(&at, format!("`Ord` on `{}` needs `Eq` and `PartialOrd` too: add them", api.types[id].name)));
            }
        }
    }
    for (def, names) in api.types.iter_mut().zip(wanted) {
        def.derives = names;
    }
}

/// What generated code derives already: string enums have `Eq`, `Hash` and the orderings;
/// structs whose fields may all be left out have `Default`.
fn already_has(kind: &TypeKind, name: &str) -> bool {
    match kind {
        TypeKind::Enum(_) => matches!(name, "Eq" | "Hash" | "PartialOrd" | "Ord"),
        TypeKind::Struct(s) => name == "Default" && s.fields.iter().all(Field::is_optional),
        _ => false,
    }
}

/// For each type, whether `derive` compiles on it: the greatest fixed point (a recursive
/// type can have it if nothing else in the cycle stops it).
fn can_derive(api: &Api, derive: Known) -> Vec<bool> {
    let mut can: Vec<bool> = api
        .types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Enum(_) => derive != Known::Default,
            TypeKind::Union(_) => derive != Known::Default,
            TypeKind::Opaque => false,
            TypeKind::Struct(_) => true,
        })
        .collect();
    loop {
        let mut changed = false;
        for (id, def) in api.types.iter().enumerate() {
            if can[id] && first_obstacle(api, &def.kind, derive, &can).is_some() {
                can[id] = false;
                changed = true;
            }
        }
        if !changed {
            return can;
        }
    }
}

/// The first member (field name or variant name, and its type) that stops `derive`.
fn first_obstacle<'a>(api: &Api, kind: &'a TypeKind, derive: Known, can: &[bool]) -> Option<(&'a str, &'a TypeRef)> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| !(supports(api, &f.ty, derive, can) || derive == Known::Default && f.is_optional()))
            .map(|f| (f.rust_name.as_str(), &f.ty))
            .or_else(|| s.additional.as_ref().filter(|v| derive != Known::Default && !supports(api, v, derive, can)).map(|v| ("additional_properties", v))),
        TypeKind::Union(u) => u.variants.iter().find(|v| !supports(api, &v.ty, derive, can)).map(|v| (v.rust_name.as_str(), &v.ty)),
        TypeKind::Enum(_) | TypeKind::Opaque => None,
    }
}

/// Whether a field of this type lets `derive` compile.
fn supports(api: &Api, ty: &TypeRef, derive: Known, can: &[bool]) -> bool {
    match ty {
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::String | TypeRef::Bytes | TypeRef::Unit | TypeRef::DateTime(_) => true,
        TypeRef::F32 | TypeRef::F64 => matches!(derive, Known::PartialOrd | Known::Default),
        TypeRef::Secret | TypeRef::Json => matches!(derive, Known::Eq | Known::Hash | Known::Default),
        // The user's type: the compiler says whether it has the trait.
        TypeRef::External { .. } => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => derive == Known::Default || supports(api, inner, derive, can),
        TypeRef::Named(id) => match api.types[id.0].kind {
            TypeKind::Opaque => supports(api, &TypeRef::Json, derive, can),
            _ => can[id.0],
        },
    }
}

/// Why `name` cannot be derived for type `id`, for a diagnostic.
fn obstacle(api: &Api, id: usize, name: &str) -> String {
    let def = &api.types[id];
    match (&def.kind, Known::of(name)) {
        (TypeKind::Enum(_) | TypeKind::Union(_), Some(Known::Default)) => "an enum has no default value".to_string(),
        (kind, Some(derive)) => {
            let can = can_derive(api, derive);
            match first_obstacle(api, kind, derive, &can) {
                Some((member, ty)) => {
                    let text = ty.rust_text(&|id| api.types[id.0].name.clone());
                    format!("`{member}` is `{text}`, which does not implement it")
                }
                None => "a type it holds cannot have it".to_string(),
            }
        }
        _ => "a type it holds cannot have it".to_string(),
    }
}
