//! Hostile responses: property tests that feed the four generated clients truncated
//! examples, random bytes (non-UTF-8 included), JSON with fields of the wrong type,
//! arbitrary JSON, HTML under any content type, stray bodies, `{}` and empty bodies, under
//! documented and undocumented statuses, and check that every call returns a typed result,
//! never panics, and returns exactly the outcome the spec and the runtime's documented
//! decoding rules determine:
//!
//! - a documented success decodes iff the body decodes as the documented type (a JSON
//!   object where the spec says object; AWS outputs and errors also accept a blank body);
//! - a documented error becomes `Error::Api` with the right variant iff its body decodes
//!   (a blank body reads as `{}`), `Error::Decode` otherwise;
//! - AWS-style errors are matched by code (`X-Amzn-ErrorType`, then `__type`/`code` in the
//!   body) before the status; anything else is `Error::UnexpectedStatus`;
//! - a success without a documented body is `Ok` whatever the server sends.
//!
//! All clients run with `RetryPolicy::none()`, so each case is exactly one request. One
//! multi-threaded runtime and one mock server per test serve every case; a mounted
//! responder replays whatever the current case set.

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestCaseError, TestCaseResult, TestRunner};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Cases per property: enough variety, and the whole file runs in a few seconds.
const CASES: u32 = 64;
/// Put into bodies: it must never show up in the text of an error that did not decode.
const MARKER: &str = "HOSTILE-MARKER";
const ORG: &str = "m-0123456789abcdef0123456789abcdef";
const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>HOSTILE-MARKER</body></html>";

// ---------------------------------------------------------------------------------------
// The stage: one runtime, one server per test, a replayed response per case
// ---------------------------------------------------------------------------------------

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    });
    &RUNTIME
}

/// Answers every request with the response the current case set.
struct Replay(Arc<Mutex<ResponseTemplate>>);

impl Respond for Replay {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().expect("replay lock").clone()
    }
}

struct Stage {
    server: MockServer,
    current: Arc<Mutex<ResponseTemplate>>,
}

impl Stage {
    fn start() -> Stage {
        runtime().block_on(async {
            let server = MockServer::builder()
                .disable_request_recording()
                .start()
                .await;
            let current = Arc::new(Mutex::new(ResponseTemplate::new(500)));
            Mock::given(any_request())
                .respond_with(Replay(current.clone()))
                .mount(&server)
                .await;
            Stage { server, current }
        })
    }

    fn uri(&self) -> String {
        self.server.uri()
    }

    fn serve(&self, reply: &Reply) {
        *self.current.lock().expect("replay lock") = reply.template();
    }
}

/// Runs `test` on `CASES` values of `strategy`; no regression files are written.
fn check<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> TestCaseResult) {
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

/// One hostile response.
#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    /// The `X-Amzn-ErrorType` header, raw bytes (non-ASCII included).
    error_type: Option<Vec<u8>>,
    body: Vec<u8>,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field(
                "error_type",
                &self.error_type.as_deref().map(String::from_utf8_lossy),
            )
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl Reply {
    fn new(status: u16, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            error_type: None,
            body: body.into(),
        }
    }

    fn with_error_type(mut self, code: &str) -> Reply {
        self.error_type = Some(code.as_bytes().to_vec());
        self
    }

    fn template(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        if let Some(value) = &self.error_type {
            let value = http::HeaderValue::from_bytes(value)
                .expect("the strategy makes valid header values");
            template = template.insert_header("x-amzn-errortype", value);
        }
        match self.content_type {
            Some(content_type) => template.set_body_raw(self.body.clone(), content_type),
            None => template.set_body_bytes(self.body.clone()),
        }
    }

    /// The body as it reaches the client: HTTP gives 204 and 304 no body, so hyper neither
    /// sends nor reads one (a 204 with a body on the wire has a test of its own below).
    fn delivered(&self) -> &[u8] {
        if matches!(self.status, 204 | 304) {
            &[]
        } else {
            &self.body
        }
    }

    /// The header as the client can read it: `HeaderValue::to_str` takes visible ASCII only.
    fn error_type_text(&self) -> Option<&str> {
        let bytes = self.error_type.as_deref()?;
        if bytes
            .iter()
            .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
        {
            std::str::from_utf8(bytes).ok()
        } else {
            None
        }
    }
}

const CONTENT_TYPES: [Option<&str>; 6] = [
    Some("application/json"),
    Some("application/x-amz-json-1.1"),
    Some("text/html; charset=utf-8"),
    Some("text/plain"),
    Some("application/octet-stream"),
    None,
];

/// Field names the specs use, so that arbitrary JSON sometimes looks almost right.
const KEYS: [&str; 26] = [
    "items",
    "nextToken",
    "totalCount",
    "_links",
    "_id",
    "ownerId",
    "memberId",
    "creationDate",
    "lastModified",
    "message",
    "code",
    "__type",
    "Message",
    "NextToken",
    "PersonalAccessTokenSummaries",
    "PersonalAccessTokenId",
    "DateCreated",
    "id",
    "name",
    "owner",
    "created",
    "detailCode",
    "error",
    "messages",
    "expiresTime",
    "href",
];

/// Error codes of the AWS-style specs, and some that are not theirs.
const CODES: [&str; 11] = [
    "ValidationException",
    "AccessDeniedException",
    "ThrottlingException",
    "ConflictException",
    "ResourceNotFoundException",
    "InvalidParameterException",
    "EntityNotFoundException",
    "OrganizationNotFoundException",
    "OrganizationStateException",
    "InternalFailure",
    "not_found",
];

fn strings() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(MARKER.to_owned()),
        2 => select(CODES.to_vec()).prop_map(str::to_owned),
        1 => Just("2024-01-01T00:00:00Z".to_owned()),
        4 => "\\PC{0,12}",
    ]
}

/// Arbitrary JSON: every kind of value, nested, with the specs' field names as keys.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Non-finite floats become `null`, as serde_json cannot write them.
        any::<f64>().prop_map(Value::from),
        strings().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec(
                (
                    prop_oneof![
                        select(KEYS.to_vec()).prop_map(str::to_owned),
                        "[a-zA-Z_]{0,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn kind(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (token, child) in children {
        let pointer = format!("{prefix}/{token}");
        out.push(pointer.clone());
        pointers(child, &pointer, out);
    }
}

/// The example with one field (at any depth) replaced by a value of another JSON type.
fn wrong_type(mut example: Value, at: Index, with: Index) -> Vec<u8> {
    let mut all = Vec::new();
    pointers(&example, "", &mut all);
    if let Some(pointer) = (!all.is_empty()).then(|| at.get(&all).clone()) {
        let target = example
            .pointer_mut(&pointer)
            .expect("the pointer was collected from this value");
        let replacements: Vec<Value> = [
            Value::Null,
            json!(true),
            json!(7),
            json!(-1.5),
            json!(1e300),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(MARKER),
            json!(""),
            json!([]),
            json!([1, MARKER]),
            json!({}),
            json!({ "k": MARKER }),
        ]
        .into_iter()
        .filter(|r| kind(r) != kind(target))
        .collect();
        *target = with.get(&replacements).clone();
    }
    serde_json::to_vec(&example).expect("JSON")
}

/// Bodies built from `examples` (the operation's documented success and error examples).
fn bodies(examples: Vec<Value>) -> BoxedStrategy<Vec<u8>> {
    let encoded: Vec<Vec<u8>> = examples
        .iter()
        .map(|e| serde_json::to_vec(e).expect("JSON"))
        .collect();
    let truncated = (select(encoded.clone()), any::<Index>())
        .prop_map(|(body, cut)| body[..cut.index(body.len() + 1)].to_vec());
    let wrong = (select(examples), any::<Index>(), any::<Index>())
        .prop_map(|(example, at, with)| wrong_type(example, at, with));
    let fixed: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b" \r\n\t".to_vec(),
        b"\x0c".to_vec(),
        b"\xef\xbb\xbf{}".to_vec(),
        b"{}{}".to_vec(),
        b"{} trailing".to_vec(),
        HTML.to_vec(),
        format!("\"{MARKER}\"").into_bytes(),
    ];
    prop_oneof![
        2 => select(encoded),
        3 => truncated,
        2 => vec(any::<u8>(), 0..160),
        3 => wrong,
        3 => arbitrary_json().prop_map(|v| serde_json::to_vec(&v).expect("JSON")),
        2 => select(fixed),
    ]
    .boxed()
}

/// `X-Amzn-ErrorType` values: mostly none, then real codes (bare and decorated), junk, and
/// bytes that are not ASCII (which the client cannot read as text).
fn error_types() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        4 => Just(None),
        2 => select(CODES.to_vec()).prop_map(|c| Some(c.as_bytes().to_vec())),
        1 => select(CODES.to_vec()).prop_map(|c| Some(format!("aws.protocol#{c}:http://internal.amazon.com/").into_bytes())),
        1 => "[A-Za-z#:][A-Za-z0-9#:./]{0,20}".prop_map(|s| Some(s.into_bytes())),
        1 => Just(Some("ValidationException\u{e9}".as_bytes().to_vec())),
    ]
}

/// Replies with `documented` statuses (and any other from 200 to 599), any content type, any
/// body; with `X-Amzn-ErrorType` headers when `aws`.
fn replies(documented: &[u16], examples: Vec<Value>, aws: bool) -> impl Strategy<Value = Reply> {
    let statuses = prop_oneof![3 => select(documented.to_vec()), 1 => 200u16..600];
    let error_type = if aws {
        error_types().boxed()
    } else {
        Just(None).boxed()
    };
    (
        statuses,
        select(CONTENT_TYPES.to_vec()),
        error_type,
        bodies(examples),
    )
        .prop_map(|(status, content_type, error_type, body)| Reply {
            status,
            content_type,
            error_type,
            body,
        })
}

// ---------------------------------------------------------------------------------------
// Outcomes: what came back, and what the spec and the runtime's rules say must
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Ok,
    /// A documented error, by the name of its variant.
    Api(String),
    Decode,
    Unexpected,
    /// Anything else (transport, timeout...): never right for a response that arrived.
    Other(String),
}

fn variant_name(debug: &str) -> String {
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Classifies a result, and checks what every error must satisfy: it has the response's
/// status, one attempt, and (unless it is a decoded documented error, whose fields are meant
/// to be read) prints nothing of the body.
macro_rules! outcome {
    ($krate:ident, $result:expr, $reply:expr) => {{
        let result = &$result;
        let reply: &Reply = $reply;
        if let Err(error) = result {
            prop_assert_eq!(error.status(), Some(reply.status), "status of {:?}", error);
            prop_assert_eq!(error.attempts(), 1, "attempts of {:?}", error);
            let shown = format!("{error} {error:?}");
            if !matches!(error, $krate::Error::Api { .. }) {
                prop_assert!(
                    !shown.contains(MARKER),
                    "the error prints the body: {}",
                    shown
                );
            }
        }
        match result {
            Ok(_) => Outcome::Ok,
            Err($krate::Error::Api { error, .. }) => {
                Outcome::Api(variant_name(&format!("{error:?}")))
            }
            Err($krate::Error::Decode { .. }) => Outcome::Decode,
            Err($krate::Error::UnexpectedStatus { .. }) => Outcome::Unexpected,
            Err(other) => Outcome::Other(format!("{other:?}")),
        }
    }};
}

fn blank(body: &[u8]) -> bool {
    body.trim_ascii().is_empty()
}

/// A body documented as a JSON object: it must be one, and decode as `T`.
fn object<T: DeserializeOwned>(body: &[u8]) -> Outcome {
    if body.trim_ascii_start().first() == Some(&b'{') && serde_json::from_slice::<T>(body).is_ok() {
        Outcome::Ok
    } else {
        Outcome::Decode
    }
}

/// Any JSON that decodes as `T` (a top-level array, say).
fn any_json<T: DeserializeOwned>(body: &[u8]) -> Outcome {
    if serde_json::from_slice::<T>(body).is_ok() {
        Outcome::Ok
    } else {
        Outcome::Decode
    }
}

/// An AWS output with optional members only: a blank body or a JSON object of type `T`.
fn object_or_blank<T: DeserializeOwned>(body: &[u8]) -> Outcome {
    if blank(body) {
        Outcome::Ok
    } else {
        object::<T>(body)
    }
}

/// A documented error with an object body: blank reads as `{}`; otherwise a JSON object that
/// decodes as `T`.
fn api_error<T: DeserializeOwned>(body: &[u8], variant: &str) -> Outcome {
    let decodes = if blank(body) {
        serde_json::from_slice::<T>(b"{}").is_ok()
    } else {
        object::<T>(body) == Outcome::Ok
    };
    if decodes {
        Outcome::Api(variant.to_owned())
    } else {
        Outcome::Decode
    }
}

/// `aws.protocol#FooError:http://...` → `FooError`, as CONVENTIONS.md describes it.
fn bare_code(raw: &str) -> Option<String> {
    let code = raw.split(':').next().unwrap_or(raw);
    let code = code.rsplit('#').next().unwrap_or(code).trim();
    (!code.is_empty()).then(|| code.to_owned())
}

/// The AWS error code of a reply: the header first, then the body's `__type`, then `code`.
fn error_code(reply: &Reply) -> Option<String> {
    if let Some(code) = reply.error_type_text().and_then(bare_code) {
        return Some(code);
    }
    let body: Value = serde_json::from_slice(reply.delivered()).ok()?;
    let object = body.as_object()?;
    ["__type", "code"]
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str).and_then(bare_code))
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

// ---------------------------------------------------------------------------------------
// Clients and examples
// ---------------------------------------------------------------------------------------

fn ld_client(stage: &Stage) -> launchdarkly_client::Client {
    launchdarkly_client::Client::builder()
        .base_url(stage.uri())
        .api_key("api-hostile")
        .retry(launchdarkly_client::RetryPolicy::none())
        .build()
        .expect("client")
}

fn cc_client(stage: &Stage) -> codecatalyst_client::Client {
    codecatalyst_client::Client::builder()
        .base_url(stage.uri())
        .bearer_token("bearer-hostile")
        .retry(codecatalyst_client::RetryPolicy::none())
        .build()
        .expect("client")
}

fn sp_client(stage: &Stage) -> sailpoint_client::Client {
    sailpoint_client::Client::builder()
        .base_url(format!("{}/v3", stage.uri()))
        .bearer_token("bearer-hostile")
        .retry(sailpoint_client::RetryPolicy::none())
        .build()
        .expect("client")
}

fn wm_client(stage: &Stage) -> workmail_client::Client {
    workmail_client::Client::builder()
        .base_url(stage.uri())
        .aws_credentials("AKIDHOSTILE", "secret-hostile")
        .retry(workmail_client::RetryPolicy::none())
        .build()
        .expect("client")
}

/// The example of `#/components/responses/<name>` (JSON content).
fn response_component(spec: &Value, name: &str, media_type: &str) -> Value {
    wire_tests::at(
        spec,
        &format!(
            "/components/responses/{name}/content/{}/example",
            media_type.replace('/', "~1")
        ),
    )
}

fn ld_examples() -> Vec<Value> {
    let spec = wire_tests::spec("launchdarkly");
    let mut examples = vec![wire_tests::response_example(
        &spec,
        "/api/v2/tokens",
        "get",
        "200",
        "application/json",
    )];
    for name in ["Unauthorized", "Forbidden", "NotFound", "RateLimited"] {
        examples.push(response_component(&spec, name, "application/json"));
    }
    examples
}

fn cc_examples() -> Vec<Value> {
    let spec = wire_tests::spec("codecatalyst");
    let mut examples = vec![wire_tests::response_example(
        &spec,
        "/v1/accessTokens",
        "post",
        "200",
        "application/json",
    )];
    for name in [
        "ValidationException",
        "AccessDeniedException",
        "ThrottlingException",
    ] {
        examples.push(response_component(&spec, name, "application/json"));
    }
    examples
}

fn sp_examples() -> Vec<Value> {
    let spec = wire_tests::spec("sailpoint");
    let mut examples = vec![wire_tests::response_example(
        &spec,
        "/personal-access-tokens",
        "get",
        "200",
        "application/json",
    )];
    for name in ["BadRequest", "Unauthorized", "Forbidden", "NotFound"] {
        examples.push(response_component(&spec, name, "application/json"));
    }
    examples
}

fn wm_examples() -> Vec<Value> {
    let spec = wire_tests::spec("workmail");
    let mut examples = vec![wire_tests::response_example(
        &spec,
        "/#X-Amz-Target=WorkMailService.ListPersonalAccessTokens",
        "post",
        "200",
        "application/x-amz-json-1.1",
    )];
    for name in [
        "InvalidParameterException",
        "EntityNotFoundException",
        "OrganizationNotFoundException",
    ] {
        examples.push(response_component(
            &spec,
            name,
            "application/x-amz-json-1.1",
        ));
    }
    examples
}

// ---------------------------------------------------------------------------------------
// What each operation must return
// ---------------------------------------------------------------------------------------

fn expect_ld_get_tokens(reply: &Reply) -> Outcome {
    use launchdarkly_client::types::{
        ForbiddenErrorRep, RateLimitedErrorRep, Tokens, UnauthorizedErrorRep,
    };
    match reply.status {
        200 => object::<Tokens>(reply.delivered()),
        401 => api_error::<UnauthorizedErrorRep>(reply.delivered(), "Unauthorized"),
        403 => api_error::<ForbiddenErrorRep>(reply.delivered(), "Forbidden"),
        429 => api_error::<RateLimitedErrorRep>(reply.delivered(), "TooManyRequests"),
        _ => Outcome::Unexpected,
    }
}

fn expect_ld_delete_token(reply: &Reply) -> Outcome {
    use launchdarkly_client::types::{
        ForbiddenErrorRep, NotFoundErrorRep, RateLimitedErrorRep, UnauthorizedErrorRep,
    };
    match reply.status {
        204 => Outcome::Ok,
        401 => api_error::<UnauthorizedErrorRep>(reply.delivered(), "Unauthorized"),
        403 => api_error::<ForbiddenErrorRep>(reply.delivered(), "Forbidden"),
        404 => api_error::<NotFoundErrorRep>(reply.delivered(), "NotFound"),
        429 => api_error::<RateLimitedErrorRep>(reply.delivered(), "TooManyRequests"),
        _ => Outcome::Unexpected,
    }
}

/// CodeCatalyst errors: by code first (any non-2xx status), then by status. Every error shape
/// is `{"message": string}`.
fn expect_cc_error(reply: &Reply) -> Option<Outcome> {
    use codecatalyst_client::types::ValidationException as Shape;
    const BY_CODE: [&str; 6] = [
        "ValidationException",
        "ServiceQuotaExceededException",
        "AccessDeniedException",
        "ResourceNotFoundException",
        "ConflictException",
        "ThrottlingException",
    ];
    if is_success(reply.status) {
        return None;
    }
    if let Some(code) = error_code(reply).filter(|code| BY_CODE.contains(&code.as_str())) {
        return Some(api_error::<Shape>(reply.delivered(), &code));
    }
    let by_status = match reply.status {
        400 => "ValidationException",
        402 => "ServiceQuotaExceededException",
        403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        409 => "ConflictException",
        429 => "ThrottlingException",
        _ => return Some(Outcome::Unexpected),
    };
    Some(api_error::<Shape>(reply.delivered(), by_status))
}

fn expect_cc_list(reply: &Reply) -> Outcome {
    expect_cc_error(reply).unwrap_or_else(|| match reply.status {
        200 => object::<codecatalyst_client::types::ListAccessTokensResponse>(reply.delivered()),
        _ => Outcome::Unexpected,
    })
}

fn expect_cc_delete(reply: &Reply) -> Outcome {
    expect_cc_error(reply).unwrap_or(if reply.status == 200 {
        Outcome::Ok
    } else {
        Outcome::Unexpected
    })
}

fn expect_sp_error(reply: &Reply, not_found: bool) -> Outcome {
    use sailpoint_client::types::{
        ErrorResponseDto, TooManyRequests429Response, Unauthorized401Response,
    };
    match reply.status {
        400 => api_error::<ErrorResponseDto>(reply.delivered(), "BadRequest"),
        401 => api_error::<Unauthorized401Response>(reply.delivered(), "Unauthorized"),
        403 => api_error::<ErrorResponseDto>(reply.delivered(), "Forbidden"),
        404 if not_found => api_error::<ErrorResponseDto>(reply.delivered(), "NotFound"),
        429 => api_error::<TooManyRequests429Response>(reply.delivered(), "TooManyRequests"),
        500 => api_error::<ErrorResponseDto>(reply.delivered(), "InternalServerError"),
        _ => Outcome::Unexpected,
    }
}

fn expect_sp_list(reply: &Reply) -> Outcome {
    match reply.status {
        200 => any_json::<Vec<sailpoint_client::types::GetPersonalAccessTokenResponse>>(
            reply.delivered(),
        ),
        _ => expect_sp_error(reply, false),
    }
}

fn expect_sp_delete(reply: &Reply) -> Outcome {
    match reply.status {
        204 => Outcome::Ok,
        _ => expect_sp_error(reply, true),
    }
}

/// WorkMail errors: by code only (its documented statuses 480... are made up); every error
/// shape has optional members only.
fn expect_wm_error(reply: &Reply, codes: &[&str]) -> Option<Outcome> {
    use workmail_client::types::InvalidParameterException as Shape;
    if is_success(reply.status) {
        return None;
    }
    Some(
        match error_code(reply).filter(|code| codes.contains(&code.as_str())) {
            Some(code) => api_error::<Shape>(reply.delivered(), &code),
            None => Outcome::Unexpected,
        },
    )
}

fn expect_wm_list(reply: &Reply) -> Outcome {
    const CODES: [&str; 5] = [
        "InvalidParameterException",
        "EntityNotFoundException",
        "EntityStateException",
        "OrganizationNotFoundException",
        "OrganizationStateException",
    ];
    expect_wm_error(reply, &CODES).unwrap_or_else(|| match reply.status {
        200 => object_or_blank::<workmail_client::types::ListPersonalAccessTokensResponse>(
            reply.delivered(),
        ),
        _ => Outcome::Unexpected,
    })
}

fn expect_wm_delete(reply: &Reply) -> Outcome {
    const CODES: [&str; 3] = [
        "InvalidParameterException",
        "OrganizationNotFoundException",
        "OrganizationStateException",
    ];
    expect_wm_error(reply, &CODES).unwrap_or(if reply.status == 200 {
        Outcome::Ok
    } else {
        Outcome::Unexpected
    })
}

// ---------------------------------------------------------------------------------------
// Properties, one per operation
// ---------------------------------------------------------------------------------------

#[test]
fn launchdarkly_get_tokens_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = ld_client(&stage);
    check(
        replies(
            &[200, 401, 403, 429, 404, 500, 503, 201, 204],
            ld_examples(),
            false,
        ),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(client.get_tokens().send());
            let got = outcome!(launchdarkly_client, result, &reply);
            prop_assert_eq!(got, expect_ld_get_tokens(&reply), "for {:?}", reply);
            if let Ok(page) = &result {
                let expected: launchdarkly_client::types::Tokens =
                    serde_json::from_slice(reply.delivered()).expect("oracle");
                prop_assert_eq!(page.body(), &expected);
            }
            Ok(())
        },
    );
}

#[test]
fn launchdarkly_delete_token_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = ld_client(&stage);
    check(
        replies(&[204, 200, 401, 403, 404, 429, 500], ld_examples(), false),
        |reply| {
            stage.serve(&reply);
            let result =
                runtime().block_on(client.delete_token().id("61095542756dba551110ae21").send());
            let got = outcome!(launchdarkly_client, result, &reply);
            prop_assert_eq!(got, expect_ld_delete_token(&reply), "for {:?}", reply);
            Ok(())
        },
    );
}

#[test]
fn codecatalyst_list_access_tokens_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = cc_client(&stage);
    check(
        replies(
            &[200, 400, 402, 403, 404, 409, 429, 500, 503],
            cc_examples(),
            true,
        ),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(client.list_access_tokens().max_results(2).send());
            let got = outcome!(codecatalyst_client, result, &reply);
            prop_assert_eq!(got, expect_cc_list(&reply), "for {:?}", reply);
            if let Ok(page) = &result {
                let expected: codecatalyst_client::types::ListAccessTokensResponse =
                    serde_json::from_slice(reply.delivered()).expect("oracle");
                prop_assert_eq!(page.body(), &expected);
            }
            Ok(())
        },
    );
}

#[test]
fn codecatalyst_delete_access_token_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = cc_client(&stage);
    check(
        replies(&[200, 204, 400, 403, 404, 429, 500], cc_examples(), true),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(client.delete_access_token().id("a1b2c3d4").send());
            let got = outcome!(codecatalyst_client, result, &reply);
            prop_assert_eq!(got, expect_cc_delete(&reply), "for {:?}", reply);
            Ok(())
        },
    );
}

#[test]
fn sailpoint_list_personal_access_tokens_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = sp_client(&stage);
    check(
        replies(
            &[200, 400, 401, 403, 429, 500, 404, 502],
            sp_examples(),
            false,
        ),
        |reply| {
            stage.serve(&reply);
            let result =
                runtime().block_on(client.list_personal_access_tokens().owner_id("me").send());
            let got = outcome!(sailpoint_client, result, &reply);
            prop_assert_eq!(got, expect_sp_list(&reply), "for {:?}", reply);
            if let Ok(list) = &result {
                let expected: Vec<sailpoint_client::types::GetPersonalAccessTokenResponse> =
                    serde_json::from_slice(reply.delivered()).expect("oracle");
                prop_assert_eq!(list.body(), &expected);
            }
            Ok(())
        },
    );
}

#[test]
fn sailpoint_delete_personal_access_token_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = sp_client(&stage);
    check(
        replies(
            &[204, 200, 400, 401, 403, 404, 429, 500],
            sp_examples(),
            false,
        ),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(
                client
                    .delete_personal_access_token()
                    .id("ef38f94347e94562b5bb8424a56397d8")
                    .send(),
            );
            let got = outcome!(sailpoint_client, result, &reply);
            prop_assert_eq!(got, expect_sp_delete(&reply), "for {:?}", reply);
            Ok(())
        },
    );
}

#[test]
fn workmail_list_personal_access_tokens_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = wm_client(&stage);
    check(
        replies(&[200, 400, 480, 500, 503, 201], wm_examples(), true),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(
                client
                    .list_personal_access_tokens()
                    .organization_id(ORG)
                    .send(),
            );
            let got = outcome!(workmail_client, result, &reply);
            prop_assert_eq!(got, expect_wm_list(&reply), "for {:?}", reply);
            if let Ok(page) = &result {
                let expected: workmail_client::types::ListPersonalAccessTokensResponse =
                    if blank(reply.delivered()) {
                        Default::default()
                    } else {
                        serde_json::from_slice(reply.delivered()).expect("oracle")
                    };
                prop_assert_eq!(page.body(), &expected);
            }
            Ok(())
        },
    );
}

#[test]
fn workmail_delete_personal_access_token_returns_the_determined_outcome_for_any_response() {
    let stage = Stage::start();
    let client = wm_client(&stage);
    check(
        replies(&[200, 400, 480, 500], wm_examples(), true),
        |reply| {
            stage.serve(&reply);
            let result = runtime().block_on(
                client
                    .delete_personal_access_token()
                    .organization_id(ORG)
                    .personal_access_token_id("3f2b1c9e-8d7a-4b6c-9e5f-0a1b2c3d4e5f")
                    .send(),
            );
            let got = outcome!(workmail_client, result, &reply);
            prop_assert_eq!(got, expect_wm_delete(&reply), "for {:?}", reply);
            Ok(())
        },
    );
}

/// A server cannot park or crash a retrying client with its wait headers: `Retry-After` and
/// `X-Ratelimit-Reset` of any shape (huge, negative, fractional, NaN, dates far ahead or
/// long past, junk) on a 429 end in the documented error after both attempts, quickly.
#[test]
fn hostile_wait_headers_never_park_or_crash_a_retrying_client() {
    let stage = Stage::start();
    let client = launchdarkly_client::Client::builder()
        .base_url(stage.uri())
        .api_key("api-hostile")
        .retry(
            launchdarkly_client::RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2))
                .with_max_retry_after(Duration::from_millis(20)),
        )
        .build()
        .expect("client");
    let body = serde_json::to_vec(&json!({ "code": "rate_limited", "message": "slow down" }))
        .expect("JSON");
    let values = prop_oneof![
        "[0-9]{1,25}",
        "-[0-9]{1,6}",
        "[0-9]{0,4}\\.[0-9]{0,4}",
        "[0-9]e[0-9]{1,3}",
        select(vec![
            "NaN",
            "inf",
            "-inf",
            "-0",
            "+5",
            "",
            "1e308",
            "-1e308",
            "0x10",
            "18446744073709551616",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,30}",
    ];
    let header = select(vec!["retry-after", "x-ratelimit-reset"]);
    check((header, values), |(name, value)| {
        let value = value.trim().to_owned();
        let template = ResponseTemplate::new(429)
            .insert_header(name, value.as_str())
            .set_body_raw(body.clone(), "application/json");
        *stage.current.lock().expect("replay lock") = template;
        let started = Instant::now();
        let result = runtime().block_on(async {
            tokio::time::timeout(Duration::from_secs(2), client.get_tokens().send()).await
        });
        let error = match result {
            Ok(result) => result.expect_err("always 429"),
            Err(_) => {
                return Err(TestCaseError::fail(format!(
                    "{name}: {value:?} parked the client"
                )))
            }
        };
        prop_assert_eq!(error.attempts(), 2, "{}: {:?}", name, value);
        prop_assert!(matches!(
            error.api_error(),
            Some(launchdarkly_client::errors::GetTokensError::TooManyRequests(_))
        ));
        prop_assert!(
            started.elapsed() < Duration::from_millis(1000),
            "{}: {:?} took {:?}",
            name,
            value,
            started.elapsed()
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Determined cases, spelled out
// ---------------------------------------------------------------------------------------

/// Sends one reply to one operation; `$call` is the request builder's `send()` future.
macro_rules! one {
    ($stage:expr, $krate:ident, $reply:expr, $call:expr) => {{
        let reply: Reply = $reply;
        $stage.serve(&reply);
        let result = runtime().block_on($call);
        let got = (|| -> Result<Outcome, TestCaseError> { Ok(outcome!($krate, result, &reply)) })()
            .unwrap_or_else(|e| panic!("{e} for {reply:?}"));
        (got, result)
    }};
}

#[test]
fn launchdarkly_determined_cases() {
    let stage = Stage::start();
    let client = ld_client(&stage);
    let example = serde_json::to_vec(&ld_examples()[0]).expect("JSON");
    let decode = |content_type, body: &[u8]| {
        let (got, result) = one!(
            stage,
            launchdarkly_client,
            Reply::new(200, content_type, body),
            client.get_tokens().send()
        );
        (got, result.err().map(|e| e.to_string()))
    };
    // Empty body where JSON is required: a decode error that says so.
    let (got, message) = decode(Some("application/json"), b"");
    assert_eq!(got, Outcome::Decode);
    assert!(message.expect("error").contains("empty body"));
    // Truncated example.
    let (got, message) = decode(Some("application/json"), &example[..example.len() / 2]);
    assert_eq!(got, Outcome::Decode);
    assert!(message.expect("error").contains("truncated"));
    // `{}`: every member of `Tokens` is optional.
    assert_eq!(decode(Some("application/json"), b"{}").0, Outcome::Ok);
    // An HTML error page under 200: a decode error, not a panic, not a success.
    assert_eq!(decode(Some("text/html"), HTML).0, Outcome::Decode);
    // The documented JSON under a wrong content type still decodes (the body decides).
    assert_eq!(decode(Some("text/html"), &example).0, Outcome::Ok);
    // A JSON array where an object is documented.
    assert_eq!(decode(Some("application/json"), b"[]").0, Outcome::Decode);
    // Nesting deep enough to overflow a naive recursive decoder.
    assert_eq!(
        decode(Some("application/json"), "[".repeat(100_000).as_bytes()).0,
        Outcome::Decode
    );
    assert_eq!(
        decode(
            Some("application/json"),
            "{\"items\":".repeat(50_000).as_bytes()
        )
        .0,
        Outcome::Decode
    );

    // A 204 (undocumented for this operation) is an unexpected status, whatever it carries.
    let (got, _) = one!(
        stage,
        launchdarkly_client,
        Reply::new(204, Some("application/json"), example.clone()),
        client.get_tokens().send()
    );
    assert_eq!(got, Outcome::Unexpected);
    // Documented errors: `{}` lacks the required `code` and `message`.
    let (got, _) = one!(
        stage,
        launchdarkly_client,
        Reply::new(401, Some("application/json"), b"{}".to_vec()),
        client.get_tokens().send()
    );
    assert_eq!(got, Outcome::Decode);
    let body = serde_json::to_vec(&ld_examples()[4]).expect("JSON");
    let (got, _) = one!(
        stage,
        launchdarkly_client,
        Reply::new(429, Some("application/json"), body),
        client.get_tokens().send()
    );
    assert_eq!(got, Outcome::Api("TooManyRequests".into()));
    // DeleteToken's 204 has no documented body: whatever comes is ignored.
    for body in [&b""[..], b"{}", b"junk \xff\xfe", HTML] {
        let (got, _) = one!(
            stage,
            launchdarkly_client,
            Reply::new(204, Some("application/json"), body),
            client.delete_token().id("x").send()
        );
        assert_eq!(got, Outcome::Ok);
    }
}

#[test]
fn codecatalyst_determined_cases() {
    let stage = Stage::start();
    let client = cc_client(&stage);
    // DeleteAccessToken: the spec allows `{}` or an empty body; both are a success, and so
    // is anything else under 200.
    for body in [&b""[..], b"{}", b" \n", b"<html></html>", b"\xff\x00"] {
        for content_type in [Some("application/json"), Some("text/html"), None] {
            let (got, _) = one!(
                stage,
                codecatalyst_client,
                Reply::new(200, content_type, body),
                client.delete_access_token().id("a1").send()
            );
            assert_eq!(got, Outcome::Ok, "{:?}", String::from_utf8_lossy(body));
        }
    }
    // ListAccessTokens: `items` is required, so neither an empty body nor `{}` will do.
    for body in [&b""[..], b"{}"] {
        let (got, _) = one!(
            stage,
            codecatalyst_client,
            Reply::new(200, Some("application/json"), body),
            client.list_access_tokens().send()
        );
        assert_eq!(got, Outcome::Decode);
    }
    let (got, _) = one!(
        stage,
        codecatalyst_client,
        Reply::new(200, Some("application/json"), &b"{\"items\":[]}"[..]),
        client.list_access_tokens().send()
    );
    assert_eq!(got, Outcome::Ok);
    // The code in the header wins over the status; a decorated code is recognised.
    let body = serde_json::to_vec(&json!({ "message": "denied" })).expect("JSON");
    let reply = Reply::new(400, Some("application/json"), body.clone()).with_error_type(
        "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    );
    let (got, _) = one!(
        stage,
        codecatalyst_client,
        reply,
        client.list_access_tokens().send()
    );
    assert_eq!(got, Outcome::Api("AccessDeniedException".into()));
    // An HTML 502 from a proxy: undocumented.
    let (got, result) = one!(
        stage,
        codecatalyst_client,
        Reply::new(502, Some("text/html"), HTML),
        client.list_access_tokens().send()
    );
    assert_eq!(got, Outcome::Unexpected);
    assert_eq!(result.expect_err("502").body(), Some(HTML));
    // A documented status with an HTML body: it does not decode.
    let (got, _) = one!(
        stage,
        codecatalyst_client,
        Reply::new(403, Some("text/html"), HTML),
        client.list_access_tokens().send()
    );
    assert_eq!(got, Outcome::Decode);
}

#[test]
fn sailpoint_determined_cases() {
    let stage = Stage::start();
    let client = sp_client(&stage);
    let list = |body: &[u8]| {
        one!(
            stage,
            sailpoint_client,
            Reply::new(200, Some("application/json"), body),
            client.list_personal_access_tokens().send()
        )
        .0
    };
    assert_eq!(list(b"[]"), Outcome::Ok);
    assert_eq!(list(b""), Outcome::Decode);
    assert_eq!(
        list(b"{}"),
        Outcome::Decode,
        "an object where an array is documented"
    );
    assert_eq!(
        list(b"[{}]"),
        Outcome::Decode,
        "items lack required members"
    );
    assert_eq!(list("[".repeat(100_000).as_bytes()), Outcome::Decode);
    // Errors with all-optional members: an empty body or `{}` is still the documented error.
    for body in [&b""[..], b"{}"] {
        let (got, _) = one!(
            stage,
            sailpoint_client,
            Reply::new(400, Some("application/json"), body),
            client.list_personal_access_tokens().send()
        );
        assert_eq!(got, Outcome::Api("BadRequest".into()));
    }
    // ...but not an array, even though serde could read the struct from one.
    let (got, _) = one!(
        stage,
        sailpoint_client,
        Reply::new(500, Some("application/json"), &b"[]"[..]),
        client.list_personal_access_tokens().send()
    );
    assert_eq!(got, Outcome::Decode);
    // DeletePersonalAccessToken: 204 and no body documented.
    for body in [&b""[..], b"{}", HTML] {
        let (got, _) = one!(
            stage,
            sailpoint_client,
            Reply::new(204, Some("text/html"), body),
            client.delete_personal_access_token().id("x").send()
        );
        assert_eq!(got, Outcome::Ok);
    }
}

#[test]
fn workmail_determined_cases() {
    let stage = Stage::start();
    let client = wm_client(&stage);
    // DeletePersonalAccessToken's output is an empty structure: `{}` or an empty body.
    for body in [&b""[..], b"{}"] {
        let (got, _) = one!(
            stage,
            workmail_client,
            Reply::new(200, Some("application/x-amz-json-1.1"), body),
            client
                .delete_personal_access_token()
                .organization_id(ORG)
                .personal_access_token_id("abc")
                .send()
        );
        assert_eq!(got, Outcome::Ok);
    }
    // ListPersonalAccessTokens has optional members only: `{}` and an empty body are both "no tokens".
    for body in [&b""[..], b"{}", b"  "] {
        let (got, result) = one!(
            stage,
            workmail_client,
            Reply::new(200, Some("application/x-amz-json-1.1"), body),
            client
                .list_personal_access_tokens()
                .organization_id(ORG)
                .send()
        );
        assert_eq!(got, Outcome::Ok);
        let page = result.expect("ok").into_inner();
        assert_eq!(page.personal_access_token_summaries, None);
        assert_eq!(page.next_token, None);
    }
    // Epoch-seconds timestamps given as strings: the wrong type.
    let body = serde_json::to_vec(
        &json!({ "PersonalAccessTokenSummaries": [{ "DateCreated": "yesterday" }] }),
    )
    .expect("JSON");
    let (got, _) = one!(
        stage,
        workmail_client,
        Reply::new(200, None, body),
        client
            .list_personal_access_tokens()
            .organization_id(ORG)
            .send()
    );
    assert_eq!(got, Outcome::Decode);
    // Errors by `__type`, with or without a namespace, under any status.
    for code in [
        "EntityNotFoundException",
        "com.amazonaws.workmail#EntityNotFoundException",
    ] {
        let body = serde_json::to_vec(&json!({ "__type": code, "Message": "gone" })).expect("JSON");
        let (got, _) = one!(
            stage,
            workmail_client,
            Reply::new(400, None, body),
            client
                .list_personal_access_tokens()
                .organization_id(ORG)
                .send()
        );
        assert_eq!(got, Outcome::Api("EntityNotFoundException".into()));
    }
    // A 400 without any code (an HTML page): nothing to match it by.
    let (got, _) = one!(
        stage,
        workmail_client,
        Reply::new(400, Some("text/html"), HTML),
        client
            .list_personal_access_tokens()
            .organization_id(ORG)
            .send()
    );
    assert_eq!(got, Outcome::Unexpected);
}

/// A server that answers a 204 with a body and `Content-Length` (a protocol violation that
/// wiremock itself will not commit, hence a raw socket): the call that gets it succeeds, and
/// the next call on the same connection returns a typed result too, whatever hyper makes of
/// the stray bytes.
#[test]
fn a_204_with_a_body_on_the_wire_is_a_success_and_the_next_call_is_typed() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("non-blocking accept");
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let server = std::thread::spawn(move || {
        // Ends when told to, or after 10 s whatever happens.
        let deadline = Instant::now() + Duration::from_secs(10);
        let stray: &[u8] = b"{\"_id\":\"x\",\"HOSTILE\":true}";
        while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
            let mut stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            stream.set_nonblocking(false).expect("blocking stream");
            stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .expect("read timeout");
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            'connection: while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    buffer.drain(..end + 4);
                    let mut response = format!(
                        "HTTP/1.1 204 No Content\r\nContent-Length: {}\r\n\r\n",
                        stray.len()
                    )
                    .into_bytes();
                    response.extend_from_slice(stray);
                    if stream.write_all(&response).is_err() {
                        break 'connection;
                    }
                    continue;
                }
                match stream.read(&mut chunk) {
                    Ok(0) => break 'connection,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break 'connection,
                }
            }
        }
    });

    let client = launchdarkly_client::Client::builder()
        .base_url(format!("http://{address}"))
        .api_key("api-hostile")
        .timeout(Duration::from_secs(2))
        .retry(launchdarkly_client::RetryPolicy::none())
        .build()
        .expect("client");
    let first = runtime().block_on(client.delete_token().id("a").send());
    assert!(first.is_ok(), "{first:?}");
    // The stray bytes are still in the connection: the next answer is whatever hyper reads.
    let second = runtime().block_on(client.delete_token().id("b").send());
    match &second {
        Ok(_) => {}
        Err(error) => {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("HOSTILE"), "{shown}");
        }
    }
    drop(client);
    stop.store(true, Ordering::Relaxed);
    server.join().expect("the raw server thread ends");
}
