//! Credentials, applied to each attempt's request just before it is sent.
//!
//! Authentication runs on the finished `reqwest::Request` rather than on the request parts
//! because some schemes (SigV4) sign the final URL, headers and body; running every scheme
//! at the same point keeps their order explicit and lets a retry re-apply them afresh.
//! It is asynchronous because some credentials must be fetched first (an OAuth2 token, an
//! AWS credentials provider); fixed ones answer at once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue, AUTHORIZATION, COOKIE};
use http::HeaderMap;

use super::error::{Failure, RequestProblem};
use super::request::encode_component;
use super::secret::Secret;

/// What a scheme may use to obtain its credentials: the client's own HTTP client (so that
/// proxies and TLS settings apply to token requests too) and its per-attempt time limit.
pub struct AuthContext<'a> {
    pub http: &'a reqwest::Client,
    pub timeout: Option<Duration>,
}

/// The future [`Authenticate::authenticate`] returns.
pub type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>>;

/// One way of proving who the caller is: one security scheme of the spec, configured.
///
/// `Debug` is required so that a client can show which schemes it uses; implementations
/// must redact every credential in it. Errors must not contain the credential either.
pub trait Authenticate: Send + Sync + fmt::Debug {
    /// Adds the credential to one attempt's request.
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        context: &'a AuthContext<'a>,
    ) -> AuthFuture<'a>;

    /// Whether [`unauthorized`](Authenticate::unauthorized) can do anything: only then does
    /// the client keep the headers it sent to show them.
    fn refreshes(&self) -> bool {
        false
    }

    /// The API answered 401 to a request with these headers: forget the credential they
    /// carried if it is still the cached one. `true` when a new attempt may succeed.
    fn unauthorized(&self, _sent: &HeaderMap) -> bool {
        false
    }
}

/// A credential fetched from elsewhere (an OAuth2 token, an AWS provider's keys), shared by
/// every clone of a client: kept until its refresh time, fetched again after, and fetched by
/// one task at a time however many need it at once; the others wait and take its result.
pub struct Refreshing<T> {
    /// The value, and when to fetch a new one (`None`: keep it until forgotten).
    cached: std::sync::Mutex<Option<(T, Option<std::time::Instant>)>>,
    fetching: tokio::sync::Mutex<()>,
}

impl<T: Clone> Refreshing<T> {
    pub fn new() -> Self {
        Refreshing { cached: std::sync::Mutex::new(None), fetching: tokio::sync::Mutex::new(()) }
    }

    fn fresh(&self) -> Option<T> {
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = |at: &Option<std::time::Instant>| at.is_none_or(|at| std::time::Instant::now() < at);
        cached.as_ref().filter(|(_, at)| fresh(at)).map(|(value, _)| value.clone())
    }

    /// The cached value while fresh, else what `fetch` gives (with its refresh time).
    pub async fn get<E, F>(&self, fetch: impl FnOnce() -> F) -> Result<T, E>
    where
        F: Future<Output = Result<(T, Option<std::time::Instant>), E>>,
    {
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        let _fetching = self.fetching.lock().await;
        // Another task may have fetched it while this one waited.
        if let Some(value) = self.fresh() {
            return Ok(value);
        }
        let (value, refresh_at) = fetch().await?;
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some((value.clone(), refresh_at));
        Ok(value)
    }

    /// Forgets the cached value if `refused` says it is the one that was refused.
    pub fn forget_if(&self, refused: impl FnOnce(&T) -> bool) {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if cached.as_ref().is_some_and(|(value, _)| refused(value)) {
            *cached = None;
        }
    }
}

impl<T: Clone> Default for Refreshing<T> {
    fn default() -> Self {
        Refreshing::new()
    }
}

/// A credential known in advance: applying it cannot wait on anything.
fn at_once(result: Result<(), RequestProblem>) -> AuthFuture<'static> {
    Box::pin(std::future::ready(result.map_err(Failure::InvalidRequest)))
}

/// A header value nobody should see: marking it sensitive keeps it out of hyper's and
/// reqwest's own debug output.
pub fn sensitive_value(value: &str, what: &str) -> Result<HeaderValue, RequestProblem> {
    if value.contains(['\r', '\n']) {
        return Err(RequestProblem::Credential(format!(
            "the {what} contains CR or LF characters"
        )));
    }
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        RequestProblem::Credential(format!("the {what} is not a valid header value"))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// `Authorization: Bearer <token>`, for `http` bearer and `oauth2` schemes.
#[derive(Clone)]
pub struct BearerAuth {
    token: Secret,
}

impl BearerAuth {
    pub fn new(token: impl Into<Secret>) -> Self {
        BearerAuth {
            token: token.into(),
        }
    }
}

impl fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuth")
            .field("token", &self.token)
            .finish()
    }
}

impl Authenticate for BearerAuth {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _: &'a AuthContext<'a>,
    ) -> AuthFuture<'a> {
        at_once(self.apply(request))
    }
}

impl BearerAuth {
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), RequestProblem> {
        let value = sensitive_value(
            &format!("Bearer {}", self.token.expose_secret()),
            "bearer token",
        )?;
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

/// Where an `apiKey` scheme puts its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header(String),
    Query(String),
    Cookie(String),
}

/// An OpenAPI `apiKey` scheme: the key is sent as given, with no prefix, in the header,
/// query parameter or cookie the spec names.
#[derive(Clone)]
pub struct ApiKeyAuth {
    location: ApiKeyLocation,
    value: Secret,
}

impl ApiKeyAuth {
    pub fn header(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        ApiKeyAuth {
            location: ApiKeyLocation::Header(name.into()),
            value: value.into(),
        }
    }

    pub fn query(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        ApiKeyAuth {
            location: ApiKeyLocation::Query(name.into()),
            value: value.into(),
        }
    }

    pub fn cookie(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        ApiKeyAuth {
            location: ApiKeyLocation::Cookie(name.into()),
            value: value.into(),
        }
    }

    pub fn location(&self) -> &ApiKeyLocation {
        &self.location
    }
}

impl fmt::Debug for ApiKeyAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyAuth")
            .field("location", &self.location)
            .field("value", &self.value)
            .finish()
    }
}

impl Authenticate for ApiKeyAuth {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _: &'a AuthContext<'a>,
    ) -> AuthFuture<'a> {
        at_once(self.apply(request))
    }
}

impl ApiKeyAuth {
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), RequestProblem> {
        match &self.location {
            ApiKeyLocation::Header(name) => {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    RequestProblem::Credential(format!(
                        "the API key header name `{name}` is not a valid header name"
                    ))
                })?;
                let value = sensitive_value(self.value.expose_secret(), "API key")?;
                request.headers_mut().insert(name, value);
            }
            ApiKeyLocation::Query(name) => {
                // Encoded the same strict way as the operation's own query, so a signer or a
                // server sees one consistent encoding.
                let pair = format!(
                    "{}={}",
                    encode_component(name),
                    encode_component(self.value.expose_secret())
                );
                let url = request.url_mut();
                let query = match url.query() {
                    Some(q) if !q.is_empty() => format!("{q}&{pair}"),
                    _ => pair,
                };
                url.set_query(Some(&query));
            }
            ApiKeyLocation::Cookie(name) => {
                let pair = format!("{name}={}", self.value.expose_secret());
                let cookie = match request.headers().get(COOKIE).and_then(|v| v.to_str().ok()) {
                    Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
                    _ => pair,
                };
                let value = sensitive_value(&cookie, "API key cookie")?;
                request.headers_mut().insert(COOKIE, value);
            }
        }
        Ok(())
    }
}

/// `Authorization: Basic base64(user:password)`, for `http` basic schemes.
#[derive(Clone)]
pub struct BasicAuth {
    user: String,
    password: Secret,
}

impl BasicAuth {
    pub fn new(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        BasicAuth {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The user name is not secret, but it is half of the credential and identifies the
        // caller; it stays out of logs as well.
        f.debug_struct("BasicAuth")
            .field("user", &"[REDACTED]")
            .field("password", &self.password)
            .finish()
    }
}

impl Authenticate for BasicAuth {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _: &'a AuthContext<'a>,
    ) -> AuthFuture<'a> {
        at_once(self.apply(request))
    }
}

impl BasicAuth {
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), RequestProblem> {
        let raw = format!("{}:{}", self.user, self.password.expose_secret());
        let value = sensitive_value(
            &format!("Basic {}", base64(raw.as_bytes())),
            "basic credentials",
        )?;
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

/// Standard base64 with padding (RFC 4648 §4); small enough not to warrant a dependency.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

