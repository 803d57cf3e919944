//! The spec → the IR. After this step nothing downstream looks at OpenAPI again.

mod customize;
mod derives;
mod features;
mod merge;
mod operation;
mod prune;
pub(crate) mod refs;
pub mod schema;
mod security;
mod shared;

use std::collections::HashMap;

use openapiv3::ReferenceOr;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, CrateMeta, HttpMethod, SchemeKind, Server, ServerVariable, SHARED_PARAMS};
use crate::load::Document;
use crate::naming::{camel, snake, Scope};
use crate::source_map::escape_token;
use crate::Settings;

use customize::Custom;
use operation::{OperationContext, Site};
use schema::TypeSpace;

/// [`lower`], and then what only the generated code needs: types that come out identical
/// become one (`diff` correlates two revisions' types by name, and compares them unmerged).
pub fn lower_for_code(doc: &Document, settings: &Settings, lenient: bool) -> Result<(Api, Vec<Diagnostic>), Diagnostics> {
    let (mut api, problems) = lower(doc, settings, lenient)?;
    merge::identical_types(&mut api);
    Ok((api, problems))
}

/// The API, and what was left out of it: with `lenient`, an operation or schema the
/// generator cannot express is skipped (operations) or kept as JSON (schemas) and reported,
/// and the rest is generated; without it, any problem refuses the whole spec.
///
/// A problem in the settings refuses the spec either way: they are the caller's own file.
pub fn lower(doc: &Document, settings: &Settings, lenient: bool) -> Result<(Api, Vec<Diagnostic>), Diagnostics> {
    // What reading a 3.1 document changed or left out, as warnings.
    let mut problems = doc.notes.clone();
    let custom = Custom::new(settings);
    let mut settings_problems = settings.warnings().to_vec();
    settings_problems.extend(custom.problems.iter().cloned());
    settings_problems.extend(filter_problems(doc, settings));
    settings_problems.extend(customize::rename_clashes(doc, settings));
    // Auth setters are named first, so that a server variable never takes one's name.
    let mut builder_scope = Scope::with_reserved(CLIENT_BUILDER_METHODS);
    let schemes = security::Schemes::lower(doc, &mut builder_scope, &mut problems);
    let default_security = schemes.default_security(doc, &mut problems);
    let servers = lower_servers(doc, &builder_scope);
    let sigv4 = schemes.schemes.iter().any(|s| matches!(s.kind, SchemeKind::SigV4 { .. }));

    let mut types = TypeSpace::new(doc, &custom);
    if let Err(d) = types.declare_components(lenient, &mut problems) {
        problems.push(d);
    }
    let mut operations = Vec::new();
    let mut method_scope = Scope::with_reserved(&["builder", "base_url"]);
    let mut type_scope = Scope::with_reserved(&["Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "Self", "Client", "ClientBuilder", SHARED_PARAMS]);
    // Method names from the settings are kept for the operations they are given to.
    for name in custom.operation_name_targets() {
        method_scope.claim(name);
        type_scope.claim(&camel(name));
    }
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
            if !settings.operations.keeps(&operation::operation_id(op, &site), path, &op.tags) {
                continue;
            }
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
        let mut errors: Vec<Diagnostic> = settings_problems.into_iter().filter(Diagnostic::is_error).collect();
        errors.extend(problems.into_iter().filter(Diagnostic::is_error));
        return Err(Diagnostics(errors));
    }
    types.break_cycles();
    types.mark_validated();
    let info = &doc.api.info;
    let package = settings.package();
    let mut api = Api {
        library: match &settings.krate.name {
            Some(name) => name.replace('-', "_"),
            None => format!("{}_client", snake(&settings.stem)),
        },
        package,
        krate: crate_meta(settings, &info.title, &info.version),
        client: settings.client.clone(),
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        servers,
        schemes: schemes.schemes,
        security: default_security,
        operations,
        shared_params: Vec::new(),
        types: types.into_types(),
        features: Vec::new(),
    };
    if !settings.operations.is_empty() {
        prune::unreached_types(&mut api);
    }
    derives::assign(&mut api, &custom, &mut settings_problems);
    settings_problems.extend(custom.unmatched());
    // In the order of the settings file.
    settings_problems.sort_by_key(|d| (d.line, d.column));
    if settings_problems.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(settings_problems.into_iter().filter(Diagnostic::is_error).collect()));
    }
    problems.extend(settings_problems);
    features::assign(&mut api);
    shared::assign(&mut api);
    Ok((api, problems))
}

/// The generated crate's `[package]`: the settings' `[crate]`, else the defaults.
fn crate_meta(settings: &Settings, title: &str, version: &str) -> CrateMeta {
    let k = &settings.krate;
    CrateMeta {
        version: k.version.as_ref().map_or_else(|| "0.1.0".to_string(), ToString::to_string),
        description: k
            .description
            .clone()
            .unwrap_or_else(|| format!("Typed async client for {title} {version}, generated from its OpenAPI description")),
        license: k.license.clone().unwrap_or_else(|| "MIT OR Apache-2.0".to_string()),
        repository: k.repository.clone(),
        keywords: k.keywords.clone(),
        edition: k.edition.clone().unwrap_or_else(|| "2021".to_string()),
        rust_version: k.rust_version.clone().unwrap_or_else(|| "1.85".to_string()),
        publish: k.publish,
        dependencies: settings.dependencies.iter().map(|(name, d)| (name.clone(), d.toml_value())).collect(),
    }
}

/// `[operations]` entries that select nothing in the spec (warnings: a filter may name a tag
/// that a later version of the spec adds), and a filter that leaves no operation (an error).
fn filter_problems(doc: &Document, settings: &Settings) -> Vec<Diagnostic> {
    let filter = &settings.operations;
    if filter.is_empty() {
        return Vec::new();
    }
    let mut operations = Vec::new();
    for (path, item) in &doc.api.paths.paths {
        if let ReferenceOr::Item(item) = item {
            for (_, method, op) in methods(item) {
                let site = Site { path, method, pointer: String::new(), path_params: &[] };
                operations.push((operation::operation_id(op, &site), path.as_str(), &op.tags));
            }
        }
    }
    let mut problems = Vec::new();
    for (key, selector) in [("include", &filter.include), ("exclude", &filter.exclude)] {
        let Some(selector) = selector else { continue };
        let mut unmatched = |list: &str, i: usize, message: String| {
            problems.push(settings.warning(&format!("#/operations/{key}/{list}/{i}"), message));
        };
        for (i, tag) in selector.tags.iter().enumerate() {
            if !operations.iter().any(|(_, _, tags)| tags.contains(tag)) {
                unmatched("tags", i, format!("no operation of the spec has the tag `{tag}`"));
            }
        }
        for (i, prefix) in selector.paths.iter().enumerate() {
            if !operations.iter().any(|(_, path, _)| path.starts_with(prefix.as_str())) {
                unmatched("paths", i, format!("no path of the spec starts with `{prefix}`"));
            }
        }
        for (i, id) in selector.ids.iter().enumerate() {
            if !operations.iter().any(|(op_id, _, _)| op_id == id) {
                unmatched("ids", i, format!("no operation of the spec has the operationId `{id}`"));
            }
        }
    }
    if !operations.is_empty() && !operations.iter().any(|(id, path, tags)| filter.keeps(id, path, tags)) {
        problems.push(settings.error("#/operations", "these filters leave no operation of the spec"));
    }
    problems
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
