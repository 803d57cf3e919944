//! The spec → the IR. After this step nothing downstream looks at OpenAPI again.

mod features;
mod operation;
mod refs;
pub mod schema;
mod security;

use std::collections::HashMap;

use openapiv3::ReferenceOr;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, HttpMethod, SchemeKind, Server, ServerVariable};
use crate::load::Document;
use crate::naming::{snake, Scope};
use crate::source_map::escape_token;
use crate::Settings;

use operation::{OperationContext, Site};
use schema::TypeSpace;

/// The API, and what was left out of it: with `lenient`, an operation or schema the
/// generator cannot express is skipped (operations) or kept as JSON (schemas) and reported,
/// and the rest is generated; without it, any problem refuses the whole spec.
pub fn lower(doc: &Document, settings: &Settings, lenient: bool) -> Result<(Api, Vec<Diagnostic>), Diagnostics> {
    // What reading a 3.1 document changed or left out, as warnings.
    let mut problems = doc.notes.clone();
    // Auth setters are named first, so that a server variable never takes one's name.
    let mut builder_scope = Scope::with_reserved(CLIENT_BUILDER_METHODS);
    let schemes = security::Schemes::lower(doc, &mut builder_scope, &mut problems);
    let default_security = schemes.default_security(doc, &mut problems);
    let servers = lower_servers(doc, &builder_scope);
    let sigv4 = schemes.schemes.iter().any(|s| matches!(s.kind, SchemeKind::SigV4 { .. }));

    let mut types = TypeSpace::new(doc);
    if let Err(d) = types.declare_components(lenient, &mut problems) {
        problems.push(d);
    }
    let mut operations = Vec::new();
    let mut method_scope = Scope::with_reserved(&["builder", "base_url"]);
    let mut type_scope = Scope::with_reserved(&["Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "Self", "Client", "ClientBuilder"]);
    let mut seen_ids: HashMap<String, String> = HashMap::new();
    // What lowering an operation worked around; kept apart from `problems` while the
    // operation context borrows it.
    let mut warnings = Vec::new();
    for (path, item) in &doc.api.paths.paths {
        let item_pointer = format!("#/paths/{}", escape_token(path));
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                problems.push(doc.locator().error(&item_pointer, "path items given by `$ref` are not supported; write the path item in place"));
                continue;
            }
        };
        for (method_key, method, op) in methods(item) {
            let pointer = format!("{item_pointer}/{method_key}");
            if let Some(id) = &op.operation_id {
                if let Some(first) = seen_ids.insert(id.clone(), pointer.clone()) {
                    problems.push(doc.locator().error(
                        &format!("{pointer}/operationId"),
                        format!("operationId `{id}` is already used at {first}; every operationId must be unique"),
                    ));
                    continue;
                }
            }
            let site = Site { path, method, pointer, path_params: &item.parameters };
            let mut context = OperationContext { doc, types: &mut types, sigv4, warnings: &mut warnings };
            match context.lower(&site, op, &mut method_scope, &mut type_scope) {
                Ok(mut operation) => {
                    operation.security =
                        schemes.operation_security(doc, op.security.as_ref(), &site.pointer, &default_security, &mut problems);
                    operations.push(operation);
                }
                Err(d) => problems.push(d),
            }
        }
    }
    problems.append(&mut warnings);
    if !lenient && problems.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(problems.into_iter().filter(Diagnostic::is_error).collect()));
    }
    types.break_cycles();
    types.mark_validated();
    let info = &doc.api.info;
    let mut api = Api {
        package: format!("{}-client", settings.stem),
        library: format!("{}_client", snake(&settings.stem)),
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        servers,
        schemes: schemes.schemes,
        security: default_security,
        operations,
        types: types.into_types(),
        features: Vec::new(),
    };
    features::assign(&mut api);
    Ok((api, problems))
}

fn methods(item: &openapiv3::PathItem) -> impl Iterator<Item = (&'static str, HttpMethod, &openapiv3::Operation)> {
    [
        ("get", HttpMethod::Get, &item.get),
        ("put", HttpMethod::Put, &item.put),
        ("post", HttpMethod::Post, &item.post),
        ("delete", HttpMethod::Delete, &item.delete),
        ("options", HttpMethod::Options, &item.options),
        ("head", HttpMethod::Head, &item.head),
        ("patch", HttpMethod::Patch, &item.patch),
        ("trace", HttpMethod::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(key, method, op)| op.as_ref().map(|op| (key, method, op)))
}

/// Methods of the generated `ClientBuilder` that neither an auth setter nor a server
/// variable may take.
const CLIENT_BUILDER_METHODS: &[&str] = &[
    "base_url", "timeout", "connect_timeout", "operation_timeout", "retry", "http_client", "user_agent", "build", "default",
];

/// `scope` holds the builder's own methods and its auth setters.
fn lower_servers(doc: &Document, scope: &Scope) -> Vec<Server> {
    doc.api
        .servers
        .iter()
        .map(|server| {
            let mut scope = scope.clone();
            Server {
            url: server.url.clone(),
            description: server.description.clone(),
            variables: server
                .variables
                .iter()
                .flatten()
                .map(|(name, variable)| ServerVariable {
                    wire_name: name.clone(),
                    rust_name: scope.claim(&snake(name)),
                    default: variable.default.clone(),
                    allowed: variable.enumeration.clone(),
                    description: variable.description.clone(),
                })
                .collect(),
        }
        })
        .collect()
}
