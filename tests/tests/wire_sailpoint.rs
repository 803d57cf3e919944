//! Wire tests of `sailpoint-client` against a local mock server.
//!
//! Every operation is checked for the exact request it sends (method, path, query,
//! headers, body) and for decoding the spec's own examples, success and documented errors
//! alike; then come the awkward cases: unknown enum values, broken or undocumented
//! responses, client-side validation, path encoding, server variables and secrets.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sailpoint_client::errors::{
    CreatePersonalAccessTokenError, DeletePersonalAccessTokenError, ListPersonalAccessTokensError,
    PatchPersonalAccessTokenError,
};
use sailpoint_client::types::{
    CreatePersonalAccessTokenRequest, CreatePersonalAccessTokenResponse, ErrorResponseDto,
    GetPersonalAccessTokenResponse, JsonPatchOperation, JsonPatchOperationOp,
    JsonPatchOperationValue, JsonPatchOperationValueVariant4Item, LocaleOrigin, PatOwner,
    PatOwnerType, TooManyRequests429Response, Unauthorized401Response,
};
use sailpoint_client::{Client, Error, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "sp-jwt-0123-secret";
const COLLECTION: &str = "/personal-access-tokens";
const ITEM: &str = "/personal-access-tokens/{id}";
const PAT_ID: &str = "ef38f94347e94562b5bb8424a56397d8";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| wire_tests::spec("sailpoint"))
}

fn example(path: &str, method: &str, status: u16) -> Value {
    wire_tests::response_example(spec(), path, method, &status.to_string(), "application/json")
}

fn request_example(path: &str, method: &str, media_type: &str) -> Value {
    wire_tests::request_example(spec(), path, method, media_type)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap() + chrono::TimeDelta::milliseconds(ms)
}

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A server that answers every request with `template`, and a client pointed at it.
async fn serve(template: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    let client = client_for(&server);
    (server, client)
}

async fn serve_json(status: u16, body: &Value) -> (MockServer, Client) {
    serve(wire_tests::json_response(status, body, "application/json")).await
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// The one request the server got.
async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {}", all.len());
    all.remove(0)
}

fn header<'r>(req: &'r Request, name: &str) -> Vec<&'r str> {
    req.headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ASCII header"))
        .collect()
}

/// Asserts everything about a request: method, raw path, query pairs (nothing more),
/// bearer auth, `Accept`, and either the exact JSON body with its content type or no body.
fn assert_request(
    req: &Request,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<(&str, Value)>,
) {
    assert_eq!(req.method.as_str(), method, "method");
    assert_eq!(req.url.path(), path, "path");
    if query.is_empty() {
        assert_eq!(req.url.query(), None, "no query string expected");
    } else {
        let mut got: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
        got.sort();
        let mut want: Vec<(String, String)> =
            query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        want.sort();
        assert_eq!(got, want, "query pairs of {:?}", req.url.query());
    }
    assert_eq!(header(req, "authorization"), vec![format!("Bearer {TOKEN}").as_str()], "auth");
    assert_eq!(header(req, "accept"), vec!["application/json"], "accept");
    match body {
        Some((content_type, json)) => {
            assert_eq!(header(req, "content-type"), vec![content_type], "content type");
            let got: Value = serde_json::from_slice(&req.body).expect("request body is JSON");
            assert_eq!(got, json, "request body");
        }
        None => {
            assert!(req.body.is_empty(), "no body expected, got {:?}", String::from_utf8_lossy(&req.body));
            assert!(header(req, "content-type").is_empty(), "no content type expected");
        }
    }
}

/// Compares a decoded `ErrorResponseDto` with the raw example, field by field.
fn assert_error_dto(dto: &ErrorResponseDto, ex: &Value) {
    assert_eq!(dto.detail_code.as_deref(), Some(ex["detailCode"].as_str().unwrap()));
    assert_eq!(dto.tracking_id.as_deref(), Some(ex["trackingId"].as_str().unwrap()));
    for (decoded, key) in [(&dto.messages, "messages"), (&dto.causes, "causes")] {
        match ex.get(key).and_then(Value::as_array) {
            None => assert!(decoded.is_none(), "{key} should be absent"),
            Some(items) => {
                let decoded = decoded.as_ref().unwrap_or_else(|| panic!("{key} missing"));
                assert_eq!(decoded.len(), items.len());
                for (m, e) in decoded.iter().zip(items) {
                    assert_eq!(m.locale.as_deref(), e["locale"].as_str());
                    assert_eq!(e["localeOrigin"], "DEFAULT");
                    assert_eq!(m.locale_origin, Some(LocaleOrigin::Default));
                    assert_eq!(m.text.as_deref(), e["text"].as_str());
                }
            }
        }
    }
}

fn assert_401(body: &Unauthorized401Response, ex: &Value) {
    assert_eq!(ex["error"], "JWT validation failed: JWT is expired");
    assert_eq!(body.error, Some(ex["error"].clone()));
}

fn assert_429(body: &TooManyRequests429Response, ex: &Value) {
    assert_eq!(ex["message"], "Rate Limit Exceeded");
    assert_eq!(body.message, Some(ex["message"].clone()));
}

/// The documented error responses of an operation, with the spec's example bodies.
fn error_response(status: u16, ex: &Value) -> ResponseTemplate {
    let template = wire_tests::json_response(status, ex, "application/json");
    if status == 429 {
        template.insert_header("Retry-After", "60")
    } else {
        template
    }
}

fn assert_documented(status: u16, err: &impl ErrorView) {
    assert_eq!(err.status_(), Some(status));
    if status == 429 {
        let headers = err.headers_().expect("headers of a response");
        assert_eq!(headers.get("retry-after").unwrap(), "60");
    }
}

/// `Error<E>` methods without naming `E`, for the shared checks above.
trait ErrorView {
    fn status_(&self) -> Option<u16>;
    fn headers_(&self) -> Option<&http::HeaderMap>;
}

impl<E> ErrorView for Error<E> {
    fn status_(&self) -> Option<u16> {
        self.status()
    }
    fn headers_(&self) -> Option<&http::HeaderMap> {
        self.headers()
    }
}

/// The first list example's token, as the spec documents it.
fn assert_first_listed(t: &GetPersonalAccessTokenResponse) {
    assert_eq!(t.id, "86f1dc6fe8f54414950454cbb11278fa");
    assert_eq!(t.name, "NodeJS Integration");
    assert_eq!(
        t.scope.as_deref(),
        Some(&["demo:personal-access-token-scope:first".to_string(), "demo:personal-access-token-scope:second".to_string()][..])
    );
    assert_eq!(t.owner.type_, Some(PatOwnerType::Identity));
    assert_eq!(t.owner.id.as_deref(), Some("2c9180a46faadee4016fb4e018c20639"));
    assert_eq!(t.owner.name.as_deref(), Some("Support"));
    assert_eq!(t.created, utc(2017, 7, 11, 18, 45, 37, 98));
    assert_eq!(t.last_used, Some(utc(2017, 7, 11, 18, 45, 37, 98)));
    assert_eq!(t.managed, Some(false));
    assert_eq!(t.access_token_validity_seconds, Some(36900));
    assert_eq!(t.expiration_date, Some(utc(2018, 1, 11, 18, 45, 37, 98)));
}

fn assert_static<T: Clone + Send + Sync + 'static>() {}

// ---------------------------------------------------------------------------------------
// listPersonalAccessTokens: GET /personal-access-tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn list_sends_exact_request_and_decodes_the_example() {
    let ex = example(COLLECTION, "get", 200);
    let (server, client) = serve_json(200, &ex).await;

    let response = client
        .list_personal_access_tokens()
        .owner_id("2c9180867b50d088017b554662fb281e")
        .filters("lastUsed le 2023-02-05T10:59:27.214Z")
        .send()
        .await
        .expect("200");

    let req = only_request(&server).await;
    assert_request(
        &req,
        "GET",
        "/v3/personal-access-tokens",
        &[("owner-id", "2c9180867b50d088017b554662fb281e"), ("filters", "lastUsed le 2023-02-05T10:59:27.214Z")],
        None,
    );
    // Spaces and colons must be percent-encoded, never sent raw.
    let raw_query = req.url.query().unwrap();
    assert!(!raw_query.contains(' ') && raw_query.contains("filters=lastUsed"), "{raw_query}");

    assert_eq!(response.status(), 200);
    let tokens = response.into_inner();
    assert_eq!(tokens.len(), 2);
    assert_first_listed(&tokens[0]);

    let second = &tokens[1];
    assert_eq!(second.id, "ef38f94347e94562b5bb8424a56397d8");
    assert_eq!(second.name, "Workflow token");
    assert_eq!(second.scope, Some(vec!["sp:scopes:all".to_string()]));
    assert_eq!(second.owner.type_, Some(PatOwnerType::Identity));
    assert_eq!(second.created, utc(2023, 1, 5, 10, 59, 27, 214));
    assert_eq!(second.last_used, None, "lastUsed: null");
    assert_eq!(second.managed, Some(true));
    assert_eq!(second.access_token_validity_seconds, Some(43200));
    assert_eq!(second.expiration_date, Some(utc(2023, 7, 5, 10, 59, 27, 214)));
}

#[tokio::test]
async fn list_without_parameters_sends_no_query() {
    let (server, client) = serve_json(200, &json!([])).await;
    let tokens = client.list_personal_access_tokens().send().await.expect("200").into_inner();
    assert!(tokens.is_empty());
    assert_request(&only_request(&server).await, "GET", "/v3/personal-access-tokens", &[], None);
}

#[tokio::test]
async fn list_owner_me_only() {
    let (server, client) = serve_json(200, &json!([])).await;
    client.list_personal_access_tokens().owner_id("me").send().await.expect("200");
    let req = only_request(&server).await;
    assert_request(&req, "GET", "/v3/personal-access-tokens", &[("owner-id", "me")], None);
    assert_eq!(req.url.query(), Some("owner-id=me"));
}

#[tokio::test]
async fn list_query_values_with_reserved_characters_are_encoded() {
    let (server, client) = serve_json(200, &json!([])).await;
    let filters = "lastUsed le 2023-02-05T10:59:27.214+01:00 & x=y/z?#%";
    client.list_personal_access_tokens().filters(filters).owner_id("a+b c").send().await.expect("200");
    let req = only_request(&server).await;
    // Decoded by the server as form data, `+` would turn into a space if it were sent raw.
    assert_request(&req, "GET", "/v3/personal-access-tokens", &[("filters", filters), ("owner-id", "a+b c")], None);
    let raw = req.url.query().unwrap();
    assert!(!raw.contains('+') && !raw.contains(' ') && !raw.contains('#'), "{raw}");
}

#[tokio::test]
async fn list_documented_errors_decode_the_examples() {
    use ListPersonalAccessTokensError as E;
    for status in [400, 401, 403, 429, 500] {
        let ex = example(COLLECTION, "get", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.list_personal_access_tokens().send().await.expect_err("an error status");
        assert_documented(status, &err);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(dto))) => assert_error_dto(dto, &ex),
            (401, Some(E::Unauthorized(body))) => assert_401(body, &ex),
            (403, Some(E::Forbidden(dto))) => assert_error_dto(dto, &ex),
            (429, Some(E::TooManyRequests(body))) => assert_429(body, &ex),
            (500, Some(E::InternalServerError(dto))) => assert_error_dto(dto, &ex),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1, "status {status}: no retry with RetryPolicy::none()");
    }
}

// ---------------------------------------------------------------------------------------
// createPersonalAccessToken: POST /personal-access-tokens
// ---------------------------------------------------------------------------------------

fn assert_created_example(created: &CreatePersonalAccessTokenResponse) {
    assert_eq!(created.id, "86f1dc6fe8f54414950454cbb11278fa");
    assert_eq!(
        created.secret.expose_secret(),
        "1d1bef2b9f426383447f64f69349fc7cac176042578d205c256ba3f37c59adb9"
    );
    assert_eq!(
        created.scope,
        Some(vec![
            "demo:personal-access-token-scope:first".to_string(),
            "demo:personal-access-token-scope:second".to_string()
        ])
    );
    assert_eq!(created.name, "NodeJS Integration");
    assert_eq!(
        created.owner,
        PatOwner {
            id: Some("2c9180a46faadee4016fb4e018c20639".into()),
            name: Some("Support".into()),
            type_: Some(PatOwnerType::Identity),
        }
    );
    assert_eq!(created.created, utc(2017, 7, 11, 18, 45, 37, 98));
    assert_eq!(created.access_token_validity_seconds, 36900);
    assert_eq!(created.expiration_date, utc(2018, 1, 11, 18, 45, 37, 98));
}

#[tokio::test]
async fn create_with_whole_body_sends_the_request_example_and_decodes_the_response() {
    let body_ex = request_example(COLLECTION, "post", "application/json");
    let ex = example(COLLECTION, "post", 200);
    let (server, client) = serve_json(200, &ex).await;

    let body: CreatePersonalAccessTokenRequest = serde_json::from_value(body_ex.clone()).unwrap();
    let response = client.create_personal_access_token().body(body).send().await.expect("200");

    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/personal-access-tokens",
        &[],
        Some(("application/json", body_ex)),
    );
    assert_eq!(response.status(), 200);
    let created = response.into_inner();
    assert_created_example(&created);

    // The secret stays out of Debug, Display of the secret, and the response's Debug.
    let shown = format!("{created:?} {:#?} {}", created, created.secret);
    assert!(!shown.contains("1d1bef2b9f4263"), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
    // ...but serde sees the plain value: the decoded response serializes back to the example.
    assert_eq!(serde_json::to_value(&created).unwrap(), ex);
}

#[tokio::test]
async fn create_property_setters_send_the_same_body() {
    let body_ex = request_example(COLLECTION, "post", "application/json");
    let (server, client) = serve_json(200, &example(COLLECTION, "post", 200)).await;

    let created = client
        .create_personal_access_token()
        .name("NodeJS Integration")
        .scope(vec![
            "demo:personal-access-token-scope:first".to_string(),
            "demo:personal-access-token-scope:second".to_string(),
        ])
        .access_token_validity_seconds(36900)
        .expiration_date(utc(2018, 1, 11, 18, 45, 37, 98))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_created_example(&created);
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/personal-access-tokens",
        &[],
        Some(("application/json", body_ex)),
    );
}

#[tokio::test]
async fn create_with_name_only_sends_no_other_keys() {
    let (server, client) = serve_json(200, &example(COLLECTION, "post", 200)).await;
    client.create_personal_access_token().name("ci").send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/personal-access-tokens",
        &[],
        Some(("application/json", json!({"name": "ci"}))),
    );
}

#[tokio::test]
async fn create_validity_bounds_are_inclusive() {
    for seconds in [15, 43200] {
        let (server, client) = serve_json(200, &example(COLLECTION, "post", 200)).await;
        client
            .create_personal_access_token()
            .name("ci")
            .access_token_validity_seconds(seconds)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{seconds} is allowed: {e}"));
        assert_request(
            &only_request(&server).await,
            "POST",
            "/v3/personal-access-tokens",
            &[],
            Some(("application/json", json!({"name": "ci", "accessTokenValiditySeconds": seconds}))),
        );
    }
}

#[tokio::test]
async fn create_validity_out_of_range_is_refused_before_sending() {
    for (seconds, bound) in [(14, "15"), (43201, "43200"), (0, "15"), (-1, "15"), (i32::MAX, "43200")] {
        let (server, client) = serve_json(200, &example(COLLECTION, "post", 200)).await;
        // Through the property setter...
        let err = client
            .create_personal_access_token()
            .name("ci")
            .access_token_validity_seconds(seconds)
            .send()
            .await
            .expect_err("out of range");
        assert!(err.is_validation(), "{seconds}: {err:?}");
        assert!(matches!(err, Error::Validation(_)));
        assert_eq!(err.status(), None);
        assert_eq!(err.attempts(), 0);
        let text = err.to_string();
        assert!(text.contains(bound), "{text}");
        assert!(text.contains("access_token_validity_seconds") || text.contains("accessTokenValiditySeconds"), "{text}");
        // ...and through the whole body.
        let body = CreatePersonalAccessTokenRequest {
            name: "ci".into(),
            scope: None,
            access_token_validity_seconds: Some(seconds),
            expiration_date: None,
        };
        let err = client.create_personal_access_token().body(body).send().await.expect_err("out of range");
        assert!(err.is_validation(), "{seconds}: {err:?}");
        assert!(requests(&server).await.is_empty(), "{seconds}: nothing may be sent");
    }
}

#[tokio::test]
async fn create_without_name_is_refused_before_sending() {
    let (server, client) = serve_json(200, &example(COLLECTION, "post", 200)).await;
    let err = client
        .create_personal_access_token()
        .scope(vec!["sp:scopes:all".to_string()])
        .send()
        .await
        .expect_err("name is required");
    assert!(err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("name"), "{err}");
    let err = client.create_personal_access_token().send().await.expect_err("no body at all");
    assert!(err.is_validation(), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn create_documented_errors_decode_the_examples() {
    use CreatePersonalAccessTokenError as E;
    for status in [400, 401, 403, 429, 500] {
        let ex = example(COLLECTION, "post", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.create_personal_access_token().name("ci").send().await.expect_err("error status");
        assert_documented(status, &err);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(dto))) => assert_error_dto(dto, &ex),
            (401, Some(E::Unauthorized(body))) => assert_401(body, &ex),
            (403, Some(E::Forbidden(dto))) => assert_error_dto(dto, &ex),
            (429, Some(E::TooManyRequests(body))) => assert_429(body, &ex),
            (500, Some(E::InternalServerError(dto))) => assert_error_dto(dto, &ex),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn create_400_example_carries_causes() {
    // Not vacuous: the 400 example has both messages and causes.
    let ex = example(COLLECTION, "post", 400);
    let (_server, client) = serve_json(400, &ex).await;
    let err = client.create_personal_access_token().name("ci").send().await.unwrap_err();
    let Some(CreatePersonalAccessTokenError::BadRequest(dto)) = err.api_error() else {
        panic!("{err:?}")
    };
    assert_eq!(dto.detail_code.as_deref(), Some("400.1 Bad Request Content"));
    let causes = dto.causes.as_ref().expect("causes");
    assert_eq!(causes[0].text.as_deref(), Some("accessTokenValiditySeconds: must be between 15 and 43200"));
}

// ---------------------------------------------------------------------------------------
// patchPersonalAccessToken: PATCH /personal-access-tokens/{id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn patch_sends_a_bare_json_patch_array_and_decodes_the_example() {
    let body_ex = request_example(ITEM, "patch", "application/json-patch+json");
    let ex = example(ITEM, "patch", 200);
    let (server, client) = serve_json(200, &ex).await;

    let ops: Vec<JsonPatchOperation> = serde_json::from_value(body_ex.clone()).unwrap();
    assert_eq!(ops[0].op, JsonPatchOperationOp::Replace);
    assert_eq!(ops[0].value, Some(JsonPatchOperationValue::String("New name".into())));
    let response = client.patch_personal_access_token().id(PAT_ID).body(ops).send().await.expect("200");

    assert_request(
        &only_request(&server).await,
        "PATCH",
        "/v3/personal-access-tokens/ef38f94347e94562b5bb8424a56397d8",
        &[],
        Some(("application/json-patch+json", body_ex)),
    );
    assert_eq!(response.status(), 200);
    let t = response.into_inner();
    assert_eq!(t.id, PAT_ID);
    assert_eq!(t.name, "New name");
    assert_eq!(t.scope, Some(vec!["sp:scopes:all".to_string()]));
    assert_eq!(t.owner.type_, Some(PatOwnerType::Identity));
    assert_eq!(t.owner.id.as_deref(), Some("2c9180a46faadee4016fb4e018c20639"));
    assert_eq!(t.owner.name.as_deref(), Some("Support"));
    assert_eq!(t.created, utc(2017, 7, 11, 18, 45, 37, 98));
    assert_eq!(t.last_used, Some(utc(2017, 7, 11, 18, 45, 37, 98)));
    assert_eq!(t.managed, Some(false));
    assert_eq!(t.access_token_validity_seconds, Some(43200));
    assert_eq!(t.expiration_date, Some(utc(2018, 1, 11, 18, 45, 37, 98)));
}

#[tokio::test]
async fn patch_typed_operations_serialize_every_value_shape() {
    let (server, client) = serve_json(200, &example(ITEM, "patch", 200)).await;
    let ops = vec![
        JsonPatchOperation {
            op: JsonPatchOperationOp::Replace,
            path: "/name".into(),
            value: Some(JsonPatchOperationValue::String("New name".into())),
        },
        JsonPatchOperation {
            op: JsonPatchOperationOp::Add,
            path: "/scope".into(),
            value: Some(JsonPatchOperationValue::Array(vec![
                JsonPatchOperationValueVariant4Item::String("001".into()),
                JsonPatchOperationValueVariant4Item::Integer(2),
            ])),
        },
        JsonPatchOperation { op: JsonPatchOperationOp::Test, path: "/managed".into(), value: Some(JsonPatchOperationValue::Bool(true)) },
        JsonPatchOperation { op: JsonPatchOperationOp::Replace, path: "/n".into(), value: Some(JsonPatchOperationValue::Integer(300)) },
        JsonPatchOperation {
            op: JsonPatchOperationOp::Add,
            path: "/o".into(),
            value: Some(JsonPatchOperationValue::Object(
                serde_json::from_value(json!({"attributes": {"name": "philip"}})).unwrap(),
            )),
        },
        JsonPatchOperation { op: JsonPatchOperationOp::Remove, path: "/description".into(), value: None },
        JsonPatchOperation { op: JsonPatchOperationOp::Move, path: "/a".into(), value: None },
        JsonPatchOperation { op: JsonPatchOperationOp::Copy, path: "/b".into(), value: None },
    ];
    client.patch_personal_access_token().id(PAT_ID).body(ops).send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "PATCH",
        "/v3/personal-access-tokens/ef38f94347e94562b5bb8424a56397d8",
        &[],
        Some((
            "application/json-patch+json",
            json!([
                {"op": "replace", "path": "/name", "value": "New name"},
                {"op": "add", "path": "/scope", "value": ["001", 2]},
                {"op": "test", "path": "/managed", "value": true},
                {"op": "replace", "path": "/n", "value": 300},
                {"op": "add", "path": "/o", "value": {"attributes": {"name": "philip"}}},
                {"op": "remove", "path": "/description"},
                {"op": "move", "path": "/a"},
                {"op": "copy", "path": "/b"}
            ]),
        )),
    );
}

#[tokio::test]
async fn patch_empty_array_is_sent_as_empty_array() {
    let (server, client) = serve_json(200, &example(ITEM, "patch", 200)).await;
    client.patch_personal_access_token().id(PAT_ID).body(Vec::new()).send().await.expect("200");
    let req = only_request(&server).await;
    assert_eq!(req.body, b"[]");
}

#[tokio::test]
async fn patch_without_id_or_body_is_refused_before_sending() {
    let (server, client) = serve_json(200, &example(ITEM, "patch", 200)).await;
    let ops: Vec<JsonPatchOperation> =
        serde_json::from_value(request_example(ITEM, "patch", "application/json-patch+json")).unwrap();
    let err = client.patch_personal_access_token().body(ops).send().await.expect_err("id is required");
    match &err {
        Error::Validation(v) => assert_eq!(v.field, "id"),
        other => panic!("{other:?}"),
    }
    let err = client.patch_personal_access_token().id(PAT_ID).send().await.expect_err("body is required");
    assert!(err.is_validation(), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn patch_documented_errors_decode_the_examples() {
    use PatchPersonalAccessTokenError as E;
    for status in [400, 401, 403, 404, 429, 500] {
        let ex = example(ITEM, "patch", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client
            .patch_personal_access_token()
            .id(PAT_ID)
            .body(Vec::new())
            .send()
            .await
            .expect_err("error status");
        assert_documented(status, &err);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(dto))) => assert_error_dto(dto, &ex),
            (401, Some(E::Unauthorized(body))) => assert_401(body, &ex),
            (403, Some(E::Forbidden(dto))) => assert_error_dto(dto, &ex),
            (404, Some(E::NotFound(dto))) => {
                assert_eq!(dto.detail_code.as_deref(), Some("404 Not found"));
                assert_error_dto(dto, &ex)
            }
            (429, Some(E::TooManyRequests(body))) => assert_429(body, &ex),
            (500, Some(E::InternalServerError(dto))) => assert_error_dto(dto, &ex),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// deletePersonalAccessToken: DELETE /personal-access-tokens/{id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_sends_exact_request_and_accepts_204() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    let response = client.delete_personal_access_token().id(PAT_ID).send().await.expect("204");
    assert_eq!(response.status(), 204);
    let () = response.into_inner();
    assert_request(
        &only_request(&server).await,
        "DELETE",
        "/v3/personal-access-tokens/ef38f94347e94562b5bb8424a56397d8",
        &[],
        None,
    );
}

#[tokio::test]
async fn delete_204_with_a_stray_body_is_accepted() {
    let (_server, client) =
        serve(ResponseTemplate::new(204).set_body_raw(b"{\"ignored\":true}".to_vec(), "application/json")).await;
    let response = client.delete_personal_access_token().id(PAT_ID).send().await;
    assert_eq!(response.expect("a 204 is a success whatever its body").status(), 204);
}

#[tokio::test]
async fn delete_documented_errors_decode_the_examples() {
    use DeletePersonalAccessTokenError as E;
    for status in [400, 401, 403, 404, 429, 500] {
        let ex = example(ITEM, "delete", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.delete_personal_access_token().id(PAT_ID).send().await.expect_err("error status");
        assert_documented(status, &err);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(dto))) => assert_error_dto(dto, &ex),
            (401, Some(E::Unauthorized(body))) => assert_401(body, &ex),
            (403, Some(E::Forbidden(dto))) => assert_error_dto(dto, &ex),
            (404, Some(E::NotFound(dto))) => assert_error_dto(dto, &ex),
            (429, Some(E::TooManyRequests(body))) => assert_429(body, &ex),
            (500, Some(E::InternalServerError(dto))) => assert_error_dto(dto, &ex),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn delete_without_id_is_refused_before_sending() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    let err = client.delete_personal_access_token().send().await.expect_err("id is required");
    match &err {
        Error::Validation(v) => assert_eq!(v.field, "id"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.attempts(), 0);
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn delete_200_is_undocumented() {
    let (_server, client) = serve(ResponseTemplate::new(200)).await;
    let err = client.delete_personal_access_token().id(PAT_ID).send().await.expect_err("only 204 is documented");
    assert_eq!(err.status(), Some(200));
    assert!(err.api_error().is_none());
    assert!(matches!(err, Error::UnexpectedStatus { status: 200, .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// Path encoding
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn path_parameters_stay_in_their_segment() {
    for (id, encoded) in [
        ("../x", "..%2Fx"),
        ("a b/c?d#e", "a%20b%2Fc%3Fd%23e"),
        ("%2F", "%252F"),
        ("é", "%C3%A9"),
    ] {
        let (server, client) = serve(ResponseTemplate::new(204)).await;
        client.delete_personal_access_token().id(id).send().await.expect("204");
        let req = only_request(&server).await;
        assert_eq!(req.url.path(), format!("/v3/personal-access-tokens/{encoded}"), "id {id:?}");
        assert_eq!(req.url.query(), None, "id {id:?}");

        let (server, client) = serve_json(200, &example(ITEM, "patch", 200)).await;
        client.patch_personal_access_token().id(id).body(Vec::new()).send().await.expect("200");
        assert_eq!(only_request(&server).await.url.path(), format!("/v3/personal-access-tokens/{encoded}"));
    }
}

#[tokio::test]
async fn dot_segments_are_refused_not_resolved() {
    for id in [".", ".."] {
        let (server, client) = serve(ResponseTemplate::new(204)).await;
        let err = client.delete_personal_access_token().id(id).send().await.expect_err("dot segment");
        assert!(matches!(err, Error::InvalidRequest { .. } | Error::Validation(_)), "{id}: {err:?}");
        assert!(requests(&server).await.is_empty(), "{id}: nothing may be sent");
    }
}

// ---------------------------------------------------------------------------------------
// Forward-compatible enums
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_owner_type_decodes_and_round_trips() {
    let mut ex = example(COLLECTION, "get", 200);
    ex[0]["owner"]["type"] = json!("MACHINE");
    let (_server, client) = serve_json(200, &ex).await;
    let tokens = client.list_personal_access_tokens().send().await.expect("200").into_inner();
    assert_eq!(tokens[0].owner.type_, Some(PatOwnerType::Unknown("MACHINE".into())));
    assert_eq!(tokens[0].owner.type_.as_ref().unwrap().as_str(), "MACHINE");
    assert_eq!(tokens[1].owner.type_, Some(PatOwnerType::Identity));
    assert_eq!(
        serde_json::to_value(&tokens[0].owner).unwrap(),
        json!({"type": "MACHINE", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Support"})
    );
}

#[tokio::test]
async fn unknown_patch_op_decodes_and_is_sent_unchanged() {
    let op: JsonPatchOperation = serde_json::from_value(json!({"op": "frobnicate", "path": "/name"})).unwrap();
    assert_eq!(op.op, JsonPatchOperationOp::Unknown("frobnicate".into()));
    assert_eq!(serde_json::to_value(&op).unwrap(), json!({"op": "frobnicate", "path": "/name"}));
    // Known values still map to their variants, and unknown ones are case-sensitive.
    assert_eq!(JsonPatchOperationOp::from("move"), JsonPatchOperationOp::Move);
    assert_eq!(JsonPatchOperationOp::from("MOVE"), JsonPatchOperationOp::Unknown("MOVE".into()));

    let (server, client) = serve_json(200, &example(ITEM, "patch", 200)).await;
    client.patch_personal_access_token().id(PAT_ID).body(vec![op]).send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "PATCH",
        "/v3/personal-access-tokens/ef38f94347e94562b5bb8424a56397d8",
        &[],
        Some(("application/json-patch+json", json!([{"op": "frobnicate", "path": "/name"}]))),
    );
}

#[tokio::test]
async fn unknown_and_null_locale_origin_in_an_error_body() {
    let body = json!({
        "detailCode": "403 Forbidden",
        "messages": [
            {"locale": "fr-FR", "localeOrigin": "HEURISTIC", "text": "a"},
            {"locale": null, "localeOrigin": null, "text": "b"},
            {"localeOrigin": "REQUEST"}
        ]
    });
    let (_server, client) = serve_json(403, &body).await;
    let err = client.delete_personal_access_token().id(PAT_ID).send().await.unwrap_err();
    let Some(DeletePersonalAccessTokenError::Forbidden(dto)) = err.api_error() else { panic!("{err:?}") };
    let messages = dto.messages.as_ref().unwrap();
    assert_eq!(messages[0].locale_origin, Some(LocaleOrigin::Unknown("HEURISTIC".into())));
    assert_eq!(messages[1].locale, None);
    assert_eq!(messages[1].locale_origin, None);
    assert_eq!(messages[2].locale_origin, Some(LocaleOrigin::Request));
    assert_eq!(serde_json::to_value(&messages[0]).unwrap(), json!({"locale": "fr-FR", "localeOrigin": "HEURISTIC", "text": "a"}));
    assert_eq!(dto.tracking_id, None);
}

#[tokio::test]
async fn untyped_401_and_429_bodies_keep_any_json() {
    let (_server, client) = serve_json(401, &json!({"error": {"code": 7, "reasons": ["expired"]}})).await;
    let err = client.list_personal_access_tokens().send().await.unwrap_err();
    let Some(ListPersonalAccessTokensError::Unauthorized(body)) = err.api_error() else { panic!("{err:?}") };
    assert_eq!(body.error, Some(json!({"code": 7, "reasons": ["expired"]})));

    let (_server, client) = serve_json(429, &json!({"message": 42})).await;
    let err = client.list_personal_access_tokens().send().await.unwrap_err();
    let Some(ListPersonalAccessTokensError::TooManyRequests(body)) = err.api_error() else { panic!("{err:?}") };
    assert_eq!(body.message, Some(json!(42)));
}

// ---------------------------------------------------------------------------------------
// Bad responses
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn undocumented_status_is_unexpected_status() {
    let (_server, client) =
        serve(ResponseTemplate::new(418).set_body_raw(b"{\"teapot\":true}".to_vec(), "application/json")).await;
    let err = client.list_personal_access_tokens().send().await.expect_err("418");
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());
    assert!(matches!(err, Error::UnexpectedStatus { status: 418, .. }), "{err:?}");
    assert_eq!(err.body(), Some(&b"{\"teapot\":true}"[..]));

    let (_server, client) = serve(ResponseTemplate::new(418)).await;
    let err = client.create_personal_access_token().name("ci").send().await.expect_err("418");
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());
}

fn assert_decode_error<E: std::fmt::Debug>(err: &Error<E>, status: u16) {
    assert!(matches!(err, Error::Decode { .. }), "expected a decode error, got {err:?}");
    assert_eq!(err.status(), Some(status));
    assert!(err.api_error().is_none());
}

#[tokio::test]
async fn undecodable_success_bodies_are_decode_errors() {
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("wrong types", wire_tests::json_response(200, &json!([{"id": 5, "name": "x"}]), "application/json")),
        ("object, not array", wire_tests::json_response(200, &json!({"items": []}), "application/json")),
        ("missing required", wire_tests::json_response(200, &json!([{"id": "x", "name": "y"}]), "application/json")),
        ("bad timestamp", {
            let mut ex = example(COLLECTION, "get", 200);
            ex[0]["created"] = json!("yesterday");
            wire_tests::json_response(200, &ex, "application/json")
        }),
        ("truncated", ResponseTemplate::new(200).set_body_raw(b"[{\"id\": \"86f1".to_vec(), "application/json")),
        ("not UTF-8", ResponseTemplate::new(200).set_body_raw(vec![b'[', b'"', 0xff, 0xfe, b'"', b']'], "application/json")),
        ("empty", ResponseTemplate::new(200).insert_header("content-type", "application/json")),
        ("html", ResponseTemplate::new(200).set_body_raw(b"<html>oops</html>".to_vec(), "text/html")),
    ];
    for (what, template) in cases {
        let (_server, client) = serve(template).await;
        let err = client.list_personal_access_tokens().send().await.expect_err(what);
        assert_decode_error(&err, 200);
    }
}

#[tokio::test]
async fn undecodable_create_and_patch_bodies_are_decode_errors() {
    // The create response needs all eight fields, the secret included.
    let mut ex = example(COLLECTION, "post", 200);
    ex.as_object_mut().unwrap().remove("secret");
    let (_server, client) = serve_json(200, &ex).await;
    let err = client.create_personal_access_token().name("ci").send().await.expect_err("no secret");
    assert_decode_error(&err, 200);

    let (_server, client) = serve(ResponseTemplate::new(200)).await;
    let err = client.create_personal_access_token().name("ci").send().await.expect_err("empty");
    assert_decode_error(&err, 200);

    let (_server, client) = serve(ResponseTemplate::new(200)).await;
    let err = client.patch_personal_access_token().id(PAT_ID).body(Vec::new()).send().await.expect_err("empty");
    assert_decode_error(&err, 200);

    let (_server, client) = serve(ResponseTemplate::new(200).set_body_raw(vec![0xc3, 0x28], "application/json")).await;
    let err = client.patch_personal_access_token().id(PAT_ID).body(Vec::new()).send().await.expect_err("not UTF-8");
    assert_decode_error(&err, 200);
}

#[tokio::test]
async fn undecodable_error_bodies_are_decode_errors() {
    let (_server, client) =
        serve(ResponseTemplate::new(400).set_body_raw(b"<html>bad gateway</html>".to_vec(), "text/html")).await;
    let err = client.create_personal_access_token().name("ci").send().await.unwrap_err();
    assert_decode_error(&err, 400);

    let (_server, client) = serve_json(404, &json!({"detailCode": 404})).await;
    let err = client.delete_personal_access_token().id(PAT_ID).send().await.unwrap_err();
    assert_decode_error(&err, 404);
}

#[tokio::test]
async fn rfc3339_timestamps_with_offsets_and_without_millis() {
    let mut ex = example(COLLECTION, "get", 200);
    ex[0]["created"] = json!("2017-07-11T20:45:37.098+02:00");
    ex[0]["lastUsed"] = json!("2017-07-11T18:45:37Z");
    ex[0].as_object_mut().unwrap().remove("expirationDate");
    let (_server, client) = serve_json(200, &ex).await;
    let tokens = client.list_personal_access_tokens().send().await.expect("200").into_inner();
    assert_eq!(tokens[0].created, utc(2017, 7, 11, 18, 45, 37, 98));
    assert_eq!(tokens[0].last_used, Some(utc(2017, 7, 11, 18, 45, 37, 0)));
    assert_eq!(tokens[0].expiration_date, None);
}

// ---------------------------------------------------------------------------------------
// Retries and timeouts
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn default_policy_retries_429_and_none_does_not() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(error_response(429, &example(COLLECTION, "get", 429)).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(wire_tests::json_response(200, &example(COLLECTION, "post", 200), "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder().base_url(format!("{}/v3", server.uri())).bearer_token(TOKEN).build().unwrap();
    let created = client.create_personal_access_token().name("ci").send().await.expect("retried to success");
    assert_created_example(&created);
    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    for req in &all {
        assert_request(req, "POST", "/v3/personal-access-tokens", &[], Some(("application/json", json!({"name": "ci"}))));
    }

    let (server, client) = serve(error_response(429, &example(COLLECTION, "get", 429))).await;
    let err = client.list_personal_access_tokens().send().await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.attempts(), 1);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn per_attempt_timeout_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client.list_personal_access_tokens().send().await.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.status(), None);
    assert!(err.api_error().is_none());
}

// ---------------------------------------------------------------------------------------
// Building the client: server variables, base URLs, secrets
// ---------------------------------------------------------------------------------------

#[test]
fn default_base_url_is_the_first_server_with_the_default_tenant() {
    let client = Client::builder().bearer_token("t").build().unwrap();
    assert_eq!(client.base_url(), "https://sailpoint.api.identitynow.com/v3");
}

#[test]
fn tenant_server_variable_fills_the_host() {
    let client = Client::builder().tenant("acme").bearer_token("t").build().unwrap();
    assert_eq!(client.base_url(), "https://acme.api.identitynow.com/v3");
    let client = Client::builder().tenant("acme-eu-1").build().unwrap();
    assert_eq!(client.base_url(), "https://acme-eu-1.api.identitynow.com/v3");
}

#[test]
fn tenant_that_would_change_the_host_or_path_is_a_build_error() {
    for bad in ["", "evil.com/x", "a/b", "user@evil.com", "@", "a b", "a?b", "a#b", "a\r\nb", "../x", "x%2F"] {
        let result = Client::builder().tenant(bad).bearer_token("t").build();
        assert!(result.is_err(), "tenant {bad:?} must be refused");
    }
}

#[test]
fn explicit_base_url_wins_over_tenant() {
    let client = Client::builder().tenant("acme").base_url("http://127.0.0.1:9/v3").build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v3");
}

#[test]
fn bad_base_urls_are_build_errors() {
    for bad in ["not a url", "", "ftp://example.com/v3", "http://", "/v3", "http://h/v3?x=1"] {
        let result = Client::builder().base_url(bad).bearer_token("t").build();
        let err = result.err().unwrap_or_else(|| panic!("{bad:?} must be refused"));
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test]
async fn base_url_with_trailing_slash() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder()
        .base_url(format!("{}/v3/", server.uri()))
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    client.delete_personal_access_token().id(PAT_ID).send().await.expect("204");
    assert_eq!(only_request(&server).await.url.path(), "/v3/personal-access-tokens/ef38f94347e94562b5bb8424a56397d8");
}

#[tokio::test]
async fn user_agent_is_sent() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    client.delete_personal_access_token().id(PAT_ID).send().await.unwrap();
    let ua = only_request(&server).await;
    assert!(header(&ua, "user-agent")[0].starts_with("sailpoint-client/"), "{:?}", header(&ua, "user-agent"));

    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .bearer_token(TOKEN)
        .user_agent("my-app/1.2")
        .build()
        .unwrap();
    client.delete_personal_access_token().id(PAT_ID).send().await.unwrap();
    assert_eq!(header(&only_request(&server).await, "user-agent"), vec!["my-app/1.2"]);
}

#[test]
fn client_debug_shows_no_credential() {
    assert_static::<Client>();
    let client = Client::builder().tenant("acme").bearer_token(TOKEN).build().unwrap();
    for shown in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("0123-secret"), "{shown}");
    }
    let builder = Client::builder().bearer_token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
}

#[tokio::test]
async fn bearer_token_with_crlf_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .bearer_token("abc\r\nX-Injected: 1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.delete_personal_access_token().id(PAT_ID).send().await.expect_err("CR/LF in a header");
    assert!(matches!(err, Error::InvalidRequest { .. } | Error::Validation(_)), "{err:?}");
    assert!(!format!("{err:?} {err}").contains("X-Injected"), "the value must not be echoed");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn clients_are_shareable_across_tasks() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.delete_personal_access_token().id(format!("id-{i}")).send().await })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap().expect("204").status(), 204);
    }
    let mut paths: Vec<String> = requests(&server).await.iter().map(|r| r.url.path().to_string()).collect();
    paths.sort();
    assert_eq!(
        paths,
        (0..4).map(|i| format!("/v3/personal-access-tokens/id-{i}")).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------
// Personal access token → access token (OAuth2 client credentials), as the SDKs do it
// ---------------------------------------------------------------------------------------

const PAT_SECRET: &str = "pat-secret-9f8e/7d6c+5b4a";

/// A tenant whose `/oauth/token` hands out `jwt-1`, `jwt-2`, ... and whose API accepts the
/// latest one.
async fn tenant() -> MockServer {
    let server = MockServer::start().await;
    let issued = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/oauth/token"))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("jwt-{n}"), "token_type": "bearer", "expires_in": 749}))
                .set_delay(Duration::from_millis(50))
        })
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path(format!("/v3{COLLECTION}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    server
}

fn pat_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .client_credentials(PAT_ID, PAT_SECRET)
        .token_url(format!("{}/oauth/token", server.uri()))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[tokio::test]
async fn pat_is_exchanged_for_a_token_as_the_sdks_do() {
    let server = tenant().await;
    let client = pat_client(&server);
    client.list_personal_access_tokens().send().await.expect("listed");
    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    let token_request = &all[0];
    assert_eq!(token_request.method.as_str(), "POST");
    assert_eq!(token_request.url.path(), "/oauth/token");
    assert_eq!(token_request.headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(
        form(&token_request.body),
        [
            ("grant_type".to_string(), "client_credentials".to_string()),
            ("client_id".to_string(), PAT_ID.to_string()),
            ("client_secret".to_string(), PAT_SECRET.to_string()),
        ]
    );
    assert!(!token_request.headers.contains_key("authorization"));
    assert_eq!(all[1].headers["authorization"], "Bearer jwt-1");
}

#[tokio::test]
async fn fifty_concurrent_calls_share_one_token_and_scopes_are_asked_for() {
    let server = tenant().await;
    let client = Client::builder()
        .base_url(format!("{}/v3", server.uri()))
        .client_credentials(PAT_ID, PAT_SECRET)
        .scopes(["sp:my-personal-access-tokens:read", "sp:my-personal-access-tokens:manage"])
        .token_url(format!("{}/oauth/token", server.uri()))
        .build()
        .expect("client");
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_personal_access_tokens().send().await.map(|r| r.status()) })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().expect("listed"), 200);
    }
    let all = requests(&server).await;
    let token_requests: Vec<_> = all.iter().filter(|r| r.url.path() == "/oauth/token").collect();
    assert_eq!(token_requests.len(), 1);
    assert!(form(&token_requests[0].body)
        .contains(&("scope".to_string(), "sp:my-personal-access-tokens:read sp:my-personal-access-tokens:manage".to_string())));
    assert!(all.iter().filter(|r| r.url.path() != "/oauth/token").all(|r| r.headers["authorization"] == "Bearer jwt-1"));
}

#[tokio::test]
async fn the_token_url_defaults_to_the_tenant_of_the_spec() {
    let client = Client::builder().tenant("acme").client_credentials(PAT_ID, PAT_SECRET).build().expect("client");
    let shown = format!("{client:?}");
    assert!(shown.contains("https://acme.api.identitynow.com/oauth/token"), "{shown}");
    assert!(!shown.contains(PAT_SECRET) && !shown.contains(PAT_ID), "{shown}");
    let bad = Client::builder().client_credentials(PAT_ID, PAT_SECRET).token_url("not a url").build();
    assert!(bad.is_err());
}

#[tokio::test]
async fn a_refused_pat_is_a_credentials_error_and_the_api_is_not_called() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client", "error_description": "Bad credentials"})))
        .mount(&server)
        .await;
    let error = pat_client(&server).list_personal_access_tokens().send().await.unwrap_err();
    assert!(
        matches!(error, Error::Credentials { problem: sailpoint_client::CredentialsProblem::TokenRejected { status: 401, .. } }),
        "{error:?}"
    );
    assert_eq!(error.status(), None);
    assert!(!error.to_string().contains(PAT_SECRET), "{error}");
    assert_eq!(requests(&server).await.len(), 1, "only the token endpoint was called");
}
