//! OpenAPI 3.1 documents, read into the 3.0 model the rest of the generator lowers.
//!
//! 3.1's differences that matter to a client generator are almost all in its schemas (JSON
//! Schema 2020-12 instead of 3.0's dialect) plus a few document-level additions. Rather than
//! a second model and a second lowering, each 3.1 construct is rewritten, in place in the
//! document's JSON, into the 3.0 construct that means the same to a client: `type: [T,
//! "null"]` is `type: T, nullable: true`, `const` a one-value `enum`, numeric
//! `exclusiveMinimum` 3.0's `minimum` with the boolean, and so on. Every node keeps its JSON
//! pointer (a `$ref` with siblings becomes a one-member `allOf` beside them, whose members'
//! pointers fall back to their parent's line), so diagnostics still point into the 3.1 text.
//! What has no 3.0 equivalent a client could use (`if`/`then`/`else`, `not`, `prefixItems`,
//! webhooks) becomes untyped JSON or is left out, with a located warning.
//!
//! Only positions that hold schemas are rewritten: a property named `const` or `type` is a
//! name, not a keyword.

use serde_json::{json, Map, Value};

use crate::diagnostics::Diagnostic;
use crate::load::Locator;
use crate::source_map::escape_token;

/// The dialect 3.1 documents use unless they say otherwise.
const DEFAULT_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Rewrites a 3.1 document into 3.0 form; the warnings say what could not be kept.
pub fn downgrade(doc: &mut Value, locator: &Locator) -> Result<Vec<Diagnostic>, Diagnostic> {
    let mut rewrite = Rewrite { locator, warnings: Vec::new() };
    let Some(root) = doc.as_object_mut() else { return Ok(Vec::new()) };
    if let Some(dialect) = root.get("jsonSchemaDialect").and_then(Value::as_str) {
        if dialect != DEFAULT_DIALECT && dialect != "https://json-schema.org/draft/2020-12/schema" {
            return Err(locator.error(
                "#/jsonSchemaDialect",
                format!("schemas in the `{dialect}` dialect are not supported; this generator reads the OpenAPI 3.1 base dialect (JSON Schema 2020-12)"),
            ));
        }
    }
    root.remove("jsonSchemaDialect");
    root.insert("openapi".into(), "3.0.3".into());
    if root.remove("webhooks").is_some_and(|w| w.as_object().is_some_and(|m| !m.is_empty())) {
        rewrite.warn("#/webhooks", "webhooks are requests the API sends, not ones a client makes: left out");
    }
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    rewrite.path_items(root);
    rewrite.security_schemes(root);
    responses_optional(root);
    // Everything else: find the schemas wherever the document holds them.
    for (key, value) in root.iter_mut() {
        rewrite.document_node(value, &format!("#/{}", escape_token(key)), key == "components");
    }
    Ok(rewrite.warnings)
}

/// 3.1 lets an operation leave out `responses`; 3.0 requires them. Left out, they say
/// nothing: any status, any body.
fn responses_optional(root: &mut Map<String, Value>) {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(method) {
                op.entry("responses").or_insert_with(|| json!({ "default": { "description": "Not documented." } }));
            }
        }
    }
}

struct Rewrite<'a> {
    locator: &'a Locator,
    warnings: Vec<Diagnostic>,
}

impl Rewrite<'_> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(self.locator.warning(pointer, message));
    }

    /// `components/pathItems` and path items given by `$ref` to them: 3.0 has neither, so
    /// each reference is replaced by the item it names.
    fn path_items(&mut self, root: &mut Map<String, Value>) {
        let items = root.get_mut("components").and_then(Value::as_object_mut).and_then(|c| c.remove("pathItems"));
        let Some(Value::Object(items)) = items else { return };
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                let Some(reference) = item.get("$ref").and_then(Value::as_str) else { continue };
                let name = reference.strip_prefix("#/components/pathItems/").map(|n| n.replace("~1", "/").replace("~0", "~"));
                match name.and_then(|n| items.get(&n)) {
                    Some(target) => *item = target.clone(),
                    None => self.warn(&format!("#/paths/{}", escape_token(path)), format!("`{reference}` is not a path item under `components/pathItems`")),
                }
            }
        }
    }

    /// `mutualTLS` schemes are configured on the TLS connection, not sent: 3.0 cannot say
    /// them, and the client's own `reqwest::Client` is where a certificate goes. Each stays
    /// declared (as an HTTP scheme the client does not send), so that requirements naming it
    /// still resolve and are skipped like any scheme the client cannot send.
    fn security_schemes(&mut self, root: &mut Map<String, Value>) {
        let schemes = root.get_mut("components").and_then(|c| c.get_mut("securitySchemes")).and_then(Value::as_object_mut);
        let Some(schemes) = schemes else { return };
        let mutual: Vec<String> = schemes.iter().filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS")).map(|(n, _)| n.clone()).collect();
        for name in mutual {
            schemes.insert(name.clone(), json!({ "type": "http", "scheme": "mutual-tls" }));
            self.warn(
                &format!("#/components/securitySchemes/{}", escape_token(&name)),
                "a `mutualTLS` scheme is set up on the connection: give the client a `reqwest::Client` with the certificate",
            );
        }
    }

    /// Walks the parts of the document that are not schemas, rewriting each schema found:
    /// under `components/schemas` and at every `schema` key (parameters, headers, media types).
    fn document_node(&mut self, value: &mut Value, pointer: &str, in_components: bool) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let at = format!("{pointer}/{}", escape_token(key));
                    if key == "schema" {
                        self.schema(child, &at);
                    } else if in_components && pointer == "#/components" && key == "schemas" {
                        if let Value::Object(schemas) = child {
                            for (name, schema) in schemas.iter_mut() {
                                self.schema(schema, &format!("{at}/{}", escape_token(name)));
                            }
                        }
                    } else if !key.starts_with("x-") {
                        self.document_node(child, &at, in_components);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.document_node(item, &format!("{pointer}/{i}"), in_components);
                }
            }
            _ => {}
        }
    }

    /// Rewrites one schema and the schemas inside it.
    fn schema(&mut self, value: &mut Value, pointer: &str) {
        let Value::Object(schema) = value else {
            // `true` accepts anything, `false` nothing: neither has a type a client can use.
            if value.is_boolean() {
                *value = json!({});
            }
            return;
        };
        // Azure's OpenAI spec writes `description: {$ref: ...}`: prose must be text.
        for key in ["description", "title"] {
            if schema.get(key).is_some_and(|v| !v.is_string()) {
                schema.remove(key);
                self.warn(&format!("{pointer}/{key}"), format!("`{key}` is not text: left out"));
            }
        }
        // Unions lose their `null` members before those members are rewritten themselves.
        self.types(schema);
        self.nested(schema, pointer);
        if let Some(constant) = schema.remove("const") {
            schema.entry("enum").or_insert_with(|| json!([constant]));
        }
        if let Some(Value::Array(examples)) = schema.remove("examples") {
            if let Some(first) = examples.into_iter().next() {
                schema.entry("example").or_insert(first);
            }
        }
        for (exclusive, inclusive) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(bound) = schema.get(exclusive).filter(|b| b.is_number()).cloned() {
                schema.insert(inclusive.into(), bound);
                schema.insert(exclusive.into(), true.into());
            }
        }
        match schema.remove("contentEncoding").as_ref().and_then(Value::as_str) {
            Some("base64") | Some("base64url") => {
                schema.insert("format".into(), "byte".into());
            }
            _ => {}
        }
        if let Some(media) = schema.remove("contentMediaType") {
            let json_text = media.as_str().is_some_and(|m| m.contains("json") || m.starts_with("text/"));
            if !json_text && !schema.contains_key("format") {
                schema.insert("format".into(), "binary".into());
            }
        }
        if let Some(Value::Object(patterns)) = schema.remove("patternProperties") {
            // A map keyed by a pattern: a map of its values, when nothing else says what the
            // extra properties are.
            if let Some((_, values)) = patterns.into_iter().next() {
                schema.entry("additionalProperties").or_insert(values);
            }
        }
        if schema.get("unevaluatedProperties") == Some(&Value::Bool(false)) {
            schema.entry("additionalProperties").or_insert(false.into());
        }
        for dropped in ["unevaluatedProperties", "unevaluatedItems", "dependentRequired", "dependentSchemas", "$schema", "$id", "$anchor", "$comment", "contains", "minContains", "maxContains", "propertyNames"] {
            schema.remove(dropped);
        }
        if let Some(_tuple) = schema.remove("prefixItems") {
            if !schema.contains_key("items") {
                schema.insert("items".into(), json!({}));
            }
            self.warn(pointer, "`prefixItems` (a tuple) has no 3.0 form: its items are untyped JSON values");
        }
        let conditional: Vec<&str> = ["if", "then", "else", "not"].into_iter().filter(|k| schema.contains_key(*k)).collect();
        if !conditional.is_empty() {
            let keywords = conditional.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            self.warn(pointer, format!("{keywords} cannot be expressed as a Rust type: this schema is an untyped JSON value"));
            let description = schema.get("description").cloned();
            schema.clear();
            if let Some(description) = description {
                schema.insert("description".into(), description);
            }
            return;
        }
        self.reference_with_siblings(schema);
    }

    /// The schemas inside a schema.
    fn nested(&mut self, schema: &mut Map<String, Value>, pointer: &str) {
        for key in ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] {
            if let Some(Value::Object(members)) = schema.get_mut(key) {
                for (name, member) in members.iter_mut() {
                    self.schema(member, &format!("{pointer}/{key}/{}", escape_token(name)));
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(members)) = schema.get_mut(key) {
                for (i, member) in members.iter_mut().enumerate() {
                    self.schema(member, &format!("{pointer}/{key}/{i}"));
                }
            }
        }
        for key in ["items", "additionalProperties", "unevaluatedProperties", "contains", "propertyNames", "not", "if", "then", "else"] {
            if let Some(member) = schema.get_mut(key).filter(|m| m.is_object()) {
                self.schema(member, &format!("{pointer}/{key}"));
            }
        }
    }

    /// `type` arrays and `null` members of unions, into 3.0's `nullable`.
    fn types(&mut self, schema: &mut Map<String, Value>) {
        if let Some(Value::Array(types)) = schema.get("type").cloned() {
            let mut named: Vec<Value> = types.into_iter().filter(|t| t.as_str() != Some("null")).collect();
            let nullable = named.len() < schema["type"].as_array().map_or(0, Vec::len);
            schema.remove("type");
            match named.len() {
                0 => {}
                1 => {
                    schema.insert("type".into(), named.remove(0));
                }
                _ => {
                    // Several types: an untagged union of them, each member taking the
                    // keywords that apply to its type (`items` to the array, and so on).
                    let members: Vec<Value> = named.into_iter().map(|t| member_of_type(schema, t)).collect();
                    schema.insert("anyOf".into(), Value::Array(members));
                }
            }
            if nullable {
                schema.insert("nullable".into(), true.into());
            }
        } else if schema.get("type").and_then(Value::as_str) == Some("null") {
            schema.remove("type");
            schema.insert("nullable".into(), true.into());
        }
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = schema.get_mut(key) else { continue };
            let before = members.len();
            members.retain(|m| !is_null_schema(m));
            if members.len() == before {
                continue;
            }
            schema.insert("nullable".into(), true.into());
            // `anyOf: [{$ref: X}, {type: null}]`: X, nullable (a one-member `allOf` keeps
            // the reference and lets `nullable` stand beside it).
            if let Some(Value::Array(members)) = schema.get(key) {
                if members.len() == 1 {
                    let only = members[0].clone();
                    schema.remove(key);
                    schema.insert("allOf".into(), json!([only]));
                } else if members.is_empty() {
                    schema.remove(key);
                }
            }
        }
    }

    /// 3.0 ignores everything beside a `$ref`; 3.1 applies it. A description, a default or
    /// `nullable` beside a reference moves onto a one-member `allOf` holding the reference.
    fn reference_with_siblings(&mut self, schema: &mut Map<String, Value>) {
        if !schema.contains_key("$ref") || schema.len() == 1 {
            return;
        }
        let reference = schema.remove("$ref").unwrap_or_default();
        let all_of = schema.entry("allOf").or_insert_with(|| json!([]));
        if let Value::Array(members) = all_of {
            members.insert(0, json!({ "$ref": reference }));
        }
    }
}

/// `{type: T}` with the keywords of `schema` that constrain values of type `T`, taken out
/// of it.
fn member_of_type(schema: &mut Map<String, Value>, ty: Value) -> Value {
    let keywords: &[&str] = match ty.as_str() {
        Some("array") => &["items", "minItems", "maxItems", "uniqueItems", "prefixItems"],
        Some("object") => &["properties", "required", "additionalProperties", "minProperties", "maxProperties", "patternProperties"],
        Some("string") => &["minLength", "maxLength", "pattern", "format", "enum", "contentEncoding", "contentMediaType"],
        Some("number") | Some("integer") => &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
        _ => &[],
    };
    let mut member = Map::new();
    member.insert("type".into(), ty);
    for keyword in keywords {
        if let Some(value) = schema.remove(*keyword) {
            member.insert((*keyword).to_string(), value);
        }
    }
    Value::Object(member)
}

fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t.as_str() == Some("null")),
        _ => false,
    }
}
