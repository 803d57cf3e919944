//! Text → a checked OpenAPI 3.0 document that remembers where each node came from.

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source_map::{escape_token, SourceMap};

/// A parsed spec, with everything needed to point at a place in its text.
pub struct Document {
    pub api: OpenAPI,
    /// The same document as plain JSON, for `$ref`s that point outside `components` (for a
    /// 3.1 document, after its rewriting into 3.0 form).
    pub raw: Value,
    /// What reading the document had to leave out or change (3.1 constructs with no 3.0
    /// form): warnings, never refusals.
    pub notes: Vec<Diagnostic>,
    locator: Locator,
}

/// Makes located diagnostics for one spec file.
pub struct Locator {
    file: String,
    text: String,
    /// Built on the first diagnostic: indexing a large spec costs more than generating from
    /// it, and a spec without problems never needs it.
    source: std::sync::OnceLock<SourceMap>,
}

impl Locator {
    pub fn new(file: &str, text: &str) -> Locator {
        Locator { file: file.to_string(), text: text.to_string(), source: std::sync::OnceLock::new() }
    }

    /// A diagnostic at `pointer`, with the line and column of the nearest node that has one.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(&self.file, pointer, message);
        let source = self.source.get_or_init(|| SourceMap::index(&self.text));
        if let Some(position) = source.locate(pointer) {
            diagnostic.line = Some(position.line);
            diagnostic.column = Some(position.column);
        }
        diagnostic
    }

    /// A warning at `pointer`: something the generator worked around.
    pub fn warning(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: crate::diagnostics::Severity::Warning, ..self.error(pointer, message) }
    }
}

impl Document {
    pub fn locator(&self) -> &Locator {
        &self.locator
    }
}

/// Parses `text` (YAML or JSON) as an OpenAPI 3.0.x or 3.1.x document.
pub fn load(text: &str, file: &str) -> Result<Document, Diagnostics> {
    let locator = Locator::new(file, text);
    let mut raw = parse_text(text, file)?;
    let notes = match check_version(&raw, &locator)? {
        Version::V30 => Vec::new(),
        Version::V31 => crate::openapi31::downgrade(&mut raw, &locator).map_err(Diagnostics::single)?,
    };
    let api = deserialize(&raw, &locator)?;
    Ok(Document { api, raw, notes, locator })
}

enum Version {
    V30,
    V31,
}

fn parse_text(text: &str, file: &str) -> Result<Value, Diagnostics> {
    // JSON is YAML too, but serde_json reads it many times faster; a JSON-looking text that
    // serde_json refuses still goes to the YAML parser, for its error message.
    if text.trim_start().starts_with('{') {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return Ok(value);
        }
    }
    serde_yaml::from_str::<Value>(text).map_err(|error| {
        let mut diagnostic = Diagnostic::new(
            file,
            "#",
            format!("the file is not valid YAML or JSON: {}", strip_location(&error.to_string())),
        );
        if let Some(location) = error.location() {
            diagnostic.line = Some(location.line());
            diagnostic.column = Some(location.column());
        }
        Diagnostics::single(diagnostic)
    })
}

/// serde_yaml appends " at line L column C"; the diagnostic carries those separately.
fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn check_version(raw: &Value, locator: &Locator) -> Result<Version, Diagnostics> {
    let fail = |pointer: &str, message: String| Err(Diagnostics::single(locator.error(pointer, message)));
    if !raw.is_object() {
        return fail("#", "the document must be a mapping with an `openapi` field".into());
    }
    if let Some(swagger) = raw.get("swagger") {
        return fail(
            "#/swagger",
            format!("this is a Swagger {} document; convert it to OpenAPI 3.0.x first", display(swagger)),
        );
    }
    match raw.get("openapi") {
        None => fail("#", "the document has no `openapi` field; add `openapi: 3.0.3`".into()),
        Some(Value::String(version)) if is_minor(version, "0") => Ok(Version::V30),
        Some(Value::String(version)) if is_minor(version, "1") => Ok(Version::V31),
        Some(version) => fail(
            "#/openapi",
            format!("OpenAPI {} is not supported; this generator reads OpenAPI 3.0.x and 3.1.x", display(version)),
        ),
    }
}

fn is_minor(version: &str, minor: &str) -> bool {
    let mut parts = version.split('.');
    parts.next() == Some("3")
        && parts.next() == Some(minor)
        && parts.next().is_none_or(|patch| patch.chars().all(|c| c.is_ascii_digit()))
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn deserialize(raw: &Value, locator: &Locator) -> Result<OpenAPI, Diagnostics> {
    serde_path_to_error::deserialize::<_, OpenAPI>(raw).map_err(|error| {
        let pointer = pointer_of(error.path());
        let message = format!("this is not a valid OpenAPI 3.0 document: {}", error.inner());
        Diagnostics::single(locator.error(&pointer, message))
    })
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_3_0_and_3_1() {
        assert!(is_minor("3.0.0", "0"));
        assert!(is_minor("3.0.3", "0"));
        assert!(is_minor("3.0", "0"));
        assert!(!is_minor("3.1.0", "0"));
        assert!(is_minor("3.1.0", "1"));
        assert!(is_minor("3.1.1", "1"));
        assert!(!is_minor("3.2.0", "1"));
        assert!(!is_minor("2.0", "0"));
        assert!(!is_minor("3.0.x", "0"));
    }
}
