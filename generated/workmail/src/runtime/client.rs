//! The part of every generated `Client` that actually talks HTTP.
//!
//! The generated client is a thin typed layer over [`ClientCore`]: it fills
//! [`RequestParts`], calls [`ClientCore::execute`], and decodes the [`RawResponse`].
//! Everything that must behave the same for every operation (URL building, auth, timeouts,
//! retries, tracing without secrets) lives here once.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, USER_AGENT};
use http::{HeaderMap, Method};
use tracing::field::Empty;
use tracing::Instrument;

use super::auth::{AuthContext, Authenticate};
use super::error::{BuildError, Failure, RequestProblem};
use super::request::{RequestParts, Security};
use super::response::RawResponse;
use super::retry::RetryPolicy;

/// Redirects followed within one attempt before the 3xx itself is returned, as browsers and
/// reqwest limit them.
const MAX_REDIRECTS: usize = 10;

/// One security scheme of the spec, and the credential the caller configured for it.
#[derive(Clone)]
pub struct Scheme {
    /// The scheme's name in the spec (`components/securitySchemes`).
    pub name: &'static str,
    /// The `ClientBuilder` method (or methods) that configure it, for error messages.
    pub setter: &'static str,
    pub credential: Option<Arc<dyn Authenticate>>,
}

impl Scheme {
    pub fn new(name: &'static str, setter: &'static str) -> Self {
        Scheme {
            name,
            setter,
            credential: None,
        }
    }

    pub fn with(mut self, credential: impl Authenticate + 'static) -> Self {
        self.credential = Some(Arc::new(credential));
        self
    }
}

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential's own `Debug` redacts its secrets.
        f.debug_struct("Scheme")
            .field("name", &self.name)
            .field("credential", &self.credential)
            .finish()
    }
}

/// Everything a generated `ClientBuilder` collects.
#[derive(Clone)]
pub struct ClientConfig {
    /// Scheme, host and optional path prefix (`https://api.example.com/v2`).
    pub base_url: String,
    /// A caller-supplied client (proxies, custom roots...). When set, `connect_timeout`
    /// cannot be applied and is ignored; the per-attempt timeout still is.
    pub http_client: Option<reqwest::Client>,
    /// The spec's security schemes, in order; `Security` indices point here.
    pub schemes: Vec<Scheme>,
    /// What an operation without its own requirement needs (the spec's global `security`).
    pub security: Security,
    pub user_agent: String,
    /// Per attempt, from connecting until the body is read.
    pub timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    /// The whole operation, retries and waits included.
    pub operation_timeout: Option<Duration>,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            ..ClientConfig::default()
        }
    }
}

/// Empty `base_url`: generated builders always fill it from the spec's first server.
impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: String::new(),
            http_client: None,
            schemes: Vec::new(),
            security: &[],
            // Resolves to the generated crate's own name and version once copied there.
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            timeout: None,
            connect_timeout: Some(Duration::from_secs(10)),
            operation_timeout: None,
            retry: RetryPolicy::default(),
        }
    }
}

/// Shows no credential: auth schemes print their own redacted `Debug`.
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("schemes", &self.schemes)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

struct Inner {
    base_url: reqwest::Url,
    base_url_text: String,
    http: reqwest::Client,
    schemes: Vec<Scheme>,
    security: Security,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry: RetryPolicy,
}

/// A configured connection to one API. Cloning is cheap and clones share connections.
#[derive(Clone)]
pub struct ClientCore {
    inner: Arc<Inner>,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.inner.base_url_text)
            .field("schemes", &self.inner.schemes)
            .field("timeout", &self.inner.timeout)
            .field("operation_timeout", &self.inner.operation_timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// Checks the configuration up front, so that a typo in a base URL is an error at
    /// `build()` rather than a panic or a confusing failure at the first call.
    pub fn new(config: ClientConfig) -> Result<ClientCore, BuildError> {
        let base_url = reqwest::Url::parse(config.base_url.trim())
            .map_err(|e| BuildError::new(format!("the base URL is not a valid URL: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(BuildError::new(format!(
                "the base URL must use http or https, not `{}`",
                base_url.scheme()
            )));
        }
        if base_url.host_str().is_none_or(str::is_empty) {
            return Err(BuildError::new("the base URL has no host"));
        }
        if base_url.query().is_some() || base_url.fragment().is_some() {
            return Err(BuildError::new(
                "the base URL must not have a query or a fragment",
            ));
        }
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| BuildError::new("the user agent is not a valid header value"))?;
        let http = match config.http_client {
            Some(client) => client,
            None => {
                // Redirects are followed by `attempt`, which knows which credentials may go
                // to the new location.
                let mut builder = reqwest::Client::builder()
                    .use_rustls_tls()
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(user_agent.clone());
                if let Some(t) = config.connect_timeout {
                    builder = builder.connect_timeout(t);
                }
                builder.build().map_err(|e| {
                    BuildError::new(format!("the HTTP client could not be built: {e}"))
                })?
            }
        };
        let base_url_text = base_url.as_str().trim_end_matches('/').to_owned();
        Ok(ClientCore {
            inner: Arc::new(Inner {
                base_url,
                base_url_text,
                http,
                schemes: config.schemes,
                security: config.security,
                user_agent,
                timeout: config.timeout,
                operation_timeout: config.operation_timeout,
                retry: config.retry,
            }),
        })
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url_text
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Sends the request, retrying as the policy allows, and returns the final response
    /// whatever its status: only the generated decoder knows which statuses are errors.
    ///
    /// Not generic on purpose: this state machine (retries, timeouts, signing, tracing) is
    /// compiled once per crate, not once per operation. `?` turns a [`Failure`] into the
    /// operation's own `Error<E>`.
    pub async fn execute(&self, parts: RequestParts) -> Result<RawResponse, Failure> {
        let span = tracing::info_span!(
            "operation",
            operation_id = parts.operation_id(),
            method = %parts.method(),
            path_template = parts.path_template(),
            attempt = Empty,
            status = Empty,
        );
        let attempts = AtomicU32::new(0);
        let run = self
            .attempts(&parts, &attempts, &span)
            .instrument(span.clone());
        match self.inner.operation_timeout {
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(result) => result,
                Err(_) => {
                    let attempts = attempts.load(Ordering::Relaxed);
                    span.in_scope(|| tracing::debug!(attempts, "operation timed out"));
                    Err(Failure::Timeout { attempts })
                }
            },
            None => run.await,
        }
    }

    async fn attempts(
        &self,
        parts: &RequestParts,
        attempts: &AtomicU32,
        span: &tracing::Span,
    ) -> Result<RawResponse, Failure> {
        if let Some(problem) = parts.problem() {
            return Err(Failure::InvalidRequest(problem.clone()));
        }
        let url = parts
            .url(&self.inner.base_url)
            .map_err(Failure::InvalidRequest)?;
        let credentials = self
            .credentials_for(parts)
            .map_err(Failure::InvalidRequest)?;
        let policy = &self.inner.retry;
        let idempotent = parts.is_idempotent();
        let mut attempt: u32 = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            attempts.store(attempt, Ordering::Relaxed);
            span.record("attempt", attempt);
            let retries_left = attempt < policy.max_attempts();
            match self.attempt(parts, &url, &credentials).await? {
                Ok(sent) => {
                    span.record("status", sent.status);
                    // A refused token is refreshed and the request sent again, once.
                    if sent.status == 401 && !refreshed {
                        if let Some(headers) = &sent.credential_headers {
                            let retry = credentials.iter().any(|c| c.unauthorized(headers));
                            if retry {
                                refreshed = true;
                                tracing::debug!(
                                    attempt,
                                    "401: refreshing the credentials and retrying"
                                );
                                continue;
                            }
                        }
                    }
                    let response = match sent.unread {
                        Some(unread) => RawResponse::streaming(unread, attempt),
                        None => RawResponse::new(sent.status, sent.headers, sent.body, attempt),
                    };
                    if retries_left && policy.should_retry_response(&response, idempotent) {
                        let delay = policy.delay_for_response(&response, attempt - 1);
                        tracing::debug!(
                            attempt,
                            status = response.status(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying after response"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Ok(response);
                }
                Err(error) => {
                    if retries_left && policy.should_retry_transport(&error, idempotent) {
                        let delay = policy.backoff(attempt - 1);
                        tracing::debug!(
                            attempt,
                            kind = transport_kind(&error),
                            delay_ms = delay.as_millis() as u64,
                            "retrying after transport error"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    tracing::debug!(attempt, kind = transport_kind(&error), "transport error");
                    return Err(if error.is_timeout() {
                        Failure::Timeout { attempts: attempt }
                    } else {
                        // The URL goes: its query may hold an API key or other values.
                        Failure::Transport {
                            source: error.without_url(),
                            attempts: attempt,
                        }
                    });
                }
            }
        }
    }

    /// The credentials this request carries: of its security alternatives (or the API's),
    /// the first whose schemes are all configured. None when the operation needs none, and
    /// a [`RequestProblem::MissingCredential`] naming the setter when none can be met.
    fn credentials_for(
        &self,
        parts: &RequestParts,
    ) -> Result<Vec<Arc<dyn Authenticate>>, RequestProblem> {
        let security = parts.security().unwrap_or(self.inner.security);
        let schemes = &self.inner.schemes;
        let configured = |i: &usize| schemes.get(*i).and_then(|s| s.credential.as_ref());
        if security.is_empty() {
            return Ok(Vec::new());
        }
        for alternative in security {
            if alternative.iter().all(|i| configured(i).is_some()) {
                return Ok(alternative.iter().filter_map(configured).cloned().collect());
            }
        }
        // Name the first scheme missing from the first alternative: the spec's preferred way.
        let missing = security[0]
            .iter()
            .find(|i| configured(i).is_none())
            .and_then(|i| schemes.get(*i));
        Err(match missing {
            Some(scheme) => RequestProblem::MissingCredential {
                scheme: scheme.name,
                setter: scheme.setter,
            },
            None => RequestProblem::Credential("the operation's security scheme is unknown".into()),
        })
    }

    /// One attempt: the request, and the redirects it meets. Credentials go to the origin of
    /// the request's own URL only; once a redirect leaves it, no later hop carries any, since
    /// reqwest would drop only `Authorization` and a key in a header of its own name or an
    /// `X-Amz-Security-Token` would leak.
    async fn attempt(
        &self,
        parts: &RequestParts,
        url: &reqwest::Url,
        credentials: &[Arc<dyn Authenticate>],
    ) -> Result<Result<Sent, reqwest::Error>, Failure> {
        let origin = url.origin();
        let mut url = url.clone();
        let mut method = parts.method().clone();
        let mut with_body = true;
        let mut trusted = true;
        for hop in 0..=MAX_REDIRECTS {
            let credentials = if trusted { credentials } else { &[] };
            let request = self
                .build_request(parts, &url, &method, with_body, credentials)
                .await?;
            let credential_headers = credentials
                .iter()
                .any(|c| c.refreshes())
                .then(|| request.headers().clone());
            let (status, headers, body, unread) = match self.send(request, parts.is_streaming()).await {
                Ok(sent) => sent,
                Err(e) => return Ok(Err(e)),
            };
            let sent = Sent {
                status,
                headers,
                body,
                unread,
                credential_headers,
            };
            let next = match redirect_target(&sent, &url) {
                Some(next) if hop < MAX_REDIRECTS => next,
                _ => return Ok(Ok(sent)),
            };
            // RFC 9110 §15.4: 303 turns any method but HEAD into GET; browsers (and reqwest)
            // do the same for a POST answered with 301 or 302. 307 and 308 keep both.
            if (status == 303 && method != Method::HEAD)
                || (matches!(status, 301 | 302) && method == Method::POST)
            {
                method = Method::GET;
                with_body = false;
            }
            trusted = trusted && next.origin() == origin;
            tracing::debug!(status, same_origin = trusted, "following a redirect");
            url = next;
        }
        unreachable!("the last hop returns")
    }

    /// A fresh request for one hop of one attempt; built anew each time so that signatures
    /// carry the attempt's own time and URL.
    async fn build_request(
        &self,
        parts: &RequestParts,
        url: &reqwest::Url,
        method: &Method,
        with_body: bool,
        credentials: &[Arc<dyn Authenticate>],
    ) -> Result<reqwest::Request, Failure> {
        let mut request = reqwest::Request::new(method.clone(), url.clone());
        *request.headers_mut() = parts.headers().clone();
        if !request.headers().contains_key(USER_AGENT) {
            request
                .headers_mut()
                .insert(USER_AGENT, self.inner.user_agent.clone());
        }
        match parts.body() {
            Some(body) if with_body => {
                *request.body_mut() = Some(reqwest::Body::from(body.clone()))
            }
            _ => {
                request.headers_mut().remove(CONTENT_TYPE);
                request.headers_mut().remove(CONTENT_LENGTH);
            }
        }
        *request.timeout_mut() = self.inner.timeout;
        let context = AuthContext {
            http: &self.inner.http,
            timeout: self.inner.timeout,
        };
        for credential in credentials {
            credential.authenticate(&mut request, &context).await?;
        }
        Ok(request)
    }

    /// Sends one request. With `streaming`, a successful response's body is left unread
    /// (the caller reads it as a stream); any other body is read in full.
    async fn send(
        &self,
        request: reqwest::Request,
        streaming: bool,
    ) -> Result<(u16, HeaderMap, Bytes, Option<reqwest::Response>), reqwest::Error> {
        let response = self.inner.http.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if streaming && response.status().is_success() {
            return Ok((status, headers, Bytes::new(), Some(response)));
        }
        let body = response.bytes().await?;
        Ok((status, headers, body, None))
    }
}

/// A response to one attempt, and the headers its credentials went in (kept only for
/// schemes that can refresh on a 401).
struct Sent {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    /// A successful streaming response's body, not read yet.
    unread: Option<reqwest::Response>,
    credential_headers: Option<HeaderMap>,
}

/// Where a redirect response points, when it is one that can be followed.
fn redirect_target(sent: &Sent, url: &reqwest::Url) -> Option<reqwest::Url> {
    if !matches!(sent.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = sent.headers.get(LOCATION)?.to_str().ok()?;
    let next = url.join(location).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// A log-safe description of a transport error: reqwest's message may include the URL.
fn transport_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() {
        "body"
    } else if error.is_request() {
        "request"
    } else {
        "other"
    }
}

