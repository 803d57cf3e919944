//! What the spec documents that the generated types do not carry, read from the raw
//! documents at the pointers the IR keeps: response headers, response media types, how
//! parameters are serialized (`style`, `explode`), the schema keywords `format`, `default`,
//! `readOnly` and `writeOnly`, and OAuth2 flows (scopes, token URL).
//!
//! None of these changes the crate's API (Rust: info), except where the IR's types change
//! too, and then the type rules report it instead: a keyword change is reported here only when
//! both sides lower to the same Rust type, so that nothing is reported twice.

use super::*;

/// The object at `pointer`, its `$ref`s followed.
fn node<'a>(side: &'a Side, pointer: &str) -> Option<&'a Value> {
    side.value_at(&side.resolve(pointer))
}

/// A map member whose key matches `name` without regard to case (header names).
fn get_ignore_case<'a>(map: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// A keyword's value, for messages: strings bare, anything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Walk<'_> {
    /// Headers and media types of one response present on both sides.
    pub(super) fn response_documentation(&mut self, what: &str, old_pointer: &str, new_pointer: &str) {
        let (old, new) = (self.old, self.new);
        // A response given by `$ref` (`#/components/responses/...`) has its headers and media
        // types where the reference leads.
        let (old_pointer, new_pointer) = (&old.resolve(old_pointer), &new.resolve(new_pointer));
        let (Some(x), Some(y)) = (node(old, old_pointer), node(new, new_pointer)) else { return };
        let empty = serde_json::Map::new();
        let headers = |v: &'_ Value| v.get("headers").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_headers, new_headers) = (headers(x), headers(y));
        let header_pointer = |base: &str, name: &str| format!("{}/headers/{}", base, escape_token(name));
        let required = |side: &Side, base: &str, name: &str, header: &Value| {
            let header = match header.get("$ref") {
                Some(_) => node(side, &header_pointer(base, name)).unwrap_or(header),
                None => header,
            };
            header.get("required").and_then(Value::as_bool).unwrap_or(false)
        };
        for (name, header) in &old_headers {
            let at_old = self.old_at(&header_pointer(old_pointer, name));
            match get_ignore_case(&new_headers, name) {
                None => {
                    let was_required = required(old, old_pointer, name, header);
                    let change = self.push(Rule::ResponseHeaderRemoved, format!("{what}: header `{name}` removed"), NO_API_CHANGE.into());
                    change.wire = pick(was_required, Level::Breaking, Level::Warning);
                    change.old = at_old;
                }
                Some(now) => {
                    let new_name = new_headers.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_default();
                    if required(old, old_pointer, name, header) && !required(new, new_pointer, &new_name, now) {
                        let at_new = self.new_at(&header_pointer(new_pointer, &new_name));
                        let change = self.push(Rule::ResponseHeaderBecameOptional, format!("{what}: header `{name}` is no longer always sent"), NO_API_CHANGE.into());
                        change.old = at_old;
                        change.new = at_new;
                    }
                }
            }
        }
        for name in new_headers.keys() {
            if get_ignore_case(&old_headers, name).is_none() {
                let at = self.new_at(&header_pointer(new_pointer, name));
                self.push(Rule::ResponseHeaderAdded, format!("{what}: new header `{name}`"), NO_API_CHANGE.into()).new = at;
            }
        }
        let media = |v: &Value| v.get("content").and_then(Value::as_object).unwrap_or(&empty).keys().cloned().collect::<BTreeSet<String>>();
        let (old_media, new_media) = (media(x), media(y));
        // A body that appears or goes away is the body rules' finding, not the media types'.
        if old_media.is_empty() || new_media.is_empty() {
            return;
        }
        for gone in old_media.difference(&new_media) {
            let at = self.old_at(&format!("{}/content/{}", old_pointer, escape_token(gone)));
            self.push(Rule::ResponseMediaTypeRemoved, format!("{what}: media type `{gone}` removed"), NO_API_CHANGE.into()).old = at;
        }
        for added in new_media.difference(&old_media) {
            let at = self.new_at(&format!("{}/content/{}", new_pointer, escape_token(added)));
            self.push(Rule::ResponseMediaTypeAdded, format!("{what}: new media type `{added}`"), NO_API_CHANGE.into()).new = at;
        }
    }

    /// How a parameter present on both sides is serialized.
    pub(super) fn parameter_serialization(&mut self, what: &str, old_pointer: Option<&str>, new_pointer: Option<&str>, location: ParamLocation) {
        let (Some(old_pointer), Some(new_pointer)) = (old_pointer, new_pointer) else { return };
        let (Some(x), Some(y)) = (node(self.old, old_pointer), node(self.new, new_pointer)) else { return };
        // The defaults of OpenAPI 3: `form` (exploded) in the query and cookies, else `simple`.
        let default_style = match location {
            ParamLocation::Query => "form",
            ParamLocation::Path | ParamLocation::Header => "simple",
        };
        let style = |p: &Value| p.get("style").and_then(Value::as_str).unwrap_or(default_style).to_string();
        let explode = |p: &Value| p.get("explode").and_then(Value::as_bool).unwrap_or(style(p) == "form");
        let (before, after) = ((style(x), explode(x)), (style(y), explode(y)));
        if before != after {
            let text = |(style, explode): &(String, bool)| format!("`{style}` ({})", if *explode { "exploded" } else { "not exploded" });
            let message = format!("{what}: serialized as {} instead of {}", text(&after), text(&before));
            let (at_old, at_new) = (self.old_at(old_pointer), self.new_at(new_pointer));
            let change = self.push(Rule::ParameterStyleChanged, message, "the client sends it as the spec now says; no change to the crate's API".into());
            change.old = at_old;
            change.new = at_new;
        }
    }

    /// `format`, `default`, `readOnly` and `writeOnly` of a value present on both sides whose
    /// Rust type did not change.
    pub(super) fn schema_keywords(&mut self, site: &Site, same_type: bool) {
        if !same_type {
            return;
        }
        fn schema_of<'a>(side: &'a Side, location: &Option<Location>) -> Option<&'a Value> {
            let pointer = &location.as_ref()?.pointer;
            let at = node(side, pointer)?;
            // A parameter's schema is one level down.
            if at.get("in").is_some() {
                return node(side, &format!("{pointer}/schema"));
            }
            Some(at)
        }
        let (Some(x), Some(y)) = (schema_of(self.old, &site.old), schema_of(self.new, &site.new)) else { return };
        let keyword = |v: &Value, k: &str| v.get(k).cloned();
        // Most values change none of these: skip the work for them.
        if ["format", "default", "readOnly", "writeOnly"].iter().all(|k| x.get(*k) == y.get(*k)) {
            return;
        }
        let request = site.direction == Direction::Request;
        let (format_before, format_after) = (keyword(x, "format"), keyword(y, "format"));
        if format_before != format_after {
            let message = match (&format_before, &format_after) {
                (None, Some(f)) => format!("{}: format `{}` added", site.what, shown(f)),
                (Some(f), None) => format!("{}: format `{}` removed", site.what, shown(f)),
                (Some(f), Some(g)) => format!("{}: format `{}` → `{}`", site.what, shown(f), shown(g)),
                (None, None) => String::new(),
            };
            let (rule, wire) = match (request, format_after.is_some()) {
                // A server that checks a new format refuses values it took; one that dropped
                // it takes more.
                (true, true) => (Rule::RequestFormatChanged, Level::Breaking),
                (true, false) => (Rule::RequestFormatChanged, Level::Info),
                // Values received in a new format may not parse where callers expected another.
                (false, true) => (Rule::ResponseFormatChanged, pick(format_before.is_some(), Level::Warning, Level::Info)),
                (false, false) => (Rule::ResponseFormatChanged, Level::Warning),
            };
            self.site_change(site, rule, message, wire);
        }
        if request {
            let (before, after) = (keyword(x, "default"), keyword(y, "default"));
            if before != after {
                let message = match (&before, &after) {
                    (None, Some(d)) => format!("{}: default `{}` added", site.what, shown(d)),
                    (Some(d), None) => format!("{}: default `{}` removed", site.what, shown(d)),
                    (Some(d), Some(e)) => format!("{}: default `{}` → `{}`", site.what, shown(d), shown(e)),
                    (None, None) => String::new(),
                };
                self.site_change(site, Rule::RequestDefaultChanged, message, Level::Warning);
            }
        }
        let flag = |v: &Value, k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        if request && !flag(x, "readOnly") && flag(y, "readOnly") {
            self.site_change(site, Rule::RequestPropertyBecameReadOnly, format!("{}: now `readOnly`: the server ignores it in requests", site.what), Level::Warning);
        }
        if !request && !flag(x, "writeOnly") && flag(y, "writeOnly") {
            self.site_change(site, Rule::ResponsePropertyBecameWriteOnly, format!("{}: now `writeOnly`: responses no longer carry it", site.what), Level::Breaking);
        }
    }

    fn site_change(&mut self, site: &Site, rule: Rule, message: String, wire: Level) {
        let change = self.push(rule, message, NO_API_CHANGE.into());
        change.wire = wire;
        change.old = site.old.clone();
        change.new = site.new.clone();
        change.used_by = site.used_by.clone();
    }

    /// OAuth2 flows of a scheme present on both sides: scopes and token URLs. Returns whether
    /// anything else about the scheme changed (for `security-scheme-changed`).
    pub(super) fn oauth_flows(&mut self, name: &str, old: &Value, new: &Value) -> bool {
        let flows = |v: &Value| v.get("flows").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_flows, new_flows) = (flows(old), flows(new));
        let pointer = |flow: &str| format!("#/components/securitySchemes/{}/flows/{}", escape_token(name), escape_token(flow));
        for (flow, x) in &old_flows {
            let Some(y) = new_flows.get(flow) else { continue };
            let scopes = |v: &Value| v.get("scopes").and_then(Value::as_object).map(|m| m.keys().cloned().collect::<BTreeSet<_>>()).unwrap_or_default();
            let (before, after) = (scopes(x), scopes(y));
            for scope in before.difference(&after) {
                let (at_old, at_new) = (self.old_at(&format!("{}/scopes", pointer(flow))), self.new_at(&format!("{}/scopes", pointer(flow))));
                let change = self.push(Rule::OAuthScopeRemoved, format!("security scheme `{name}`, flow `{flow}`: scope `{scope}` removed"), NO_API_CHANGE.into());
                change.old = at_old;
                change.new = at_new;
            }
            for scope in after.difference(&before) {
                let at = self.new_at(&format!("{}/scopes", pointer(flow)));
                self.push(Rule::OAuthScopeAdded, format!("security scheme `{name}`, flow `{flow}`: new scope `{scope}`"), NO_API_CHANGE.into()).new = at;
            }
            for key in ["tokenUrl", "authorizationUrl", "refreshUrl"] {
                let (u, v) = (x.get(key), y.get(key));
                if u != v {
                    let message = format!("security scheme `{name}`, flow `{flow}`: `{key}` {} → {}", u.map(shown).unwrap_or_else(|| "none".into()), v.map(shown).unwrap_or_else(|| "none".into()));
                    let effect = if key == "tokenUrl" && flow == "clientCredentials" {
                        "the default token URL of the client-credentials setters changes".to_string()
                    } else {
                        NO_API_CHANGE.to_string()
                    };
                    let (at_old, at_new) = (self.old_at(&format!("{}/{key}", pointer(flow))), self.new_at(&format!("{}/{key}", pointer(flow))));
                    let change = self.push(Rule::OAuthUrlChanged, message, effect);
                    change.old = at_old;
                    change.new = at_new;
                }
            }
        }
        // What remains once the flows' scopes and URLs are set aside.
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(flows) = v.get_mut("flows").and_then(Value::as_object_mut) {
                for flow in flows.values_mut().filter_map(Value::as_object_mut) {
                    for key in ["scopes", "tokenUrl", "authorizationUrl", "refreshUrl"] {
                        flow.remove(key);
                    }
                }
            }
            v
        };
        strip(old) != strip(new)
    }
}
