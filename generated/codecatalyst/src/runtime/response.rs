//! What a response looks like before and after the generated decoder has seen it.
//!
//! The client core returns every response as a [`RawResponse`], whatever its status: only
//! the generated code knows which statuses and error codes the spec documents. The decoding
//! helpers here turn it into the typed [`Response`] or the right [`Error`] variant, so the
//! generated decoder is a plain `match` on status and error code.

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::Error;

/// A decoded successful response: the typed body plus what the HTTP layer said about it.
///
/// `Deref` to the body keeps the common case short (`client.get_x().send().await?.items`).
#[derive(Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub fn new(status: u16, headers: HeaderMap, body: T) -> Self {
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &T {
        &self.body
    }

    pub fn into_inner(self) -> T {
        self.body
    }

    pub fn into_parts(self) -> (u16, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Status and body only: header values may carry credentials or cookies.
impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body", &self.body)
            .finish()
    }
}

/// One documented response of an operation, as an entry of its decoder's table.
///
/// The generated decoder lists its responses once and asks [`RawResponse::route`] which one
/// a response is; the lookup (the error code read once, then status, range and default)
/// lives here, not in every operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Exactly this status.
    Status(u16),
    /// `4XX` is `Range(4)`.
    Range(u16),
    /// An error told apart by its AWS error code, whatever its status.
    Code(&'static str),
    /// Any other error status (`default` beside documented successes).
    OtherError,
    /// Any status at all (`default` as the only success).
    Any,
}

/// A status that the spec gives a success but that is not one (`default` as the only
/// documented response), met while a stream was expected: there is no stream to read.
pub fn not_a_stream<T, E>(response: Response<T>) -> Error<E> {
    let (status, headers, _) = response.into_parts();
    Error::UnexpectedStatus {
        status,
        headers: Box::new(headers),
        body: Bytes::new(),
        attempts: 1,
    }
}

/// A response as received, any status, body read in full (or, for a successful response to
/// a streaming request, left to read).
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    attempts: u32,
    unread: Option<reqwest::Response>,
}

impl RawResponse {
    pub fn new(status: u16, headers: HeaderMap, body: Bytes, attempts: u32) -> Self {
        RawResponse {
            status,
            headers,
            body,
            attempts,
            unread: None,
        }
    }

    /// A successful response whose body is still to be read, as a stream.
    pub fn streaming(response: reqwest::Response, attempts: u32) -> Self {
        RawResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: Bytes::new(),
            attempts,
            unread: Some(response),
        }
    }

    /// The unread body of a streaming response; `None` when it was read in full (a request
    /// not sent as streaming).
    pub fn take_unread(&mut self) -> Option<reqwest::Response> {
        self.unread.take()
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many requests it took to get this response, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The AWS-style error code of an error response, so that errors documented by code
    /// (AWS JSON, where many errors share status 400) can be told apart.
    ///
    /// Looks at the `X-Amzn-ErrorType` header, then the JSON body's `__type`, then its
    /// `code`, as the AWS SDKs do, and drops the `namespace#` prefix and `:uri` suffix that
    /// servers attach. `None` when there is no code or the body is not a JSON object.
    pub fn error_code(&self) -> Option<String> {
        if let Some(code) = self
            .headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .and_then(sanitize_error_code)
        {
            return Some(code);
        }
        let body: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let object = body.as_object()?;
        ["__type", "code"].iter().find_map(|key| {
            object
                .get(*key)
                .and_then(|v| v.as_str())
                .and_then(sanitize_error_code)
        })
    }

    /// The index in `routes` of the documented response this one is, or `None` when the
    /// spec does not document it. An error code (on a non-2xx response) wins over the
    /// status, an exact status over a range, and a range over a default.
    pub fn route(&self, routes: &[Route]) -> Option<usize> {
        let status = self.status;
        let error = !self.is_success();
        if error && routes.iter().any(|r| matches!(r, Route::Code(_))) {
            if let Some(code) = self.error_code() {
                if let Some(i) = routes
                    .iter()
                    .position(|r| matches!(r, Route::Code(c) if *c == code))
                {
                    return Some(i);
                }
            }
        }
        let find = |wanted: &dyn Fn(&Route) -> bool| routes.iter().position(wanted);
        find(&|r| *r == Route::Status(status))
            .or_else(|| find(&|r| *r == Route::Range(status / 100)))
            .or_else(|| find(&|r| error && *r == Route::OtherError))
            .or_else(|| find(&|r| *r == Route::Any))
    }

    /// Decodes a JSON body. Any content type is accepted (AWS sends
    /// `application/x-amz-json-1.1`, some servers send none), and an empty body is a
    /// `Decode` error because the spec promised a value.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        match serde_json::from_slice(&self.body) {
            Ok(body) => Ok(Response::new(self.status, self.headers, body)),
            Err(source) => Err(self.decode_error(source)),
        }
    }

    /// Like [`RawResponse::json`], for a body documented as a JSON object: anything else
    /// (an array, say, which serde would otherwise read field by field) is a `Decode` error.
    pub fn json_object<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        match parse_object(&self.body) {
            Ok(body) => Ok(Response::new(self.status, self.headers, body)),
            Err(source) => Err(self.decode_error(source)),
        }
    }

    /// Like [`RawResponse::json_object`], but an empty body reads as `{}`: AWS operations
    /// with an all-optional output may send either, and both mean "nothing to report".
    pub fn json_or_empty_object<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        let parsed = if self.body.trim_ascii().is_empty() {
            serde_json::from_slice(b"{}")
        } else {
            parse_object(&self.body)
        };
        match parsed {
            Ok(body) => Ok(Response::new(self.status, self.headers, body)),
            Err(source) => Err(self.decode_error(source)),
        }
    }

    /// A text body (`text/plain`...). Bytes that are not UTF-8 are replaced, not refused:
    /// the spec promised text, and most of it is still readable.
    pub fn text<E>(self) -> Result<Response<String>, Error<E>> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(Response::new(self.status, self.headers, text))
    }

    /// A binary body (`application/octet-stream`, images...), as it came.
    pub fn bytes<E>(self) -> Result<Response<Vec<u8>>, Error<E>> {
        Ok(Response::new(self.status, self.headers, self.body.to_vec()))
    }

    /// A success with no documented body. Whatever the server sent anyway (`{}`, a stray
    /// body on a 204) is ignored: failing a call that worked would help nobody.
    pub fn empty<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(Response::new(self.status, self.headers, ()))
    }

    /// A documented error response: decodes the body as `T` and wraps it with `wrap` into
    /// `Error::Api`; a body that doesn't decode is an `Error::Decode`.
    ///
    /// An empty body reads as `{}`, because AWS may signal an error by its header alone and
    /// error shapes have optional fields only; a `T` that needs fields still fails to decode.
    pub fn api_error<T: DeserializeOwned, E>(self, wrap: impl FnOnce(T) -> E) -> Error<E> {
        let parsed = if self.body.trim_ascii().is_empty() {
            // When `{}` doesn't fit either, report the empty body itself, not the stand-in.
            serde_json::from_slice::<T>(b"{}").or_else(|_| serde_json::from_slice::<T>(&self.body))
        } else {
            serde_json::from_slice(&self.body)
        };
        match parsed {
            Ok(body) => Error::Api {
                status: self.status,
                headers: Box::new(self.headers),
                error: Box::new(wrap(body)),
                attempts: self.attempts,
            },
            Err(source) => self.decode_error(source),
        }
    }

    /// [`RawResponse::api_error`] for an error body documented as a JSON object.
    pub fn api_error_object<T: DeserializeOwned, E>(self, wrap: impl FnOnce(T) -> E) -> Error<E> {
        if !self.body.trim_ascii().is_empty() {
            if let Err(source) = parse_object::<serde::de::IgnoredAny>(&self.body) {
                return self.decode_error(source);
            }
        }
        self.api_error(wrap)
    }

    /// A documented error response whose body the spec does not describe.
    pub fn api_error_without_body<E>(self, error: E) -> Error<E> {
        Error::Api {
            status: self.status,
            headers: Box::new(self.headers),
            error: Box::new(error),
            attempts: self.attempts,
        }
    }

    /// A status the spec does not document; the body is kept for the caller to inspect.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus {
            status: self.status,
            headers: Box::new(self.headers),
            body: self.body,
            attempts: self.attempts,
        }
    }

    fn decode_error<E>(self, source: serde_json::Error) -> Error<E> {
        Error::Decode {
            status: self.status,
            headers: Box::new(self.headers),
            body: self.body,
            source,
            attempts: self.attempts,
        }
    }
}

/// Parses `body` as `T` if it is a JSON object. serde's derived structs also accept arrays
/// (field by field, in order), which would turn a wrong answer into plausible data.
fn parse_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match body.trim_ascii_start().first() {
        Some(b'{') => serde_json::from_slice(body),
        // Let serde describe what is there instead (empty input, a syntax error...).
        None => serde_json::from_slice(body),
        Some(_) => match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Err(syntax) => Err(syntax),
            Ok(_) => Err(<serde_json::Error as serde::de::Error>::custom(
                "expected a JSON object",
            )),
        },
    }
}

/// `aws.protocoltests#FooError:http://internal.amazon.com/...` → `FooError`.
fn sanitize_error_code(raw: &str) -> Option<String> {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let code = before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .trim();
    if code.is_empty() {
        None
    } else {
        Some(code.to_owned())
    }
}

/// Status and body length only, for the same reason as [`Response`].
impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

