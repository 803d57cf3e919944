//! Paths and operations → `ir::Operation`: parameters, bodies, responses, pagination.

use openapiv3::{Operation as SpecOperation, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::ir::{
    BodyDecoding, BodyKind, BodyProperty, ErrorCase, EventStream, Framing, HttpMethod, Operation, PageInput, Pagination, Param, ParamLocation,
    PathPiece, RequestBody, Responses, StatusMatch, SuccessCase, TypeKind, TypeRef,
};
use crate::load::Document;
use crate::lower::refs::resolve;
use crate::lower::schema::{is_empty_object, TypeSpace};
use crate::naming::{camel, snake, Scope};
use crate::source_map::escape_token;

/// Method and field names a builder has of its own, which parameters must not take
/// (`client` and `shared`, the values of `Api::shared_params`, are fields).
const BUILDER_METHODS: &[&str] = &["send", "send_events", "body", "new", "client", "shared", "request", "decode"];

/// The builder's own method names for this operation: `stream` only where there is one (a
/// paginated operation), so that a body property named `stream` (OpenAI's) keeps its setter.
fn builder_methods(op: &SpecOperation) -> Vec<&'static str> {
    let mut names = BUILDER_METHODS.to_vec();
    if op.extensions.contains_key("x-pagination") {
        names.push("stream");
    }
    names
}

/// Headers that are the transport's or the signer's business, never the caller's.
fn is_managed_header(name: &str, sigv4: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "content-type" | "accept" | "authorization" | "content-length" | "host")
        || (sigv4 && lower.starts_with("x-amz-") && lower != "x-amz-target")
}

pub struct OperationContext<'a, 'd> {
    pub doc: &'d Document,
    pub types: &'a mut TypeSpace<'d>,
    pub sigv4: bool,
    /// Where lowering records what it worked around (a duplicate error code, say).
    pub warnings: &'a mut Vec<Diagnostic>,
}

/// Where an operation sits in the document.
pub struct Site<'s> {
    pub path: &'s str,
    pub method: HttpMethod,
    pub pointer: String,
    pub path_params: &'s [ReferenceOr<Parameter>],
}

impl OperationContext<'_, '_> {
    pub fn lower(&mut self, site: &Site<'_>, op: &SpecOperation, method_scope: &mut Scope, type_scope: &mut Scope) -> Result<Operation, Diagnostic> {
        let id = operation_id(op, site);
        // A name from the settings was kept free in both scopes when lowering began.
        let (type_name, method_name) = match self.types.custom().operation_name(&id) {
            Some(name) => (camel(name), name.to_string()),
            None => (type_scope.claim(&camel(&id)), method_scope.claim(&snake(&id))),
        };
        let (path_part, constants) = split_path(site.path);

        let mut params = self.lower_params(site, op, &type_name)?;
        for (name, value) in constants {
            if !params.iter().any(|p| p.wire_name.eq_ignore_ascii_case(&name) && p.location == ParamLocation::Header) {
                params.push(constant_param(&name, &value, ParamLocation::Header));
            }
        }
        let (query_constants, path_part) = split_query(&path_part);
        for (name, value) in query_constants {
            // `?key={APIKEY}`: a path parameter sent in the query under another name.
            let placeholder = value.strip_prefix('{').and_then(|v| v.strip_suffix('}'));
            let moved = placeholder.and_then(|p| params.iter_mut().find(|q| q.location == ParamLocation::Path && q.wire_name == p));
            match moved {
                Some(param) => {
                    param.location = ParamLocation::Query;
                    param.wire_name = name;
                }
                None => params.push(constant_param(&name, &value, ParamLocation::Query)),
            }
        }
        let path = self.lower_path(&path_part, &params, &site.pointer)?;
        let aws_json = site.path.contains("#X-Amz-Target=");
        let body = self.lower_body(op, &site.pointer, &type_name, &params, aws_json)?;
        let responses = self.lower_responses(op, &site.pointer, &type_name, aws_json)?;
        let idempotent = match op.extensions.get("x-idempotent") {
            Some(Value::Bool(explicit)) => *explicit,
            _ => site.method.is_idempotent(),
        };
        let mut operation = Operation {
            id,
            method_name,
            type_name,
            http_method: site.method,
            path_template: site.path.to_string(),
            path,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            idempotent,
            params,
            body,
            responses,
            pagination: None,
            tags: op.tags.clone(),
            feature: None,
            security: None,
            pointer: site.pointer.clone(),
            accept: None,
        };
        operation.accept = accept(&operation, aws_json);
        if let Some(spec) = op.extensions.get("x-pagination") {
            operation.pagination = Some(self.lower_pagination(spec, &operation, &format!("{}/x-pagination", site.pointer))?);
        }
        Ok(operation)
    }

    fn lower_params(&mut self, site: &Site<'_>, op: &SpecOperation, type_name: &str) -> Result<Vec<Param>, Diagnostic> {
        // Path-item parameters apply unless the operation redefines the same name and place.
        let mut resolved: Vec<(Parameter, String)> = Vec::new();
        let sources = [(site.path_params, site.pointer.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default()), (&op.parameters[..], site.pointer.clone())];
        for (list, base) in sources {
            for (i, param) in list.iter().enumerate() {
                let pointer = format!("{base}/parameters/{i}");
                let (param, _) = resolve(self.doc, param, &pointer)?;
                let param = param.into_owned();
                let key = (param.parameter_data_ref().name.clone(), std::mem::discriminant(&param));
                resolved.retain(|(p, _)| (p.parameter_data_ref().name.clone(), std::mem::discriminant(p)) != key);
                resolved.push((param, pointer));
            }
        }
        let mut scope = Scope::with_reserved(&builder_methods(op));
        let mut params = Vec::new();
        for (param, pointer) in resolved {
            let location = match &param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => {
                    return Err(self.doc.locator().error(&pointer, "cookie parameters are not supported; send the cookie with a custom `reqwest::Client`"))
                }
            };
            let data = param.parameter_data_ref();
            if location == ParamLocation::Header && is_managed_header(&data.name, self.sigv4) {
                continue;
            }
            let hint = format!("{type_name}{}", camel(&data.name));
            let lowered = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => self.types.lower(schema, &format!("{pointer}/schema"), &hint)?,
                ParameterSchemaOrContent::Content(content) => match content.iter().next().and_then(|(_, m)| m.schema.as_ref()) {
                    Some(schema) => self.types.lower(schema, &format!("{pointer}/content"), &hint)?,
                    None => return Err(self.doc.locator().error(&pointer, "this parameter has neither a schema nor content with a schema")),
                },
            };
            let constant = match &data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) if location == ParamLocation::Header => single_enum_value(schema),
                _ => None,
            };
            let deep_object = matches!(&param, Parameter::Query { style: openapiv3::QueryStyle::DeepObject, .. });
            params.push(Param {
                wire_name: data.name.clone(),
                rust_name: if constant.is_some() { snake(&data.name) } else { scope.claim(&snake(&data.name)) },
                location,
                required: data.required || location == ParamLocation::Path,
                ty: lowered.ty,
                constraints: lowered.constraints,
                constant,
                description: data.description.clone(),
                deep_object,
                pointer: Some(pointer),
                shared: None,
            });
        }
        Ok(params)
    }

    fn lower_path(&self, path: &str, params: &[Param], pointer: &str) -> Result<Vec<PathPiece>, Diagnostic> {
        let mut pieces = Vec::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                return Err(self.doc.locator().error(pointer, format!("the path `{path}` has an unclosed `{{`")));
            };
            if start > 0 {
                pieces.push(PathPiece::Literal(rest[..start].to_string()));
            }
            let name = &rest[start + 1..start + len];
            let index = params.iter().position(|p| p.location == ParamLocation::Path && p.wire_name == name).ok_or_else(|| {
                self.doc.locator().error(pointer, format!("the path uses `{{{name}}}`, but no path parameter named `{name}` is declared; add it to `parameters` with `in: path`"))
            })?;
            pieces.push(PathPiece::Param(index));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            pieces.push(PathPiece::Literal(rest.to_string()));
        }
        if pieces.is_empty() {
            pieces.push(PathPiece::Literal("/".into()));
        }
        Ok(pieces)
    }

    fn lower_body(&mut self, op: &SpecOperation, pointer: &str, type_name: &str, params: &[Param], aws_json: bool) -> Result<Option<RequestBody>, Diagnostic> {
        let Some(body) = &op.request_body else {
            return Ok(aws_json.then(|| RequestBody {
                content_type: "application/x-amz-json-1.1".into(),
                kind: BodyKind::Json,
                ty: TypeRef::Unit,
                required: true,
                properties: Vec::new(),
                always_send: true,
            }));
        };
        let body_pointer = format!("{pointer}/requestBody");
        let (body, _) = resolve(self.doc, body, &body_pointer)?;
        // Several media types: send the one this client handles best.
        let Some((content_type, media, kind)) = body
            .content
            .iter()
            .filter_map(|(ct, media)| body_kind(ct).map(|kind| (ct, media, kind)))
            .min_by_key(|(_, _, kind)| *kind as u8)
        else {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            return Err(self.doc.locator().error(
                &format!("{body_pointer}/content"),
                format!("this request body has no media type the client can send ({}); use JSON, a form, multipart, text or bytes", types.join(", ")),
            ));
        };
        let media_pointer = format!("{body_pointer}/content/{}", escape_token(content_type));
        // A form with no fields at all (Stripe documents its GETs so) carries nothing.
        if matches!(kind, BodyKind::Form | BodyKind::Multipart) && !aws_json {
            if let Some(schema) = &media.schema {
                if resolve(self.doc, schema, &media_pointer).is_ok_and(|(schema, _)| is_empty_object(&schema)) {
                    return Ok(None);
                }
            }
        }
        let ty = match kind {
            BodyKind::Binary => TypeRef::Bytes,
            BodyKind::Text => TypeRef::String,
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart => match &media.schema {
                Some(schema) => self.types.lower(schema, &format!("{media_pointer}/schema"), &format!("{type_name}Body"))?.ty,
                None => TypeRef::Json,
            },
        };
        if matches!(kind, BodyKind::Form | BodyKind::Multipart) && !self.is_struct(&ty) {
            return Err(self.doc.locator().error(&media_pointer, format!("a `{content_type}` body must be an object schema with properties")));
        }
        let content_type = if aws_json && !content_type.starts_with("application/x-amz-json") {
            "application/x-amz-json-1.1".to_string()
        } else {
            content_type.clone()
        };
        let properties = self.body_properties(&ty, params, &builder_methods(op));
        Ok(Some(RequestBody { content_type, kind, ty, required: body.required || aws_json, properties, always_send: aws_json }))
    }

    fn is_struct(&self, ty: &TypeRef) -> bool {
        matches!(ty, TypeRef::Named(id) if matches!(self.types.def(*id).map(|d| &d.kind), Some(TypeKind::Struct(_))))
    }

    /// The properties of an object body, each a setter unless a parameter has its name.
    fn body_properties(&self, ty: &TypeRef, params: &[Param], builder_methods: &[&str]) -> Vec<BodyProperty> {
        let TypeRef::Named(id) = ty else { return Vec::new() };
        let Some(TypeKind::Struct(s)) = self.types.def(*id).map(|d| &d.kind) else { return Vec::new() };
        let taken = Scope::with_reserved(&params.iter().map(|p| p.rust_name.as_str()).chain(builder_methods.iter().copied()).collect::<Vec<_>>());
        s.fields
            .iter()
            .filter(|f| !taken.is_taken(&f.rust_name))
            .map(|f| BodyProperty { wire_name: f.wire_name.clone(), rust_name: f.rust_name.clone(), ty: f.ty.clone(), description: f.description.clone() })
            .collect()
    }

    fn lower_responses(&mut self, op: &SpecOperation, pointer: &str, type_name: &str, aws_json: bool) -> Result<Responses, Diagnostic> {
        let mut success = Vec::new();
        let mut errors = Vec::new();
        let mut success_scope = Scope::default();
        let mut error_scope = Scope::default();
        let mut events = None;
        let entries = op.responses.responses.iter().map(|(s, r)| (Some(s), r)).chain(op.responses.default.iter().map(|r| (None, r)));
        for (status, response) in entries {
            let key = status.map(status_key).unwrap_or_else(|| "default".into());
            let response_pointer = format!("{pointer}/responses/{key}");
            let (response, _) = resolve(self.doc, response, &response_pointer)?;
            let status_match = match status {
                Some(StatusCode::Code(code)) => StatusMatch::Code(*code),
                Some(StatusCode::Range(range)) => StatusMatch::Range(*range),
                None => StatusMatch::Default,
            };
            let is_success = match status_match {
                StatusMatch::Code(code) => (200..300).contains(&code),
                StatusMatch::Range(range) => range == 2,
                StatusMatch::Default => false,
            };
            // A code declared twice (APIs.guru's AWS specs give each of an error's made-up
            // statuses its own response) could only ever match the first: merge, and say so.
            let code = if is_success { None } else { error_code(&response, status_match) };
            if let Some(first) = code.as_ref().and_then(|c| errors.iter().find(|e: &&ErrorCase| e.code.as_ref() == Some(c))) {
                let message = format!(
                    "error code `{}` is already declared by the `{}` response; this response is merged into it",
                    code.as_deref().unwrap_or_default(),
                    match first.status {
                        StatusMatch::Code(code) => code.to_string(),
                        StatusMatch::Range(range) => format!("{range}XX"),
                        StatusMatch::Default => "default".into(),
                    }
                );
                self.warnings.push(self.doc.locator().warning(&response_pointer, message));
                continue;
            }
            let hint = if is_success { format!("{type_name}Response") } else { format!("{type_name}{}", status_variant(status_match)) };
            if is_success && events.is_none() {
                events = self.lower_event_stream(&response, &response_pointer, &format!("{type_name}Event"))?;
            }
            let body = self.lower_response_body(&response, &response_pointer, &hint, aws_json)?;
            if is_success {
                success.push(SuccessCase { status: status_match, variant: success_scope.claim(&status_variant(status_match)), body, description: response.description.clone() });
            } else {
                let wanted = code.as_deref().map(camel).unwrap_or_else(|| status_variant(status_match));
                let match_status = !(code.is_some() && is_made_up(status_match));
                errors.push(ErrorCase { status: status_match, match_status, code, variant: error_scope.claim(&wanted), body, description: response.description.clone() });
            }
        }
        // Specs that document only `default` mean it as the success.
        if success.is_empty() {
            if let Some(index) = errors.iter().position(|e| e.status == StatusMatch::Default && e.code.is_none()) {
                let case = errors.remove(index);
                success.push(SuccessCase { status: case.status, variant: "Default".into(), body: case.body, description: case.description });
            }
        }
        Ok(Responses { success, errors, events })
    }

    /// A streaming media type of a success response (`text/event-stream`, JSON lines), and
    /// the type of its items: the schema's, or JSON values when it gives none (a schema of
    /// `type: string` describes the raw text, not the items).
    fn lower_event_stream(&mut self, response: &openapiv3::Response, pointer: &str, hint: &str) -> Result<Option<EventStream>, Diagnostic> {
        let Some((media_type, media, framing)) = response.content.iter().find_map(|(ct, media)| {
            let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let framing = match essence.as_str() {
                "text/event-stream" => Framing::ServerSentEvents,
                "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" | "application/jsonlines" => Framing::JsonLines,
                _ => return None,
            };
            Some((ct, media, framing))
        }) else {
            return Ok(None);
        };
        let item = match &media.schema {
            Some(schema) => {
                let schema_pointer = format!("{pointer}/content/{}/schema", escape_token(media_type));
                let lowered = self.types.lower(schema, &schema_pointer, hint)?;
                match lowered.ty {
                    TypeRef::String => TypeRef::Json,
                    ty => ty,
                }
            }
            None => TypeRef::Json,
        };
        Ok(Some(EventStream { framing, media_type: media_type.clone(), item }))
    }

    fn lower_response_body(&mut self, response: &openapiv3::Response, pointer: &str, hint: &str, aws_json: bool) -> Result<BodyDecoding, Diagnostic> {
        let Some((content_type, media)) = response.content.iter().find(|(ct, _)| is_json(ct)) else {
            // No JSON: text as a `String`, anything else as bytes.
            return Ok(match response.content.keys().next() {
                None => BodyDecoding::None,
                Some(ct) if ct.starts_with("text/") => BodyDecoding::Text,
                Some(_) => BodyDecoding::Binary,
            });
        };
        let Some(schema) = &media.schema else { return Ok(BodyDecoding::Json(TypeRef::Json)) };
        let schema_pointer = format!("{pointer}/content/{}/schema", escape_token(content_type));
        let (resolved, _) = resolve(self.doc, schema, &schema_pointer)?;
        if is_empty_object(&resolved) {
            return Ok(BodyDecoding::None);
        }
        let lowered = self.types.lower(schema, &schema_pointer, hint)?;
        // AWS JSON services may answer an all-optional output with an empty body, as the AWS
        // SDKs accept; elsewhere an empty body where JSON is documented is an error.
        let lenient = aws_json
            && match &lowered.ty {
                TypeRef::Named(id) => matches!(self.types.def(*id).map(|d| &d.kind), Some(TypeKind::Struct(s)) if s.fields.iter().all(|f| !f.required)),
                _ => false,
            };
        Ok(if lenient { BodyDecoding::JsonOrEmpty(lowered.ty) } else { BodyDecoding::Json(lowered.ty) })
    }

    fn lower_pagination(&self, spec: &Value, op: &Operation, pointer: &str) -> Result<Pagination, Diagnostic> {
        let fail = |message: String| self.doc.locator().error(pointer, message);
        let field = |key: &str| spec.get(key).and_then(Value::as_str);
        let required = |key: &str| field(key).ok_or_else(|| fail(format!("`x-pagination` needs `{key}`")));
        let mut bodies = op.responses.success.iter().map(|s| s.body.ty());
        let success_ty = bodies.next().flatten().cloned();
        if bodies.any(|other| other != success_ty.as_ref()) {
            return Err(fail("a paginated operation must return the same body for every success status".into()));
        }
        let Some(TypeRef::Named(page_id)) = success_ty else {
            return Err(fail("a paginated operation must return a JSON object".into()));
        };
        let Some(TypeKind::Struct(page)) = self.types.def(page_id).map(|d| &d.kind) else {
            return Err(fail("a paginated operation must return a JSON object".into()));
        };
        let response_field = |wire: &str| -> Result<&crate::ir::Field, Diagnostic> {
            page.fields.iter().find(|f| f.wire_name == wire).ok_or_else(|| fail(format!("the response has no property `{wire}`")))
        };
        let items = response_field(required("items")?)?;
        let TypeRef::Vec(item_ty) = &items.ty else {
            return Err(fail(format!("`{}` must be an array", items.wire_name)));
        };
        let param = |wire: &str| op.params.iter().position(|p| p.wire_name == wire && p.constant.is_none());
        match field("style") {
            Some("token") => {
                let input_wire = required("inputToken")?;
                let input = if let Some(index) = param(input_wire) {
                    PageInput::Param(index)
                } else if let Some(property) = op.body.iter().flat_map(|b| &b.properties).find(|p| p.wire_name == input_wire) {
                    PageInput::BodyProperty(property.rust_name.clone())
                } else {
                    return Err(fail(format!("`{input_wire}` is neither a parameter nor a request body property")));
                };
                if let Some(page_size) = field("pageSize") {
                    let known = param(page_size).is_some() || op.body.iter().flat_map(|b| &b.properties).any(|p| p.wire_name == page_size);
                    if !known {
                        return Err(fail(format!("`pageSize: {page_size}` is neither a parameter nor a request body property")));
                    }
                }
                let output = response_field(required("outputToken")?)?;
                Ok(Pagination::Token { input, output_field: output.rust_name.clone(), items_field: items.rust_name.clone(), item_ty: (**item_ty).clone() })
            }
            Some("offset") => {
                let offset_wire = required("offset")?;
                let offset_param = param(offset_wire).ok_or_else(|| fail(format!("`{offset_wire}` is not a parameter")))?;
                let limit_param = match field("limit") {
                    Some(wire) => Some(param(wire).ok_or_else(|| fail(format!("`{wire}` is not a parameter")))?),
                    None => None,
                };
                let total_field = match field("total") {
                    Some(wire) => Some(response_field(wire)?.rust_name.clone()),
                    None => None,
                };
                let next_link = field("nextLink").map(str::to_string);
                if let Some(pointer) = &next_link {
                    if !pointer.starts_with('/') {
                        return Err(fail(format!("`nextLink: {pointer}` must be a JSON pointer into the response, such as `/_links/next`")));
                    }
                }
                Ok(Pagination::Offset { offset_param, limit_param, items_field: items.rust_name.clone(), item_ty: (**item_ty).clone(), total_field, next_link })
            }
            _ => Err(fail("`x-pagination.style` must be `token` or `offset`".into())),
        }
    }
}

/// A stable name for an operation without an `operationId`: `get /users/{id}/keys` → `get_users_by_id_keys`.
/// The operationId, or one derived from method and path when the spec gives none.
pub fn operation_id(op: &SpecOperation, site: &Site<'_>) -> String {
    op.operation_id.clone().unwrap_or_else(|| derived_operation_id(site.method, site.path))
}

fn derived_operation_id(method: HttpMethod, path: &str) -> String {
    let mut words = vec![method.as_str().to_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{param}")),
            None => words.push(segment.to_string()),
        }
    }
    snake(&words.join("_"))
}

/// `/#X-Amz-Target=Service.Op` → (`/`, [("X-Amz-Target", "Service.Op")]).
fn split_path(path: &str) -> (String, Vec<(String, String)>) {
    match path.split_once('#') {
        Some((path, fragment)) => {
            let constants = fragment.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            (if path.is_empty() { "/".into() } else { path.to_string() }, constants)
        }
        None => (path.to_string(), Vec::new()),
    }
}

/// `/bucket?list-type=2` → ([("list-type", "2")], `/bucket`).
fn split_query(path: &str) -> (Vec<(String, String)>, String) {
    match path.split_once('?') {
        Some((path, query)) => (
            query.split('&').filter(|p| !p.is_empty()).map(|pair| match pair.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (pair.to_string(), String::new()),
            }).collect(),
            path.to_string(),
        ),
        None => (Vec::new(), path.to_string()),
    }
}

/// JSON when some documented response has a JSON body. AWS JSON operations send none, as
/// the AWS SDKs do: the protocol fixes the response's media type.
fn accept(op: &Operation, aws_json: bool) -> Option<String> {
    let successes = op.responses.success.iter().map(|s| &s.body);
    let errors = op.responses.errors.iter().map(|e| &e.body);
    let json_response = successes.chain(errors).any(|body| body.ty().is_some());
    (json_response && !aws_json).then(|| "application/json".to_string())
}

fn constant_param(name: &str, value: &str, location: ParamLocation) -> Param {
    Param {
        wire_name: name.to_string(),
        rust_name: snake(name),
        location,
        required: true,
        ty: TypeRef::String,
        constraints: Default::default(),
        constant: Some(value.to_string()),
        description: None,
        deep_object: false,
        pointer: None,
        shared: None,
    }
}

fn single_enum_value(schema: &openapiv3::Schema) -> Option<String> {
    match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::String(s)) if s.enumeration.len() == 1 => s.enumeration[0].clone(),
        _ => None,
    }
}

/// How a request media type is sent, in order of preference when a body offers several.
fn body_kind(content_type: &str) -> Option<BodyKind> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    Some(match essence.as_str() {
        _ if is_json(&essence) => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" | "multipart/mixed" => BodyKind::Multipart,
        _ if essence.starts_with("text/") => BodyKind::Text,
        _ if essence.contains('/') => BodyKind::Binary,
        _ => return None,
    })
}

/// JSON media types, including vendor ones (`application/json-patch+json`, AWS's
/// `application/x-amz-json-1.1`) and a wildcard, which JSON APIs use loosely.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence.starts_with("application/x-amz-json") || essence == "*/*" || essence == "text/json"
}

fn status_key(status: &StatusCode) -> String {
    match status {
        StatusCode::Code(code) => code.to_string(),
        StatusCode::Range(range) => format!("{range}XX"),
    }
}

/// `x-error-code`, or the APIs.guru habit of a made-up status whose description is the code.
fn error_code(response: &openapiv3::Response, status: StatusMatch) -> Option<String> {
    if let Some(Value::String(code)) = response.extensions.get("x-error-code") {
        return Some(code.clone());
    }
    let made_up = is_made_up(status);
    let description = response.description.trim();
    let looks_like_code = !description.is_empty() && description.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    (made_up && looks_like_code).then(|| description.to_string())
}

/// A 4xx/5xx status that HTTP does not define: AWS specs number their errors from 480.
fn is_made_up(status: StatusMatch) -> bool {
    matches!(status, StatusMatch::Code(code) if reason_phrase(code).is_none() && (400..600).contains(&code))
}

/// The Rust variant for a status: `NotFound`, `ClientError`, `Status480`, `Default`.
fn status_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => reason_phrase(code).map(str::to_string).unwrap_or_else(|| format!("Status{code}")),
        StatusMatch::Range(1) => "Informational".into(),
        StatusMatch::Range(2) => "Success".into(),
        StatusMatch::Range(3) => "Redirection".into(),
        StatusMatch::Range(4) => "ClientError".into(),
        StatusMatch::Range(5) => "ServerError".into(),
        StatusMatch::Range(other) => format!("Status{other}xx"),
        StatusMatch::Default => "Default".into(),
    }
}

/// Registered HTTP status codes (RFC 9110 and friends), as variant names.
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        407 => "ProxyAuthenticationRequired",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "ContentTooLarge",
        414 => "UriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        417 => "ExpectationFailed",
        421 => "MisdirectedRequest",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        425 => "TooEarly",
        426 => "UpgradeRequired",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        451 => "UnavailableForLegalReasons",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        507 => "InsufficientStorage",
        511 => "NetworkAuthenticationRequired",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_ids_from_method_and_path() {
        assert_eq!(derived_operation_id(HttpMethod::Get, "/api/v2/tokens/{id}"), "get_api_v2_tokens_by_id");
        assert_eq!(derived_operation_id(HttpMethod::Post, "/"), "post");
    }

    #[test]
    fn splits_aws_targets_and_query_constants() {
        assert_eq!(split_path("/#X-Amz-Target=WorkMailService.ListX"), ("/".into(), vec![("X-Amz-Target".into(), "WorkMailService.ListX".into())]));
        assert_eq!(split_query("/b?list-type=2"), (vec![("list-type".into(), "2".into())], "/b".into()));
    }

    #[test]
    fn recognises_json_media_types() {
        for json in ["application/json", "application/json; charset=utf-8", "application/json-patch+json", "application/x-amz-json-1.1", "*/*"] {
            assert!(is_json(json), "{json}");
        }
        for other in ["text/plain", "multipart/form-data", "application/octet-stream"] {
            assert!(!is_json(other), "{other}");
        }
    }
}
