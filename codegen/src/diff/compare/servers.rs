//! Servers and security: the base URL and its variables, security schemes, and the
//! requirements of the API and of each operation.

use super::*;

impl Walk<'_> {
    // --- Servers. ---

    pub(super) fn servers(&mut self) {
        let (old, new) = (&self.old.api.servers, &self.new.api.servers);
        // A default server whose URL changed, with no trace of either URL on the other side,
        // is one server edited: reported once, as a new default.
        let edited_default = match (old.first(), new.first()) {
            (Some(a), Some(b)) => a.url != b.url && !new.iter().any(|s| s.url == a.url) && !old.iter().any(|s| s.url == b.url),
            _ => false,
        };
        for (i, server) in old.iter().enumerate().skip(usize::from(edited_default)) {
            if !new.iter().any(|s| s.url == server.url) {
                let at = self.old_at(&format!("#/servers/{i}"));
                let change = self.push(Rule::ServerRemoved, format!("server `{}` removed", server.url), NO_API_CHANGE.into());
                change.old = at;
            }
        }
        for (i, server) in new.iter().enumerate().skip(usize::from(edited_default)) {
            if !old.iter().any(|s| s.url == server.url) {
                let at = self.new_at(&format!("#/servers/{i}"));
                let change = self.push(Rule::ServerAdded, format!("server `{}` added", server.url), NO_API_CHANGE.into());
                change.new = at;
            }
        }
        if let (Some(a), Some(b)) = (old.first(), new.first()) {
            if a.url != b.url {
                let (at_old, at_new) = (self.old_at("#/servers/0"), self.new_at("#/servers/0"));
                let change = self.push(
                    Rule::ServerDefaultChanged,
                    format!("default server `{}` → `{}`", a.url, b.url),
                    format!("a client built without `.base_url(..)` now sends to `{}`", b.url),
                );
                change.old = at_old;
                change.new = at_new;
            }
        }
        let no_variables = Vec::new();
        let old_vars = old.first().map(|s| &s.variables).unwrap_or(&no_variables);
        let new_vars = new.first().map(|s| &s.variables).unwrap_or(&no_variables);
        for v in old_vars {
            if !new_vars.iter().any(|w| w.wire_name == v.wire_name) {
                let at = self.old_at(&format!("#/servers/0/variables/{}", escape_token(&v.wire_name)));
                let change = self.push(
                    Rule::ServerVariableRemoved,
                    format!("server variable `{}` removed", v.wire_name),
                    format!("setter `ClientBuilder::{}()` removed", v.rust_name),
                );
                change.old = at;
            }
        }
        for v in new_vars {
            if !old_vars.iter().any(|w| w.wire_name == v.wire_name) {
                let at = self.new_at(&format!("#/servers/0/variables/{}", escape_token(&v.wire_name)));
                let change = self.push(
                    Rule::ServerVariableAdded,
                    format!("server variable `{}` added (default `{}`)", v.wire_name, v.default),
                    format!("new setter `ClientBuilder::{}()`", v.rust_name),
                );
                change.new = at;
            }
        }
    }

    // --- Security. ---

    pub(super) fn security(&mut self) {
        let schemes = |side: &Side| -> BTreeMap<String, Value> {
            side.doc
                .raw
                .pointer("/components/securitySchemes")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        let (old_schemes, new_schemes) = (schemes(self.old), schemes(self.new));
        let old_setters = auth_setters(&self.old.api);
        let new_setters = auth_setters(&self.new.api);
        let pointer = |name: &str| format!("#/components/securitySchemes/{}", escape_token(name));
        for (name, scheme) in &old_schemes {
            let setter = scheme_setter(&self.old.api, name);
            let lost = setter.filter(|s| old_setters.contains(s) && !new_setters.contains(s));
            match new_schemes.get(name) {
                None => {
                    let at = self.old_at(&pointer(name));
                    let effect = match &lost {
                        Some(s) => format!("auth setter `ClientBuilder::{s}()` removed"),
                        None => "auth setters unchanged".into(),
                    };
                    let change = self.push(Rule::SecuritySchemeRemoved, format!("security scheme `{name}` removed"), effect);
                    change.rust = pick(lost.is_some(), Level::Breaking, Level::Info);
                    change.old = at;
                }
                // Scopes and URLs of OAuth2 flows have rules of their own.
                Some(now) if without_prose(scheme) != without_prose(now) && self.oauth_flows(name, scheme, now) => {
                    let (at_old, at_new) = (self.old_at(&pointer(name)), self.new_at(&pointer(name)));
                    let effect = match &lost {
                        Some(s) => format!("auth setter `ClientBuilder::{s}()` removed"),
                        None => "auth setters unchanged; the client sends the credential as the scheme now says".into(),
                    };
                    let change = self.push(
                        Rule::SecuritySchemeChanged,
                        format!("security scheme `{name}`: {} → {}", scheme_text(scheme), scheme_text(now)),
                        effect,
                    );
                    change.rust = pick(lost.is_some(), Level::Breaking, Level::Info);
                    change.old = at_old;
                    change.new = at_new;
                }
                Some(_) => {}
            }
        }
        for (name, scheme) in &new_schemes {
            if old_schemes.contains_key(name) {
                continue;
            }
            let at = self.new_at(&pointer(name));
            let effect = match scheme_setter(&self.new.api, name) {
                Some(s) if !old_setters.contains(&s) && new_setters.contains(&s) => format!("new auth setter `ClientBuilder::{s}()`"),
                Some(s) => format!("uses the existing auth setter `ClientBuilder::{s}()`"),
                None => "no auth setter (not supported by the generator)".into(),
            };
            let change = self.push(Rule::SecuritySchemeAdded, format!("security scheme `{name}` added ({})", scheme_text(scheme)), effect);
            change.new = at;
        }
        let (old_global, new_global) = (requirement(self.old.doc.raw.get("security")), requirement(self.new.doc.raw.get("security")));
        if old_global != new_global {
            let (at_old, at_new) = (self.old_at("#/security"), self.new_at("#/security"));
            self.requirement_changed("API-wide".to_string(), &old_global, &new_global, at_old, at_new);
        }
    }

    pub(super) fn requirement_changed(&mut self, what: String, old: &Requirement, new: &Requirement, at_old: Option<Location>, at_new: Option<Location>) {
        let refused: Vec<&Alternative> = old.iter().filter(|a| !new.iter().any(|b| satisfies(a, b))).collect();
        let message = format!("{what} security `{}` → `{}`", requirement_text(old), requirement_text(new));
        let change = self.push(Rule::SecurityRequirementChanged, message, "no change to the crate's API: the client sends the credentials it is given".into());
        if refused.is_empty() {
            change.wire = Level::Info;
        } else {
            let refused: Vec<String> = refused.iter().map(|a| alternative_text(a)).collect();
            change.message.push_str(&format!("; requests authenticated with `{}` are refused", refused.join("` or `")));
        }
        change.old = at_old;
        change.new = at_new;
    }
}

// --- Security requirements. ---

/// One way to authenticate: every scheme named, with the scopes it needs.
pub(super) type Alternative = BTreeMap<String, BTreeSet<String>>;
/// Any one of the alternatives will do; `{}` (or no requirement at all) means anonymous.
pub(super) type Requirement = BTreeSet<Alternative>;

pub(super) fn requirement(value: Option<&Value>) -> Requirement {
    let mut out = Requirement::new();
    match value.and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for item in list {
                let alternative: Alternative = item
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(scheme, scopes)| {
                                let scopes = scopes.as_array().map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
                                (scheme.clone(), scopes)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(alternative);
            }
        }
        _ => {
            out.insert(Alternative::new());
        }
    }
    out
}

/// Whether credentials that meet `old` also meet `new`.
pub(super) fn satisfies(old: &Alternative, new: &Alternative) -> bool {
    new.iter().all(|(scheme, scopes)| old.get(scheme).is_some_and(|have| scopes.is_subset(have)))
}

pub(super) fn alternative_text(alternative: &Alternative) -> String {
    if alternative.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = alternative
        .iter()
        .map(|(scheme, scopes)| {
            if scopes.is_empty() {
                scheme.clone()
            } else {
                format!("{scheme} [{}]", scopes.iter().cloned().collect::<Vec<_>>().join(", "))
            }
        })
        .collect();
    parts.join(" + ")
}

pub(super) fn requirement_text(requirement: &Requirement) -> String {
    requirement.iter().map(alternative_text).collect::<Vec<_>>().join(" or ")
}

// --- Security schemes. ---

pub(super) fn auth_setters(api: &Api) -> BTreeSet<String> {
    api.schemes.iter().flat_map(|s| s.setters()).map(|s| s.name).collect()
}

/// The `ClientBuilder` setter the generator gave a scheme, if it supports the scheme.
pub(super) fn scheme_setter(api: &Api, name: &str) -> Option<String> {
    api.schemes.iter().find(|s| s.name == name).map(|s| s.setter.clone())
}

pub(super) fn scheme_text(scheme: &Value) -> String {
    let field = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or("?");
    match field("type") {
        "apiKey" => format!("`apiKey` in {} `{}`", field("in"), field("name")),
        "http" => format!("`http` {}", field("scheme")),
        other => format!("`{other}`"),
    }
}

/// A value with every `description` dropped: prose changes are not scheme changes.
pub(super) fn without_prose(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().filter(|(k, _)| k.as_str() != "description").map(|(k, v)| (k.clone(), without_prose(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}
