//! The one error type every operation returns.
//!
//! Each failure a caller may want to handle differently is a variant of its own, so that
//! "the server said no" (`Api`), "the server said something we don't understand"
//! (`UnexpectedStatus`, `Decode`) and "we never got an answer" (`Timeout`, `Transport`) are
//! told apart by a `match`, not by parsing messages. `Display` and `Debug` never print a
//! header value or a body: responses may echo credentials, and errors end up in logs.

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;

use super::validate::ValidationError;

/// Why an operation failed. `E` is the operation's enum of documented errors.
#[non_exhaustive]
pub enum Error<E> {
    /// A documented error response, decoded.
    ///
    /// The headers and the error are boxed (here and below) to keep `Result<_, Error<E>>`
    /// small on the success path, whatever the size of the spec's error bodies.
    Api {
        status: u16,
        headers: Box<HeaderMap>,
        error: Box<E>,
        attempts: u32,
    },
    /// A status the spec does not document.
    UnexpectedStatus {
        status: u16,
        headers: Box<HeaderMap>,
        body: Bytes,
        attempts: u32,
    },
    /// A response whose body did not decode as documented (including an empty body where
    /// JSON was expected, or the wrong content).
    Decode {
        status: u16,
        headers: Box<HeaderMap>,
        body: Bytes,
        source: serde_json::Error,
        attempts: u32,
    },
    /// Refused before sending: a missing required value or a broken constraint.
    Validation(ValidationError),
    /// The per-attempt or whole-operation timeout elapsed.
    Timeout { attempts: u32 },
    /// Connection, TLS, or other transport failure.
    Transport {
        source: reqwest::Error,
        attempts: u32,
    },
    /// The request could not be built or signed (a `.` path segment, a credential that
    /// cannot go in a header, a signing failure). Never holds a value from the request.
    InvalidRequest { problem: RequestProblem },
    /// A pagination stream stopped instead of looping for ever.
    Pagination { problem: PaginationProblem },
    /// Credentials could not be obtained: the OAuth2 token endpoint refused or failed, or
    /// an AWS credentials provider had none. Nothing was sent to the API.
    Credentials { problem: CredentialsProblem },
}

/// Why a request could not be built or signed, as a kind to match on. The texts say what
/// was wrong, never with which value: values may be credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestProblem {
    /// A path parameter was `.` or `..`: URL parsers resolve such a segment, encoded or not,
    /// and the request would reach another resource.
    DotSegment,
    /// The body's content type is not a valid header value.
    ContentType,
    /// The base URL and the path do not make a valid URL.
    Url(String),
    /// A credential, or the header it goes in, cannot be sent as an HTTP header.
    Credential(String),
    /// AWS SigV4 signing failed.
    Signing(String),
    /// The operation needs a credential the client was not given: `scheme` is the spec's
    /// security scheme, `setter` the `ClientBuilder` method (or methods) that provide it.
    MissingCredential {
        scheme: &'static str,
        setter: &'static str,
    },
}

impl fmt::Display for RequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestProblem::DotSegment => f.write_str("a path parameter cannot be `.` or `..`"),
            RequestProblem::ContentType => f.write_str("the content type is not a valid header value"),
            RequestProblem::Url(why) => write!(f, "the request URL is invalid: {why}"),
            RequestProblem::Credential(why) | RequestProblem::Signing(why) => f.write_str(why),
            RequestProblem::MissingCredential { scheme, setter } => write!(
                f,
                "the operation needs the `{scheme}` credentials; set them with `ClientBuilder::{setter}`"
            ),
        }
    }
}

/// Why credentials could not be obtained. Never holds a credential: the OAuth2 error code
/// and description are the token endpoint's own words about the request, not its values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsProblem {
    /// The OAuth2 token endpoint answered with an error status; `error` and `description`
    /// are its RFC 6749 `error` and `error_description`, when it sent them.
    TokenRejected {
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    /// The token endpoint could not be reached or did not answer in time.
    TokenUnreachable { timeout: bool },
    /// The token endpoint answered 2xx with something that is not a bearer token response.
    TokenResponse(String),
    /// The OAuth2 token URL is not a valid URL.
    TokenUrl(String),
    /// The AWS credentials provider failed (its own message, which names no secret).
    Provider(String),
}

impl fmt::Display for CredentialsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsProblem::TokenRejected {
                status,
                error,
                description,
            } => {
                write!(
                    f,
                    "the OAuth2 token endpoint refused the client credentials (status {status}"
                )?;
                if let Some(error) = error {
                    write!(f, ", `{error}`")?;
                }
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                f.write_str(")")
            }
            CredentialsProblem::TokenUnreachable { timeout: true } => {
                f.write_str("the OAuth2 token endpoint did not answer in time")
            }
            CredentialsProblem::TokenUnreachable { timeout: false } => {
                f.write_str("the OAuth2 token endpoint could not be reached")
            }
            CredentialsProblem::TokenResponse(why) => {
                write!(
                    f,
                    "the OAuth2 token endpoint's answer is not a bearer token: {why}"
                )
            }
            CredentialsProblem::TokenUrl(why) => {
                write!(f, "the OAuth2 token URL is invalid: {why}")
            }
            CredentialsProblem::Provider(why) => {
                write!(f, "the AWS credentials provider failed: {why}")
            }
        }
    }
}

/// Why a pagination stream stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationProblem {
    /// The server sent back a page token it had already sent: following it would loop.
    /// The token itself is not kept: tokens can carry account data.
    RepeatedToken,
}

impl fmt::Display for PaginationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationProblem::RepeatedToken => f.write_str(
                "the server returned a page token it had already returned; stopping instead of looping",
            ),
        }
    }
}

/// A failure of the shared send path, before any response could be decoded. It is not
/// generic, so the client core that returns it is compiled once per crate; `?` turns it
/// into the operation's `Error<E>`.
#[derive(Debug)]
pub enum Failure {
    Validation(ValidationError),
    Timeout {
        attempts: u32,
    },
    Transport {
        source: reqwest::Error,
        attempts: u32,
    },
    InvalidRequest(RequestProblem),
    Credentials(CredentialsProblem),
}

impl<E> From<Failure> for Error<E> {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Validation(e) => Error::Validation(e),
            Failure::Timeout { attempts } => Error::Timeout { attempts },
            Failure::Transport { source, attempts } => Error::Transport { source, attempts },
            Failure::InvalidRequest(problem) => Error::InvalidRequest { problem },
            Failure::Credentials(problem) => Error::Credentials { problem },
        }
    }
}

impl<E> Error<E> {
    /// The page token that came back had been used before.
    pub fn repeated_page_token() -> Self {
        Error::Pagination {
            problem: PaginationProblem::RepeatedToken,
        }
    }

    /// Why the request could not be built or signed, when that is what failed.
    pub fn request_problem(&self) -> Option<&RequestProblem> {
        match self {
            Error::InvalidRequest { problem } => Some(problem),
            _ => None,
        }
    }

    /// Why credentials could not be obtained, when that is what failed.
    pub fn credentials_problem(&self) -> Option<&CredentialsProblem> {
        match self {
            Error::Credentials { problem } => Some(problem),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The documented error, when the server sent one.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }

    /// The documented error by value, when the server sent one.
    pub fn into_api_error(self) -> Option<E> {
        match self {
            Error::Api { error, .. } => Some(*error),
            _ => None,
        }
    }

    /// How many requests went out, retries included; 0 when the request was refused before
    /// sending.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api { attempts, .. }
            | Error::UnexpectedStatus { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::Timeout { attempts }
            | Error::Transport { attempts, .. } => *attempts,
            Error::Validation(_)
            | Error::InvalidRequest { .. }
            | Error::Pagination { .. }
            | Error::Credentials { .. } => 0,
        }
    }

    /// The response headers, when a response arrived (rate-limit headers, request ids...).
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. }
            | Error::UnexpectedStatus { headers, .. }
            | Error::Decode { headers, .. } => Some(headers.as_ref()),
            _ => None,
        }
    }

    /// The raw body of a response that was not decoded into a documented error.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Error::UnexpectedStatus { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    pub fn is_validation(&self) -> bool {
        matches!(self, Error::Validation(_))
    }

    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport { .. })
    }

    /// Converts the documented error, so that helpers written for one operation (pagination
    /// streams, wrappers) can re-type errors without rebuilding every variant.
    pub fn map_api_error<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Api {
                status,
                headers,
                error,
                attempts,
            } => Error::Api {
                status,
                headers,
                error: Box::new(f(*error)),
                attempts,
            },
            Error::UnexpectedStatus {
                status,
                headers,
                body,
                attempts,
            } => Error::UnexpectedStatus {
                status,
                headers,
                body,
                attempts,
            },
            Error::Decode {
                status,
                headers,
                body,
                source,
                attempts,
            } => Error::Decode {
                status,
                headers,
                body,
                source,
                attempts,
            },
            Error::Validation(v) => Error::Validation(v),
            Error::Timeout { attempts } => Error::Timeout { attempts },
            Error::Transport { source, attempts } => Error::Transport { source, attempts },
            Error::InvalidRequest { problem } => Error::InvalidRequest { problem },
            Error::Pagination { problem } => Error::Pagination { problem },
            Error::Credentials { problem } => Error::Credentials { problem },
        }
    }
}

impl<E> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Error::Validation(e)
    }
}

/// "1 attempt", "3 attempts".
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} attempt{}",
            self.0,
            if self.0 == 1 { "" } else { "s" }
        )
    }
}

/// Prints a header map as its names only: values may be credentials or session cookies.
struct HeaderNames<'a>(&'a HeaderMap);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.keys().map(|k| k.as_str()))
            .finish()
    }
}

/// Prints a body as its length only: bodies may echo what was sent.
struct BodyLen(usize);

impl fmt::Debug for BodyLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

/// What went wrong in decoding, and where, but not serde_json's message: that message
/// quotes values from the body ("invalid type: string \"...\""), and bodies may hold
/// secrets. The full message stays reachable through `source()` for those who ask for it.
struct DecodeProblem<'a>(&'a serde_json::Error);

impl fmt::Debug for DecodeProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use serde_json::error::Category;
        let what = match self.0.classify() {
            Category::Eof if self.0.line() <= 1 && self.0.column() == 0 => {
                "empty body where JSON was expected"
            }
            Category::Eof => "truncated JSON",
            Category::Syntax => "not valid JSON",
            Category::Data => "JSON that does not match the documented schema",
            Category::Io => "I/O error while reading JSON",
        };
        write!(
            f,
            "{what} (line {}, column {})",
            self.0.line(),
            self.0.column()
        )
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api {
                status,
                error,
                attempts,
                ..
            } => {
                write!(
                    f,
                    "API error (status {status}) after {}: {error:?}",
                    Attempts(*attempts)
                )
            }
            Error::UnexpectedStatus {
                status, attempts, ..
            } => {
                write!(
                    f,
                    "undocumented status {status} after {}",
                    Attempts(*attempts)
                )
            }
            Error::Decode {
                status,
                source,
                attempts,
                ..
            } => {
                write!(
                    f,
                    "could not decode the response body (status {status}) after {}: {:?}",
                    Attempts(*attempts),
                    DecodeProblem(source)
                )
            }
            Error::Validation(e) => write!(f, "request refused before sending: {e}"),
            Error::Timeout { attempts } => write!(f, "timed out after {}", Attempts(*attempts)),
            Error::Transport { source, attempts } => {
                write!(f, "transport error after {}: {source}", Attempts(*attempts))
            }
            Error::InvalidRequest { problem } => {
                write!(f, "could not build the request: {problem}")
            }
            Error::Pagination { problem } => write!(f, "pagination stopped: {problem}"),
            Error::Credentials { problem } => write!(f, "no credentials: {problem}"),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api {
                status,
                headers,
                error,
                attempts,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("headers", &HeaderNames(headers))
                .field("error", error)
                .field("attempts", attempts)
                .finish(),
            Error::UnexpectedStatus {
                status,
                headers,
                body,
                attempts,
            } => f
                .debug_struct("UnexpectedStatus")
                .field("status", status)
                .field("headers", &HeaderNames(headers))
                .field("body", &BodyLen(body.len()))
                .field("attempts", attempts)
                .finish(),
            Error::Decode {
                status,
                headers,
                body,
                source,
                attempts,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("headers", &HeaderNames(headers))
                .field("body", &BodyLen(body.len()))
                .field("source", &DecodeProblem(source))
                .field("attempts", attempts)
                .finish(),
            Error::Validation(e) => f.debug_tuple("Validation").field(e).finish(),
            Error::Timeout { attempts } => f
                .debug_struct("Timeout")
                .field("attempts", attempts)
                .finish(),
            Error::Transport { source, attempts } => f
                .debug_struct("Transport")
                .field("source", source)
                .field("attempts", attempts)
                .finish(),
            Error::InvalidRequest { problem } => f
                .debug_struct("InvalidRequest")
                .field("problem", problem)
                .finish(),
            Error::Pagination { problem } => f
                .debug_struct("Pagination")
                .field("problem", problem)
                .finish(),
            Error::Credentials { problem } => f
                .debug_struct("Credentials")
                .field("problem", problem)
                .finish(),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } => Some(source),
            Error::Transport { source, .. } => Some(source),
            Error::Validation(e) => Some(e),
            _ => None,
        }
    }
}

/// Why `Client::builder().build()` failed: a bad base URL, user agent or HTTP client setting.
#[derive(Clone, PartialEq, Eq)]
pub struct BuildError {
    message: String,
}

impl BuildError {
    pub fn new(message: impl Into<String>) -> Self {
        BuildError {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not build the client: {}", self.message)
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuildError")
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for BuildError {}

