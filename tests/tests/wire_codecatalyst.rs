//! End-to-end wire tests of the generated CodeCatalyst client (`codecatalyst-client`)
//! against a local wiremock server: the exact request on the wire, the spec's documented
//! examples decoded, documented and undocumented errors, client-side validation, path
//! encoding and secret redaction.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use codecatalyst_client::errors::{
    CreateAccessTokenError, DeleteAccessTokenError, ListAccessTokensError,
};
use codecatalyst_client::{types, Client, Error, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "cc-bearer-s3cr3t-0123456789";
const COLLECTION: &str = "/v1/accessTokens";
const ITEM: &str = "/v1/accessTokens/{id}";
const TOKEN_ID: &str = "a1b2c3d4-5678-90ab-cdef-EXAMPLEbbbbb";
const JSON: &str = "application/json";
/// The documented error responses, by status: every operation lists all six.
const ERROR_STATUSES: [&str; 6] = ["400", "402", "403", "404", "409", "429"];

// ----------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------

fn spec() -> Value {
    wire_tests::spec("codecatalyst")
}

/// A client with retries off, so that every test sees exactly one request per call.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// A client with retries on, but with waits short enough for a test.
fn retrying_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build()
        .expect("client builds")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
}

/// The one request the server received (fails if there were more or fewer).
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}

async fn request_count(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .len()
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values.next()?;
    assert!(
        values.next().is_none(),
        "header {name} was sent more than once"
    );
    Some(first.to_str().expect("header is text"))
}

fn body_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or_else(|e| {
        panic!(
            "request body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&request.body)
        )
    })
}

/// Checks what every CodeCatalyst request must carry, and nothing AWS-SigV4-like.
fn assert_common(request: &Request, expected_method: &str, expected_path: &str) {
    assert_eq!(request.method.as_str(), expected_method);
    assert_eq!(request.url.path(), expected_path);
    assert_eq!(request.url.query(), None, "no query string expected");
    assert_eq!(
        header(request, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    for absent in [
        "x-amz-date",
        "x-amz-target",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ] {
        assert!(
            header(request, absent).is_none(),
            "unexpected header {absent}"
        );
    }
    if let Some(accept) = header(request, "accept") {
        assert!(accept.contains("application/json"), "Accept: {accept}");
    }
}

/// A JSON request: exact Content-Type, exact body (no extra keys), matching Content-Length.
fn assert_json_body(request: &Request, expected: &Value) {
    assert_eq!(header(request, "content-type"), Some(JSON));
    assert_eq!(&body_json(request), expected, "request body");
    if let Some(len) = header(request, "content-length") {
        assert_eq!(len.parse::<usize>().unwrap(), request.body.len());
    }
}

fn error_code(spec: &Value, pointer_to_responses: &str, status: &str) -> String {
    wire_tests::at(
        spec,
        &format!("{pointer_to_responses}/{status}/x-error-code"),
    )
    .as_str()
    .expect("x-error-code is a string")
    .to_owned()
}

fn example_message(example: &Value) -> String {
    example["message"]
        .as_str()
        .expect("example has a message")
        .to_owned()
}

fn error_response(status: u16, body: &Value, code: &str) -> ResponseTemplate {
    wire_tests::json_response(status, body, JSON).insert_header(
        "X-Amzn-ErrorType",
        format!("{code}:http://internal.amazon.com/coral/com.amazonaws.codecatalyst/"),
    )
}

macro_rules! error_parts {
    ($fn_name:ident, $enum:ident) => {
        /// The error code and message of a documented error, so errors of every operation
        /// can be compared with the spec's examples the same way.
        fn $fn_name(error: &$enum) -> (&'static str, String) {
            match error {
                $enum::ValidationException(b) => ("ValidationException", b.message.clone()),
                $enum::ServiceQuotaExceededException(b) => {
                    ("ServiceQuotaExceededException", b.message.clone())
                }
                $enum::AccessDeniedException(b) => ("AccessDeniedException", b.message.clone()),
                $enum::ResourceNotFoundException(b) => {
                    ("ResourceNotFoundException", b.message.clone())
                }
                $enum::ConflictException(b) => ("ConflictException", b.message.clone()),
                $enum::ThrottlingException(b) => ("ThrottlingException", b.message.clone()),
                // The enums are `#[non_exhaustive]`: a later spec may document more errors.
                other => panic!("not an error of this operation: {other:?}"),
            }
        }
    };
}
error_parts!(list_error, ListAccessTokensError);
error_parts!(create_error, CreateAccessTokenError);
error_parts!(delete_error, DeleteAccessTokenError);

fn assert_validation<E: std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, Error<E>>,
    field_hint: &str,
) {
    let err = result.expect_err("the request must be refused");
    assert!(
        err.is_validation(),
        "expected a validation error, got {err:?}"
    );
    assert_eq!(err.status(), None);
    assert!(err.api_error().is_none());
    assert_eq!(err.attempts(), 0);
    match &err {
        Error::Validation(v) => assert!(
            v.field.contains(field_hint) || v.message.contains(field_hint),
            "validation error should name `{field_hint}`: {v:?}"
        ),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

// ----------------------------------------------------------------------------------------
// Client construction and secrets
// ----------------------------------------------------------------------------------------

#[test]
fn default_base_url_is_the_spec_first_server() {
    let client = Client::builder().bearer_token(TOKEN).build().unwrap();
    assert_eq!(client.base_url(), "https://codecatalyst.global.api.aws");
}

#[test]
fn bad_base_url_is_a_build_error_not_a_panic() {
    assert!(Client::builder()
        .base_url("not a url")
        .bearer_token(TOKEN)
        .build()
        .is_err());
    assert!(Client::builder()
        .base_url("ftp://h/x")
        .bearer_token(TOKEN)
        .build()
        .is_err());
}

#[test]
fn client_debug_hides_the_bearer_token() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    for text in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(!text.contains(TOKEN), "Debug leaks the token: {text}");
        assert!(
            !text.contains("s3cr3t"),
            "Debug leaks part of the token: {text}"
        );
    }
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug>() {}
    assert_traits::<Client>();
}

// ----------------------------------------------------------------------------------------
// ListAccessTokens: POST /v1/accessTokens with a JSON body
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn list_sends_post_with_json_body_and_decodes_the_example() {
    let spec = spec();
    let example = wire_tests::response_example(&spec, COLLECTION, "post", "200", JSON);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(200, &example, JSON))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_access_tokens()
        .max_results(5)
        .next_token("abc")
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_common(&request, "POST", COLLECTION);
    assert_json_body(&request, &json!({"maxResults": 5, "nextToken": "abc"}));

    assert_eq!(page.status(), 200);
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id, "a1b2c3d4-5678-90ab-cdef-EXAMPLEbbbbb");
    assert_eq!(page.items[0].name, "my-laptop-git");
    assert_eq!(
        page.items[0].expires_time,
        Some(utc(2025, 11, 5, 13, 20, 5))
    );
    assert_eq!(page.items[1].id, "a1b2c3d4-5678-90ab-cdef-EXAMPLEccccc");
    assert_eq!(page.items[1].name, "ci-pipeline");
    assert_eq!(page.items[1].expires_time, None);
    assert_eq!(
        page.next_token.as_deref(),
        Some("EXAMPLEnextTokenAbCdEf0123456789")
    );

    // The whole decoded body equals the spec's example read through serde.
    let expected: types::ListAccessTokensResponse = serde_json::from_value(example).unwrap();
    assert_eq!(page.into_inner(), expected);
}

#[tokio::test]
async fn list_without_parameters_sends_an_empty_json_object() {
    let spec = spec();
    let example = wire_tests::response_example(&spec, COLLECTION, "post", "200", JSON);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(200, &example, JSON))
        .mount(&server)
        .await;

    client(&server).list_access_tokens().send().await.unwrap();

    let request = only_request(&server).await;
    assert_common(&request, "POST", COLLECTION);
    assert_json_body(&request, &json!({}));
}

#[tokio::test]
async fn list_with_the_spec_request_example_as_body() {
    let spec = spec();
    let request_example = wire_tests::request_example(&spec, COLLECTION, "post", JSON);
    let example = wire_tests::response_example(&spec, COLLECTION, "post", "200", JSON);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(200, &example, JSON))
        .mount(&server)
        .await;

    let body: types::ListAccessTokensRequest =
        serde_json::from_value(request_example.clone()).unwrap();
    client(&server)
        .list_access_tokens()
        .body(body)
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_common(&request, "POST", COLLECTION);
    assert_json_body(&request, &request_example);
    assert_eq!(request_example, json!({"maxResults": 10}));
}

#[tokio::test]
async fn list_decodes_every_documented_error() {
    let spec = spec();
    let responses = "/paths/~1v1~1accessTokens/post/responses";
    let server = MockServer::start().await;
    for status in ERROR_STATUSES {
        server.reset().await;
        let example = wire_tests::response_example(&spec, COLLECTION, "post", status, JSON);
        let code = error_code(&spec, responses, status);
        let status: u16 = status.parse().unwrap();
        Mock::given(method("POST"))
            .and(path(COLLECTION))
            .respond_with(error_response(status, &example, &code))
            .mount(&server)
            .await;

        let err = client(&server)
            .list_access_tokens()
            .max_results(10)
            .send()
            .await
            .unwrap_err();

        assert_eq!(err.status(), Some(status), "{code}");
        let api = err
            .api_error()
            .unwrap_or_else(|| panic!("{code}: expected a documented error, got {err:?}"));
        assert_eq!(list_error(api), (code.as_str(), example_message(&example)));
        assert_eq!(err.attempts(), 1);
        assert_eq!(request_count(&server).await, 1);
    }
}

#[tokio::test]
async fn list_undocumented_status_is_unexpected_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(ResponseTemplate::new(418).set_body_string("I'm a teapot"))
        .mount(&server)
        .await;

    let err = client(&server)
        .list_access_tokens()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());
    assert_eq!(err.body(), Some(&b"I'm a teapot"[..]));
}

#[tokio::test]
async fn list_bad_success_bodies_are_decode_errors() {
    let server = MockServer::start().await;
    let bodies: [&[u8]; 5] = [
        br#"{"items": "not a list"}"#,             // wrong type
        br#"{"items": [{"id": 1, "name": "x"}]}"#, // wrong item field type
        br#"{"items": [{"id": "a", "name": "x", "expiresTime": "soon"}]}"#, // bad timestamp
        br#"{"items": [{"id": "a", "na"#,          // truncated JSON
        b"",                                       // empty body
    ];
    for body in bodies {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(COLLECTION))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_vec(), JSON))
            .mount(&server)
            .await;
        let err = client(&server)
            .list_access_tokens()
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Decode { status: 200, .. }),
            "body {:?}: expected a decode error, got {err:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(err.status(), Some(200));
        assert!(err.api_error().is_none());
    }
}

#[tokio::test]
async fn list_array_body_is_a_decode_error_not_a_positional_struct() {
    // The documented body is a JSON object. serde's derive also accepts a JSON array for a
    // struct, filling the fields by position: `[[[null, "a", "b"]], "tok"]` would "decode"
    // as one token with id "a" and name "b", and a next token "tok".
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(br#"[[[null, "a", "b"]], "tok"]"#.to_vec(), JSON),
        )
        .mount(&server)
        .await;
    let result = client(&server).list_access_tokens().send().await;
    assert!(
        matches!(result, Err(Error::Decode { status: 200, .. })),
        "expected a decode error, got {result:?}"
    );
}

#[tokio::test]
async fn list_decodes_rfc3339_variants_to_utc() {
    let server = MockServer::start().await;
    let body = json!({"items": [
        {"id": "a", "name": "offset", "expiresTime": "2025-11-05T14:20:05+01:00"},
        {"id": "b", "name": "fraction", "expiresTime": "2025-11-05T13:20:05.250Z"},
        {"id": "c", "name": "null", "expiresTime": null},
    ]});
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(200, &body, JSON))
        .mount(&server)
        .await;
    let page = client(&server).list_access_tokens().send().await.unwrap();
    assert_eq!(
        page.items[0].expires_time,
        Some(utc(2025, 11, 5, 13, 20, 5))
    );
    assert_eq!(
        page.items[1].expires_time,
        Some(utc(2025, 11, 5, 13, 20, 5) + chrono::Duration::milliseconds(250))
    );
    assert_eq!(page.items[2].expires_time, None);
    assert_eq!(page.next_token, None);
}

#[tokio::test]
async fn list_missing_required_items_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(
            200,
            &json!({"nextToken": "x"}),
            JSON,
        ))
        .mount(&server)
        .await;
    let err = client(&server)
        .list_access_tokens()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn list_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(
        c.list_access_tokens().max_results(11).send().await,
        "max_results",
    );
    assert_validation(
        c.list_access_tokens().max_results(i64::MAX).send().await,
        "max_results",
    );
    assert_validation(
        c.list_access_tokens().next_token("").send().await,
        "next_token",
    );
    assert_validation(
        c.list_access_tokens()
            .next_token("n".repeat(10_001))
            .send()
            .await,
        "next_token",
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );

    // The boundaries themselves are allowed.
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(200, &json!({"items": []}), JSON))
        .mount(&server)
        .await;
    let page = c
        .list_access_tokens()
        .max_results(10)
        .next_token("n".repeat(10_000))
        .send()
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let request = only_request(&server).await;
    assert_eq!(body_json(&request)["maxResults"], json!(10));
}

// ----------------------------------------------------------------------------------------
// CreateAccessToken: PUT /v1/accessTokens -> 201
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn create_sends_put_and_decodes_the_example_with_its_secret() {
    let spec = spec();
    let request_example = wire_tests::request_example(&spec, COLLECTION, "put", JSON);
    let example = wire_tests::response_example(&spec, COLLECTION, "put", "201", JSON);
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(201, &example, JSON))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .create_access_token()
        .name("my-laptop-git")
        .expires_time(utc(2025, 11, 5, 13, 20, 5))
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_common(&request, "PUT", COLLECTION);
    assert_json_body(
        &request,
        &json!({"name": "my-laptop-git", "expiresTime": "2025-11-05T13:20:05Z"}),
    );
    assert_eq!(
        body_json(&request),
        request_example,
        "setters produce the spec's request example"
    );

    assert_eq!(created.status(), 201);
    assert_eq!(
        created.access_token_id,
        "a1b2c3d4-5678-90ab-cdef-EXAMPLEbbbbb"
    );
    assert_eq!(created.name, "my-laptop-git");
    assert_eq!(created.expires_time, utc(2025, 11, 5, 13, 20, 5));
    let secret_value = example["secret"].as_str().unwrap();
    assert_eq!(created.secret.expose_secret(), secret_value);
    assert_eq!(
        secret_value,
        "EXAMPLEs3cr3tVa1ueOfTh3PersonalAccessT0kenAbCdEfGh"
    );

    // The secret never prints: not alone, not inside the body, not inside the response.
    for text in [
        format!("{:?}", created.secret),
        format!("{}", created.secret),
        format!("{:?}", *created),
        format!("{created:?}"),
        format!("{created:#?}"),
    ] {
        assert!(!text.contains(secret_value), "secret leaked: {text}");
    }
    assert!(format!("{:?}", created.secret).contains("REDACTED"));
}

#[tokio::test]
async fn create_with_body_from_the_spec_example() {
    let spec = spec();
    let request_example = wire_tests::request_example(&spec, COLLECTION, "put", JSON);
    let example = wire_tests::response_example(&spec, COLLECTION, "put", "201", JSON);
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(201, &example, JSON))
        .mount(&server)
        .await;

    let body: types::CreateAccessTokenRequest =
        serde_json::from_value(request_example.clone()).unwrap();
    assert_eq!(body.expires_time, Some(utc(2025, 11, 5, 13, 20, 5)));
    let created = client(&server)
        .create_access_token()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();

    let request = only_request(&server).await;
    assert_common(&request, "PUT", COLLECTION);
    assert_json_body(&request, &request_example);
    let expected: types::CreateAccessTokenResponse = serde_json::from_value(example).unwrap();
    assert_eq!(created, expected);
}

#[tokio::test]
async fn create_with_only_a_name_sends_only_the_name() {
    let spec = spec();
    let example = wire_tests::response_example(&spec, COLLECTION, "put", "201", JSON);
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(201, &example, JSON))
        .mount(&server)
        .await;

    client(&server)
        .create_access_token()
        .name("ci")
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_json_body(&request, &json!({"name": "ci"}));
}

#[tokio::test]
async fn create_decodes_every_documented_error() {
    let spec = spec();
    let responses = "/paths/~1v1~1accessTokens/put/responses";
    let server = MockServer::start().await;
    for status in ERROR_STATUSES {
        server.reset().await;
        let example = wire_tests::response_example(&spec, COLLECTION, "put", status, JSON);
        let code = error_code(&spec, responses, status);
        let status: u16 = status.parse().unwrap();
        Mock::given(method("PUT"))
            .and(path(COLLECTION))
            .respond_with(error_response(status, &example, &code))
            .mount(&server)
            .await;

        let err = client(&server)
            .create_access_token()
            .name("my-laptop-git")
            .send()
            .await
            .unwrap_err();

        assert_eq!(err.status(), Some(status), "{code}");
        let api = err
            .api_error()
            .unwrap_or_else(|| panic!("{code}: expected a documented error, got {err:?}"));
        assert_eq!(
            create_error(api),
            (code.as_str(), example_message(&example))
        );
        assert_eq!(request_count(&server).await, 1);
    }
}

#[tokio::test]
async fn create_undocumented_status_and_bad_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(
            ResponseTemplate::new(418).set_body_raw(br#"{"message":"teapot"}"#.to_vec(), JSON),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .create_access_token()
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());

    let bodies: [&[u8]; 5] = [
        b"",                                                                                         // empty
        br#"{"secret": "s", "name": "n", "expiresTime": "2025-11-05T13:20:05Z""#,                  // truncated
        br#"{"secret": 42, "name": "n", "expiresTime": "2025-11-05T13:20:05Z", "accessTokenId": "a"}"#, // wrong type
        br#"{"secret": "s", "name": "n", "expiresTime": 1762348805, "accessTokenId": "a"}"#,        // epoch, not RFC 3339
        br#"{"name": "n", "expiresTime": "2025-11-05T13:20:05Z", "accessTokenId": "a"}"#,           // missing secret
    ];
    for body in bodies {
        server.reset().await;
        Mock::given(method("PUT"))
            .and(path(COLLECTION))
            .respond_with(ResponseTemplate::new(201).set_body_raw(body.to_vec(), JSON))
            .mount(&server)
            .await;
        let err = client(&server)
            .create_access_token()
            .name("x")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Decode { status: 201, .. }),
            "body {:?}: expected a decode error, got {err:?}",
            String::from_utf8_lossy(body)
        );
        assert!(err.api_error().is_none());
    }
}

#[tokio::test]
async fn create_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(c.create_access_token().send().await, "name");
    assert_validation(
        c.create_access_token()
            .expires_time(utc(2030, 1, 1, 0, 0, 0))
            .send()
            .await,
        "name",
    );
    assert_validation(c.create_access_token().name("").send().await, "name");
    assert_validation(
        c.create_access_token().name("n".repeat(101)).send().await,
        "name",
    );
    // Characters, not bytes: 100 two-byte characters are fine, 101 are not.
    assert_validation(
        c.create_access_token().name("é".repeat(101)).send().await,
        "name",
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );

    let spec = spec();
    let example = wire_tests::response_example(&spec, COLLECTION, "put", "201", JSON);
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(201, &example, JSON))
        .mount(&server)
        .await;
    c.create_access_token()
        .name("é".repeat(100))
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(body_json(&request), json!({"name": "é".repeat(100)}));
}

#[tokio::test]
async fn create_is_not_retried_on_a_transient_5xx() {
    // `x-idempotent: false`: a 503 may come after the server created the token.
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = retrying_client(&server)
        .create_access_token()
        .name("ci")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn create_is_retried_after_throttling() {
    // A 429 means the server refused without acting, so even a non-idempotent call is retried.
    let spec = spec();
    let throttled = wire_tests::response_example(&spec, COLLECTION, "put", "429", JSON);
    let created = wire_tests::response_example(&spec, COLLECTION, "put", "201", JSON);
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(error_response(429, &throttled, "ThrottlingException"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(201, &created, JSON))
        .mount(&server)
        .await;
    let response = retrying_client(&server)
        .create_access_token()
        .name("ci")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_common(request, "PUT", COLLECTION);
        assert_json_body(request, &json!({"name": "ci"}));
    }
}

// ----------------------------------------------------------------------------------------
// DeleteAccessToken: DELETE /v1/accessTokens/{id}, no body
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_sends_delete_without_body_and_accepts_the_example() {
    let spec = spec();
    let example = wire_tests::response_example(&spec, ITEM, "delete", "200", JSON);
    assert_eq!(example, json!({}));
    let item_path = format!("/v1/accessTokens/{TOKEN_ID}");
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(wire_tests::json_response(200, &example, JSON))
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let () = response.into_inner();

    let request = only_request(&server).await;
    assert_common(&request, "DELETE", &item_path);
    assert!(
        request.body.is_empty(),
        "DELETE must carry no body, got {:?}",
        request.body
    );
    assert!(
        header(&request, "content-type").is_none(),
        "no Content-Type without a body"
    );
    if let Some(len) = header(&request, "content-length") {
        assert_eq!(len, "0");
    }
}

#[tokio::test]
async fn delete_accepts_an_empty_body_and_an_empty_object() {
    let item_path = format!("/v1/accessTokens/{TOKEN_ID}");
    let server = MockServer::start().await;
    for (body, content_type) in [
        (&b""[..], None),
        (&b"{}"[..], Some(JSON)),
        (&b""[..], Some(JSON)),
    ] {
        server.reset().await;
        let template = match content_type {
            Some(ct) => ResponseTemplate::new(200).set_body_raw(body.to_vec(), ct),
            None => ResponseTemplate::new(200),
        };
        Mock::given(method("DELETE"))
            .and(path(item_path.as_str()))
            .respond_with(template)
            .mount(&server)
            .await;
        let response = client(&server)
            .delete_access_token()
            .id(TOKEN_ID)
            .send()
            .await;
        let response = response.unwrap_or_else(|e| {
            panic!(
                "body {:?} must be accepted, got {e:?}",
                String::from_utf8_lossy(body)
            )
        });
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn delete_decodes_every_documented_error() {
    let spec = spec();
    let responses = "/paths/~1v1~1accessTokens~1{id}/delete/responses";
    let item_path = format!("/v1/accessTokens/{TOKEN_ID}");
    let server = MockServer::start().await;
    for status in ERROR_STATUSES {
        server.reset().await;
        let example = wire_tests::response_example(&spec, ITEM, "delete", status, JSON);
        let code = error_code(&spec, responses, status);
        let status: u16 = status.parse().unwrap();
        Mock::given(method("DELETE"))
            .and(path(item_path.as_str()))
            .respond_with(error_response(status, &example, &code))
            .mount(&server)
            .await;

        let err = client(&server)
            .delete_access_token()
            .id(TOKEN_ID)
            .send()
            .await
            .unwrap_err();

        assert_eq!(err.status(), Some(status), "{code}");
        let api = err
            .api_error()
            .unwrap_or_else(|| panic!("{code}: expected a documented error, got {err:?}"));
        assert_eq!(
            delete_error(api),
            (code.as_str(), example_message(&example))
        );
        assert_eq!(request_count(&server).await, 1);
    }
}

#[tokio::test]
async fn delete_undocumented_status_and_bad_error_body() {
    let item_path = format!("/v1/accessTokens/{TOKEN_ID}");
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());

    // A documented status whose body is not the documented error shape.
    server.reset().await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(b"<html>not found</html>".to_vec(), "text/html"),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 404, .. }), "{err:?}");
    assert!(err.api_error().is_none());

    server.reset().await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(error_response(
            404,
            &json!({"message": 7}),
            "ResourceNotFoundException",
        ))
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 404, .. }), "{err:?}");
}

#[tokio::test]
async fn delete_path_parameter_stays_in_its_segment() {
    let server = MockServer::start().await;
    let c = client(&server);
    for (id, encoded) in [
        ("../x", "/v1/accessTokens/..%2Fx"),
        ("a b/c?d#e%", "/v1/accessTokens/a%20b%2Fc%3Fd%23e%25"),
        ("tok-1_2.3~", "/v1/accessTokens/tok-1_2.3~"),
    ] {
        server.reset().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        c.delete_access_token().id(id).send().await.unwrap();
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), encoded, "id {id:?}");
        assert_eq!(request.url.query(), None, "id {id:?}");
    }
}

#[tokio::test]
async fn delete_dot_segments_are_refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    for id in [".", ".."] {
        let err = c.delete_access_token().id(id).send().await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. } | Error::Validation(_)),
            "id {id:?}: expected a refusal, got {err:?}"
        );
        assert_eq!(err.status(), None);
    }
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn delete_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(c.delete_access_token().send().await, "id");
    assert_validation(c.delete_access_token().id("").send().await, "id");
    assert_validation(
        c.delete_access_token().id("x".repeat(37)).send().await,
        "id",
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );

    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let id = "x".repeat(36);
    c.delete_access_token()
        .id(id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.url.path(),
        format!("/v1/accessTokens/{id}")
    );
}

#[tokio::test]
async fn delete_is_retried_on_a_transient_5xx() {
    // DELETE is idempotent (and the model says so), so a 503 is worth another attempt.
    let item_path = format!("/v1/accessTokens/{TOKEN_ID}");
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(item_path.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"{}".to_vec(), JSON))
        .mount(&server)
        .await;
    let response = retrying_client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(request_count(&server).await, 2);
}

// ----------------------------------------------------------------------------------------
// How error codes are found
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn error_code_from_header_wins_over_status() {
    // AWS names the error by its code; the status only helps when no code was sent.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION))
        .respond_with(error_response(
            400,
            &json!({"message": "denied"}),
            "AccessDeniedException",
        ))
        .mount(&server)
        .await;
    let err = client(&server)
        .list_access_tokens()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        list_error(err.api_error().expect("documented")),
        ("AccessDeniedException", "denied".to_owned())
    );
}

#[tokio::test]
async fn error_code_from_body_type_and_namespaced_header() {
    let server = MockServer::start().await;
    // Only the body's `__type`, with a namespace prefix; no header.
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(wire_tests::json_response(
            409,
            &json!({"__type": "com.amazonaws.codecatalyst#ConflictException", "message": "dup"}),
            JSON,
        ))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_access_token()
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(
        create_error(err.api_error().expect("documented")),
        ("ConflictException", "dup".to_owned())
    );

    // A header with a namespace prefix and no URI suffix.
    server.reset().await;
    Mock::given(method("PUT"))
        .and(path(COLLECTION))
        .respond_with(
            wire_tests::json_response(402, &json!({"message": "quota"}), JSON).insert_header(
                "X-Amzn-ErrorType",
                "aws.codecatalyst#ServiceQuotaExceededException",
            ),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .create_access_token()
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(402));
    assert_eq!(
        create_error(err.api_error().expect("documented")),
        ("ServiceQuotaExceededException", "quota".to_owned())
    );
}

#[tokio::test]
async fn error_without_code_is_matched_by_status() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(wire_tests::json_response(
            404,
            &json!({"message": "gone"}),
            JSON,
        ))
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_access_token()
        .id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        delete_error(err.api_error().expect("documented")),
        ("ResourceNotFoundException", "gone".to_owned())
    );
}
