//! Shared helpers for the wire tests: the documented examples, read from the specs
//! themselves, so a test decodes exactly what the spec promises.

use std::path::PathBuf;

use serde_json::Value;

/// The spec `specs/<stem>.yaml`, as JSON.
pub fn spec(stem: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs").join(format!("{stem}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// The value at `pointer` (RFC 6901, without the leading `#`), following `$ref`s on the way.
pub fn at(spec: &Value, pointer: &str) -> Value {
    let mut current = spec.clone();
    for token in pointer.trim_start_matches('/').split('/').filter(|t| !t.is_empty()) {
        current = follow_ref(spec, current);
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match &current {
            Value::Object(map) => map.get(&token).cloned(),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i).cloned()),
            _ => None,
        }
        .unwrap_or_else(|| panic!("no `{token}` on the way to {pointer}"));
    }
    follow_ref(spec, current)
}

fn follow_ref(spec: &Value, value: Value) -> Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => at(spec, reference.trim_start_matches('#')),
        None => value,
    }
}

/// The `example` of a response: `response_example(&spec, "/api/v2/tokens", "get", "200", "application/json")`.
pub fn response_example(spec: &Value, path: &str, method: &str, status: &str, media_type: &str) -> Value {
    let pointer = format!("/paths/{}/{method}/responses/{status}/content/{}/example", escape(path), escape(media_type));
    at(spec, &pointer)
}

/// The `example` of a request body.
pub fn request_example(spec: &Value, path: &str, method: &str, media_type: &str) -> Value {
    let pointer = format!("/paths/{}/{method}/requestBody/content/{}/example", escape(path), escape(media_type));
    at(spec, &pointer)
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A wiremock response with a JSON body and a content type of the caller's choosing.
pub fn json_response(status: u16, body: &Value, content_type: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status).set_body_raw(serde_json::to_vec(body).expect("JSON"), content_type)
}
