//! Encodings of request values that go through their JSON form: form bodies, multipart
//! parts, and structured path, query and header parameters.
//!
//! JSON bodies need none of this: builders keep each property typed and `send()` assembles
//! the body's own struct, which serde writes straight to bytes.

use serde::Serialize;
use serde_json::Value;

/// The JSON form of a body or property value.
///
/// Generated types serialize to JSON without fail (string keys only, no foreign
/// `Serialize` impls), so a failure cannot happen; `Null` stands in if it ever did.
pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The text of a value in a path, header or query: strings bare, numbers and booleans as
/// JSON writes them, arrays comma-separated and objects as `key,value` pairs (OpenAPI's
/// `simple` style), `null` empty.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        Value::Object(object) => object
            .iter()
            .flat_map(|(key, item)| [key.clone(), scalar_text(item)])
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// Flattens a JSON value into form pairs with bracket notation: `{"a": {"b": 1}, "c": [2, 3]}`
/// gives `a[b]=1`, `c[0]=2`, `c[1]=3`. `null`s are left out.
pub fn form_pairs(value: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Null => {}
            Value::Object(object) => {
                for (key, item) in object {
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}[{key}]")
                    };
                    walk(&name, item, out);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{index}]"), item, out);
                }
            }
            scalar => out.push((prefix.to_string(), scalar_text(scalar))),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// A `multipart/form-data` body, built in memory.
///
/// Not `reqwest::multipart`: its form is a one-shot stream, and a request must be rebuilt
/// for every attempt (retries, signatures), so the body has to be plain bytes.
#[derive(Debug)]
pub struct Multipart {
    boundary: String,
    bytes: Vec<u8>,
}

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

impl Multipart {
    pub fn new() -> Self {
        Multipart {
            boundary: format!("------------------------{:016x}", fastrand::u64(..)),
            bytes: Vec::new(),
        }
    }

    /// A text part: strings as they are, other values as JSON.
    pub fn text(&mut self, name: &str, value: &Value) {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        self.part(name, None, text.as_bytes());
    }

    /// A file part.
    pub fn file(&mut self, name: &str, bytes: &[u8]) {
        self.part(name, Some(name), bytes);
    }

    fn part(&mut self, name: &str, file_name: Option<&str>, body: &[u8]) {
        // Quotes and line breaks would end the header early.
        let clean = |text: &str| text.replace(['"', '\r', '\n'], "_");
        self.bytes
            .extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", clean(name));
        if let Some(file_name) = file_name {
            disposition.push_str(&format!(
                "; filename=\"{}\"\r\nContent-Type: application/octet-stream",
                clean(file_name)
            ));
        }
        self.bytes.extend_from_slice(disposition.as_bytes());
        self.bytes.extend_from_slice(b"\r\n\r\n");
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\r\n");
    }

    /// The `Content-Type` (with the boundary) and the encoded body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.bytes
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.bytes,
        )
    }
}

