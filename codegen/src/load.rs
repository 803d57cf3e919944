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
    let mut notes = match check_version(&raw, &locator)? {
        Version::V30 => Vec::new(),
        Version::V31 => crate::openapi31::downgrade(&mut raw, &locator).map_err(Diagnostics::single)?,
    };
    notes.extend(fill_required_info(&mut raw, &locator));
    let api = deserialize(&raw, &locator)?;
    Ok(Document { api, raw, notes, locator })
}

/// `info.title` and `info.version` are required, but a spec without them (Anthropic's has no
/// version) still describes an API: they are filled in, with a warning.
fn fill_required_info(raw: &mut Value, locator: &Locator) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    let Some(root) = raw.as_object_mut() else { return notes };
    let info = root.entry("info").or_insert_with(|| Value::Object(Default::default()));
    let Some(info) = info.as_object_mut() else { return notes };
    for (field, fallback) in [("title", "API"), ("version", "unversioned")] {
        if !info.get(field).is_some_and(Value::is_string) {
            info.insert(field.into(), fallback.into());
            notes.push(locator.warning("#/info", format!("`info.{field}` is missing or not a string; using `{fallback}`")));
        }
    }
    notes
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
    // Through YAML's own value: YAML integers beyond 64 bits (OpenAI's and Cohere's specs
    // write `minimum: -9223372036854776000`) would fail a direct conversion to JSON.
    serde_yaml::from_str::<serde_yaml::Value>(&widen_big_integers(text)).map(yaml_to_json).map_err(|error| {
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

/// serde_yaml refuses integers beyond 64 bits even into its own value (OpenAI's and
/// Cohere's specs bound a seed by `minimum: -9223372036854776000`): such a plain scalar gets
/// a `.0`, making it the floating-point number a JSON reader would make of it. Line numbers
/// are unchanged.
fn widen_big_integers(text: &str) -> std::borrow::Cow<'_, str> {
    fn is_big_integer(token: &str) -> bool {
        let digits = token.strip_prefix('-').unwrap_or(token);
        digits.len() >= 19 && digits.bytes().all(|b| b.is_ascii_digit()) && token.parse::<i64>().is_err() && token.parse::<u64>().is_err()
    }
    let big = |line: &str| {
        let value = line.rsplit_once(": ").map(|(_, v)| v).or_else(|| line.trim_start().strip_prefix("- "));
        value.is_some_and(|v| is_big_integer(v.trim_end()))
    };
    if !text.lines().any(big) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix("\r\n").map(|b| (b, "\r\n")).or_else(|| line.strip_suffix('\n').map(|b| (b, "\n"))).unwrap_or((line, ""));
        out.push_str(body);
        if big(body) {
            out.push_str(".0");
        }
        out.push_str(end);
    }
    std::borrow::Cow::Owned(out)
}

/// YAML's value as JSON's. Integers that fit in 64 bits stay integers; larger ones become
/// floating point, which is how JSON readers take them anyway. Non-string keys are written
/// as their YAML text (`200:` is the key `"200"`).
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Yaml;
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i),
            (_, Some(u), _) => Value::from(u),
            (_, _, Some(f)) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            _ => Value::Null,
        },
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s,
                        Yaml::Number(n) => n.to_string(),
                        Yaml::Bool(b) => b.to_string(),
                        Yaml::Null => "null".to_string(),
                        other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value),
    }
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
    fn integers_beyond_64_bits_and_a_missing_version_do_not_refuse_a_spec() {
        let text = "openapi: 3.1.0\ninfo: {title: t}\npaths: {}\ncomponents:\n  schemas:\n    Seed:\n      type: integer\n      minimum: -9223372036854776000\n      maximum: 18446744073709552000\n      multipleOf: 1\n";
        assert!(widen_big_integers(text).contains("minimum: -9223372036854776000.0\n"));
        assert!(matches!(widen_big_integers("a: 12\n"), std::borrow::Cow::Borrowed(_)));
        let doc = load(text, "big.yaml").unwrap();
        let seed = &doc.raw["components"]["schemas"]["Seed"];
        assert_eq!(seed["minimum"].as_f64(), Some(-9.223372036854776e18));
        assert_eq!(seed["multipleOf"], serde_json::json!(1));
        assert_eq!(doc.api.info.version, "unversioned");
        assert_eq!(doc.notes.len(), 1, "{:?}", doc.notes);
        assert_eq!(doc.notes[0].pointer, "#/info");
        assert_eq!(doc.notes[0].line, Some(2));
    }

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
