//! The public API of a generated crate as a compact, sorted listing: one item per line, so
//! that a change to a spec shows up, beside the spec's own diff, as a few readable lines.
//!
//! ```text
//! method Client::get_tokens() -> operations::GetTokens  # GET /api/v2/tokens
//! op operations::GetTokens::limit(impl Into<i64>)  # query, optional
//! op operations::GetTokens::send().await -> Result<Response<types::Tokens>, Error<errors::GetTokensError>>
//! error errors::GetTokensError::Unauthorized(types::UnauthorizedErrorRep)  # 401
//! struct types::Token
//! field types::Token.id: String
//! ```
//!
//! The listing is computed from the IR, by the same rules the emitters follow, and names
//! every item by its path from the crate root. Types are written as a user would spell them
//! with the crate's modules in scope: `Into<T>` for `::std::convert::Into<T>`,
//! `DateTime<Utc>`, `BTreeMap<String, T>`, `Secret`, `types::Token`. What follows `  # ` is a
//! note on behaviour that the signature does not show (where a parameter goes, whether it is
//! required, the status an error answers to); everything before it is signature.
//!
//! Lines are grouped (the crate root, `Client`, `ClientBuilder`, then one group per
//! operation and per type, each sorted by name) and sorted by member name within a group, so
//! a change touches only the lines of what changed. The one exception is the variants of an
//! untagged union, listed in declaration order because deserialization tries them in order.

use crate::ir::{
    Api, BodyDecoding, Operation, PageInput, Pagination, ParamLocation, StatusMatch, Struct,
    TypeDef, TypeKind, TypeRef,
};

/// The API surface of the crate generated from `api`, one item per line, ending in a newline.
pub fn render(api: &Api) -> String {
    let mut lines = Lines::default();
    crate_root(&mut lines, api);
    client(&mut lines, api);
    for op in &api.operations {
        operation(&mut lines, api, op);
    }
    for def in &api.types {
        type_def(&mut lines, api, def);
    }
    lines.render()
}

/// Sections, in the order they are listed.
const ROOT: u8 = 0;
const CLIENT: u8 = 1;
const OPERATIONS: u8 = 2;
const TYPES: u8 = 3;

/// Where a line sorts: section, group (an operation or type), rank within the group, name.
type Key = (u8, String, u8, String);

#[derive(Default)]
struct Lines {
    lines: Vec<(Key, String)>,
}

impl Lines {
    fn push(&mut self, section: u8, group: &str, rank: u8, member: &str, text: String) {
        self.lines.push(((section, group.to_string(), rank, member.to_string()), text));
    }

    /// Sorted lines, with a blank line between groups.
    fn render(mut self) -> String {
        self.lines.sort();
        let mut out = String::new();
        let mut previous: Option<(u8, &str)> = None;
        for ((section, group, _, _), text) in &self.lines {
            let current = (*section, group.as_str());
            if previous.is_some_and(|p| p != current) {
                out.push('\n');
            }
            previous = Some(current);
            out.push_str(text);
            out.push('\n');
        }
        out
    }
}

/// `text  # note`, or `text` alone when there is no note.
fn noted(text: String, note: &str) -> String {
    if note.is_empty() {
        text
    } else {
        format!("{text}  # {note}")
    }
}

fn crate_root(lines: &mut Lines, api: &Api) {
    lines.push(ROOT, "", 0, "", format!("crate {}  # package {}", api.library, api.package));
    for module in ["errors", "operations", "types"] {
        lines.push(ROOT, "", 1, module, format!("mod {module}"));
    }
    lines.push(ROOT, "", 1, "mock", "mod mock  # the `mock` feature: typed test doubles, an expectation per operation".to_string());
    lines.push(ROOT, "", 1, "runtime", "mod runtime  # the hand-written runtime, the same in every crate".to_string());
    let reexports = [
        ("BuildError", "runtime::error::BuildError"),
        ("CredentialsProblem", "runtime::error::CredentialsProblem"),
        ("Error", "runtime::error::Error"),
        ("PaginationProblem", "runtime::error::PaginationProblem"),
        ("RequestProblem", "runtime::error::RequestProblem"),
        ("Response", "runtime::response::Response"),
        ("RetryPolicy", "runtime::retry::RetryPolicy"),
        ("Secret", "runtime::secret::Secret"),
        ("ValidationError", "runtime::validate::ValidationError"),
    ];
    for (name, path) in reexports {
        lines.push(ROOT, "", 2, name, format!("use {path}"));
    }
    if api.uses_sigv4() {
        lines.push(ROOT, "", 2, "aws_credential_types", "use aws_credential_types  # the AWS SDK's credentials crate".to_string());
    }
}

/// `Client` and `ClientBuilder`, as `emit::client` writes them.
fn client(lines: &mut Lines, api: &Api) {
    let mut client = |name: &str, signature: &str| {
        lines.push(CLIENT, "Client", 0, name, format!("client Client::{name}{signature}"));
    };
    client("builder", "() -> ClientBuilder");
    client("base_url", "() -> &str");

    let mut setters: Vec<(&str, String, String)> = vec![
        ("base_url", "(impl Into<String>)".into(), String::new()),
        ("timeout", "(Duration)".into(), String::new()),
        ("connect_timeout", "(Duration)".into(), String::new()),
        ("operation_timeout", "(Duration)".into(), String::new()),
        ("retry", "(RetryPolicy)".into(), String::new()),
        ("http_client", "(reqwest::Client)".into(), String::new()),
        ("user_agent", "(impl Into<String>)".into(), String::new()),
        ("build", "() -> Result<Client, BuildError>".into(), String::new()),
    ];
    // Only the first server's variables get setters.
    for variable in api.servers.first().map(|s| s.variables.as_slice()).unwrap_or_default() {
        let mut note = format!("server variable `{}`, default `{}`", variable.wire_name, variable.default);
        if !variable.allowed.is_empty() {
            note.push_str(&format!(", one of {}", variable.allowed.join(" | ")));
        }
        setters.push((&variable.rust_name, "(impl Into<String>)".into(), note));
    }
    let auth_setters: Vec<_> = api.schemes.iter().flat_map(|s| s.setters()).collect();
    for setter in &auth_setters {
        setters.push((&setter.name, setter.signature.into(), setter.note.clone()));
    }
    for (name, signature, note) in setters {
        lines.push(CLIENT, "ClientBuilder", 0, name, noted(format!("builder ClientBuilder::{name}{signature}"), &note));
    }
}

/// Ranks within an operation's group.
const METHOD: u8 = 0;
const SETTER: u8 = 1;
const SEND: u8 = 2;
const STREAM: u8 = 3;
const RESPONSE: u8 = 4;
const ERROR: u8 = 5;

/// The client method, the request builder's public methods, and the operation's success
/// and error enums, as `emit::operations` writes them.
fn operation(lines: &mut Lines, api: &Api, op: &Operation) {
    let group = op.type_name.as_str();
    let builder = format!("operations::{}", op.type_name);
    let error = format!("errors::{}Error", op.type_name);

    let mut note = format!("{} {}", op.http_method.as_str(), op.path_template);
    if op.deprecated {
        note.push_str(", deprecated");
    }
    let method = format!("method Client::{}() -> {builder}", op.method_name);
    lines.push(OPERATIONS, group, METHOD, &op.method_name, noted(method, &note));

    let mut setter = |name: &str, input: String, note: String| {
        lines.push(OPERATIONS, group, SETTER, name, noted(format!("op {builder}::{name}({input})"), &note));
    };
    for p in op.params.iter().filter(|p| p.constant.is_none()) {
        let place = match p.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        };
        setter(&p.rust_name, setter_input(api, &p.ty), format!("{place}, {}", requirement(p.required)));
    }
    if let Some(body) = &op.body {
        if body.ty == TypeRef::Unit {
            // An AWS JSON operation without input: `{}` goes out, and there is nothing to set.
        } else {
            setter("body", format!("impl Into<{}>", rust_type(api, &body.ty)), format!("body, {}", requirement(body.required)));
            let fields = struct_of(api, &body.ty).map(|s| s.fields.as_slice()).unwrap_or_default();
            for property in &body.properties {
                let required = fields.iter().any(|f| f.wire_name == property.wire_name && f.required);
                setter(&property.rust_name, setter_input(api, &property.ty), format!("body property, {}", requirement(required)));
            }
        }
    }

    let (success, variants) = success_type(api, op);
    let send = format!("op {builder}::send().await -> Result<Response<{success}>, Error<{error}>>");
    lines.push(OPERATIONS, group, SEND, "send", send);
    if variants.is_none() {
        if let Some((item, note)) = stream_item(api, op) {
            let stream = format!("op {builder}::stream() -> impl Stream<Item = Result<{item}, Error<{error}>>> + Send + Unpin + 'static");
            lines.push(OPERATIONS, group, STREAM, "stream", noted(stream, note));
        }
    }
    if let Some(events) = &op.responses.events {
        let item = rust_type(api, &events.item);
        let line = format!("op {builder}::send_events().await -> Result<Response<runtime::stream::Events<{item}, {error}>>, Error<{error}>>");
        lines.push(OPERATIONS, group, STREAM, "send_events", noted(line, &format!("`{}`", events.media_type)));
    }
    for (variant, body, status) in variants.unwrap_or_default() {
        lines.push(OPERATIONS, group, RESPONSE, &variant, noted(format!("response {success}::{variant}{body}"), &status));
    }

    if op.responses.errors.is_empty() {
        lines.push(OPERATIONS, group, ERROR, "", format!("error {error}  # no documented errors"));
    }
    for case in &op.responses.errors {
        let how = match &case.code {
            Some(code) => format!("code `{code}`"),
            None => status_text(case.status),
        };
        let body = payload(api, &case.body);
        lines.push(OPERATIONS, group, ERROR, &case.variant, noted(format!("error {error}::{}{body}", case.variant), &how));
    }
}

fn requirement(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

/// A setter's argument: arrays take any iterable of things that convert into their items.
fn setter_input(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Vec(item) => format!("impl IntoIterator<Item = impl Into<{}>>", rust_type(api, item)),
        ty => format!("impl Into<{}>", rust_type(api, ty)),
    }
}

/// The `T` of `Response<T>`, and the variants `(name, payload, status)` when several
/// successes carry different bodies and `T` is the operation's own enum.
#[allow(clippy::type_complexity)]
fn success_type(api: &Api, op: &Operation) -> (String, Option<Vec<(String, String, String)>>) {
    let cases = &op.responses.success;
    let first = cases.first().map(|c| c.body.ty());
    if cases.iter().all(|c| Some(c.body.ty()) == first) {
        let ty = first.flatten().map(|ty| rust_type(api, ty)).unwrap_or_else(|| "()".to_string());
        return (ty, None);
    }
    let variants = cases
        .iter()
        .map(|case| (case.variant.clone(), payload(api, &case.body), status_text(case.status)))
        .collect();
    (format!("operations::{}Response", op.type_name), Some(variants))
}

/// `(T)` for a variant that carries a body, nothing for one that does not.
fn payload(api: &Api, body: &BodyDecoding) -> String {
    body.ty().map(|ty| format!("({})", rust_type(api, ty))).unwrap_or_default()
}

fn status_text(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(range) => format!("{range}XX"),
        StatusMatch::Default => "any other status".to_string(),
    }
}

/// The item type of `stream()`, and how pages are walked; `None` when the emitter writes
/// no `stream()` (no `x-pagination`, or a page that lacks the fields it names).
fn stream_item(api: &Api, op: &Operation) -> Option<(String, &'static str)> {
    let pagination = op.pagination.as_ref()?;
    let TypeRef::Named(id) = op.responses.success.iter().find_map(|s| s.body.ty())? else { return None };
    let TypeKind::Struct(page) = &api.types[id.0].kind else { return None };
    let has = |rust_name: &str| page.fields.iter().any(|f| f.rust_name == rust_name);
    match pagination {
        Pagination::Token { input, output_field, items_field, item_ty } => {
            if let PageInput::BodyProperty(rust_name) = input {
                op.body.iter().flat_map(|b| &b.properties).find(|p| &p.rust_name == rust_name)?;
            }
            (has(items_field) && has(output_field)).then(|| (rust_type(api, item_ty), "pages by token"))
        }
        Pagination::Offset { items_field, item_ty, total_field, .. } => {
            let total_ok = total_field.as_deref().is_none_or(has);
            (has(items_field) && total_ok).then(|| (rust_type(api, item_ty), "pages by offset"))
        }
    }
}

/// Ranks within a type's group.
const HEADER: u8 = 0;
const MEMBER: u8 = 1;

/// One named schema, as `emit::types` writes it.
fn type_def(lines: &mut Lines, api: &Api, def: &TypeDef) {
    let name = format!("types::{}", def.name);
    let group = def.name.as_str();
    if let Some(generated) = def.alias_of {
        let note = "identical schemas: one type";
        lines.push(TYPES, group, HEADER, "", noted(format!("type {name} = types::{}", api.types[generated.0].name), note));
        return;
    }
    match &def.kind {
        TypeKind::Opaque => lines.push(TYPES, group, HEADER, "", format!("type {name} = serde_json::Value")),
        TypeKind::Struct(s) => {
            // Structs whose fields may all be left out derive `Default`.
            let default = if s.fields.iter().all(|f| f.is_optional()) { ": Default" } else { "" };
            lines.push(TYPES, group, HEADER, "", format!("struct {name}{default}"));
            for field in &s.fields {
                let mut ty = rust_type(api, &field.ty);
                if field.boxed {
                    ty = format!("Box<{ty}>");
                }
                if field.is_optional() {
                    ty = format!("Option<{ty}>");
                }
                let note = match (field.required, field.nullable) {
                    (true, true) => "required, nullable",
                    _ => "",
                };
                lines.push(TYPES, group, MEMBER, &field.rust_name, noted(format!("field {name}.{}: {ty}", field.rust_name), note));
            }
            if let Some(value) = &s.additional {
                let text = format!("field {name}.additional_properties: BTreeMap<String, {}>", rust_type(api, value));
                lines.push(TYPES, group, MEMBER, "additional_properties", noted(text, "flattened"));
            }
        }
        TypeKind::Enum(variants) => {
            lines.push(TYPES, group, HEADER, "", format!("enum {name}"));
            for v in variants {
                lines.push(TYPES, group, MEMBER, &v.rust_name, format!("variant {name}::{}  # {:?}", v.rust_name, v.wire));
            }
            lines.push(TYPES, group, MEMBER, "Unknown", format!("variant {name}::Unknown(String)  # any other value"));
        }
        TypeKind::Union(union) => {
            let note = match &union.tag {
                Some(tag) => format!("tagged by {tag:?}"),
                None => "untagged: variants tried in this order".to_string(),
            };
            lines.push(TYPES, group, HEADER, "", format!("union {name}  # {note}"));
            for (index, v) in union.variants.iter().enumerate() {
                let mut ty = rust_type(api, &v.ty);
                if v.boxed {
                    ty = format!("Box<{ty}>");
                }
                let text = format!("variant {name}::{}({ty})", v.rust_name);
                let note = match (&union.tag, &v.tag_value) {
                    (Some(_), Some(value)) => format!("{value:?}"),
                    (Some(_), None) => format!("{:?}", v.rust_name),
                    (None, _) => String::new(),
                };
                // Untagged, the first variant that deserializes wins: the order is behaviour.
                let member = if union.tag.is_some() { v.rust_name.clone() } else { format!("{index:04}") };
                lines.push(TYPES, group, MEMBER, &member, noted(text, &note));
            }
        }
    }
}

fn struct_of<'a>(api: &'a Api, ty: &TypeRef) -> Option<&'a Struct> {
    match ty {
        TypeRef::Named(id) => match &api.types[id.0].kind {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// A type as a user spells it, with the crate's modules in scope.
fn rust_type(api: &Api, ty: &TypeRef) -> String {
    ty.rust_text(&|id| format!("types::{}", api.types[id.0].name))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Settings;

    /// How often each line occurs.
    fn counts(api: &Api) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for line in render(api).lines().filter(|l| !l.is_empty()) {
            *counts.entry(line.to_string()).or_insert(0) += 1;
        }
        counts
    }

    fn surface_of(fixture: &str) -> String {
        let api = lower(fixture);
        render(&api)
    }

    fn lower(fixture: &str) -> Api {
        let text = match fixture {
            "pagination" => include_str!("../tests/fixtures/constructs/pagination.yaml"),
            "multi_success" => include_str!("../tests/fixtures/constructs/multi_success.yaml"),
            "params" => include_str!("../tests/fixtures/constructs/params.yaml"),
            "one_of" => include_str!("../tests/fixtures/constructs/one_of.yaml"),
            other => panic!("no fixture {other}"),
        };
        match crate::lower_spec(text, &format!("{fixture}.yaml"), &Settings::new(fixture.replace('_', "-"))) {
            Ok(api) => api,
            Err(diagnostics) => panic!("{fixture} should lower, but:\n{diagnostics}"),
        }
    }

    #[test]
    fn paginated_operations_stream_and_setters_are_listed() {
        let surface = surface_of("pagination");
        for expected in [
            "method Client::list_widgets() -> operations::ListWidgets  # GET /widgets",
            "op operations::ListWidgets::limit(impl Into<i64>)  # query, optional",
            "op operations::ListWidgets::send().await -> Result<Response<types::WidgetPage>, Error<errors::ListWidgetsError>>",
            "op operations::ListWidgets::stream() -> impl Stream<Item = Result<types::Widget, Error<errors::ListWidgetsError>>> + Send + Unpin + 'static  # pages by offset",
            "op operations::ListEvents::stream() -> impl Stream<Item = Result<String, Error<errors::ListEventsError>>> + Send + Unpin + 'static  # pages by token",
            "op operations::SearchThings::next_token(impl Into<String>)  # body property, optional",
            "error errors::ListWidgetsError  # no documented errors",
            "struct types::Widget: Default",
            "field types::Widget.id: Option<String>",
            "struct types::WidgetPage",
            "field types::WidgetPage.items: Vec<types::Widget>",
            "builder ClientBuilder::build() -> Result<Client, BuildError>",
        ] {
            assert!(surface.lines().any(|line| line == expected), "missing `{expected}` in:\n{surface}");
        }
        // Every line is unique, and the listing does not depend on anything but the IR.
        assert!(counts(&lower("pagination")).values().all(|&n| n == 1), "{surface}");
        assert_eq!(surface, surface_of("pagination"));
    }

    #[test]
    fn several_success_bodies_make_an_enum_and_no_stream() {
        let surface = surface_of("multi_success");
        let send = "op operations::SubmitJob::send().await -> Result<Response<operations::SubmitJobResponse>, Error<errors::SubmitJobError>>";
        assert!(surface.contains(send), "{surface}");
        assert!(surface.contains("response operations::SubmitJobResponse::NoContent  # 204"), "{surface}");
        // The same body under two statuses is not an enum.
        assert!(surface.contains("op operations::GetJob::send().await -> Result<Response<types::JobResult>, Error<errors::GetJobError>>"), "{surface}");
        assert!(!surface.contains("::stream()"), "{surface}");
    }

    #[test]
    fn groups_are_sorted_and_separated() {
        let surface = surface_of("pagination");
        let groups: Vec<&str> = surface.split("\n\n").collect();
        assert!(groups[0].starts_with("crate pagination_client"), "{surface}");
        let method_lines: Vec<&str> = surface.lines().filter(|l| l.starts_with("method ")).collect();
        let mut sorted = method_lines.clone();
        sorted.sort_by_key(|l| l.split("-> ").nth(1).map(str::to_string));
        assert_eq!(method_lines, sorted);
        // Within a builder: setters by name, then `send`, then `stream`.
        let widgets: Vec<&str> = surface.lines().filter(|l| l.starts_with("op operations::ListWidgets::")).collect();
        let names: Vec<&str> = widgets.iter().map(|l| l["op operations::ListWidgets::".len()..].split('(').next().unwrap_or("")).collect();
        assert_eq!(names, ["limit", "offset", "send", "stream"]);
    }

    #[test]
    fn parameter_setters_mirror_the_emitter() {
        let surface = surface_of("params");
        for expected in [
            "op operations::GetKey::fields(impl IntoIterator<Item = impl Into<String>>)  # query, optional",
            "op operations::GetKey::since(impl Into<DateTime<Utc>>)  # query, optional",
            "op operations::GetKey::user_id(impl Into<String>)  # path, required",
        ] {
            assert!(surface.lines().any(|line| line == expected), "missing `{expected}` in:\n{surface}");
        }
        // A single-value enum header is sent on every call and has no setter.
        assert!(!surface.contains("::ld_api_version("), "{surface}");
    }

    #[test]
    fn untagged_unions_keep_their_order_and_tagged_ones_sort() {
        let surface = surface_of("one_of");
        let variants = |union: &str| -> Vec<String> {
            let prefix = format!("variant types::{union}::");
            surface.lines().filter_map(|l| l.strip_prefix(&prefix)).map(|l| l.split('(').next().unwrap_or("").to_string()).collect()
        };
        let mixed = variants("Mixed");
        assert_eq!(mixed.first().map(String::as_str), Some("String"), "{surface}");
        assert_eq!(mixed.len(), 5, "{surface}");
        assert!(surface.contains("union types::Mixed  # untagged: variants tried in this order"), "{surface}");
        assert!(surface.contains("union types::Shape  # tagged by \"kind\""), "{surface}");
        assert!(surface.contains("variant types::Shape::Circle(types::Circle)  # \"circle\""), "{surface}");
        let pets = variants("Pet");
        let mut sorted = pets.clone();
        sorted.sort();
        assert_eq!(pets, sorted);
    }
}
