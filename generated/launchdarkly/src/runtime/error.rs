//! The one error type every operation returns.
//!
//! Each failure a caller may want to handle differently is a variant of its own, so that
//! "the server said no" (`Api`), "the server said something we don't understand"
//! (`UnexpectedStatus`, `Decode`) and "we never got an answer" (`Timeout`, `Transport`) are
//! told apart by a `match`, not by parsing messages. `Display` and `Debug` never print a
//! header value or a body: responses may echo credentials, and errors end up in logs.

// `Error<E>` keeps the response headers inline, as its public fields promise, which makes
// it larger than clippy's threshold for error types; boxing them would change that API.
#![allow(clippy::result_large_err)]

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;

use super::validate::ValidationError;

/// Why an operation failed. `E` is the operation's enum of documented errors.
#[non_exhaustive]
pub enum Error<E> {
    /// A documented error response, decoded.
    Api {
        status: u16,
        headers: HeaderMap,
        error: E,
        attempts: u32,
    },
    /// A status the spec does not document.
    UnexpectedStatus {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
    },
    /// A response whose body did not decode as documented (including an empty body where
    /// JSON was expected, or the wrong content).
    Decode {
        status: u16,
        headers: HeaderMap,
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
    /// The request could not be built or signed (bad header value, CR/LF in a header,
    /// signing failure). The message never contains a value.
    InvalidRequest { message: String },
}

impl<E> Error<E> {
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
            Error::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The documented error by value, when the server sent one.
    pub fn into_api_error(self) -> Option<E> {
        match self {
            Error::Api { error, .. } => Some(error),
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
            Error::Validation(_) | Error::InvalidRequest { .. } => 0,
        }
    }

    /// The response headers, when a response arrived (rate-limit headers, request ids...).
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. }
            | Error::UnexpectedStatus { headers, .. }
            | Error::Decode { headers, .. } => Some(headers),
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
                error: f(error),
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
            Error::InvalidRequest { message } => Error::InvalidRequest { message },
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
                    "could not decode the response body (status {status}) after {}: {source}",
                    Attempts(*attempts)
                )
            }
            Error::Validation(e) => write!(f, "request refused before sending: {e}"),
            Error::Timeout { attempts } => write!(f, "timed out after {}", Attempts(*attempts)),
            Error::Transport { source, attempts } => {
                write!(f, "transport error after {}: {source}", Attempts(*attempts))
            }
            Error::InvalidRequest { message } => {
                write!(f, "could not build the request: {message}")
            }
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
                .field("source", source)
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
            Error::InvalidRequest { message } => f
                .debug_struct("InvalidRequest")
                .field("message", message)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn is_send_sync_and_boxable() {
        assert_send_sync::<Error<String>>();
        let e: Box<dyn std::error::Error + Send + Sync> =
            Box::new(Error::<String>::Timeout { attempts: 2 });
        assert_eq!(e.to_string(), "timed out after 2 attempts");
    }

    #[test]
    fn printing_hides_headers_and_bodies() {
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", "Bearer s3cr3t".parse().unwrap());
        let e = Error::<()>::UnexpectedStatus {
            status: 418,
            headers,
            body: Bytes::from_static(b"s3cr3t body"),
            attempts: 1,
        };
        assert_eq!(e.to_string(), "undocumented status 418 after 1 attempt");
        let dbg = format!("{e:?}");
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(dbg.contains("x-echo") && dbg.contains("11 bytes"), "{dbg}");
        assert_eq!(e.status(), Some(418));
        assert_eq!(e.attempts(), 1);
        assert_eq!(e.body(), Some(&b"s3cr3t body"[..]));
    }
}
