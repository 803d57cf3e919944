//! The pieces of one request, as the generated builder assembles them.
//!
//! Generated code never touches URLs or reqwest directly: it pushes literal path pieces and
//! parameter values here, and the client core turns them into a request for every attempt.
//! Doing the encoding in one place is what keeps `../x` inside its path segment and CR/LF
//! out of headers for every operation of every generated crate.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, Method};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::error::RequestProblem;
use super::validate::ValidationError;

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded. This is
/// stricter than either the path or the query grammar needs, and it is what AWS signing
/// expects, so the URL the signer sees and the one on the wire agree.
pub const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one name or value of a form body (the same strict set as the query).
fn encode_form(value: &str) -> String {
    utf8_percent_encode(value, STRICT).to_string()
}

/// Percent-encodes `value` for use as one path segment or one query name or value.
pub fn encode_component(value: &str) -> String {
    utf8_percent_encode(value, STRICT).to_string()
}

/// A request of one operation, not yet bound to a base URL, credentials or an attempt.
#[derive(Clone)]
pub struct RequestParts {
    method: Method,
    operation_id: &'static str,
    path_template: &'static str,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<Bytes>,
    idempotent: bool,
    problem: Option<RequestProblem>,
    security: Option<Security>,
    /// Leave a successful response's body unread, for [`super::stream::Events`].
    streaming: bool,
}

/// Which security schemes a request needs: alternatives, tried in order, each a list of
/// scheme indices that must all be configured. `&[]` alternatives (OpenAPI's `security: []`)
/// never send credentials; an empty alternative (`{}`) allows sending none.
pub type Security = &'static [&'static [usize]];

impl RequestParts {
    /// `path_template` is the spec's path (`/tokens/{id}`): safe to log, unlike the path.
    pub fn new(method: Method, operation_id: &'static str, path_template: &'static str) -> Self {
        // RFC 9110 idempotent methods may be retried after a failure that might have reached
        // the server; anything else needs the spec's `x-idempotent: true`.
        let idempotent = matches!(
            method,
            Method::GET
                | Method::HEAD
                | Method::PUT
                | Method::DELETE
                | Method::OPTIONS
                | Method::TRACE
        );
        RequestParts {
            method,
            operation_id,
            path_template,
            path: String::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            idempotent,
            problem: None,
            security: None,
            streaming: false,
        }
    }

    /// A successful response's body is read as a stream of events, not all at once.
    pub fn set_streaming(&mut self, yes: bool) {
        self.streaming = yes;
    }

    pub fn is_streaming(&self) -> bool {
        self.streaming
    }

    /// The operation's own security requirement, when it differs from the API's default.
    pub fn set_security(&mut self, security: Security) {
        self.security = Some(security);
    }

    pub fn security(&self) -> Option<Security> {
        self.security
    }

    /// Overrides the method-based default, for `x-idempotent: true` POSTs.
    pub fn set_idempotent(&mut self, yes: bool) {
        self.idempotent = yes;
    }

    /// Builder-style [`RequestParts::set_idempotent`].
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Appends a literal piece of the spec's path, which is already valid URL text.
    pub fn push_path(&mut self, literal: &str) {
        self.path.push_str(literal);
    }

    /// Appends a parameter value as exactly one path segment: `/` and everything else that
    /// is not unreserved is percent-encoded.
    ///
    /// `.` and `..` cannot be sent as a segment at all (URL parsers resolve them, encoded or
    /// not, and the request would reach another resource), so they make the request fail
    /// with `Error::InvalidRequest` when it is executed.
    pub fn push_path_param(&mut self, value: &str) {
        if value == "." || value == ".." {
            self.problem.get_or_insert(RequestProblem::DotSegment);
        }
        self.path.push_str(&encode_component(value));
    }

    /// Appends a query pair; repeat the name for arrays. Encoding happens in
    /// [`RequestParts::encoded_query`].
    pub fn query(&mut self, name: &str, value: &str) {
        self.query.push((name.to_owned(), value.to_owned()));
    }

    /// Sets a header, replacing any earlier value of the same name.
    ///
    /// CR and LF are refused outright: they would let a value inject headers of its own.
    /// The error names the header but never repeats the value.
    pub fn header(&mut self, name: &str, value: &str) -> Result<(), ValidationError> {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ValidationError::new(name, "is not a valid HTTP header name"))?;
        if value.contains(['\r', '\n']) {
            return Err(ValidationError::new(
                name,
                "must not contain CR or LF characters",
            ));
        }
        let header_value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
            ValidationError::new(name, "contains characters not allowed in an HTTP header")
        })?;
        self.headers.insert(header_name, header_value);
        Ok(())
    }

    /// Serializes `body` as JSON and sets `Content-Type` (`application/json`, or
    /// `application/x-amz-json-1.1` for AWS JSON).
    pub fn json_body<T: Serialize>(
        &mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<(), ValidationError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ValidationError::new("body", format!("could not be serialized as JSON: {e}"))
        })?;
        self.raw_body(content_type, bytes);
        Ok(())
    }

    /// Sets an already encoded body and its `Content-Type`.
    pub fn raw_body(&mut self, content_type: &str, bytes: Vec<u8>) {
        match HeaderValue::from_str(content_type) {
            Ok(value) => {
                self.headers.insert(CONTENT_TYPE, value);
            }
            Err(_) => {
                self.problem.get_or_insert(RequestProblem::ContentType);
            }
        }
        self.body = Some(Bytes::from(bytes));
    }

    /// An `application/x-www-form-urlencoded` body from the JSON form of the typed body:
    /// nested values in bracket notation (`metadata[plan]=pro`, `items[0]=a`).
    pub fn form_body(&mut self, content_type: &str, body: &serde_json::Value) {
        let encoded = super::body::form_pairs(body)
            .iter()
            .map(|(name, value)| format!("{}={}", encode_form(name), encode_form(value)))
            .collect::<Vec<_>>()
            .join("&");
        self.raw_body(content_type, encoded.into_bytes());
    }

    /// A `multipart/form-data` body.
    pub fn multipart_body(&mut self, form: super::body::Multipart) {
        let (content_type, bytes) = form.finish();
        self.raw_body(&content_type, bytes);
    }

    /// A query parameter whose value is structured (an object, a union, free-form JSON):
    /// `deepObject` style sends `name[key]=value`; otherwise (`form`, exploded) an object's
    /// properties become parameters of their own and an array repeats the name.
    pub fn query_value(&mut self, name: &str, value: &serde_json::Value, deep_object: bool) {
        use serde_json::Value;
        match value {
            Value::Object(_) if deep_object => {
                for (key, text) in super::body::form_pairs(value) {
                    // `form_pairs` names top-level keys bare: `a[b]` becomes `name[a][b]`.
                    let (head, tail) = key
                        .split_once('[')
                        .map(|(h, t)| (h, format!("[{t}")))
                        .unwrap_or((&key, String::new()));
                    self.query(&format!("{name}[{head}]{tail}"), &text);
                }
            }
            Value::Object(object) => {
                for (key, item) in object {
                    self.query(key, &super::body::scalar_text(item));
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.query(name, &super::body::scalar_text(item));
                }
            }
            Value::Null => {}
            scalar => self.query(name, &super::body::scalar_text(scalar)),
        }
    }

    pub fn accept(&mut self, value: &'static str) {
        self.headers.insert(ACCEPT, HeaderValue::from_static(value));
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The path so far, parameters already encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query pairs, not encoded.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// Why the request cannot be sent, if a setter found out too late to return an error.
    pub fn problem(&self) -> Option<&RequestProblem> {
        self.problem.as_ref()
    }

    /// The query string (without `?`), every name and value percent-encoded, spaces as `%20`.
    pub fn encoded_query(&self) -> Option<String> {
        if self.query.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .query
            .iter()
            .map(|(n, v)| format!("{}={}", encode_component(n), encode_component(v)))
            .collect();
        Some(pairs.join("&"))
    }

    /// The full URL of this request under `base`, whose own path is kept as a prefix
    /// (`https://h/v3` + `/tokens` = `https://h/v3/tokens`).
    pub fn url(&self, base: &reqwest::Url) -> Result<reqwest::Url, RequestProblem> {
        let mut text = base.as_str().to_owned();
        // A base URL may come with or without a trailing slash, or with a query or fragment a
        // caller left on by mistake; none of them may end up in the middle of the path.
        if let Some(i) = text.find(['?', '#']) {
            text.truncate(i);
        }
        while text.ends_with('/') {
            text.pop();
        }
        if !self.path.starts_with('/') {
            text.push('/');
        }
        text.push_str(&self.path);
        let mut url = reqwest::Url::parse(&text).map_err(|e| RequestProblem::Url(e.to_string()))?;
        url.set_query(self.encoded_query().as_deref());
        Ok(url)
    }
}

/// Shows only what is safe to log: no path values, query values, header values or body.
impl std::fmt::Debug for RequestParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestParts")
            .field("method", &self.method)
            .field("operation_id", &self.operation_id)
            .field("path_template", &self.path_template)
            .field(
                "query_names",
                &self
                    .query
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field(
                "header_names",
                &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(|b| b.len()))
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> RequestParts {
        RequestParts::new(Method::GET, "getToken", "/tokens/{id}")
    }

    #[test]
    fn path_params_stay_in_their_segment() {
        let mut p = parts();
        p.push_path("/api/v2/tokens/");
        p.push_path_param("../x y/é?#%");
        let base = reqwest::Url::parse("https://h.example/v3/").unwrap();
        assert_eq!(
            p.url(&base).unwrap().as_str(),
            "https://h.example/v3/api/v2/tokens/..%2Fx%20y%2F%C3%A9%3F%23%25"
        );
        assert!(p.problem().is_none());
        p.push_path_param("..");
        assert!(p.problem().is_some());
    }

    #[test]
    fn base_url_path_is_kept() {
        let mut p = parts();
        p.push_path("/personal-access-tokens");
        for base in ["https://h/v3", "https://h/v3/", "https://h/v3?x=1"] {
            let base = reqwest::Url::parse(base).unwrap();
            assert_eq!(
                p.url(&base).unwrap().as_str(),
                "https://h/v3/personal-access-tokens"
            );
        }
        let mut root = RequestParts::new(Method::POST, "Op", "/#X-Amz-Target=Svc.Op");
        root.push_path("/");
        let base = reqwest::Url::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(root.url(&base).unwrap().as_str(), "http://127.0.0.1:9000/");
    }

    #[test]
    fn query_is_encoded_and_repeatable() {
        let mut p = parts();
        p.push_path("/t");
        p.query("filter", "a b&c=d");
        p.query("tag", "x");
        p.query("tag", "y+z");
        let base = reqwest::Url::parse("https://h").unwrap();
        assert_eq!(
            p.url(&base).unwrap().as_str(),
            "https://h/t?filter=a%20b%26c%3Dd&tag=x&tag=y%2Bz"
        );
    }

    #[test]
    fn headers_refuse_crlf_without_echoing() {
        let mut p = parts();
        let e = p.header("X-Note", "ok\r\nX-Injected: s3cr3t").unwrap_err();
        assert_eq!(e.field, "X-Note");
        assert!(!e.to_string().contains("s3cr3t"));
        assert!(p.header("X-Note", "bad\nvalue").is_err());
        assert!(p.header("bad name", "v").is_err());
        assert!(p.header("X-Nul", "a\0b").is_err());
        p.header("X-Note", "fine, with spaces").unwrap();
        assert_eq!(p.headers()["x-note"], "fine, with spaces");
    }

    #[test]
    fn idempotency_defaults() {
        assert!(RequestParts::new(Method::PUT, "a", "/").is_idempotent());
        assert!(!RequestParts::new(Method::POST, "a", "/").is_idempotent());
        assert!(RequestParts::new(Method::POST, "a", "/")
            .idempotent(true)
            .is_idempotent());
        assert!(!RequestParts::new(Method::PATCH, "a", "/").is_idempotent());
    }

    #[test]
    fn json_body_sets_content_type() {
        let mut p = RequestParts::new(Method::POST, "a", "/");
        p.json_body("application/x-amz-json-1.1", &serde_json::json!({"a": 1}))
            .unwrap();
        assert_eq!(p.headers()["content-type"], "application/x-amz-json-1.1");
        assert_eq!(p.body().unwrap().as_ref(), br#"{"a":1}"#);
    }
}
