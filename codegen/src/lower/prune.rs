//! Leaves out the types that no generated operation needs, once the settings' operation
//! filters have left operations out: a crate of GitHub's `repos` operations holds only the
//! types those operations reach.

use crate::ir::{Api, BodyDecoding, Pagination, TypeId, TypeKind, TypeRef};
use crate::lower::features::{operation_types, walk};

pub fn unreached_types(api: &mut Api) {
    let mut reached = vec![false; api.types.len()];
    for op in &api.operations {
        for root in operation_types(op) {
            walk(api, root, &mut |id| !std::mem::replace(&mut reached[id.0], true));
        }
    }
    // Old id → new id, in the old order, so that output stays in document order.
    let mut new_ids = vec![None; api.types.len()];
    let mut next = 0;
    for (old, keep) in reached.iter().enumerate() {
        if *keep {
            new_ids[old] = Some(TypeId(next));
            next += 1;
        }
    }
    let types = std::mem::take(&mut api.types);
    api.types = types.into_iter().zip(&reached).filter(|(_, keep)| **keep).map(|(def, _)| def).collect();
    let remap = |ty: &mut TypeRef| renumber(ty, &new_ids);
    for def in &mut api.types {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter_mut().for_each(|f| remap(&mut f.ty));
                s.additional.iter_mut().for_each(remap);
            }
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| remap(&mut v.ty)),
            TypeKind::Enum(_) | TypeKind::Opaque => {}
        }
    }
    for op in &mut api.operations {
        op.params.iter_mut().for_each(|p| remap(&mut p.ty));
        if let Some(body) = &mut op.body {
            remap(&mut body.ty);
            body.properties.iter_mut().for_each(|p| remap(&mut p.ty));
        }
        let bodies = op.responses.success.iter_mut().map(|s| &mut s.body).chain(op.responses.errors.iter_mut().map(|e| &mut e.body));
        for body in bodies {
            if let BodyDecoding::Json(ty) | BodyDecoding::JsonOrEmpty(ty) = body {
                remap(ty);
            }
        }
        if let Some(events) = &mut op.responses.events {
            remap(&mut events.item);
        }
        match &mut op.pagination {
            Some(Pagination::Token { item_ty, .. } | Pagination::Offset { item_ty, .. }) => remap(item_ty),
            None => {}
        }
    }
}

fn renumber(ty: &mut TypeRef, new_ids: &[Option<TypeId>]) {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => renumber(inner, new_ids),
        TypeRef::Named(id) => *id = new_ids[id.0].expect("every type an operation reaches is kept"),
        _ => {}
    }
}
