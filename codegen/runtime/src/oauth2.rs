//! OAuth2 client credentials (RFC 6749 §4.4): a client id and secret exchanged for an access
//! token, which then goes out as `Authorization: Bearer <token>`.
//!
//! Only crates whose spec declares a `clientCredentials` flow get this file. The token is
//! fetched on first use, shared by every clone of the client, refreshed shortly before it
//! expires, and forgotten when the API answers 401 to it. However many tasks need a token at
//! once, one request goes to the token endpoint: the others wait for its answer.

use std::fmt;
use std::time::{Duration, Instant};

use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::HeaderMap;
use serde::Deserialize;

use super::auth::{sensitive_value, AuthContext, AuthFuture, Authenticate, Refreshing};
use super::error::{CredentialsProblem, Failure};
use super::request::encode_component;
use super::secret::Secret;

/// Tokens are refreshed this long before they expire (at most a tenth of their lifetime), so
/// that a request never leaves with a token that expires on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The client credentials grant, as the vendors' own SDKs send it: a form-encoded `POST` to
/// the token URL with `grant_type`, `client_id`, `client_secret` and, when scopes are asked
/// for, `scope`.
pub struct ClientCredentialsAuth {
    client_id: String,
    client_secret: Secret,
    scopes: Vec<String>,
    token_url: String,
    /// `Bearer <token>`, marked sensitive; without a lifetime from the server, kept until a 401.
    token: Refreshing<HeaderValue>,
}

impl ClientCredentialsAuth {
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        token_url: impl Into<String>,
        scopes: Vec<String>,
    ) -> Self {
        ClientCredentialsAuth {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes,
            token_url: token_url.into(),
            token: Refreshing::new(),
        }
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// A new token: the `Authorization` value, and when to fetch the next one.
    async fn fetch(&self, context: &AuthContext<'_>) -> Result<(HeaderValue, Option<Instant>), CredentialsProblem> {
        let url = reqwest::Url::parse(&self.token_url)
            .map_err(|e| CredentialsProblem::TokenUrl(e.to_string()))?;
        let mut form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            encode_component(&self.client_id),
            encode_component(self.client_secret.expose_secret())
        );
        if !self.scopes.is_empty() {
            form.push_str("&scope=");
            form.push_str(&encode_component(&self.scopes.join(" ")));
        }
        let mut request = reqwest::Request::new(http::Method::POST, url);
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        *request.body_mut() = Some(reqwest::Body::from(form));
        *request.timeout_mut() = context.timeout;
        tracing::debug!("fetching an OAuth2 access token");
        let sent_at = Instant::now();
        let unreachable = |e: reqwest::Error| CredentialsProblem::TokenUnreachable {
            timeout: e.is_timeout(),
        };
        let response = context.http.execute(request).await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(unreachable)?;
        if !(200..300).contains(&status) {
            let refusal: TokenError = serde_json::from_slice(&body).unwrap_or_default();
            tracing::debug!(
                status,
                error = refusal.error.as_deref(),
                "the token endpoint refused"
            );
            return Err(CredentialsProblem::TokenRejected {
                status,
                error: refusal.error,
                description: refusal.error_description,
            });
        }
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            CredentialsProblem::TokenResponse("no `access_token` in a JSON object".into())
        })?;
        if let Some(kind) = &token.token_type {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(CredentialsProblem::TokenResponse(format!(
                    "the token type is `{kind}`, not `bearer`"
                )));
            }
        }
        let header = sensitive_value(&format!("Bearer {}", token.access_token), "access token")
            .map_err(|_| {
                CredentialsProblem::TokenResponse(
                    "the access token is not a valid header value".into(),
                )
            })?;
        let refresh_at = token.lifetime().map(|lifetime| {
            let margin = REFRESH_MARGIN.min(lifetime / 10);
            sent_at + lifetime - margin
        });
        tracing::debug!(
            expires_in = token.lifetime().map(|l| l.as_secs()),
            "got an OAuth2 access token"
        );
        Ok((header, refresh_at))
    }
}

/// RFC 6749 §5.1. `expires_in` is a number by the RFC, a string from some servers.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

impl TokenResponse {
    fn lifetime(&self) -> Option<Duration> {
        let seconds = match self.expires_in.as_ref()? {
            serde_json::Value::Number(n) => n.as_f64()?,
            serde_json::Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds))
    }
}

/// RFC 6749 §5.2.
#[derive(Deserialize, Default)]
struct TokenError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl fmt::Debug for ClientCredentialsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client id is half of the credential (for SailPoint, the PAT's id).
        f.debug_struct("ClientCredentialsAuth")
            .field("client_id", &"[REDACTED]")
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl Authenticate for ClientCredentialsAuth {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        context: &'a AuthContext<'a>,
    ) -> AuthFuture<'a> {
        Box::pin(async move {
            let header = self.token.get(|| self.fetch(context)).await.map_err(Failure::Credentials)?;
            request.headers_mut().insert(AUTHORIZATION, header);
            Ok(())
        })
    }

    fn refreshes(&self) -> bool {
        true
    }

    fn unauthorized(&self, sent: &HeaderMap) -> bool {
        // Forget the token only if it is the one that was refused: after 50 concurrent 401s,
        // the first forgets it and the rest reuse the token fetched in its place.
        self.token.forget_if(|token| Some(token) == sent.get(AUTHORIZATION));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_from_numbers_and_strings() {
        let parse = |json: &str| {
            serde_json::from_str::<TokenResponse>(json)
                .unwrap()
                .lifetime()
        };
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":749}"#),
            Some(Duration::from_secs(749))
        );
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":"60"}"#),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse(r#"{"access_token":"a","expires_in":0}"#), None);
        assert_eq!(parse(r#"{"access_token":"a"}"#), None);
    }

    #[test]
    fn debug_shows_no_credential() {
        let auth = ClientCredentialsAuth::new(
            "pat-id-123",
            "pat-secret-456",
            "https://t/oauth/token",
            vec![],
        );
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("pat-id-123") && !shown.contains("pat-secret-456"),
            "{shown}"
        );
    }
}
