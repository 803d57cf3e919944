//! `$ref` resolution: from a reference string to the object it names, and where that is.

use openapiv3::{Parameter, ReferenceOr, RequestBody, Response, Schema};
use serde::de::DeserializeOwned;

use crate::diagnostics::Diagnostic;
use crate::load::Document;

/// Follows `$ref`s (chains included) until a `T`. Returns the object and the JSON pointer
/// where it stands, for diagnostics and for naming.
pub fn resolve<'a, T: Resolvable>(
    doc: &'a Document,
    item: &'a ReferenceOr<T>,
    pointer: &str,
) -> Result<(std::borrow::Cow<'a, T>, String), Diagnostic> {
    let mut current_pointer = pointer.to_string();
    let mut reference = match item {
        ReferenceOr::Item(value) => return Ok((std::borrow::Cow::Borrowed(value), current_pointer)),
        ReferenceOr::Reference { reference } => reference.clone(),
    };
    // A chain longer than this is a cycle of references that never reaches an object.
    for _ in 0..32 {
        let target = target_pointer(doc, &reference, &current_pointer)?;
        let value = T::lookup(doc, &target).ok_or_else(|| {
            doc.locator().error(&current_pointer, format!("`$ref: {reference}` points at nothing; check the name"))
        })?;
        match value {
            Found::Item(item) => return Ok((item, target)),
            Found::Reference(next) => {
                current_pointer = target;
                reference = next;
            }
        }
    }
    Err(doc.locator().error(pointer, format!("`$ref: {reference}` is part of a cycle of references")))
}

/// Checks that `reference` is local and turns it into a JSON pointer (`#/components/...`).
pub fn target_pointer(doc: &Document, reference: &str, at: &str) -> Result<String, Diagnostic> {
    if !reference.starts_with("#/") {
        return Err(doc.locator().error(
            at,
            format!("`$ref: {reference}` points into another file; only references within the document (`#/...`) are supported"),
        ));
    }
    Ok(fragment_pointer(reference))
}

/// The JSON pointer a `#/...` reference names. A reference is a URI fragment, which may
/// percent-encode what a path holds (DigitalOcean's
/// `#/paths/~1v2~1account~1keys~1%7Bssh_key_identifier%7D/get/parameters/0`).
pub fn fragment_pointer(reference: &str) -> String {
    if reference.contains('%') {
        if let Ok(decoded) = percent_encoding::percent_decode_str(reference).decode_utf8() {
            return decoded.into_owned();
        }
    }
    reference.to_string()
}

/// The last token of a pointer, unescaped: the name a `$ref` gives its target.
pub fn last_token(pointer: &str) -> String {
    pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~")
}

pub enum Found<'a, T: Clone> {
    Item(std::borrow::Cow<'a, T>),
    Reference(String),
}

/// Something a `$ref` can point at.
pub trait Resolvable: Clone + DeserializeOwned {
    /// Where `components` keeps this kind of object.
    const COMPONENTS: &'static str;
    fn components(doc: &Document) -> Option<&indexmap::IndexMap<String, ReferenceOr<Self>>>;

    fn lookup<'a>(doc: &'a Document, pointer: &str) -> Option<Found<'a, Self>> {
        let prefix = format!("#/components/{}/", Self::COMPONENTS);
        if let Some(name) = pointer.strip_prefix(&prefix) {
            if !name.contains('/') {
                return match Self::components(doc)?.get(&last_token(pointer))? {
                    ReferenceOr::Item(item) => Some(Found::Item(std::borrow::Cow::Borrowed(item))),
                    ReferenceOr::Reference { reference } => Some(Found::Reference(reference.clone())),
                };
            }
        }
        // Anywhere else in the document: read it from the raw JSON.
        let value = doc.raw.pointer(pointer.trim_start_matches('#'))?;
        if let Some(reference) = value.get("$ref").and_then(|r| r.as_str()) {
            return Some(Found::Reference(reference.to_string()));
        }
        serde_json::from_value(value.clone()).ok().map(|item| Found::Item(std::borrow::Cow::Owned(item)))
    }
}

impl Resolvable for Schema {
    const COMPONENTS: &'static str = "schemas";
    fn components(doc: &Document) -> Option<&indexmap::IndexMap<String, ReferenceOr<Self>>> {
        doc.api.components.as_ref().map(|c| &c.schemas)
    }
}

impl Resolvable for Parameter {
    const COMPONENTS: &'static str = "parameters";
    fn components(doc: &Document) -> Option<&indexmap::IndexMap<String, ReferenceOr<Self>>> {
        doc.api.components.as_ref().map(|c| &c.parameters)
    }
}

impl Resolvable for Response {
    const COMPONENTS: &'static str = "responses";
    fn components(doc: &Document) -> Option<&indexmap::IndexMap<String, ReferenceOr<Self>>> {
        doc.api.components.as_ref().map(|c| &c.responses)
    }
}

impl Resolvable for RequestBody {
    const COMPONENTS: &'static str = "requestBodies";
    fn components(doc: &Document) -> Option<&indexmap::IndexMap<String, ReferenceOr<Self>>> {
        doc.api.components.as_ref().map(|c| &c.request_bodies)
    }
}

#[cfg(test)]
mod tests {
    use super::fragment_pointer;

    #[test]
    fn percent_encoded_fragments_are_decoded() {
        assert_eq!(fragment_pointer("#/paths/~1keys~1%7Bid%7D/get"), "#/paths/~1keys~1{id}/get");
        assert_eq!(fragment_pointer("#/components/schemas/Token"), "#/components/schemas/Token");
        // Not UTF-8 once decoded: left as written (and reported as pointing at nothing).
        assert_eq!(fragment_pointer("#/a%FF"), "#/a%FF");
    }
}
