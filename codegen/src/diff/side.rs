//! One revision of a spec, loaded for comparison: the document, its IR, and the indexes the
//! comparison needs: which operations use each named type in which direction. Where each
//! operation, parameter and named type is comes from the IR, which lowering filled in.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, Operation, Param, StatusMatch, TypeDef, TypeId, TypeKind, TypeRef};
use crate::load::{self, Document};
use crate::source_map::escape_token;
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
    /// The parts the generator leaves out (an operation it cannot express), not compared.
    pub left_out: Vec<Diagnostic>,
    usage: Vec<Usage>,
}

/// A chain of `$ref`s longer than this is a cycle; lowering refuses those already.
const MAX_HOPS: usize = 64;

impl Side {
    pub fn load(text: &str, file: &str, settings: &Settings, lenient: bool) -> Result<Side, Diagnostics> {
        // Loaded once: the document for pointers and raw keywords, lowered for the Rust facts.
        let doc = load::load(text, file)?;
        // Leniently, what the generator leaves out is left out of the comparison too, and said.
        let (api, problems) = crate::lower::lower(&doc, settings, lenient)?;
        let mut side = Side {
            file: file.to_string(),
            left_out: problems.into_iter().filter(|d| d.is_error()).collect(),
            doc,
            usage: vec![Usage::default(); api.types.len()],
            api,
        };
        side.index_usage();
        Ok(side)
    }

    /// Where `pointer` is; its line is filled in once the report is complete
    /// ([`super::fill_lines`]), for the few places a report names.
    pub fn locate(&self, pointer: &str) -> Location {
        Location { file: self.file.clone(), pointer: pointer.to_string(), line: None }
    }

    pub fn op(&self, index: usize) -> Option<&Operation> {
        self.api.operations.get(index)
    }

    pub fn op_pointer(&self, index: usize) -> String {
        self.op(index).map(|op| op.pointer.clone()).unwrap_or_else(|| "#/paths".to_string())
    }

    pub fn def(&self, id: TypeId) -> Option<&TypeDef> {
        self.api.types.get(id.0)
    }

    pub fn type_name(&self, id: TypeId) -> &str {
        self.def(id).map(|d| d.name.as_str()).unwrap_or("?")
    }

    pub fn type_pointer(&self, id: TypeId) -> Option<&str> {
        self.def(id).and_then(|d| d.pointer.as_deref())
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

    /// The raw document's node at `pointer`, for rules about what the IR does not carry
    /// (lifecycle extensions, documented headers).
    pub fn value_at(&self, pointer: &str) -> Option<&Value> {
        self.value(pointer)
    }

    fn value(&self, pointer: &str) -> Option<&Value> {
        self.doc.raw.pointer(pointer.strip_prefix('#').unwrap_or(pointer))
    }

    /// Where the `$ref`s from `pointer` lead.
    pub fn resolve(&self, pointer: &str) -> String {
        self.follow_refs(pointer)
    }

    /// Follows `$ref`s from `pointer` to the object they name.
    fn follow_refs(&self, pointer: &str) -> String {
        let mut current = pointer.to_string();
        for _ in 0..MAX_HOPS {
            match self.value(&current).and_then(|v| v.get("$ref")).and_then(Value::as_str) {
                Some(target) if target.starts_with("#/") => current = crate::lower::refs::fragment_pointer(target),
                _ => break,
            }
        }
        current
    }

    /// Where a parameter is declared: in the operation's list or the path item's.
    pub fn param_pointer(&self, _op: usize, param: &Param) -> Option<String> {
        param.pointer.clone()
    }

    pub fn body_pointer(&self, op: usize) -> String {
        format!("{}/requestBody", self.op_pointer(op))
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

    // --- Indexes. ---

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
