//! Every Rust name the generator chooses is chosen here.
//!
//! Wire names come from specs and can be anything: `_links`, `owner-id`, `$ref`, `type`,
//! `2fa`, `X-Amz-Target`. These functions turn them into identifiers that compile, stay
//! readable, and never collide with each other or with the names the generator reserves.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be identifiers. Raw identifiers (`r#type`) would work for most, but a
/// trailing underscore reads better in field access and setters, and works for all of them.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield", "abstract", "become",
];

/// `snake_case` for fields, methods and modules.
pub fn snake(wire: &str) -> String {
    sanitize(&words(wire).to_snake_case(), "value")
}

/// `UpperCamelCase` for types and variants.
pub fn camel(wire: &str) -> String {
    sanitize(&words(wire).to_upper_camel_case(), "Value")
}

/// Keeps only characters that can make words; everything else separates words.
fn words(wire: &str) -> String {
    wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

fn sanitize(name: &str, empty: &str) -> String {
    let name = if name.is_empty() { empty.to_string() } else { name.to_string() };
    let name = match name.chars().next() {
        Some(c) if c.is_ascii_digit() => {
            if empty == "value" {
                format!("_{name}")
            } else {
                format!("V{name}")
            }
        }
        _ => name,
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Hands out names that are unique within one scope (a struct's fields, a module's types,
/// a builder's methods), in the order they are asked for, so output stays deterministic.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// `wanted` if free, else `wanted2`, `wanted3`, ... (`wanted_2` for snake_case names).
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        // `Token2`, `id_2`; a name that already ends in `_` (an escaped keyword) takes no second one.
        let separator = if wanted.chars().next().is_some_and(char::is_uppercase) || wanted.ends_with('_') { "" } else { "_" };
        let mut n = 2;
        loop {
            let candidate = format!("{wanted}{separator}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("ownerId"), "owner_id");
        assert_eq!(snake("owner-id"), "owner_id");
        assert_eq!(snake("_links"), "links");
        assert_eq!(snake("$ref"), "ref_");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("X-Amz-Target"), "x_amz_target");
        assert_eq!(snake("PersonalAccessTokenId"), "personal_access_token_id");
        assert_eq!(snake("LD-API-Version"), "ld_api_version");
        assert_eq!(snake("---"), "value");
    }

    #[test]
    fn camel_names() {
        assert_eq!(camel("getTokens"), "GetTokens");
        assert_eq!(camel("json-patch"), "JsonPatch");
        assert_eq!(camel("IDENTITY"), "Identity");
        assert_eq!(camel("2xx"), "V2xx");
        assert_eq!(camel(""), "Value");
        assert_eq!(camel("Self"), "Self_");
    }

    #[test]
    fn scopes_dedupe_in_order() {
        let mut scope = Scope::with_reserved(&["send"]);
        assert_eq!(scope.claim("send"), "send_2");
        assert_eq!(scope.claim("id"), "id");
        assert_eq!(scope.claim("id"), "id_2");
        assert_eq!(scope.claim("self_"), "self_");
        assert_eq!(scope.claim("self_"), "self_2");
        let mut types = Scope::default();
        assert_eq!(types.claim("Token"), "Token");
        assert_eq!(types.claim("Token"), "Token2");
    }
}
