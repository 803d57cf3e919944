//! Wire tests of `launchdarkly-client` against a local mock server.
//!
//! Every operation is checked for the exact request it sends (method, path, query,
//! headers, body) and for decoding the spec's own examples, success and documented errors
//! alike; then come the awkward cases: unknown enum values, broken or undocumented
//! responses, client-side validation, path encoding, the default server and secrets.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use launchdarkly_client::errors::{
    DeleteTokenError, GetTokenError, GetTokensError, PatchTokenError, PostTokenError, ResetTokenError,
};
use launchdarkly_client::types::{
    AccessTokenPost, AccessTokenPostRole, Link, PatchOperation, StatementEffect, StatementPost,
    StatementPostEffect, Token,
};
use launchdarkly_client::{Client, Error, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const API_KEY: &str = "api-0123-very-secret";
const TOKENS: &str = "/api/v2/tokens";
const TOKEN_PATH: &str = "/api/v2/tokens/{id}";
const RESET_PATH: &str = "/api/v2/tokens/{id}/reset";
const TOKEN_ID: &str = "61095542756dba551110ae21";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| wire_tests::spec("launchdarkly"))
}

fn example(path: &str, method: &str, status: u16) -> Value {
    wire_tests::response_example(spec(), path, method, &status.to_string(), "application/json")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap() + chrono::TimeDelta::milliseconds(ms)
}

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key(API_KEY)
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

/// Asserts everything about a request: method, raw path, query pairs (nothing more), the
/// raw API key in `Authorization`, `Accept`, and either the exact JSON body with its
/// content type or no body at all.
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
    // The raw key, with no `Bearer ` prefix.
    assert_eq!(header(req, "authorization"), vec![API_KEY], "authorization");
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

fn error_response(status: u16, ex: &Value) -> ResponseTemplate {
    let template = wire_tests::json_response(status, ex, "application/json");
    if status == 429 {
        template.insert_header("Retry-After", "10")
    } else {
        template
    }
}

/// Every error rep has the same `{code, message}` shape; compare with the raw example.
macro_rules! assert_rep {
    ($rep:expr, $ex:expr, $code:literal) => {{
        let rep = $rep;
        let ex: &Value = $ex;
        assert_eq!(ex["code"], $code, "the spec's example code");
        assert_eq!(rep.code, $code);
        assert_eq!(rep.message, ex["message"].as_str().unwrap());
    }};
}

fn assert_common_error<E>(err: &Error<E>, status: u16) {
    assert_eq!(err.status(), Some(status));
    assert_eq!(err.attempts(), 1);
    if status == 429 {
        assert_eq!(err.headers().unwrap().get("retry-after").unwrap(), "10");
    }
}

fn link(href: &str) -> Link {
    Link { href: Some(href.to_string()), type_: Some("application/json".to_string()) }
}

/// The token of the getTokens example (also the postToken one, but for the secret).
fn assert_listed_token(t: &Token, secret: &str, last_used: DateTime<Utc>) {
    assert_eq!(t.id, TOKEN_ID);
    assert_eq!(t.owner_id, "569f514156e003339cfd3917");
    assert_eq!(t.member_id, "569f514183f2164430000002");
    let member = t.member.as_ref().expect("_member");
    assert_eq!(member.id, "569f514183f2164430000002");
    assert_eq!(member.first_name.as_deref(), Some("Ariel"));
    assert_eq!(member.last_name.as_deref(), Some("Flores"));
    assert_eq!(member.role, "admin");
    assert_eq!(member.email, "ariel@acme.com");
    assert_eq!(member.links.len(), 1);
    assert_eq!(member.links["self"], link("/api/v2/members/569f514183f2164430000002"));
    assert_eq!(t.name.as_deref(), Some("Example reader token"));
    assert_eq!(t.description.as_deref(), Some("A reader token used in testing and examples"));
    assert_eq!(t.creation_date, utc(2021, 8, 3, 14, 40, 2, 644));
    assert_eq!(t.last_modified, utc(2021, 8, 3, 14, 40, 2, 644));
    assert_eq!(t.custom_role_ids, Some(vec![]));
    assert_eq!(t.inline_role, Some(vec![]));
    assert_eq!(t.role.as_deref(), Some("reader"));
    assert_eq!(t.token.as_ref().expect("token").expose_secret(), secret);
    assert_eq!(t.service_token, Some(false));
    assert_eq!(t.links.len(), 2);
    assert_eq!(t.links["parent"], link("/api/v2/tokens"));
    assert_eq!(t.links["self"], link("/api/v2/tokens/61095542756dba551110ae21"));
    assert_eq!(t.default_api_version, Some(20240415));
    assert_eq!(t.last_used, Some(last_used));
}

fn assert_secret_hidden(value: &impl std::fmt::Debug, secret: &str) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
}

fn assert_static<T: Clone + Send + Sync + 'static>() {}

// ---------------------------------------------------------------------------------------
// The contract's own example
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn contract_example_compiles_and_works() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wire_tests::json_response(200, &example(TOKENS, "get", 200), "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(wire_tests::json_response(201, &example(TOKENS, "post", 201), "application/json"))
        .mount(&server)
        .await;

    let client = launchdarkly_client::Client::builder()
        .base_url(server.uri())
        .api_key(API_KEY)
        .build()?;
    let page = client.get_tokens().limit(5).offset(10).show_all(true).send().await?;
    let body: launchdarkly_client::types::AccessTokenPost =
        serde_json::from_value(json!({"name": "ci", "role": "reader"}))?;
    let token = client.post_token().body(body).send().await?.into_inner();

    assert_eq!(page.status(), 200);
    assert_eq!(page.total_count, Some(1), "Response derefs to the body");
    assert_eq!(page.items.as_ref().map(Vec::len), Some(1));
    assert_eq!(token.token.as_ref().unwrap().expose_secret(), "api-6f1c3e2a-9b4d-4c7e-8a15-2d0b7f9e1234");

    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    assert_request(&all[0], "GET", "/api/v2/tokens", &[("showAll", "true"), ("limit", "5"), ("offset", "10")], None);
    assert_request(&all[1], "POST", "/api/v2/tokens", &[], Some(("application/json", json!({"name": "ci", "role": "reader"}))));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// getTokens: GET /api/v2/tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_tokens_sends_exact_request_and_decodes_the_example() {
    let ex = example(TOKENS, "get", 200);
    let (server, client) = serve(
        wire_tests::json_response(200, &ex, "application/json").insert_header("X-Ratelimit-Route-Remaining", "42"),
    )
    .await;
    let response = client.get_tokens().limit(5).offset(10).show_all(true).send().await.expect("200");
    assert_eq!(response.headers().get("x-ratelimit-route-remaining").unwrap(), "42");

    let req = only_request(&server).await;
    assert_request(&req, "GET", "/api/v2/tokens", &[("showAll", "true"), ("limit", "5"), ("offset", "10")], None);
    assert!(header(&req, "ld-api-version").is_empty(), "no LD-API-Version unless asked");

    assert_eq!(response.status(), 200);
    let page = response.into_inner();
    assert_eq!(page.total_count, Some(1));
    let links = page.links.as_ref().expect("_links");
    assert_eq!(links.len(), 3);
    for name in ["first", "last", "self"] {
        assert_eq!(links[name], link("/api/v2/tokens?limit=25&offset=0"));
    }
    let items = page.items.as_ref().expect("items");
    assert_eq!(items.len(), 1);
    assert_listed_token(&items[0], "1234", utc(2021, 8, 4, 14, 40, 2, 644));
    assert_secret_hidden(&page, "\"1234\"");

    // Decoded values serialize back to exactly the example: epoch millis stay integers.
    assert_eq!(serde_json::to_value(&page).unwrap(), ex);
}

#[tokio::test]
async fn get_tokens_without_parameters_sends_no_query() {
    let (server, client) = serve_json(200, &json!({"items": [], "totalCount": 0})).await;
    let page = client.get_tokens().send().await.expect("200");
    assert_eq!(page.items, Some(vec![]));
    assert_eq!(page.total_count, Some(0));
    assert_eq!(page.links, None);
    assert_request(&only_request(&server).await, "GET", "/api/v2/tokens", &[], None);
}

#[tokio::test]
async fn get_tokens_query_values() {
    let (server, client) = serve_json(200, &json!({})).await;
    client.get_tokens().show_all(false).limit(i64::MAX).offset(0).send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "GET",
        "/api/v2/tokens",
        &[("showAll", "false"), ("limit", "9223372036854775807"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn get_tokens_api_version_header() {
    let (server, client) = serve_json(200, &example(TOKENS, "get", 200)).await;
    client.get_tokens().ld_api_version("20240415").limit(25).send().await.expect("200");
    let req = only_request(&server).await;
    assert_request(&req, "GET", "/api/v2/tokens", &[("limit", "25")], None);
    assert_eq!(header(&req, "ld-api-version"), vec!["20240415"]);
}

#[tokio::test]
async fn get_tokens_header_with_cr_or_lf_is_refused_before_sending() {
    let (server, client) = serve_json(200, &example(TOKENS, "get", 200)).await;
    for bad in ["20240415\r\nX-Injected: evil", "20240415\nX-Injected: evil", "20240415\rX-Injected: evil"] {
        let err = client.get_tokens().ld_api_version(bad).send().await.expect_err("CR/LF");
        assert!(matches!(err, Error::Validation(_) | Error::InvalidRequest { .. }), "{err:?}");
        assert_eq!(err.status(), None);
        assert_eq!(err.attempts(), 0);
        assert!(!format!("{err:?} {err}").contains("X-Injected"), "the value must not be echoed");
    }
    assert!(requests(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn get_tokens_documented_errors_decode_the_examples() {
    use GetTokensError as E;
    for status in [401, 403, 429] {
        let ex = example(TOKENS, "get", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.get_tokens().send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

fn token_with_id(id: &str) -> Value {
    let mut t = example(TOKENS, "get", 200)["items"][0].clone();
    t["_id"] = json!(id);
    t
}

fn page_of(ids: &[&str], total: Option<i64>) -> ResponseTemplate {
    let mut body = json!({"items": ids.iter().map(|id| token_with_id(id)).collect::<Vec<_>>()});
    if let Some(total) = total {
        body["totalCount"] = json!(total);
    }
    wire_tests::json_response(200, &body, "application/json")
}

/// A server whose pages are chosen by the `offset` query parameter.
async fn paged_server(pages: Vec<(&str, ResponseTemplate)>) -> MockServer {
    use wiremock::matchers::{query_param, query_param_is_missing};
    let server = MockServer::start().await;
    for (offset, template) in pages {
        if offset == "0" {
            // The first page may be asked for with `offset=0` or with no offset at all.
            Mock::given(query_param_is_missing("offset")).respond_with(template.clone()).mount(&server).await;
        }
        Mock::given(query_param("offset", offset)).respond_with(template).mount(&server).await;
    }
    server
}

/// The offset of each request; a missing one reads as `0`.
fn offsets(all: &[Request]) -> Vec<String> {
    all.iter()
        .map(|r| {
            r.url.query_pairs().find(|(k, _)| k == "offset").map(|(_, v)| v.into_owned()).unwrap_or_else(|| "0".into())
        })
        .collect()
}

fn ids(tokens: &[Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.id.as_str()).collect()
}

#[tokio::test]
async fn get_tokens_stream_fetches_every_page_by_offset() {
    use futures::TryStreamExt;
    let server = paged_server(vec![
        ("0", page_of(&["t0", "t1"], Some(5))),
        ("2", page_of(&["t2", "t3"], Some(5))),
        ("4", page_of(&["t4"], Some(5))),
        ("5", page_of(&[], Some(5))),
    ])
    .await;
    let client = client_for(&server);
    let stream = client.get_tokens().limit(2).show_all(true).ld_api_version("20240415").stream();
    // The stream is Send + 'static: it can be driven from another task.
    let tokens: Vec<Token> = tokio::spawn(stream.try_collect()).await.unwrap().expect("no error while paging");
    assert_eq!(ids(&tokens), ["t0", "t1", "t2", "t3", "t4"]);
    assert_eq!(tokens[4].creation_date, utc(2021, 8, 3, 14, 40, 2, 644));

    let all = requests(&server).await;
    assert_eq!(offsets(&all), ["0", "2", "4"], "stops once totalCount items are behind it");
    for (i, req) in all.iter().enumerate() {
        let offset = ["0", "2", "4"][i];
        let mut query = vec![("showAll", "true"), ("limit", "2")];
        if i > 0 || req.url.query_pairs().any(|(k, _)| k == "offset") {
            query.push(("offset", offset));
        }
        assert_request(req, "GET", "/api/v2/tokens", &query, None);
        assert_eq!(header(req, "ld-api-version"), vec!["20240415"]);
    }
}

#[tokio::test]
async fn get_tokens_stream_starts_at_the_builder_offset_and_stops_on_an_empty_page() {
    use futures::TryStreamExt;
    let server = paged_server(vec![
        ("10", page_of(&["t10", "t11"], None)),
        ("12", page_of(&["t12", "t13"], None)),
        ("14", page_of(&[], None)),
    ])
    .await;
    let client = client_for(&server);
    let tokens: Vec<Token> = client.get_tokens().offset(10).stream().try_collect().await.expect("pages");
    assert_eq!(ids(&tokens), ["t10", "t11", "t12", "t13"]);
    let all = requests(&server).await;
    assert_eq!(offsets(&all), ["10", "12", "14"]);
    for req in &all {
        assert!(!req.url.query_pairs().any(|(k, _)| k == "limit"), "no limit unless set");
    }
}

#[tokio::test]
async fn get_tokens_stream_stops_on_a_short_page() {
    use futures::TryStreamExt;
    let server = paged_server(vec![("0", page_of(&["a", "b", "c"], None)), ("3", page_of(&["d"], None))]).await;
    let client = client_for(&server);
    let tokens: Vec<Token> = client.get_tokens().limit(3).stream().try_collect().await.expect("pages");
    assert_eq!(ids(&tokens), ["a", "b", "c", "d"]);
    assert_eq!(offsets(&requests(&server).await), ["0", "3"]);
}

#[tokio::test]
async fn get_tokens_stream_is_lazy() {
    use futures::StreamExt;
    let server = paged_server(vec![
        ("0", page_of(&["t0", "t1"], Some(6))),
        ("2", page_of(&["t2", "t3"], Some(6))),
        ("4", page_of(&["t4", "t5"], Some(6))),
    ])
    .await;
    let client = client_for(&server);
    let mut stream = Box::pin(client.get_tokens().limit(2).stream());
    assert!(requests(&server).await.is_empty(), "nothing is fetched before the first poll");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "t0");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "t1");
    assert_eq!(offsets(&requests(&server).await), ["0"], "one page so far");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "t2");
    assert_eq!(offsets(&requests(&server).await), ["0", "2"]);
    drop(stream);
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn get_tokens_stream_surfaces_a_documented_error_and_ends() {
    use futures::StreamExt;
    let server = paged_server(vec![
        ("0", page_of(&["t0", "t1"], Some(6))),
        ("2", error_response(429, &example(TOKENS, "get", 429))),
        ("4", page_of(&["t4", "t5"], Some(6))),
    ])
    .await;
    let client = client_for(&server);
    let items: Vec<_> = client.get_tokens().limit(2).stream().collect().await;
    assert_eq!(items.len(), 3, "two items, then the error, then the end");
    assert_eq!(items[0].as_ref().unwrap().id, "t0");
    assert_eq!(items[1].as_ref().unwrap().id, "t1");
    let err = items[2].as_ref().expect_err("the 429");
    assert_eq!(err.status(), Some(429));
    assert!(matches!(err.api_error(), Some(GetTokensError::TooManyRequests(rep)) if rep.code == "rate_limited"));
    assert_eq!(offsets(&requests(&server).await), ["0", "2"]);
}

#[tokio::test]
async fn get_tokens_stream_refuses_a_bad_header_before_sending() {
    use futures::StreamExt;
    let (server, client) = serve_json(200, &example(TOKENS, "get", 200)).await;
    let items: Vec<_> = client.get_tokens().ld_api_version("x\r\ny").stream().collect().await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().is_err_and(|e| e.is_validation() || matches!(e, Error::InvalidRequest { .. })));
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn get_tokens_empty_body_is_a_decode_error() {
    let (_server, client) = serve(ResponseTemplate::new(200).insert_header("content-type", "application/json")).await;
    let result = client.get_tokens().send().await;
    let err = result.map(|r| r.into_inner()).expect_err("the spec promises a JSON body");
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// postToken: POST /api/v2/tokens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn post_token_decodes_the_201_example_with_the_full_secret() {
    let ex = example(TOKENS, "post", 201);
    let (server, client) = serve_json(201, &ex).await;
    let response = client.post_token().name("ci").role("reader").send().await.expect("201");
    assert_eq!(response.status(), 201);
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/tokens",
        &[],
        Some(("application/json", json!({"name": "ci", "role": "reader"}))),
    );
    let secret = "api-6f1c3e2a-9b4d-4c7e-8a15-2d0b7f9e1234";
    assert_secret_hidden(&response, secret);
    let token = response.into_inner();
    // `lastUsed: 0` is the epoch, not "absent".
    assert_listed_token(&token, secret, DateTime::UNIX_EPOCH);
    assert_secret_hidden(&token, secret);
    assert_eq!(format!("{}", token.token.as_ref().unwrap()), "[REDACTED]");
    assert_eq!(serde_json::to_value(&token).unwrap(), ex);
}

#[tokio::test]
async fn post_token_whole_body_and_property_setters_send_the_same_json() {
    let ex = example(TOKENS, "post", 201);
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(wire_tests::json_response(201, &ex, "application/json")).mount(&server).await;
    let client = client_for(&server);

    let body: AccessTokenPost = serde_json::from_value(json!({"name": "ci", "role": "reader"})).unwrap();
    client.post_token().body(body).send().await.expect("201");
    client.post_token().name("ci").role("reader").send().await.expect("201");
    client.post_token().role(AccessTokenPostRole::Reader).name("ci".to_string()).send().await.expect("201");

    let all = requests(&server).await;
    assert_eq!(all.len(), 3);
    for req in &all {
        assert_request(req, "POST", "/api/v2/tokens", &[], Some(("application/json", json!({"name": "ci", "role": "reader"}))));
    }
}

#[tokio::test]
async fn post_token_sends_the_request_example_unchanged() {
    let body_ex = wire_tests::request_example(spec(), TOKENS, "post", "application/json");
    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    let body: AccessTokenPost = serde_json::from_value(body_ex.clone()).unwrap();
    assert_eq!(body.role, Some(AccessTokenPostRole::Reader));
    assert_eq!(body.default_api_version, Some(20240415));
    client.post_token().body(body).send().await.expect("201");
    assert_request(&only_request(&server).await, "POST", "/api/v2/tokens", &[], Some(("application/json", body_ex.clone())));

    // The same through every property setter.
    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    client
        .post_token()
        .name("Example reader token")
        .description("A reader token used in testing and examples")
        .role(AccessTokenPostRole::Reader)
        .service_token(false)
        .default_api_version(20240415)
        .send()
        .await
        .expect("201");
    assert_request(&only_request(&server).await, "POST", "/api/v2/tokens", &[], Some(("application/json", body_ex)));
}

#[tokio::test]
async fn post_token_custom_roles_and_inline_policy() {
    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    client
        .post_token()
        .name("svc")
        .service_token(true)
        .custom_role_ids(vec!["role-a".to_string(), "role-b".to_string()])
        .inline_role(vec![
            StatementPost {
                resources: Some(vec!["proj/*:env/*:flag/*;testing-tag".into()]),
                not_resources: None,
                actions: Some(vec!["*".into()]),
                not_actions: None,
                effect: StatementPostEffect::Allow,
            },
            StatementPost {
                resources: None,
                not_resources: Some(vec!["proj/prod".into()]),
                actions: None,
                not_actions: Some(vec!["deleteFlag".into()]),
                effect: StatementPostEffect::Deny,
            },
        ])
        .send()
        .await
        .expect("201");
    assert_request(
        &only_request(&server).await,
        "POST",
        "/api/v2/tokens",
        &[],
        Some((
            "application/json",
            json!({
                "name": "svc",
                "serviceToken": true,
                "customRoleIds": ["role-a", "role-b"],
                "inlineRole": [
                    {"resources": ["proj/*:env/*:flag/*;testing-tag"], "actions": ["*"], "effect": "allow"},
                    {"notResources": ["proj/prod"], "notActions": ["deleteFlag"], "effect": "deny"}
                ]
            }),
        )),
    );
}

#[tokio::test]
async fn post_token_setters_after_body_change_it_and_body_after_setters_replaces() {
    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    let body = AccessTokenPost { name: Some("a".into()), role: Some(AccessTokenPostRole::Writer), ..Default::default() };
    client.post_token().body(body.clone()).name("b").send().await.expect("201");
    client.post_token().description("gone").body(body).send().await.expect("201");
    let all = requests(&server).await;
    assert_eq!(all[0].body_json::<Value>().unwrap(), json!({"name": "b", "role": "writer"}));
    assert_eq!(all[1].body_json::<Value>().unwrap(), json!({"name": "a", "role": "writer"}));
}

#[tokio::test]
async fn post_token_with_no_properties_sends_an_empty_object() {
    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    client.post_token().send().await.expect("AccessTokenPost has no required property");
    client.post_token().body(AccessTokenPost::default()).send().await.expect("201");
    for req in requests(&server).await {
        assert_request(&req, "POST", "/api/v2/tokens", &[], Some(("application/json", json!({}))));
    }
}

#[tokio::test]
async fn post_token_documented_errors_decode_the_examples() {
    use PostTokenError as E;
    for status in [400, 401, 403, 429] {
        let ex = example(TOKENS, "post", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.post_token().name("ci").send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(rep))) => assert_rep!(rep, &ex, "invalid_request"),
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn post_token_default_policy_retries_429_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(wire_tests::json_response(429, &example(TOKENS, "post", 429), "application/json").insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(wire_tests::json_response(201, &example(TOKENS, "post", 201), "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).api_key(API_KEY).build().unwrap();
    let token = client.post_token().name("ci").send().await.expect("retried to success");
    assert_eq!(token.status(), 201);
    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    for req in &all {
        assert_request(req, "POST", "/api/v2/tokens", &[], Some(("application/json", json!({"name": "ci"}))));
    }
}

// ---------------------------------------------------------------------------------------
// getToken: GET /api/v2/tokens/{id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_token_sends_exact_request_and_decodes_the_example() {
    let ex = example(TOKEN_PATH, "get", 200);
    let (server, client) = serve_json(200, &ex).await;
    let token = client.get_token().id(TOKEN_ID).send().await.expect("200");
    assert_request(&only_request(&server).await, "GET", "/api/v2/tokens/61095542756dba551110ae21", &[], None);
    assert_eq!(token.status(), 200);
    let t = token.into_inner();
    assert_eq!(t.id, TOKEN_ID);
    assert_eq!(t.owner_id, "569f514156e003339cfd3917");
    assert_eq!(t.member_id, "569f514183f2164430000002");
    assert_eq!(t.member, None);
    assert_eq!(t.name.as_deref(), Some("Example writer token"));
    assert_eq!(t.description.as_deref(), Some("A service token scoped by an inline policy"));
    assert_eq!(t.creation_date, utc(2021, 8, 3, 14, 40, 2, 644));
    assert_eq!(t.last_modified, utc(2021, 8, 3, 15, 40, 2, 644));
    assert_eq!(t.custom_role_ids, Some(vec![]));
    let policy = t.inline_role.as_ref().expect("inlineRole");
    assert_eq!(policy.len(), 1);
    assert_eq!(policy[0].resources, Some(vec!["proj/*:env/*;qa_*:/flag/*".to_string()]));
    assert_eq!(policy[0].actions, Some(vec!["*".to_string()]));
    assert_eq!(policy[0].not_resources, None);
    assert_eq!(policy[0].not_actions, None);
    assert_eq!(policy[0].effect, StatementEffect::Allow);
    assert_eq!(t.role.as_deref(), Some("writer"));
    assert_eq!(t.token.as_ref().unwrap().expose_secret(), "1234");
    assert_eq!(t.service_token, Some(true));
    assert_eq!(t.links["self"], link("/api/v2/tokens/61095542756dba551110ae21"));
    assert_eq!(t.default_api_version, Some(20240415));
    assert_eq!(t.last_used, Some(utc(2021, 8, 4, 14, 40, 2, 644)));
    assert_eq!(serde_json::to_value(&t).unwrap(), ex);
}

#[tokio::test]
async fn get_token_documented_errors_decode_the_examples() {
    use GetTokenError as E;
    for status in [401, 403, 404, 429] {
        let ex = example(TOKEN_PATH, "get", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.get_token().id(TOKEN_ID).send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (404, Some(E::NotFound(rep))) => assert_rep!(rep, &ex, "not_found"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn get_token_optional_fields_may_be_absent() {
    let minimal = json!({
        "_id": "t1", "ownerId": "o1", "memberId": "m1",
        "creationDate": 0, "lastModified": 1700000000123_i64, "_links": {}
    });
    let (_server, client) = serve_json(200, &minimal).await;
    let t = client.get_token().id("t1").send().await.expect("200").into_inner();
    assert_eq!(t.last_modified, utc(2023, 11, 14, 22, 13, 20, 123));
    assert_eq!(t.creation_date, DateTime::UNIX_EPOCH);
    assert!(t.links.is_empty());
    assert_eq!((t.token, t.last_used, t.role, t.member, t.name), (None, None, None, None, None));
}

// ---------------------------------------------------------------------------------------
// patchToken: PATCH /api/v2/tokens/{id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn patch_token_sends_a_bare_json_array_as_application_json() {
    let body_ex = wire_tests::request_example(spec(), TOKEN_PATH, "patch", "application/json");
    let ex = example(TOKEN_PATH, "patch", 200);
    let (server, client) = serve_json(200, &ex).await;
    let ops: Vec<PatchOperation> = serde_json::from_value(body_ex.clone()).unwrap();
    let response = client.patch_token().id(TOKEN_ID).body(ops).send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "PATCH",
        "/api/v2/tokens/61095542756dba551110ae21",
        &[],
        Some(("application/json", body_ex)),
    );
    let t = response.into_inner();
    assert_eq!(t.id, TOKEN_ID);
    assert_eq!(t.role.as_deref(), Some("writer"));
    assert_eq!(t.name.as_deref(), Some("Example reader token"));
    assert_eq!(t.last_modified, utc(2021, 8, 4, 15, 40, 2, 644));
    assert_eq!(t.creation_date, utc(2021, 8, 3, 14, 40, 2, 644));
    assert_eq!(t.last_used, Some(utc(2021, 8, 4, 14, 40, 2, 644)));
    assert_eq!(t.token.as_ref().unwrap().expose_secret(), "1234");
    assert_eq!(t.service_token, Some(false));
    assert_eq!(serde_json::to_value(&t).unwrap(), ex);
}

#[tokio::test]
async fn patch_token_typed_operations_with_and_without_value() {
    let (server, client) = serve_json(200, &example(TOKEN_PATH, "patch", 200)).await;
    let ops = vec![
        PatchOperation { op: "replace".into(), path: "/name".into(), value: Some(json!("renamed")) },
        PatchOperation { op: "add".into(), path: "/customRoleIds/-".into(), value: Some(json!({"k": [1, true, null]})) },
        PatchOperation { op: "remove".into(), path: "/description".into(), value: None },
    ];
    client.patch_token().id(TOKEN_ID).body(ops).send().await.expect("200");
    assert_request(
        &only_request(&server).await,
        "PATCH",
        "/api/v2/tokens/61095542756dba551110ae21",
        &[],
        Some((
            "application/json",
            json!([
                {"op": "replace", "path": "/name", "value": "renamed"},
                {"op": "add", "path": "/customRoleIds/-", "value": {"k": [1, true, null]}},
                {"op": "remove", "path": "/description"}
            ]),
        )),
    );
}

#[tokio::test]
async fn patch_token_without_id_or_body_is_refused_before_sending() {
    let (server, client) = serve_json(200, &example(TOKEN_PATH, "patch", 200)).await;
    let err = client.patch_token().body(Vec::new()).send().await.expect_err("id is required");
    match &err {
        Error::Validation(v) => assert_eq!(v.field, "id"),
        other => panic!("{other:?}"),
    }
    let err = client.patch_token().id(TOKEN_ID).send().await.expect_err("body is required");
    assert!(err.is_validation(), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn patch_token_documented_errors_decode_the_examples() {
    use PatchTokenError as E;
    for status in [400, 401, 403, 404, 409, 422, 429] {
        let ex = example(TOKEN_PATH, "patch", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.patch_token().id(TOKEN_ID).body(Vec::new()).send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (400, Some(E::BadRequest(rep))) => assert_rep!(rep, &ex, "invalid_request"),
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (404, Some(E::NotFound(rep))) => assert_rep!(rep, &ex, "not_found"),
            (409, Some(E::Conflict(rep))) => assert_rep!(rep, &ex, "optimistic_locking_error"),
            (422, Some(E::UnprocessableEntity(rep))) => assert_rep!(rep, &ex, "patch_failed"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// deleteToken: DELETE /api/v2/tokens/{id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_token_sends_exact_request_and_accepts_204() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    let response = client.delete_token().id(TOKEN_ID).send().await.expect("204");
    assert_eq!(response.status(), 204);
    let () = response.into_inner();
    assert_request(&only_request(&server).await, "DELETE", "/api/v2/tokens/61095542756dba551110ae21", &[], None);
}

#[tokio::test]
async fn delete_token_204_with_a_stray_body_is_accepted() {
    let (_server, client) = serve(ResponseTemplate::new(204).set_body_raw(b"not even json".to_vec(), "text/plain")).await;
    let response = client.delete_token().id(TOKEN_ID).send().await.expect("a 204 is a success whatever its body");
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn delete_token_documented_errors_decode_the_examples() {
    use DeleteTokenError as E;
    for status in [401, 403, 404, 429] {
        let ex = example(TOKEN_PATH, "delete", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.delete_token().id(TOKEN_ID).send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (404, Some(E::NotFound(rep))) => assert_rep!(rep, &ex, "not_found"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// resetToken: POST /api/v2/tokens/{id}/reset
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn reset_token_sends_expiry_in_epoch_millis_and_decodes_the_new_secret() {
    let ex = example(RESET_PATH, "post", 200);
    let (server, client) = serve_json(200, &ex).await;
    let expiry = utc(2021, 8, 4, 16, 0, 0, 0);
    let response = client.reset_token().id(TOKEN_ID).expiry(expiry).send().await.expect("200");

    let req = only_request(&server).await;
    assert_request(&req, "POST", "/api/v2/tokens/61095542756dba551110ae21/reset", &[("expiry", "1628092800000")], None);
    assert_eq!(req.url.query(), Some("expiry=1628092800000"));

    assert_eq!(response.status(), 200);
    let secret = "api-0d9e8f7a-6b5c-4d3e-9f21-a0b1c2d35678";
    assert_secret_hidden(&response, secret);
    let t = response.into_inner();
    assert_eq!(t.id, TOKEN_ID);
    assert_eq!(t.token.as_ref().unwrap().expose_secret(), secret);
    assert_eq!(t.role.as_deref(), Some("reader"));
    assert_eq!(t.creation_date, utc(2021, 8, 3, 14, 40, 2, 644));
    assert_eq!(t.last_modified, utc(2021, 8, 4, 15, 0, 2, 644));
    assert_eq!(t.last_used, Some(utc(2021, 8, 4, 14, 40, 2, 644)));
    assert_eq!(t.service_token, Some(false));
    assert_eq!(serde_json::to_value(&t).unwrap(), ex);
}

#[tokio::test]
async fn reset_token_without_expiry_sends_no_query_and_no_body() {
    let (server, client) = serve_json(200, &example(RESET_PATH, "post", 200)).await;
    client.reset_token().id(TOKEN_ID).send().await.expect("200");
    assert_request(&only_request(&server).await, "POST", "/api/v2/tokens/61095542756dba551110ae21/reset", &[], None);
}

#[tokio::test]
async fn reset_token_expiry_keeps_milliseconds_only() {
    let (server, client) = serve_json(200, &example(RESET_PATH, "post", 200)).await;
    let expiry = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
    client.reset_token().id(TOKEN_ID).expiry(expiry).send().await.expect("200");
    assert_eq!(only_request(&server).await.url.query(), Some("expiry=1700000000123"));
}

#[tokio::test]
async fn reset_token_documented_errors_decode_the_examples() {
    use ResetTokenError as E;
    for status in [401, 403, 404, 429] {
        let ex = example(RESET_PATH, "post", status);
        let (server, client) = serve(error_response(status, &ex)).await;
        let err = client.reset_token().id(TOKEN_ID).send().await.expect_err("error status");
        assert_common_error(&err, status);
        match (status, err.api_error()) {
            (401, Some(E::Unauthorized(rep))) => assert_rep!(rep, &ex, "unauthorized"),
            (403, Some(E::Forbidden(rep))) => assert_rep!(rep, &ex, "forbidden"),
            (404, Some(E::NotFound(rep))) => assert_rep!(rep, &ex, "not_found"),
            (429, Some(E::TooManyRequests(rep))) => assert_rep!(rep, &ex, "rate_limited"),
            (s, other) => panic!("status {s}: wrong documented error {other:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// Required path parameters and path encoding, for every operation that has one
// ---------------------------------------------------------------------------------------

fn assert_missing_id<E: std::fmt::Debug>(err: Error<E>) {
    match &err {
        Error::Validation(v) => assert_eq!(v.field, "id"),
        other => panic!("expected a validation error for `id`, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert_eq!(err.attempts(), 0);
}

#[tokio::test]
async fn missing_id_is_refused_before_sending() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    assert_missing_id(client.get_token().send().await.unwrap_err());
    assert_missing_id(client.delete_token().send().await.unwrap_err());
    assert_missing_id(client.patch_token().body(Vec::new()).send().await.unwrap_err());
    assert_missing_id(client.reset_token().expiry(Utc::now()).send().await.unwrap_err());
    assert!(requests(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn path_parameters_stay_in_their_segment() {
    for (id, encoded) in [
        ("../x", "..%2Fx"),
        ("a b/c?d#e", "a%20b%2Fc%3Fd%23e"),
        ("%2F", "%252F"),
        ("ü", "%C3%BC"),
    ] {
        let (server, client) = serve(ResponseTemplate::new(204)).await;
        client.delete_token().id(id).send().await.expect("204");
        let req = only_request(&server).await;
        assert_eq!(req.url.path(), format!("/api/v2/tokens/{encoded}"), "id {id:?}");
        assert_eq!(req.url.query(), None, "id {id:?}");

        let (server, client) = serve_json(200, &example(TOKEN_PATH, "get", 200)).await;
        client.get_token().id(id).send().await.expect("200");
        assert_eq!(only_request(&server).await.url.path(), format!("/api/v2/tokens/{encoded}"));

        let (server, client) = serve_json(200, &example(TOKEN_PATH, "patch", 200)).await;
        client.patch_token().id(id).body(Vec::new()).send().await.expect("200");
        assert_eq!(only_request(&server).await.url.path(), format!("/api/v2/tokens/{encoded}"));

        let (server, client) = serve_json(200, &example(RESET_PATH, "post", 200)).await;
        client.reset_token().id(id).send().await.expect("200");
        let req = only_request(&server).await;
        assert_eq!(req.url.path(), format!("/api/v2/tokens/{encoded}/reset"));
        assert_eq!(req.url.query(), None);
    }
}

#[tokio::test]
async fn dot_segments_are_refused_not_resolved() {
    for id in [".", ".."] {
        let (server, client) = serve_json(200, &example(RESET_PATH, "post", 200)).await;
        let err = client.reset_token().id(id).send().await.expect_err("dot segment");
        assert!(matches!(err, Error::InvalidRequest { .. } | Error::Validation(_)), "{id}: {err:?}");
        assert!(requests(&server).await.is_empty(), "{id}: nothing may be sent");
    }
}

// ---------------------------------------------------------------------------------------
// Forward-compatible enums
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_role_decodes_and_is_sent_unchanged() {
    let body: AccessTokenPost = serde_json::from_value(json!({"name": "ci", "role": "superuser"})).unwrap();
    assert_eq!(body.role, Some(AccessTokenPostRole::Unknown("superuser".into())));
    assert_eq!(serde_json::to_value(&body).unwrap(), json!({"name": "ci", "role": "superuser"}));
    assert_eq!(AccessTokenPostRole::from("admin"), AccessTokenPostRole::Admin);
    assert_eq!(AccessTokenPostRole::from("Admin"), AccessTokenPostRole::Unknown("Admin".into()));
    assert_eq!(AccessTokenPostRole::Writer.to_string(), "writer");

    let (server, client) = serve_json(201, &example(TOKENS, "post", 201)).await;
    client.post_token().body(body).send().await.expect("201");
    client.post_token().name("ci").role("superuser").send().await.expect("201");
    for req in requests(&server).await {
        assert_request(&req, "POST", "/api/v2/tokens", &[], Some(("application/json", json!({"name": "ci", "role": "superuser"}))));
    }
}

#[tokio::test]
async fn unknown_statement_effect_in_a_response_round_trips() {
    let mut ex = example(TOKEN_PATH, "get", 200);
    ex["inlineRole"][0]["effect"] = json!("audit");
    ex["role"] = json!("no-such-role");
    let (_server, client) = serve_json(200, &ex).await;
    let t = client.get_token().id(TOKEN_ID).send().await.expect("200").into_inner();
    let policy = t.inline_role.as_ref().unwrap();
    assert_eq!(policy[0].effect, StatementEffect::Unknown("audit".into()));
    assert_eq!(t.role.as_deref(), Some("no-such-role"));
    assert_eq!(serde_json::to_value(&t).unwrap(), ex);

    let post: StatementPost = serde_json::from_value(json!({"effect": "audit"})).unwrap();
    assert_eq!(post.effect, StatementPostEffect::Unknown("audit".into()));
    assert_eq!(serde_json::to_value(&post).unwrap(), json!({"effect": "audit"}));
}

// ---------------------------------------------------------------------------------------
// Bad responses
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn undocumented_status_is_unexpected_status() {
    let (_server, client) = serve(ResponseTemplate::new(418).set_body_raw(b"I'm a teapot".to_vec(), "text/plain")).await;
    let err = client.get_tokens().send().await.expect_err("418");
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());
    assert!(matches!(err, Error::UnexpectedStatus { status: 418, .. }), "{err:?}");
    assert_eq!(err.body(), Some(&b"I'm a teapot"[..]));

    // A status documented for another operation is not documented for this one.
    let (_server, client) = serve_json(409, &example(TOKEN_PATH, "patch", 409)).await;
    let err = client.delete_token().id(TOKEN_ID).send().await.expect_err("409");
    assert_eq!(err.status(), Some(409));
    assert!(err.api_error().is_none());

    // And a documented success status of another operation neither.
    let (_server, client) = serve_json(200, &example(TOKENS, "post", 201)).await;
    let err = client.post_token().send().await.expect_err("postToken documents 201, not 200");
    assert_eq!(err.status(), Some(200));
    assert!(err.api_error().is_none());
}

fn assert_decode_error<E: std::fmt::Debug>(err: &Error<E>, status: u16) {
    assert!(matches!(err, Error::Decode { .. }), "expected a decode error, got {err:?}");
    assert_eq!(err.status(), Some(status));
    assert!(err.api_error().is_none());
}

#[tokio::test]
async fn undecodable_token_bodies_are_decode_errors() {
    let with = |key: &str, value: Value| {
        let mut ex = example(TOKEN_PATH, "get", 200);
        ex[key] = value;
        wire_tests::json_response(200, &ex, "application/json")
    };
    let without = |key: &str| {
        let mut ex = example(TOKEN_PATH, "get", 200);
        ex.as_object_mut().unwrap().remove(key);
        wire_tests::json_response(200, &ex, "application/json")
    };
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("id is a number", with("_id", json!(42))),
        ("timestamp as an RFC 3339 string", with("creationDate", json!("2021-08-03T14:40:02.644Z"))),
        ("timestamp out of range", with("lastModified", json!(1e300))),
        ("links not a map", with("_links", json!([]))),
        ("missing ownerId", without("ownerId")),
        ("missing creationDate", without("creationDate")),
        ("truncated", ResponseTemplate::new(200).set_body_raw(b"{\"_id\": \"6109".to_vec(), "application/json")),
        ("not UTF-8", ResponseTemplate::new(200).set_body_raw(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'], "application/json")),
        ("empty", ResponseTemplate::new(200).insert_header("content-type", "application/json")),
        ("JSON null", ResponseTemplate::new(200).set_body_raw(b"null".to_vec(), "application/json")),
        ("array", ResponseTemplate::new(200).set_body_raw(b"[]".to_vec(), "application/json")),
    ];
    for (what, template) in cases {
        let (_server, client) = serve(template).await;
        let err = client.get_token().id(TOKEN_ID).send().await.expect_err(what);
        assert_decode_error(&err, 200);
    }

    let (_server, client) = serve(ResponseTemplate::new(201)).await;
    assert_decode_error(&client.post_token().send().await.unwrap_err(), 201);
    let (_server, client) = serve(ResponseTemplate::new(200).set_body_raw(vec![0xc3, 0x28], "application/json")).await;
    assert_decode_error(&client.patch_token().id(TOKEN_ID).body(Vec::new()).send().await.unwrap_err(), 200);
    let (_server, client) = serve(ResponseTemplate::new(200).set_body_raw(b"{\"_id\":".to_vec(), "application/json")).await;
    assert_decode_error(&client.reset_token().id(TOKEN_ID).send().await.unwrap_err(), 200);
}

#[tokio::test]
async fn undecodable_list_bodies_are_decode_errors() {
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("items not an array", wire_tests::json_response(200, &json!({"items": {}}), "application/json")),
        ("totalCount a string", wire_tests::json_response(200, &json!({"totalCount": "1"}), "application/json")),
        ("bad item", wire_tests::json_response(200, &json!({"items": [{"_id": "x"}]}), "application/json")),
        ("truncated", ResponseTemplate::new(200).set_body_raw(b"{\"items\": [".to_vec(), "application/json")),
        ("not UTF-8", ResponseTemplate::new(200).set_body_raw(vec![0xff, 0xfe, 0xfd], "application/json")),
    ];
    for (what, template) in cases {
        let (_server, client) = serve(template).await;
        let err = client.get_tokens().send().await.expect_err(what);
        assert_decode_error(&err, 200);
    }
}

#[tokio::test]
async fn undecodable_error_bodies_are_decode_errors() {
    // Error reps require both `code` and `message`.
    let (_server, client) = serve_json(404, &json!({"code": "not_found"})).await;
    assert_decode_error(&client.get_token().id(TOKEN_ID).send().await.unwrap_err(), 404);
    let (_server, client) = serve(ResponseTemplate::new(401).set_body_raw(b"<html>nope</html>".to_vec(), "text/html")).await;
    assert_decode_error(&client.get_tokens().send().await.unwrap_err(), 401);
    let (_server, client) = serve(ResponseTemplate::new(403)).await;
    assert_decode_error(&client.delete_token().id(TOKEN_ID).send().await.unwrap_err(), 403);
}

#[tokio::test]
async fn error_bodies_with_extra_fields_still_decode() {
    // The prose says error bodies also carry an `id` the schema does not declare.
    let (_server, client) =
        serve_json(404, &json!({"code": "not_found", "message": "Invalid resource identifier", "id": "abc"})).await;
    let err = client.reset_token().id(TOKEN_ID).send().await.unwrap_err();
    let Some(ResetTokenError::NotFound(rep)) = err.api_error() else { panic!("{err:?}") };
    assert_eq!(rep.code, "not_found");
}

// ---------------------------------------------------------------------------------------
// Building the client, secrets, timeouts
// ---------------------------------------------------------------------------------------

#[test]
fn default_base_url_is_the_first_server() {
    let client = Client::builder().api_key(API_KEY).build().unwrap();
    assert_eq!(client.base_url(), "https://app.launchdarkly.com");
}

#[test]
fn bad_base_urls_are_build_errors() {
    for bad in ["not a url", "", "   ", "ftp://app.launchdarkly.com", "http://", "app.launchdarkly.com", "https://h/?q=1", "https://h/#f"] {
        let result = Client::builder().base_url(bad).api_key(API_KEY).build();
        assert!(result.is_err(), "{bad:?} must be refused");
    }
    let client = Client::builder().base_url("https://app.launchdarkly.us/").build().unwrap();
    assert_eq!(client.base_url(), "https://app.launchdarkly.us");
}

#[test]
fn client_debug_shows_no_credential() {
    assert_static::<Client>();
    let client = Client::builder().api_key(API_KEY).build().unwrap();
    for shown in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(!shown.contains(API_KEY), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
    let builder = Client::builder().api_key(API_KEY);
    assert!(!format!("{builder:?}").contains(API_KEY));
}

#[tokio::test]
async fn api_key_with_crlf_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key("api-1\r\nX-Injected: 1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.delete_token().id(TOKEN_ID).send().await.expect_err("CR/LF in a header");
    assert!(matches!(err, Error::InvalidRequest { .. } | Error::Validation(_)), "{err:?}");
    assert!(!format!("{err:?} {err}").contains("X-Injected"));
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn user_agent_is_sent() {
    let (server, client) = serve(ResponseTemplate::new(204)).await;
    client.delete_token().id(TOKEN_ID).send().await.unwrap();
    let req = only_request(&server).await;
    assert!(header(&req, "user-agent")[0].starts_with("launchdarkly-client/"), "{:?}", header(&req, "user-agent"));

    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder().base_url(server.uri()).api_key(API_KEY).user_agent("my-app/1.2").build().unwrap();
    client.delete_token().id(TOKEN_ID).send().await.unwrap();
    assert_eq!(header(&only_request(&server).await, "user-agent"), vec!["my-app/1.2"]);
}

#[tokio::test]
async fn per_attempt_timeout_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(API_KEY)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client.get_tokens().send().await.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn http_client_can_be_supplied() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(API_KEY)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    client.delete_token().id(TOKEN_ID).send().await.expect("204");
    assert_request(&only_request(&server).await, "DELETE", "/api/v2/tokens/61095542756dba551110ae21", &[], None);
}
