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

use http::header::{HeaderValue, USER_AGENT};
use tracing::field::Empty;
use tracing::Instrument;

use super::auth::Authenticate;
use super::error::{BuildError, Failure};
use super::request::RequestParts;
use super::response::RawResponse;
use super::retry::RetryPolicy;

/// Everything a generated `ClientBuilder` collects.
#[derive(Clone)]
pub struct ClientConfig {
    /// Scheme, host and optional path prefix (`https://api.example.com/v2`).
    pub base_url: String,
    /// A caller-supplied client (proxies, custom roots...). When set, `connect_timeout`
    /// cannot be applied and is ignored; the per-attempt timeout still is.
    pub http_client: Option<reqwest::Client>,
    /// Applied in order to every attempt.
    pub auth: Vec<Arc<dyn Authenticate>>,
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
            auth: Vec::new(),
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
            .field("auth", &self.auth)
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
    auth: Vec<Arc<dyn Authenticate>>,
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
            .field("auth", &self.inner.auth)
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
                let mut builder = reqwest::Client::builder()
                    .use_rustls_tls()
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
                auth: config.auth,
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
        let policy = &self.inner.retry;
        let idempotent = parts.is_idempotent();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            attempts.store(attempt, Ordering::Relaxed);
            span.record("attempt", attempt);
            let request = self.build_request(parts, &url)?;
            let retries_left = attempt < policy.max_attempts();
            match self.send(request).await {
                Ok((status, headers, body)) => {
                    span.record("status", status);
                    let response = RawResponse::new(status, headers, body, attempt);
                    if retries_left && policy.should_retry_response(&response, idempotent) {
                        let delay = policy.delay_for_response(&response, attempt - 1);
                        tracing::debug!(
                            attempt,
                            status,
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

    /// A fresh request for one attempt; built anew each time so that signatures carry the
    /// attempt's own time.
    fn build_request(
        &self,
        parts: &RequestParts,
        url: &reqwest::Url,
    ) -> Result<reqwest::Request, Failure> {
        let mut request = reqwest::Request::new(parts.method().clone(), url.clone());
        *request.headers_mut() = parts.headers().clone();
        if !request.headers().contains_key(USER_AGENT) {
            request
                .headers_mut()
                .insert(USER_AGENT, self.inner.user_agent.clone());
        }
        if let Some(body) = parts.body() {
            *request.body_mut() = Some(reqwest::Body::from(body.clone()));
        }
        *request.timeout_mut() = self.inner.timeout;
        for auth in &self.inner.auth {
            auth.authenticate(&mut request)
                .map_err(Failure::InvalidRequest)?;
        }
        Ok(request)
    }

    async fn send(
        &self,
        request: reqwest::Request,
    ) -> Result<(u16, http::HeaderMap, bytes::Bytes), reqwest::Error> {
        let response = self.inner.http.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok((status, headers, body))
    }
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

