//! Typed test doubles, behind the `mock` cargo feature: a local HTTP server (wiremock) that
//! answers each operation as a test says, so that code using a generated client can be tested
//! without the network.
//!
//! The generated `mock` module adds one method per operation to [`MockServer`], returning a
//! typed expectation whose setters are the operation's own parameters. Each setter encodes its
//! value with the same code the client uses to send it (it runs on a scratch
//! [`RequestParts`]), so an expectation matches exactly what the client sends. An expectation
//! matches every request of its operation whose set parameters and body agree; it is mounted
//! by one of its `respond*` methods, and [`MockServer::verify`] checks, at the end of a test,
//! that each was used as often as it said, naming the operation and what differed.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wiremock::{Mock, Request, ResponseTemplate};

use super::request::RequestParts;
use super::validate::ValidationError;

/// A local server that answers as the test's expectations say.
pub struct MockServer {
    server: wiremock::MockServer,
    mounted: Mutex<Vec<Arc<Mounted>>>,
}

impl MockServer {
    pub async fn start() -> MockServer {
        MockServer { server: wiremock::MockServer::start().await, mounted: Mutex::new(Vec::new()) }
    }

    /// The server's base URL, for `ClientBuilder::base_url`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The requests the server received, in order (for assertions of one's own).
    pub async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// Starts an expectation of one operation; generated code calls this.
    pub fn expect(&self, operation: &'static str, method: Method, path: Vec<PathPart>) -> Expectation<'_> {
        Expectation {
            server: self,
            criteria: Criteria { operation, method, path, query: Vec::new(), headers: Vec::new(), body: None, predicate: None },
            times: None,
        }
    }

    /// Panics unless every expectation was met: each answered as many times as its
    /// `times(n)` said, or at least once. The message names the operation, what it expected,
    /// and how the requests of that operation that did arrive differed.
    pub async fn verify(&self) {
        let received = self.received_requests().await;
        let mounted: Vec<Arc<Mounted>> = self.mounted.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut failures = Vec::new();
        for expectation in &mounted {
            let served = expectation.served.load(Ordering::SeqCst);
            let met = match expectation.times {
                Some(n) => served == n,
                None => served >= 1,
            };
            if met {
                continue;
            }
            let wanted = match expectation.times {
                Some(n) => format!("{n} time{}", if n == 1 { "" } else { "s" }),
                None => "at least once".into(),
            };
            let mut message = format!(
                "{} was expected {wanted} but answered {served} time{}; it expected {}",
                expectation.criteria.operation,
                if served == 1 { "" } else { "s" },
                expectation.criteria
            );
            let same_operation: Vec<&Request> = received.iter().filter(|r| expectation.criteria.is_operation(r)).collect();
            if same_operation.is_empty() {
                message.push_str("\n  no request of this operation arrived");
            }
            for request in same_operation {
                if let Some(difference) = expectation.criteria.difference(request) {
                    message.push_str(&format!("\n  a {} request differed: {difference}", expectation.criteria.operation));
                }
            }
            failures.push(message);
        }
        if !failures.is_empty() {
            panic!("mock expectations not met:\n- {}", failures.join("\n- "));
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer").field("uri", &self.uri()).finish_non_exhaustive()
    }
}

/// One piece of an operation's path: as written in the spec, or a parameter (`None`: any
/// value; `Some`: the value as the client encodes it).
#[derive(Debug, Clone)]
pub enum PathPart {
    Literal(&'static str),
    Param(Option<String>),
}

/// What a request must be to match an expectation.
#[derive(Clone)]
struct Criteria {
    operation: &'static str,
    method: Method,
    path: Vec<PathPart>,
    /// Pairs that must be in the query, decoded.
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// The JSON body, exactly.
    body: Option<serde_json::Value>,
    predicate: Option<BodyPredicate>,
}

/// Decides on a request body's bytes.
type BodyPredicate = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

impl Criteria {
    /// Whether the request is of this operation at all (method and path shape, and the
    /// constant headers that tell AWS JSON operations apart).
    fn is_operation(&self, request: &Request) -> bool {
        request.method == self.method && self.path_difference(request.url.path(), false).is_none()
    }

    /// The path as received, checked piece by piece after any base path the client was
    /// given (`/v3` in `https://host/v3`); with `values`, set parameters must also have
    /// their value.
    fn path_difference(&self, received: &str, values: bool) -> Option<String> {
        let mut differences = Vec::new();
        for (start, _) in received.match_indices('/') {
            match self.path_difference_from(received, &received[start..], values) {
                None => return None,
                Some(why) => differences.push(why),
            }
        }
        // Where the path had the operation's shape, the parameter value is what differed.
        let best = differences.iter().position(|d| d.starts_with("path parameter")).unwrap_or(0);
        Some(differences.into_iter().nth(best).unwrap_or_else(|| format!("the path `{received}` is not the operation's")))
    }

    fn path_difference_from(&self, received: &str, path: &str, values: bool) -> Option<String> {
        let mut rest = path;
        for part in &self.path {
            match part {
                PathPart::Literal(text) => match rest.strip_prefix(text) {
                    Some(after) => rest = after,
                    None => return Some(format!("the path `{received}` does not have `{text}` where expected")),
                },
                PathPart::Param(value) => {
                    let end = rest.find('/').unwrap_or(rest.len());
                    let (segment, after) = rest.split_at(end);
                    if segment.is_empty() {
                        return Some(format!("the path `{received}` lacks a parameter"));
                    }
                    if let (true, Some(value)) = (values, value) {
                        if !same_segment(segment, value) {
                            return Some(format!("path parameter: expected `{value}`, got `{segment}`"));
                        }
                    }
                    rest = after;
                }
            }
        }
        (!rest.is_empty()).then(|| format!("the path `{received}` goes on past the operation's"))
    }

    /// Why the request does not match, or `None` when it does.
    fn difference(&self, request: &Request) -> Option<String> {
        if request.method != self.method {
            return Some(format!("method: expected {}, got {}", self.method, request.method));
        }
        if let Some(why) = self.path_difference(request.url.path(), true) {
            return Some(why);
        }
        let pairs: Vec<(String, String)> = request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut remaining = pairs.clone();
        for (name, value) in &self.query {
            match remaining.iter().position(|(k, v)| k == name && v == value) {
                Some(i) => {
                    remaining.remove(i);
                }
                None => {
                    let got: Vec<&str> = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
                    return Some(match got.as_slice() {
                        [] => format!("query `{name}`: expected `{value}`, but it was not sent"),
                        got => format!("query `{name}`: expected `{value}`, got `{}`", got.join("`, `")),
                    });
                }
            }
        }
        for (name, value) in &self.headers {
            let got = request.headers.get(name.as_str()).and_then(|v| v.to_str().ok());
            if got != Some(value.as_str()) {
                return Some(match got {
                    None => format!("header `{name}`: expected `{value}`, but it was not sent"),
                    Some(got) => format!("header `{name}`: expected `{value}`, got `{got}`"),
                });
            }
        }
        if let Some(expected) = &self.body {
            match serde_json::from_slice::<serde_json::Value>(&request.body) {
                Ok(got) if &got == expected => {}
                Ok(got) => return Some(format!("body: expected {expected}, got {got}")),
                Err(_) => return Some(format!("body: expected {expected}, got {} bytes that are not JSON", request.body.len())),
            }
        }
        if let Some(predicate) = &self.predicate {
            if !predicate(&request.body) {
                return Some("body: the predicate refused it".into());
            }
        }
        None
    }
}

/// `%2F` and `%2f` are the same byte; anything else is compared as encoded.
fn same_segment(received: &str, expected: &str) -> bool {
    received.eq_ignore_ascii_case(expected)
}

impl fmt::Display for Criteria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.method)?;
        for part in &self.path {
            match part {
                PathPart::Literal(text) => f.write_str(text)?,
                PathPart::Param(Some(value)) => f.write_str(value)?,
                PathPart::Param(None) => f.write_str("{*}")?,
            }
        }
        for (i, (name, value)) in self.query.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { "?" } else { "&" })?;
        }
        for (name, value) in &self.headers {
            write!(f, ", {name}: {value}")?;
        }
        if let Some(body) = &self.body {
            write!(f, ", body {body}")?;
        }
        if self.predicate.is_some() {
            f.write_str(", a body the predicate accepts")?;
        }
        Ok(())
    }
}

impl wiremock::Match for Criteria {
    fn matches(&self, request: &Request) -> bool {
        self.difference(request).is_none()
    }
}

/// An expectation being written: what to match, how often.
pub struct Expectation<'a> {
    server: &'a MockServer,
    criteria: Criteria,
    times: Option<u64>,
}

impl Expectation<'_> {
    /// Encodes a value with the client's own code: `encode` lays it on a scratch request,
    /// and what it put in the query, the headers or the path becomes part of the match.
    /// A value the client would refuse (a header with a line break) is a bug in the test.
    pub fn with(mut self, encode: impl FnOnce(&mut RequestParts) -> Result<(), ValidationError>) -> Self {
        let mut scratch = RequestParts::new(Method::GET, "mock", "");
        if let Err(e) = encode(&mut scratch) {
            panic!("{}: this value cannot be sent: {e}", self.criteria.operation);
        }
        self.criteria.query.extend(scratch.query_pairs().iter().cloned());
        for (name, value) in scratch.headers() {
            self.criteria.headers.push((name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()));
        }
        self
    }

    /// The value of the `index`th piece of the path (a parameter), encoded by `encode`.
    pub fn path_param(mut self, index: usize, encode: impl FnOnce(&mut RequestParts)) -> Self {
        let mut scratch = RequestParts::new(Method::GET, "mock", "");
        encode(&mut scratch);
        if let Some(PathPart::Param(value)) = self.criteria.path.get_mut(index) {
            *value = Some(scratch.path().to_owned());
        }
        self
    }

    /// A header every request of the operation carries (AWS JSON's `X-Amz-Target`).
    pub fn constant_header(mut self, name: &str, value: &str) -> Self {
        self.criteria.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// The JSON body, exactly (compared as JSON, so key order and spacing do not matter).
    pub fn json_body<T: Serialize>(mut self, body: &T) -> Self {
        match serde_json::to_value(body) {
            Ok(value) => self.criteria.body = Some(value),
            Err(e) => panic!("{}: the body cannot be serialized: {e}", self.criteria.operation),
        }
        self
    }

    /// A body that decodes as `T` and that `accept` accepts.
    pub fn body_matching<T: DeserializeOwned + 'static>(mut self, accept: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        self.criteria.predicate = Some(Arc::new(move |bytes: &[u8]| serde_json::from_slice::<T>(bytes).is_ok_and(|body| accept(&body))));
        self
    }

    /// Answer exactly `n` matching requests (then let later expectations answer), and
    /// check at [`MockServer::verify`] that there were `n`.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Mounts the expectation with one answer.
    pub async fn respond(self, answer: Answer) {
        self.respond_in_turn(vec![answer]).await;
    }

    /// Mounts the expectation with answers given in turn, the last one repeated (a page each,
    /// for pagination). With several answers, `times` defaults to their number.
    pub async fn respond_in_turn(self, answers: Vec<Answer>) {
        let times = self.times.or((answers.len() > 1).then_some(answers.len() as u64));
        let mounted = Arc::new(Mounted { criteria: self.criteria.clone(), times, served: AtomicU64::new(0) });
        let responder = Responder { answers, mounted: mounted.clone() };
        let mut mock = Mock::given(self.criteria).respond_with(responder).named(mounted.criteria.operation);
        if let Some(n) = times {
            mock = mock.up_to_n_times(n);
        }
        self.server.server.register(mock).await;
        self.server.mounted.lock().unwrap_or_else(|e| e.into_inner()).push(mounted);
    }
}

/// A response, as the generated `respond*` methods build it from typed values.
#[derive(Debug, Clone)]
pub struct Answer {
    status: u16,
    body: Option<serde_json::Value>,
    raw: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer { status, body: None, raw: None, headers: Vec::new() }
    }

    /// A JSON body (`content_type`: `application/json`, or the AWS JSON type).
    pub fn json<T: Serialize>(status: u16, body: &T, content_type: &str) -> Answer {
        let body = serde_json::to_value(body).unwrap_or_else(|e| panic!("a mock answer cannot be serialized: {e}"));
        Answer { status, body: Some(body), raw: None, headers: vec![("content-type".into(), content_type.into())] }
    }

    /// A body that is not JSON (text, bytes), as `application/octet-stream`.
    pub fn raw(status: u16, body: Vec<u8>) -> Answer {
        Answer { status, body: None, raw: None, headers: Vec::new() }.with_raw(body)
    }

    fn with_raw(mut self, body: Vec<u8>) -> Answer {
        self.raw = Some(body);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// An AWS error: its code in `X-Amzn-ErrorType` and in the body's `__type`, as AWS JSON
    /// services send them.
    pub fn aws_error(mut self, code: &str) -> Answer {
        self.headers.push(("x-amzn-errortype".into(), code.to_owned()));
        match &mut self.body {
            Some(serde_json::Value::Object(map)) => {
                map.insert("__type".into(), code.into());
            }
            body @ None => *body = Some(serde_json::json!({ "__type": code })),
            Some(_) => {}
        }
        self
    }

    fn template(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in &self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        if let Some(body) = &self.body {
            template = template.set_body_raw(serde_json::to_vec(body).unwrap_or_default(), self.content_type());
        } else if let Some(raw) = &self.raw {
            template = template.set_body_raw(raw.clone(), "application/octet-stream");
        }
        template
    }

    fn content_type(&self) -> &str {
        self.headers.iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.as_str()).unwrap_or("application/json")
    }
}

struct Mounted {
    criteria: Criteria,
    times: Option<u64>,
    served: AtomicU64,
}

struct Responder {
    answers: Vec<Answer>,
    mounted: Arc<Mounted>,
}

impl wiremock::Respond for Responder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let turn = self.mounted.served.fetch_add(1, Ordering::SeqCst) as usize;
        let answer = self.answers.get(turn).or(self.answers.last());
        answer.map(Answer::template).unwrap_or_else(|| ResponseTemplate::new(500))
    }
}
