//! One revision of a spec, loaded for comparison: the document, its IR, and the indexes the
//! comparison needs: where each operation, parameter and named type is in the text, and
//! which operations use each named type in which direction.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostics::Diagnostics;
use crate::ir::{Api, Operation, Param, ParamLocation, StatusMatch, TypeDef, TypeId, TypeKind, TypeRef};
use crate::load::{self, Document};
use crate::naming::camel;
use crate::source_map::{escape_token, SourceMap};
use crate::Settings;

use super::Location;

/// Which way a value travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Sent by callers: parameters and request bodies.
    Request,
    /// Received by callers: response bodies.
    Response,
}

/// Where a named type is used.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
    /// Indexes into `Api::operations`.
    pub operations: BTreeSet<usize>,
}

impl Usage {
    pub fn directions(&self) -> Vec<Direction> {
        let mut out = Vec::new();
        if self.request {
            out.push(Direction::Request);
        }
        if self.response {
            out.push(Direction::Response);
        }
        out
    }
}

pub struct Side {
    pub file: String,
    pub doc: Document,
    pub api: Api,
    source: SourceMap,
    /// Where each operation is: `#/paths/<path>/<method>`, by index into `Api::operations`.
    op_pointers: Vec<String>,
    /// Where each named type is defined, by `TypeId`.
    type_pointers: Vec<Option<String>>,
    usage: Vec<Usage>,
}

/// A chain of `$ref`s longer than this is a cycle; lowering refuses those already.
const MAX_HOPS: usize = 64;

impl Side {
    pub fn load(text: &str, file: &str, stem: &str) -> Result<Side, Diagnostics> {
        let doc = load::load(text, file)?;
        let api = crate::lower_spec(text, file, &Settings { stem: stem.to_string() })?;
        let op_pointers = api
            .operations
            .iter()
            .map(|op| format!("#/paths/{}/{}", escape_token(&op.path_template), op.http_method.as_str().to_ascii_lowercase()))
            .collect();
        let mut side = Side {
            file: file.to_string(),
            doc,
            source: SourceMap::index(text),
            op_pointers,
            type_pointers: vec![None; api.types.len()],
            usage: vec![Usage::default(); api.types.len()],
            api,
        };
        side.index_types();
        side.index_usage();
        Ok(side)
    }

    pub fn locate(&self, pointer: &str) -> Location {
        Location {
            file: self.file.clone(),
            pointer: pointer.to_string(),
            line: self.source.locate(pointer).map(|p| p.line),
        }
    }

    pub fn op(&self, index: usize) -> Option<&Operation> {
        self.api.operations.get(index)
    }

    pub fn op_pointer(&self, index: usize) -> String {
        self.op_pointers.get(index).cloned().unwrap_or_else(|| "#/paths".to_string())
    }

    pub fn def(&self, id: TypeId) -> Option<&TypeDef> {
        self.api.types.get(id.0)
    }

    pub fn type_name(&self, id: TypeId) -> &str {
        self.def(id).map(|d| d.name.as_str()).unwrap_or("?")
    }

    pub fn type_pointer(&self, id: TypeId) -> Option<&str> {
        self.type_pointers.get(id.0).and_then(|p| p.as_deref())
    }

    /// The component schema name of a type defined directly under `#/components/schemas`.
    pub fn component_name(&self, id: TypeId) -> Option<String> {
        let rest = self.type_pointer(id)?.strip_prefix("#/components/schemas/")?;
        (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
    }

    pub fn usage(&self, id: TypeId) -> Usage {
        self.usage.get(id.0).cloned().unwrap_or_default()
    }

    /// The operationIds of the operations that use a type, in document order.
    pub fn operation_ids(&self, indexes: &BTreeSet<usize>) -> Vec<String> {
        indexes.iter().filter_map(|i| self.op(*i)).map(|op| op.id.clone()).collect()
    }

    // --- Pointers into the raw document. ---

    fn value(&self, pointer: &str) -> Option<&Value> {
        self.doc.raw.pointer(pointer.strip_prefix('#').unwrap_or(pointer))
    }

    /// Follows `$ref`s from `pointer` to the object they name.
    fn follow_refs(&self, pointer: &str) -> String {
        let mut current = pointer.to_string();
        for _ in 0..MAX_HOPS {
            match self.value(&current).and_then(|v| v.get("$ref")).and_then(Value::as_str) {
                Some(target) if target.starts_with("#/") => current = target.to_string(),
                _ => break,
            }
        }
        current
    }

    /// Follows `$ref`s and single-member `allOf`s (a `$ref` with a description beside it) to
    /// the schema that defines a type.
    fn schema_target(&self, pointer: &str) -> String {
        let mut current = self.follow_refs(pointer);
        for _ in 0..MAX_HOPS {
            match self.value(&current).and_then(|v| v.get("allOf")).and_then(Value::as_array) {
                Some(members) if members.len() == 1 => current = self.follow_refs(&format!("{current}/allOf/0")),
                _ => break,
            }
        }
        current
    }

    /// Where a parameter is declared: in the operation's list, else the path item's.
    pub fn param_pointer(&self, op: usize, param: &Param) -> Option<String> {
        let op_pointer = self.op_pointer(op);
        let item_pointer = op_pointer.rsplit_once('/').map(|(item, _)| item.to_string())?;
        let location = match param.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        };
        for base in [&op_pointer, &item_pointer] {
            let Some(list) = self.value(&format!("{base}/parameters")).and_then(Value::as_array) else { continue };
            for index in 0..list.len() {
                let pointer = format!("{base}/parameters/{index}");
                let Some(resolved) = self.value(&self.follow_refs(&pointer)) else { continue };
                let name = resolved.get("name").and_then(Value::as_str);
                let place = resolved.get("in").and_then(Value::as_str);
                if name == Some(param.wire_name.as_str()) && place == Some(location) {
                    return Some(pointer);
                }
            }
        }
        None
    }

    fn param_schema_pointer(&self, op: usize, param: &Param) -> Option<String> {
        let declared = self.follow_refs(&self.param_pointer(op, param)?);
        let value = self.value(&declared)?;
        if value.get("schema").is_some() {
            return Some(format!("{declared}/schema"));
        }
        let content = value.get("content")?.as_object()?;
        let (media, _) = content.iter().next()?;
        Some(format!("{declared}/content/{}/schema", escape_token(media)))
    }

    pub fn body_pointer(&self, op: usize) -> String {
        format!("{}/requestBody", self.op_pointer(op))
    }

    fn body_schema_pointer(&self, op: usize) -> Option<String> {
        let body = self.follow_refs(&self.body_pointer(op));
        self.json_schema_in(&body)
    }

    /// Where the response for `status` is: `#/.../responses/404`, with the key as written.
    pub fn response_pointer(&self, op: usize, status: StatusMatch) -> String {
        let responses = format!("{}/responses", self.op_pointer(op));
        let wanted = match status {
            StatusMatch::Code(code) => code.to_string(),
            StatusMatch::Range(range) => format!("{range}XX"),
            StatusMatch::Default => "default".to_string(),
        };
        let key = self
            .value(&responses)
            .and_then(Value::as_object)
            .and_then(|map| map.keys().find(|k| k.eq_ignore_ascii_case(&wanted)).cloned())
            .unwrap_or(wanted);
        format!("{responses}/{}", escape_token(&key))
    }

    fn response_schema_pointer(&self, op: usize, status: StatusMatch) -> Option<String> {
        let response = self.follow_refs(&self.response_pointer(op, status));
        self.json_schema_in(&response)
    }

    /// `<object>/content/<media type>/schema`: the first JSON media type, else the first
    /// with a schema.
    fn json_schema_in(&self, pointer: &str) -> Option<String> {
        let content = self.value(&format!("{pointer}/content"))?.as_object()?;
        let (media, _) = content
            .iter()
            .find(|(media, _)| is_json(media))
            .or_else(|| content.iter().find(|(_, m)| m.get("schema").is_some()))?;
        Some(format!("{pointer}/content/{}/schema", escape_token(media)))
    }

    /// Where a struct's property is declared, looking through `$ref`s and `allOf` members.
    pub fn property_pointer(&self, type_pointer: &str, wire_name: &str) -> Option<String> {
        self.find_property(type_pointer, wire_name, 0)
    }

    fn find_property(&self, pointer: &str, wire_name: &str, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        let schema = self.follow_refs(pointer);
        let value = self.value(&schema)?;
        if value.get("properties").and_then(|p| p.get(wire_name)).is_some() {
            return Some(format!("{schema}/properties/{}", escape_token(wire_name)));
        }
        let members = value.get("allOf").and_then(Value::as_array)?;
        (0..members.len()).find_map(|i| self.find_property(&format!("{schema}/allOf/{i}"), wire_name, depth + 1))
    }

    /// Where a union's `index`th alternative is declared.
    pub fn union_member_pointer(&self, type_pointer: &str, index: usize) -> Option<String> {
        let schema = self.follow_refs(type_pointer);
        let value = self.value(&schema)?;
        ["oneOf", "anyOf"].iter().find(|key| value.get(**key).is_some()).map(|key| format!("{schema}/{key}/{index}"))
    }

    // --- Indexes. ---

    /// Finds where each named type is defined, by walking from every place the IR starts
    /// one (parameters, bodies, responses) alongside the raw document, then from the
    /// component schemas that no operation reaches.
    fn index_types(&mut self) {
        let mut visited = vec![false; self.api.types.len()];
        let mut starts: Vec<(Option<String>, TypeRef)> = Vec::new();
        for (index, op) in self.api.operations.iter().enumerate() {
            for param in &op.params {
                starts.push((self.param_schema_pointer(index, param), param.ty.clone()));
            }
            if let Some(body) = &op.body {
                starts.push((self.body_schema_pointer(index), body.ty.clone()));
            }
            for case in &op.responses.success {
                if let Some(ty) = case.body.ty() {
                    starts.push((self.response_schema_pointer(index, case.status), ty.clone()));
                }
            }
            for case in &op.responses.errors {
                if let Some(ty) = case.body.ty() {
                    starts.push((self.response_schema_pointer(index, case.status), ty.clone()));
                }
            }
        }
        for (pointer, ty) in starts {
            self.walk_type(pointer, &ty, &mut visited);
        }
        let names: Vec<String> = self
            .doc
            .api
            .components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            let pointer = format!("#/components/schemas/{}", escape_token(&name));
            if self.schema_target(&pointer) != pointer || self.type_pointers.iter().flatten().any(|p| *p == pointer) {
                continue;
            }
            let wanted = camel(&name);
            if let Some(index) = (0..self.api.types.len()).find(|i| !visited[*i] && self.api.types[*i].name == wanted) {
                self.walk_type(Some(pointer), &TypeRef::Named(TypeId(index)), &mut visited);
            }
        }
    }

    fn walk_type(&mut self, pointer: Option<String>, ty: &TypeRef, visited: &mut Vec<bool>) {
        match ty {
            TypeRef::Vec(inner) => {
                let items = pointer.map(|p| format!("{}/items", self.schema_target(&p)));
                self.walk_type(items, inner, visited);
            }
            TypeRef::Map(inner) => {
                let values = pointer.map(|p| format!("{}/additionalProperties", self.schema_target(&p)));
                self.walk_type(values, inner, visited);
            }
            TypeRef::Named(id) => {
                let Some(seen) = visited.get_mut(id.0) else { return };
                if std::mem::replace(seen, true) {
                    return;
                }
                let pointer = pointer.map(|p| self.schema_target(&p));
                self.type_pointers[id.0] = pointer.clone();
                let Some(kind) = self.api.types.get(id.0).map(|d| d.kind.clone()) else { return };
                match kind {
                    TypeKind::Struct(s) => {
                        for field in &s.fields {
                            let at = pointer.as_deref().and_then(|p| self.property_pointer(p, &field.wire_name));
                            self.walk_type(at, &field.ty, visited);
                        }
                        if let Some(additional) = &s.additional {
                            let at = pointer.as_ref().map(|p| format!("{p}/additionalProperties"));
                            self.walk_type(at, additional, visited);
                        }
                    }
                    TypeKind::Union(u) => {
                        for (index, variant) in u.variants.iter().enumerate() {
                            let at = pointer.as_deref().and_then(|p| self.union_member_pointer(p, index));
                            self.walk_type(at, &variant.ty, visited);
                        }
                    }
                    TypeKind::Enum(_) | TypeKind::Opaque => {}
                }
            }
            _ => {}
        }
    }

    /// Marks every named type with the operations and directions that carry it.
    fn index_usage(&mut self) {
        let mut marks = Vec::new();
        for (index, op) in self.api.operations.iter().enumerate() {
            for param in &op.params {
                marks.push((param.ty.clone(), Direction::Request, index));
            }
            if let Some(body) = &op.body {
                marks.push((body.ty.clone(), Direction::Request, index));
            }
            let bodies = op.responses.success.iter().map(|c| &c.body).chain(op.responses.errors.iter().map(|c| &c.body));
            for body in bodies {
                if let Some(ty) = body.ty() {
                    marks.push((ty.clone(), Direction::Response, index));
                }
            }
        }
        for (ty, direction, op) in marks {
            self.mark(&ty, direction, op);
        }
    }

    fn mark(&mut self, ty: &TypeRef, direction: Direction, op: usize) {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) => self.mark(inner, direction, op),
            TypeRef::Named(id) => {
                let Some(usage) = self.usage.get_mut(id.0) else { return };
                let flag = match direction {
                    Direction::Request => &mut usage.request,
                    Direction::Response => &mut usage.response,
                };
                let new_direction = !std::mem::replace(flag, true);
                let new_op = usage.operations.insert(op);
                if !new_direction && !new_op {
                    return;
                }
                let inner: Vec<TypeRef> = match self.api.types.get(id.0).map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => s.fields.iter().map(|f| f.ty.clone()).chain(s.additional.clone()).collect(),
                    Some(TypeKind::Union(u)) => u.variants.iter().map(|v| v.ty.clone()).collect(),
                    _ => Vec::new(),
                };
                for ty in inner {
                    self.mark(&ty, direction, op);
                }
            }
            _ => {}
        }
    }
}

/// JSON media types, as the generator reads them.
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || essence.ends_with("+json")
        || essence.starts_with("application/x-amz-json")
        || essence == "*/*"
        || essence == "text/json"
}
