//! `components/securitySchemes` and `security` requirements → `ir::SecurityScheme` and
//! `ir::Security`: which credentials exist, what their builder setters are called, and
//! which of them each operation sends.

use std::collections::HashSet;

use openapiv3::{APIKeyLocation, ReferenceOr, SecurityRequirement, SecurityScheme as SpecScheme};
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::ir::{ApiKeyLocation, ClientCredentials, SchemeKind, Security, SecurityScheme};
use crate::load::Document;
use crate::naming::{snake, Scope};
use crate::source_map::escape_token;

/// The schemes of a document, and the names of those it declares but the client cannot
/// satisfy (HTTP digest, say): requirements naming those are left out, not refused.
pub struct Schemes {
    pub schemes: Vec<SecurityScheme>,
    unsupported: HashSet<String>,
}

impl Schemes {
    /// Lowers every scheme, claiming its setters in `scope` (the builder's method names).
    pub fn lower(doc: &Document, scope: &mut Scope, problems: &mut Vec<Diagnostic>) -> Schemes {
        let mut lowered: Vec<Lowered> = Vec::new();
        let mut unsupported = HashSet::new();
        let components = doc.api.components.as_ref();
        for (name, scheme) in components.map(|c| &c.security_schemes).into_iter().flatten() {
            let pointer = format!("#/components/securitySchemes/{}", escape_token(name));
            let ReferenceOr::Item(scheme) = scheme else {
                unsupported.insert(name.clone());
                continue;
            };
            let (kind, description, flow) = match scheme {
                SpecScheme::APIKey { location, name: key, extensions, description } => {
                    let kind = if extensions.get("x-amazon-apigateway-authtype").and_then(Value::as_str) == Some("awsSigv4") {
                        match signing_name(doc) {
                            Some(service) => Some(SchemeKind::SigV4 { service }),
                            None => {
                                problems.push(doc.locator().error(&pointer, "a SigV4 scheme needs the signing name in `info.x-serviceName`"));
                                None
                            }
                        }
                    } else {
                        let location = match location {
                            APIKeyLocation::Header => ApiKeyLocation::Header,
                            APIKeyLocation::Query => ApiKeyLocation::Query,
                            APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                        };
                        Some(SchemeKind::ApiKey { location, name: key.clone() })
                    };
                    (kind, description, None)
                }
                SpecScheme::HTTP { scheme, description, .. } => {
                    let kind = match scheme.to_ascii_lowercase().as_str() {
                        "bearer" => Some(SchemeKind::Bearer { client_credentials: None }),
                        "basic" => Some(SchemeKind::Basic),
                        _ => None,
                    };
                    (kind, description, None)
                }
                SpecScheme::OAuth2 { flows, description, .. } => {
                    // The flow's setters are named below, once the number of bearer schemes is known.
                    let flow = flows.client_credentials.as_ref().map(|f| (f.token_url.clone(), f.scopes.keys().cloned().collect()));
                    (Some(SchemeKind::Bearer { client_credentials: None }), description, flow)
                }
                SpecScheme::OpenIDConnect { description, .. } => (Some(SchemeKind::Bearer { client_credentials: None }), description, None),
            };
            match kind {
                // One SigV4 signer per client: a second scheme would sign twice.
                Some(SchemeKind::SigV4 { .. }) if lowered.iter().any(|l| matches!(l.kind, SchemeKind::SigV4 { .. })) => {
                    unsupported.insert(name.clone());
                }
                Some(kind) => lowered.push(Lowered { name: name.clone(), pointer, description: description.clone(), kind, flow }),
                None => {
                    unsupported.insert(name.clone());
                }
            }
        }

        // A kind is known by its usual setter: one scheme of a kind keeps that name.
        let count = |kind: &str| lowered.iter().filter(|l| default_setter(&l.kind) == kind).count();
        let several: HashSet<&str> = lowered.iter().map(|l| default_setter(&l.kind)).filter(|k| count(k) > 1).collect();
        let mut schemes = Vec::new();
        for Lowered { name, pointer, description, mut kind, flow } in lowered {
            let own = several.contains(default_setter(&kind));
            let setter = if own { scope.claim(&snake(&name)) } else { scope.claim(default_setter(&kind)) };
            if let (SchemeKind::Bearer { client_credentials }, Some((token_url, scopes))) = (&mut kind, flow) {
                let prefix = if own { format!("{setter}_") } else { String::new() };
                *client_credentials = Some(ClientCredentials {
                    token_url,
                    scopes,
                    setter: scope.claim(&format!("{prefix}client_credentials")),
                    scopes_setter: scope.claim(&format!("{prefix}scopes")),
                    token_url_setter: scope.claim(&format!("{prefix}token_url")),
                });
            }
            if matches!(kind, SchemeKind::SigV4 { .. }) {
                for extra in ["aws_session_token", "aws_credentials_from_env", "aws_credentials_provider"] {
                    scope.claim(extra);
                }
            }
            schemes.push(SecurityScheme { name, pointer, description, kind, setter });
        }
        Schemes { schemes, unsupported }
    }

    /// The API's default requirement: the global `security`, or, when the spec has none,
    /// any one configured scheme (in declaration order) or nothing, as clients did before
    /// specs said which operations need what.
    pub fn default_security(&self, doc: &Document, problems: &mut Vec<Diagnostic>) -> Security {
        match &doc.api.security {
            Some(requirements) => self.requirement(doc, requirements, "#/security", problems),
            None => (0..self.schemes.len()).map(|i| vec![i]).chain([Vec::new()]).collect(),
        }
    }

    /// An operation's own `security`, when it has one that differs from the default.
    pub fn operation_security(
        &self,
        doc: &Document,
        requirements: Option<&Vec<SecurityRequirement>>,
        pointer: &str,
        default: &Security,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Security> {
        let own = self.requirement(doc, requirements?, &format!("{pointer}/security"), problems);
        (own != *default).then_some(own)
    }

    fn requirement(&self, doc: &Document, requirements: &[SecurityRequirement], pointer: &str, problems: &mut Vec<Diagnostic>) -> Security {
        if requirements.is_empty() {
            return Vec::new();
        }
        let mut alternatives: Security = Vec::new();
        'alternatives: for (i, requirement) in requirements.iter().enumerate() {
            let mut alternative = Vec::new();
            for name in requirement.keys() {
                match self.schemes.iter().position(|s| &s.name == name) {
                    Some(index) => alternative.push(index),
                    None if self.unsupported.contains(name) => continue 'alternatives,
                    None => {
                        problems.push(doc.locator().error(
                            &format!("{pointer}/{i}/{}", escape_token(name)),
                            format!("security scheme `{name}` is not declared under `components/securitySchemes`"),
                        ));
                        continue 'alternatives;
                    }
                }
            }
            if !alternatives.contains(&alternative) {
                alternatives.push(alternative);
            }
        }
        // Every alternative needs a scheme the client cannot satisfy: send none, and let the
        // caller add what the server wants through their own `reqwest::Client`.
        if alternatives.is_empty() {
            alternatives.push(Vec::new());
        }
        alternatives
    }
}

/// A scheme before its setters are named.
struct Lowered {
    name: String,
    pointer: String,
    description: Option<String>,
    kind: SchemeKind,
    /// A client credentials flow: its token URL and scopes.
    flow: Option<(String, Vec<String>)>,
}

/// The setter of a scheme that is the only one of its kind (several bearer schemes, say,
/// are named after themselves instead).
fn default_setter(kind: &SchemeKind) -> &'static str {
    match kind {
        SchemeKind::Bearer { .. } => "bearer_token",
        SchemeKind::Basic => "basic_auth",
        SchemeKind::ApiKey { .. } => "api_key",
        SchemeKind::SigV4 { .. } => "aws_credentials",
    }
}

fn signing_name(doc: &Document) -> Option<String> {
    let info = &doc.api.info.extensions;
    ["x-serviceName", "x-aws-signingName"].iter().find_map(|key| info.get(*key).and_then(Value::as_str).map(str::to_string))
}
