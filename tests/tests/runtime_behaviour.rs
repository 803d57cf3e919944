//! The shared runtime's behaviour, driven only through the generated clients' public API
//! against local wiremock servers on 127.0.0.1: pagination streams (token and offset),
//! retries (which statuses, which methods, `Retry-After`, `X-Ratelimit-Reset`, caps),
//! per-attempt and whole-operation timeouts, transport failures, and tracing output that
//! names the operation but never a credential.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use serde_json::{json, Value};
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LD_API_KEY: &str = "api-SECRET-KEY";
const BEARER: &str = "BEARER-SECRET";
const AWS_ACCESS_KEY_ID: &str = "AKIDSECRETID";
const AWS_SECRET_KEY: &str = "aws-SECRET-ACCESS";
const AWS_SESSION_TOKEN: &str = "SESSION-SECRET";
/// A query value that could carry account data: it must not reach the logs either.
const FILTER_SECRET: &str = "FILTER-SECRET";
const ORG: &str = "m-0123456789abcdef0123456789abcdef";
/// An upper bound for every stream walk, so that a loop fails the test instead of hanging it.
const WALK_LIMIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Retries on, with waits short enough for a test.
macro_rules! fast_retries {
    ($krate:ident, $attempts:expr) => {
        $krate::RetryPolicy::default()
            .with_max_attempts($attempts)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5))
    };
}

/// Retries on, with a computed backoff so long (up to 30 s) that a test which finishes
/// quickly proves the wait came from the server's header, not from the backoff.
macro_rules! slow_backoff {
    ($krate:ident) => {
        $krate::RetryPolicy::default()
            .with_initial_backoff(Duration::from_secs(30))
            .with_max_backoff(Duration::from_secs(30))
    };
}

fn ld(base: &str, retry: launchdarkly_client::RetryPolicy) -> launchdarkly_client::Client {
    launchdarkly_client::Client::builder()
        .base_url(base)
        .api_key(LD_API_KEY)
        .retry(retry)
        .build()
        .expect("LaunchDarkly client builds")
}

fn cc(base: &str, retry: codecatalyst_client::RetryPolicy) -> codecatalyst_client::Client {
    codecatalyst_client::Client::builder()
        .base_url(base)
        .bearer_token(BEARER)
        .retry(retry)
        .build()
        .expect("CodeCatalyst client builds")
}

fn wm(base: &str, retry: workmail_client::RetryPolicy) -> workmail_client::Client {
    workmail_client::Client::builder()
        .base_url(base)
        .aws_credentials(AWS_ACCESS_KEY_ID, AWS_SECRET_KEY)
        .aws_session_token(AWS_SESSION_TOKEN)
        .retry(retry)
        .build()
        .expect("WorkMail client builds")
}

fn sp(base: &str, retry: sailpoint_client::RetryPolicy) -> sailpoint_client::Client {
    sailpoint_client::Client::builder()
        .base_url(format!("{base}/v3"))
        .bearer_token(BEARER)
        .retry(retry)
        .build()
        .expect("SailPoint client builds")
}

fn json_body(status: u16, body: &Value) -> ResponseTemplate {
    wire_tests::json_response(status, body, "application/json")
}

fn amz_json(status: u16, body: &Value) -> ResponseTemplate {
    wire_tests::json_response(status, body, "application/x-amz-json-1.1")
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

async fn request_count(server: &MockServer) -> usize {
    requests(server).await.len()
}

fn request_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or_else(|e| {
        panic!(
            "request body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&request.body)
        )
    })
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

/// The query of a request as sorted pairs.
fn query(request: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    pairs.sort();
    pairs
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// Mounts `first` for the first `times` requests, then `then` for every later one.
async fn sequence(
    server: &MockServer,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(any())
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

/// A URL on which nothing listens: the port was bound, then released.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// An HTTP date (`Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`) `offset` from now.
fn http_date(offset: chrono::TimeDelta) -> String {
    (Utc::now() + offset)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn ld_spec() -> Value {
    wire_tests::spec("launchdarkly")
}

/// The spec's example token with another id.
fn ld_token(spec: &Value, id: &str) -> Value {
    let example =
        wire_tests::response_example(spec, "/api/v2/tokens", "get", "200", "application/json");
    let mut token = example["items"][0].clone();
    token["_id"] = json!(id);
    token
}

fn ld_rate_limited(spec: &Value) -> Value {
    wire_tests::at(
        spec,
        "/components/responses/RateLimited/content/application~1json/example",
    )
}

fn ld_tokens_page(spec: &Value, ids: &[&str], total: Option<i64>) -> Value {
    let items: Vec<Value> = ids.iter().map(|id| ld_token(spec, id)).collect();
    let mut page = json!({ "items": items });
    if let Some(total) = total {
        page["totalCount"] = json!(total);
    }
    page
}

fn cc_summary(id: &str) -> Value {
    json!({ "id": id, "name": format!("token {id}") })
}

fn wm_summary(id: &str) -> Value {
    json!({ "PersonalAccessTokenId": id, "Name": format!("token {id}"), "DateCreated": 1_704_067_200 })
}

// ---------------------------------------------------------------------------------------
// Pagination: tokens
// ---------------------------------------------------------------------------------------

/// CodeCatalyst pages by `nextToken` in the POST body: three pages, every item once, in order,
/// each request carrying exactly the previous page's token (and the page size every time).
#[tokio::test]
async fn codecatalyst_token_stream_yields_every_item_once_in_order() {
    capture();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let page = match body.get("nextToken").and_then(Value::as_str) {
                None => json!({ "items": [cc_summary("a"), cc_summary("b")], "nextToken": "t1" }),
                Some("t1") => {
                    json!({ "items": [cc_summary("c"), cc_summary("d")], "nextToken": "t2" })
                }
                Some("t2") => json!({ "items": [cc_summary("e")] }),
                Some(_) => return ResponseTemplate::new(500),
            };
            json_body(200, &page)
        })
        .mount(&server)
        .await;
    let client = cc(&server.uri(), codecatalyst_client::RetryPolicy::none());

    let stream = client.list_access_tokens().max_results(2).stream();
    let results = tokio::time::timeout(WALK_LIMIT, stream.collect::<Vec<_>>())
        .await
        .expect("the walk ends");
    let ids: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("every page decodes").id)
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);

    let sent = requests(&server).await;
    let bodies: Vec<Value> = sent.iter().map(request_json).collect();
    assert_eq!(
        bodies,
        [
            json!({ "maxResults": 2 }),
            json!({ "maxResults": 2, "nextToken": "t1" }),
            json!({ "maxResults": 2, "nextToken": "t2" }),
        ]
    );
    for request in &sent {
        assert_eq!(request.url.path(), "/v1/accessTokens");
        assert_eq!(
            header(request, "authorization"),
            Some(format!("Bearer {BEARER}").as_str())
        );
    }
}

/// WorkMail (AWS JSON 1.1, SigV4) pages by `NextToken`: every page request is signed afresh
/// and carries the organization and the previous token.
#[tokio::test]
async fn workmail_token_stream_yields_every_item_once_in_order_with_signed_requests() {
    capture();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let page = match body.get("NextToken").and_then(Value::as_str) {
                None => json!({ "PersonalAccessTokenSummaries": [wm_summary("a"), wm_summary("b")], "NextToken": "t1" }),
                Some("t1") => json!({ "PersonalAccessTokenSummaries": [wm_summary("c")], "NextToken": "t2" }),
                // The last page: an empty token means "no more", like an absent one.
                Some("t2") => json!({ "PersonalAccessTokenSummaries": [wm_summary("d"), wm_summary("e")], "NextToken": "" }),
                Some(_) => return ResponseTemplate::new(500),
            };
            amz_json(200, &page)
        })
        .mount(&server)
        .await;
    let client = wm(&server.uri(), workmail_client::RetryPolicy::none());

    let stream = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .stream();
    let results = tokio::time::timeout(WALK_LIMIT, stream.collect::<Vec<_>>())
        .await
        .expect("the walk ends");
    let ids: Vec<String> = results
        .into_iter()
        .map(|r| {
            r.expect("every page decodes")
                .personal_access_token_id
                .expect("id")
        })
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);

    let sent = requests(&server).await;
    let bodies: Vec<Value> = sent.iter().map(request_json).collect();
    assert_eq!(
        bodies,
        [
            json!({ "OrganizationId": ORG }),
            json!({ "OrganizationId": ORG, "NextToken": "t1" }),
            json!({ "OrganizationId": ORG, "NextToken": "t2" }),
        ]
    );
    for request in &sent {
        assert_eq!(request.url.path(), "/");
        assert_eq!(
            header(request, "x-amz-target"),
            Some("WorkMailService.ListPersonalAccessTokens")
        );
        assert_eq!(
            header(request, "content-type"),
            Some("application/x-amz-json-1.1")
        );
        let authorization = header(request, "authorization").expect("signed");
        assert!(
            authorization.starts_with(&format!("AWS4-HMAC-SHA256 Credential={AWS_ACCESS_KEY_ID}/")),
            "{authorization}"
        );
        assert!(
            authorization.contains("/us-east-1/workmail/aws4_request"),
            "{authorization}"
        );
        assert!(authorization.contains("Signature="), "{authorization}");
        assert!(header(request, "x-amz-date").is_some(), "X-Amz-Date");
        assert_eq!(
            header(request, "x-amz-security-token"),
            Some(AWS_SESSION_TOKEN)
        );
    }
}

/// The stream is lazy: nothing is sent before it is polled, and taking the first item of a
/// multi-page listing sends exactly one request.
#[tokio::test]
async fn token_stream_is_lazy() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_body(
            200,
            &json!({ "items": [cc_summary("a"), cc_summary("b")], "nextToken": "t1" }),
        ))
        .mount(&server)
        .await;
    let client = cc(&server.uri(), codecatalyst_client::RetryPolicy::none());

    let mut stream = Box::pin(client.list_access_tokens().max_results(2).stream());
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing is sent before the stream is polled"
    );

    let first = stream.next().await.expect("an item").expect("decodes");
    assert_eq!(first.id, "a");
    assert_eq!(request_count(&server).await, 1);
    let second = stream.next().await.expect("an item").expect("decodes");
    assert_eq!(second.id, "b");
    assert_eq!(
        request_count(&server).await,
        1,
        "the second item comes from the same page"
    );
    drop(stream);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        request_count(&server).await,
        1,
        "a dropped stream fetches nothing more"
    );
}

/// A server that hands back a token it already gave: the items of both pages come out once,
/// then one `Pagination` error (no status: no response was wrong as such), then the end.
#[tokio::test]
async fn a_repeated_token_ends_the_stream_with_an_error_instead_of_looping() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let page = match body.get("nextToken").and_then(Value::as_str) {
                None => json!({ "items": [cc_summary("a"), cc_summary("b")], "nextToken": "t1" }),
                _ => json!({ "items": [cc_summary("c")], "nextToken": "t1" }),
            };
            json_body(200, &page)
        })
        .mount(&server)
        .await;
    let client = cc(&server.uri(), codecatalyst_client::RetryPolicy::none());

    let results = tokio::time::timeout(
        WALK_LIMIT,
        client.list_access_tokens().stream().collect::<Vec<_>>(),
    )
    .await
    .expect("a repeated token must end the walk, not loop");
    assert_eq!(results.len(), 4, "three items, then the error: {results:?}");
    let ids: Vec<&str> = results[..3]
        .iter()
        .map(|r| r.as_ref().expect("an item").id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let error = results[3]
        .as_ref()
        .expect_err("the walk ends with an error");
    assert!(
        matches!(error, codecatalyst_client::Error::Pagination { .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), None);
    assert!(error.api_error().is_none());
    assert_eq!(request_count(&server).await, 2);
}

/// The same for WorkMail, when the server sends back the very token the caller started from.
#[tokio::test]
async fn a_token_equal_to_the_starting_token_is_a_repeat() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(amz_json(
            200,
            &json!({ "PersonalAccessTokenSummaries": [wm_summary("a")], "NextToken": "start" }),
        ))
        .mount(&server)
        .await;
    let client = wm(&server.uri(), workmail_client::RetryPolicy::none());

    let stream = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .next_token("start")
        .stream();
    let results = tokio::time::timeout(WALK_LIMIT, stream.collect::<Vec<_>>())
        .await
        .expect("the walk ends");
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].is_ok());
    let error = results[1].as_ref().expect_err("then the error");
    assert!(
        matches!(error, workmail_client::Error::Pagination { .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), None);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        request_json(&sent[0]),
        json!({ "OrganizationId": ORG, "NextToken": "start" })
    );
}

/// An error on a later page is yielded after the earlier pages' items, and ends the stream.
#[tokio::test]
async fn an_error_page_ends_the_stream_after_the_items_before_it() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            match body.get("nextToken").and_then(Value::as_str) {
                None => json_body(
                    200,
                    &json!({ "items": [cc_summary("a")], "nextToken": "t1" }),
                ),
                _ => json_body(403, &json!({ "message": "no" }))
                    .insert_header("x-amzn-errortype", "AccessDeniedException"),
            }
        })
        .mount(&server)
        .await;
    let client = cc(&server.uri(), codecatalyst_client::RetryPolicy::none());

    let results = tokio::time::timeout(
        WALK_LIMIT,
        client.list_access_tokens().stream().collect::<Vec<_>>(),
    )
    .await
    .expect("the walk ends");
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].as_ref().expect("the first page's item").id, "a");
    let error = results[1].as_ref().expect_err("the second page failed");
    assert_eq!(error.status(), Some(403));
    assert!(matches!(
        error.api_error(),
        Some(codecatalyst_client::errors::ListAccessTokensError::AccessDeniedException(_))
    ));
    assert_eq!(request_count(&server).await, 2);
}

// ---------------------------------------------------------------------------------------
// Pagination: offset and limit
// ---------------------------------------------------------------------------------------

/// A responder for LaunchDarkly's token list: `ids` paged by the request's `offset` and
/// `limit`, with `totalCount` when `with_total`, and a `_links.next` link on every page but
/// the last, as the API sends.
fn ld_pages(
    ids: &'static [&'static str],
    with_total: bool,
) -> impl Fn(&Request) -> ResponseTemplate {
    let spec = ld_spec();
    move |request: &Request| {
        let number = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let offset = number("offset").unwrap_or(0);
        let limit = number("limit").unwrap_or(25);
        let page: Vec<&str> = ids.iter().copied().skip(offset).take(limit).collect();
        let total = with_total.then_some(ids.len() as i64);
        let mut body = ld_tokens_page(&spec, &page, total);
        let mut links = json!({"self": {"href": format!("/api/v2/tokens?limit={limit}&offset={offset}"), "type": "application/json"}});
        if offset + page.len() < ids.len() {
            links["next"] = json!({"href": format!("/api/v2/tokens?limit={limit}&offset={}", offset + limit), "type": "application/json"});
        }
        body["_links"] = links;
        json_body(200, &body)
    }
}

/// Offsets 0, 2, 4 with limit 2 and `totalCount` 5: every item once, in order, and the exact
/// query of each request.
#[tokio::test]
async fn launchdarkly_offset_stream_yields_every_item_once_in_order() {
    capture();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ld_pages(&["t0", "t1", "t2", "t3", "t4"], true))
        .mount(&server)
        .await;
    let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::none());

    let results = tokio::time::timeout(
        WALK_LIMIT,
        client.get_tokens().limit(2).stream().collect::<Vec<_>>(),
    )
    .await
    .expect("the walk ends");
    let ids: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("decodes").id)
        .collect();
    assert_eq!(ids, ["t0", "t1", "t2", "t3", "t4"]);

    let sent = requests(&server).await;
    let queries: Vec<_> = sent.iter().map(query).collect();
    assert_eq!(
        queries,
        [
            pairs(&[("limit", "2"), ("offset", "0")]),
            pairs(&[("limit", "2"), ("offset", "2")]),
            pairs(&[("limit", "2"), ("offset", "4")]),
        ]
    );
    for request in &sent {
        assert_eq!(request.url.path(), "/api/v2/tokens");
        assert_eq!(header(request, "authorization"), Some(LD_API_KEY));
    }
}

/// A server that ignores `offset` (LaunchDarkly before API version 20240415) sends the whole
/// list, with links but none to a next page, whatever the offset: the walk must end after
/// that page instead of fetching it for ever.
#[tokio::test]
async fn offset_stream_stops_when_the_page_links_nowhere_next() {
    capture();
    let server = MockServer::start().await;
    let spec = ld_spec();
    let mut page = ld_tokens_page(&spec, &["t0", "t1", "t2"], None);
    page["_links"] = json!({"self": {"href": "/api/v2/tokens", "type": "application/json"}});
    Mock::given(method("GET"))
        .respond_with(json_body(200, &page))
        .mount(&server)
        .await;
    let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::none());

    let results = tokio::time::timeout(WALK_LIMIT, client.get_tokens().stream().collect::<Vec<_>>())
        .await
        .expect("the walk ends");
    let ids: Vec<String> = results.into_iter().map(|r| r.expect("decodes").id).collect();
    assert_eq!(ids, ["t0", "t1", "t2"]);
    assert_eq!(requests(&server).await.len(), 1, "one page, not the same page again and again");
}

/// Without `totalCount`, the short last page ends the walk (no fourth request).
#[tokio::test]
async fn offset_stream_without_total_stops_on_a_short_page() {
    capture();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ld_pages(&["t0", "t1", "t2", "t3", "t4"], false))
        .mount(&server)
        .await;
    let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::none());

    let results = tokio::time::timeout(
        WALK_LIMIT,
        client.get_tokens().limit(2).stream().collect::<Vec<_>>(),
    )
    .await
    .expect("the walk ends");
    let ids: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("decodes").id)
        .collect();
    assert_eq!(ids, ["t0", "t1", "t2", "t3", "t4"]);
    let offsets: Vec<_> = requests(&server).await.iter().map(query).collect();
    assert_eq!(
        offsets,
        [
            pairs(&[("limit", "2"), ("offset", "0")]),
            pairs(&[("limit", "2"), ("offset", "2")]),
            pairs(&[("limit", "2"), ("offset", "4")]),
        ]
    );
}

/// Full pages up to `totalCount` 4: the walk stops once the total is reached, without asking
/// for an empty page; and it starts at the offset set on the builder, keeping other
/// parameters on every page.
#[tokio::test]
async fn offset_stream_stops_at_the_total_and_starts_at_the_builder_offset() {
    capture();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ld_pages(&["t0", "t1", "t2", "t3", "t4", "t5"], true))
        .mount(&server)
        .await;
    let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::none());

    let results = tokio::time::timeout(
        WALK_LIMIT,
        client
            .get_tokens()
            .limit(2)
            .offset(2)
            .show_all(true)
            .stream()
            .collect::<Vec<_>>(),
    )
    .await
    .expect("the walk ends");
    let ids: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("decodes").id)
        .collect();
    assert_eq!(ids, ["t2", "t3", "t4", "t5"]);
    let queries: Vec<_> = requests(&server).await.iter().map(query).collect();
    assert_eq!(
        queries,
        [
            pairs(&[("limit", "2"), ("offset", "2"), ("showAll", "true")]),
            pairs(&[("limit", "2"), ("offset", "4"), ("showAll", "true")]),
        ],
        "no request past the total"
    );
}

// ---------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------

/// `429` with `Retry-After: 0` under the default policy: retried at once, then success.
#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_under_the_default_policy() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    sequence(
        &server,
        json_body(429, &ld_rate_limited(&spec)).insert_header("retry-after", "0"),
        1,
        json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
    )
    .await;
    let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::default());

    let page = client
        .get_tokens()
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(page.status(), 200);
    assert_eq!(page.items.as_ref().map(Vec::len), Some(1));
    assert_eq!(request_count(&server).await, 2);
}

/// `Retry-After` as an HTTP date in the past means "now": with a 30 s backoff configured, only
/// honouring the header can make two retries this fast.
#[tokio::test]
async fn a_429_with_a_past_http_date_is_retried_at_once() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    sequence(
        &server,
        json_body(429, &ld_rate_limited(&spec)).insert_header(
            "retry-after",
            http_date(-chrono::TimeDelta::seconds(30)).as_str(),
        ),
        2,
        json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
    )
    .await;
    let client = ld(&server.uri(), slow_backoff!(launchdarkly_client));

    let started = Instant::now();
    let page = tokio::time::timeout(Duration::from_secs(10), client.get_tokens().send())
        .await
        .expect("not parked on the 30 s backoff")
        .expect("the third attempt succeeds");
    assert_eq!(page.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 3);
}

/// The last attempt's error says how many attempts were made.
#[tokio::test]
async fn three_429s_with_three_attempts_end_in_the_documented_error_after_three_attempts() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_body(429, &ld_rate_limited(&spec)).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let client = ld(
        &server.uri(),
        launchdarkly_client::RetryPolicy::default().with_max_attempts(3),
    );

    let error = client
        .get_tokens()
        .send()
        .await
        .expect_err("still rate limited");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.attempts(), 3);
    assert!(matches!(
        error.api_error(),
        Some(launchdarkly_client::errors::GetTokensError::TooManyRequests(_))
    ));
    assert!(error.to_string().contains("3 attempts"), "{error}");
    assert!(error
        .headers()
        .is_some_and(|h| h.contains_key("retry-after")));
    assert_eq!(request_count(&server).await, 3);
}

/// LaunchDarkly's `X-Ratelimit-Reset` (epoch milliseconds) in the past or right now: retried
/// without waiting for the (30 s) backoff.
#[tokio::test]
async fn x_ratelimit_reset_in_the_past_or_now_is_honoured() {
    capture();
    let spec = ld_spec();
    for reset in [
        Utc::now().timestamp_millis() - 60_000,
        Utc::now().timestamp_millis(),
    ] {
        let server = MockServer::start().await;
        sequence(
            &server,
            json_body(429, &ld_rate_limited(&spec))
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
            1,
            json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
        )
        .await;
        let client = ld(&server.uri(), slow_backoff!(launchdarkly_client));
        let started = Instant::now();
        let page = tokio::time::timeout(Duration::from_secs(10), client.get_tokens().send())
            .await
            .expect("not parked on the 30 s backoff")
            .expect("the retry succeeds");
        assert_eq!(page.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(request_count(&server).await, 2);
    }
}

/// ... and a reset 300 ms ahead is waited for (the backoff here is 1 ms at most).
#[tokio::test]
async fn x_ratelimit_reset_in_the_near_future_is_waited_for() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    // The clock starts before the reset is computed, so the wait is at least 300 ms of it
    // however slow the machine is (less a millisecond of rounding).
    let started = Instant::now();
    let reset = Utc::now().timestamp_millis() + 300;
    sequence(
        &server,
        json_body(429, &ld_rate_limited(&spec))
            .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        1,
        json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
    )
    .await;
    let client = ld(&server.uri(), fast_retries!(launchdarkly_client, 3));
    client
        .get_tokens()
        .send()
        .await
        .expect("the retry succeeds");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(280),
        "the reset was not waited for: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

/// A server asking for an hour (by `Retry-After` or by `X-Ratelimit-Reset`) is cut to the
/// policy's cap, here 50 ms.
#[tokio::test]
async fn a_server_delay_above_the_cap_is_capped() {
    capture();
    let spec = ld_spec();
    let an_hour_ahead = (Utc::now().timestamp_millis() + 3_600_000).to_string();
    for (name, value) in [
        ("retry-after", "3600"),
        ("x-ratelimit-reset", an_hour_ahead.as_str()),
    ] {
        let server = MockServer::start().await;
        sequence(
            &server,
            json_body(429, &ld_rate_limited(&spec)).insert_header(name, value),
            1,
            json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
        )
        .await;
        let policy =
            fast_retries!(launchdarkly_client, 3).with_max_retry_after(Duration::from_millis(50));
        let client = ld(&server.uri(), policy);
        let started = Instant::now();
        let page = tokio::time::timeout(Duration::from_secs(10), client.get_tokens().send())
            .await
            .unwrap_or_else(|_| panic!("{name}: {value} was not capped"))
            .expect("the retry succeeds");
        let elapsed = started.elapsed();
        assert_eq!(page.status(), 200);
        assert!(
            elapsed >= Duration::from_millis(45),
            "{name}: no wait at all: {elapsed:?}"
        );
        assert!(
            elapsed < Duration::from_secs(2),
            "{name}: not capped: {elapsed:?}"
        );
        assert_eq!(request_count(&server).await, 2);
    }
}

/// A POST that is not idempotent is not retried after a 503: the server may have acted.
#[tokio::test]
async fn a_non_idempotent_post_is_not_retried_after_a_503() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = ld(&server.uri(), fast_retries!(launchdarkly_client, 3));

    let error = client
        .post_token()
        .name("ci")
        .role("reader")
        .send()
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.attempts(), 1);
    assert!(
        matches!(
            error,
            launchdarkly_client::Error::UnexpectedStatus { status: 503, .. }
        ),
        "{error:?}"
    );
    assert_eq!(request_count(&server).await, 1, "exactly one request");
}

/// `x-idempotent: false` on a PUT wins over the method: CodeCatalyst's CreateAccessToken
/// is not retried after a 503 either.
#[tokio::test]
async fn a_put_marked_not_idempotent_is_not_retried_after_a_503() {
    capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = cc(&server.uri(), fast_retries!(codecatalyst_client, 3));

    let error = client
        .create_access_token()
        .name("ci")
        .send()
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.attempts(), 1);
    assert_eq!(request_count(&server).await, 1);
}

/// A 429 means the server refused without acting: even a non-idempotent POST is retried.
#[tokio::test]
async fn a_non_idempotent_post_is_retried_after_a_429() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    sequence(
        &server,
        json_body(429, &ld_rate_limited(&spec)).insert_header("retry-after", "0"),
        1,
        json_body(201, &ld_token(&spec, "new")),
    )
    .await;
    let client = ld(&server.uri(), fast_retries!(launchdarkly_client, 3));

    let token = client
        .post_token()
        .name("ci")
        .role("reader")
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(token.status(), 201);
    assert_eq!(token.id, "new");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        request_json(&sent[0]),
        request_json(&sent[1]),
        "the same body both times"
    );
}

/// A GET is idempotent: 503, then 200, succeeds on the second attempt.
#[tokio::test]
async fn a_get_is_retried_after_a_503() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(503),
        1,
        json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
    )
    .await;
    let client = ld(&server.uri(), fast_retries!(launchdarkly_client, 3));

    let page = client
        .get_tokens()
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(page.status(), 200);
    assert_eq!(request_count(&server).await, 2);
}

/// POSTs marked `x-idempotent: true` are retried after a 503, and send the same body again.
#[tokio::test]
async fn an_idempotent_post_is_retried_after_a_503() {
    capture();
    // CodeCatalyst ListAccessTokens (REST-JSON, bearer).
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(503),
        1,
        json_body(200, &json!({ "items": [cc_summary("a")] })),
    )
    .await;
    let client = cc(&server.uri(), fast_retries!(codecatalyst_client, 3));
    let page = client
        .list_access_tokens()
        .max_results(5)
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(page.items.len(), 1);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(request_json(&sent[0]), json!({ "maxResults": 5 }));
    assert_eq!(request_json(&sent[1]), json!({ "maxResults": 5 }));

    // WorkMail ListPersonalAccessTokens (AWS JSON 1.1): each attempt is signed.
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(503),
        1,
        amz_json(200, &json!({})),
    )
    .await;
    let client = wm(&server.uri(), fast_retries!(workmail_client, 3));
    client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect("the retry succeeds");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_eq!(
            header(request, "authorization").map(|a| a.starts_with("AWS4-HMAC-SHA256 ")),
            Some(true)
        );
        assert_eq!(
            header(request, "x-amz-security-token"),
            Some(AWS_SESSION_TOKEN)
        );
        assert_eq!(
            request.headers.get_all("authorization").iter().count(),
            1,
            "one signature per attempt"
        );
    }
}

/// `RetryPolicy::none()` turns retries off, for 503 on a GET and for 429 alike.
#[tokio::test]
async fn retry_policy_none_turns_retries_off() {
    capture();
    let spec = ld_spec();
    for first in [
        ResponseTemplate::new(503),
        json_body(429, &ld_rate_limited(&spec)).insert_header("retry-after", "0"),
    ] {
        let server = MockServer::start().await;
        sequence(
            &server,
            first,
            1,
            json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))),
        )
        .await;
        let client = ld(&server.uri(), launchdarkly_client::RetryPolicy::none());
        let error = client
            .get_tokens()
            .send()
            .await
            .expect_err("no retry, so the first answer stands");
        assert_eq!(error.attempts(), 1);
        assert!(matches!(error.status(), Some(503 | 429)), "{error:?}");
        assert_eq!(request_count(&server).await, 1);
    }
}

// ---------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------

/// A response slower than `.timeout(100 ms)` is a timeout error, soon.
#[tokio::test]
async fn a_slow_response_is_a_timeout() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1)))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = launchdarkly_client::Client::builder()
        .base_url(server.uri())
        .api_key(LD_API_KEY)
        .timeout(Duration::from_millis(100))
        .retry(launchdarkly_client::RetryPolicy::none())
        .build()
        .expect("client");

    let started = Instant::now();
    let error = client.get_tokens().send().await.expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.attempts(), 1);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
}

/// Per-attempt timeouts of an idempotent GET are retried; those of a plain POST are not.
#[tokio::test]
async fn per_attempt_timeouts_are_retried_only_when_idempotent() {
    capture();
    let spec = ld_spec();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1)))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = launchdarkly_client::Client::builder()
        .base_url(server.uri())
        .api_key(LD_API_KEY)
        .timeout(Duration::from_millis(100))
        .retry(fast_retries!(launchdarkly_client, 2))
        .build()
        .expect("client");

    let error = client.get_tokens().send().await.expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.attempts(), 2);
    let error = client
        .post_token()
        .name("ci")
        .send()
        .await
        .expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        error.attempts(),
        1,
        "a POST that may have been acted on is not sent twice"
    );
    // Server side, at most: a loaded machine may time a request out before it arrives.
    let sent = requests(&server).await;
    let posts = sent.iter().filter(|r| r.method.as_str() == "POST").count();
    assert!(posts <= 1, "the POST was sent {posts} times");
    assert!(sent.len() <= 3, "{} requests", sent.len());
}

/// `.operation_timeout(..)` bounds the whole operation: one slow attempt, and a run of
/// retries that would otherwise go on for a long time.
#[tokio::test]
async fn the_operation_timeout_bounds_the_whole_operation_including_retries() {
    capture();
    // One attempt that never answers in time, no per-attempt timeout.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = launchdarkly_client::Client::builder()
        .base_url(server.uri())
        .api_key(LD_API_KEY)
        .operation_timeout(Duration::from_millis(150))
        .build()
        .expect("client");
    let started = Instant::now();
    let error = client.get_tokens().send().await.expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.attempts(), 1);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );

    // 503 after 100 ms, every time, with 50 attempts allowed: the operation stops at 400 ms.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(100)))
        .mount(&server)
        .await;
    let client = launchdarkly_client::Client::builder()
        .base_url(server.uri())
        .api_key(LD_API_KEY)
        .operation_timeout(Duration::from_millis(400))
        .retry(fast_retries!(launchdarkly_client, 50))
        .build()
        .expect("client");
    let started = Instant::now();
    let error = client
        .get_tokens()
        .send()
        .await
        .expect_err("never succeeds");
    let elapsed = started.elapsed();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        error.attempts() >= 2,
        "retries happened before the deadline: {error:?}"
    );
    assert!(error.attempts() < 50, "{error:?}");
    assert!(
        elapsed >= Duration::from_millis(350) && elapsed < Duration::from_millis(1500),
        "took {elapsed:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Transport failures
// ---------------------------------------------------------------------------------------

/// Nothing listening: a transport error (retried, as a refused connection never carried the
/// request), never a panic, and its text shows neither the URL's query nor the credential.
#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    capture();
    let base = closed_port_url();

    let client = ld(&base, fast_retries!(launchdarkly_client, 2));
    let error = client
        .get_tokens()
        .send()
        .await
        .expect_err("nobody listens");
    assert!(error.is_transport(), "{error:?}");
    assert_eq!(error.status(), None);
    assert!(error.api_error().is_none());
    assert_eq!(error.attempts(), 2);
    // Even a POST: the connection was never made, so nothing can have been acted on.
    let error = client
        .post_token()
        .name("ci")
        .send()
        .await
        .expect_err("nobody listens");
    assert!(error.is_transport(), "{error:?}");
    assert_eq!(error.attempts(), 2);

    let client = sp(&base, sailpoint_client::RetryPolicy::none());
    let error = client
        .list_personal_access_tokens()
        .filters(format!("name eq \"{FILTER_SECRET}\""))
        .send()
        .await
        .expect_err("nobody listens");
    assert!(error.is_transport(), "{error:?}");
    assert_eq!(error.attempts(), 1);
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(FILTER_SECRET), "{text}");
        assert!(!text.contains(BEARER), "{text}");
    }

    let client = wm(&base, workmail_client::RetryPolicy::none());
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("nobody listens");
    assert!(error.is_transport(), "{error:?}");
}

// ---------------------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------------------

/// A `MakeWriter` for the fmt subscriber: everything goes into one shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture lock")).into_owned()
    }
}

/// The trace of this whole test binary: every test calls this first, so the capturing
/// subscriber is the global default before any callsite is hit.
///
/// (A subscriber scoped to one thread with `tracing::subscriber::with_default` is not
/// enough here: each generated crate carries its own copy of the runtime, so its own
/// callsites, and when another test's thread registers one of them while the scoped
/// subscriber is being installed, tracing-core can cache "not interested" for it and that
/// operation's span disappears from the capture. Seen under load.)
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_target(true)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other subscriber in this test binary");
        // reqwest logs through `log`: those records are captured too.
        tracing_log::LogTracer::init().expect("no other logger in this test binary");
        capture
    })
}

/// The lines of `output` that contain `part`, at most 20 of them.
fn lines_with(output: &str, part: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .filter(|line| line.contains(part))
        .take(20)
        .collect();
    lines.join("\n")
}

/// Every level, every target (the `log` records of reqwest included, through `tracing-log`),
/// of this whole test binary (every test here uses the same credentials), after operations
/// of all four clients ran with credentials, through a retry, documented
/// errors, a transport failure and a query value that could be a secret: the output names
/// each operation (id, method, path template, attempt, status) and never a credential.
///
/// The AWS access key id is not a secret in the AWS sense (it is sent in every request's
/// `Authorization` header), but it still must not appear in this crate's own output; the
/// only place it may appear is aws-sigv4's own TRACE event "signing request", which prints
/// the credentials' `Debug` (access key id shown, secret key redacted). This test allows it
/// there, and only there.
#[tokio::test]
async fn tracing_names_operations_and_never_credentials() {
    let capture = capture();
    let mut printed_errors = Vec::new();
    let spec = ld_spec();

    // LaunchDarkly: a 429 and its retry, then a documented 404.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/api/v2/tokens"))
        .respond_with(json_body(429, &ld_rate_limited(&spec)).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/api/v2/tokens"))
        .respond_with(json_body(200, &ld_tokens_page(&spec, &["t0"], Some(1))))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json_body(
            404,
            &json!({ "code": "not_found", "message": "Invalid resource identifier" }),
        ))
        .with_priority(3)
        .mount(&server)
        .await;
    let client = ld(&server.uri(), fast_retries!(launchdarkly_client, 3));
    client
        .get_tokens()
        .limit(5)
        .send()
        .await
        .expect("retried, then 200");
    let error = client
        .get_token()
        .id("61095542756dba551110ae21")
        .send()
        .await
        .expect_err("404");
    assert_eq!(error.status(), Some(404));
    printed_errors.push(format!("{error} {error:?}"));

    // CodeCatalyst: a success and a documented error by code.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_body(200, &json!({ "items": [cc_summary("a")] })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(
            json_body(403, &json!({ "message": "denied" }))
                .insert_header("x-amzn-errortype", "AccessDeniedException"),
        )
        .mount(&server)
        .await;
    let client = cc(&server.uri(), fast_retries!(codecatalyst_client, 3));
    client
        .list_access_tokens()
        .max_results(2)
        .send()
        .await
        .expect("200");
    let error = client
        .delete_access_token()
        .id("abc")
        .send()
        .await
        .expect_err("403");
    printed_errors.push(format!("{error} {error:?}"));

    // SailPoint: a query value that could be a secret, a success and a documented 400.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_body(200, &json!([])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json_body(
            400,
            &json!({ "detailCode": "400.1 Bad Request Content" }),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = sp(&server.uri(), fast_retries!(sailpoint_client, 3));
    let filters = format!("name eq \"{FILTER_SECRET}\"");
    client
        .list_personal_access_tokens()
        .filters(filters.as_str())
        .send()
        .await
        .expect("200");
    let error = client
        .list_personal_access_tokens()
        .filters(filters.as_str())
        .send()
        .await
        .expect_err("400");
    printed_errors.push(format!("{error} {error:?}"));

    // WorkMail: signed, with a session token; a 503 and its retry.
    let server = MockServer::start().await;
    sequence(
        &server,
        ResponseTemplate::new(503),
        1,
        amz_json(
            200,
            &json!({ "PersonalAccessTokenSummaries": [wm_summary("a")] }),
        ),
    )
    .await;
    let client = wm(&server.uri(), fast_retries!(workmail_client, 3));
    client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect("retried, then 200");

    // A transport failure, with the secret-looking query on the request.
    let client = sp(&closed_port_url(), fast_retries!(sailpoint_client, 2));
    let error = client
        .list_personal_access_tokens()
        .filters(filters.as_str())
        .send()
        .await
        .expect_err("refused");
    assert!(error.is_transport());
    printed_errors.push(format!("{error} {error:?}"));

    let output = capture.text();
    assert!(!output.is_empty(), "nothing was traced");
    // Each group must appear on one line: a span's fields (recorded as the operation went
    // on) are printed with every event inside it and when it closes.
    for group in [
        &[
            "operation_id=\"getTokens\"",
            "method=GET",
            "path_template=\"/api/v2/tokens\"",
            "attempt=1 status=429 attempt=2 status=200",
            "close",
        ][..],
        &[
            "operation_id=\"getTokens\"",
            "retrying after response",
            "status=429",
        ],
        &[
            "operation_id=\"getToken\"",
            "path_template=\"/api/v2/tokens/{id}\"",
            "attempt=1 status=404",
        ],
        &[
            "operation_id=\"ListAccessTokens\"",
            "method=POST",
            "path_template=\"/v1/accessTokens\"",
            "attempt=1 status=200",
        ],
        &[
            "operation_id=\"DeleteAccessToken\"",
            "method=DELETE",
            "path_template=\"/v1/accessTokens/{id}\"",
            "attempt=1 status=403",
        ],
        &[
            "operation_id=\"listPersonalAccessTokens\"",
            "method=GET",
            "path_template=\"/personal-access-tokens\"",
            "attempt=1 status=400",
        ],
        &[
            "operation_id=\"listPersonalAccessTokens\"",
            "retrying after transport error",
            "kind=\"connect\"",
        ],
        &[
            "operation_id=\"listPersonalAccessTokens\"",
            ": transport error attempt=2",
            "kind=\"connect\"",
        ],
        &[
            "operation_id=\"ListPersonalAccessTokens\"",
            "method=POST",
            "path_template=\"/#X-Amz-Target=WorkMailService.ListPersonalAccessTokens\"",
            "attempt=1 status=503 attempt=2 status=200",
            "close",
        ],
    ] {
        assert!(
            output
                .lines()
                .any(|line| group.iter().all(|part| line.contains(part))),
            "no trace line has all of {group:?}; lines with {:?}:\n{}",
            group[0],
            lines_with(&output, group[0])
        );
    }
    for secret in [
        LD_API_KEY,
        BEARER,
        AWS_SECRET_KEY,
        AWS_SESSION_TOKEN,
        FILTER_SECRET,
    ] {
        assert!(
            !output.contains(secret),
            "the trace shows `{secret}`:\n{}",
            lines_with(&output, secret)
        );
        for printed in &printed_errors {
            assert!(
                !printed.contains(secret),
                "an error prints `{secret}`: {printed}"
            );
        }
    }
    let key_id_lines: Vec<&str> = output
        .lines()
        .filter(|line| line.contains(AWS_ACCESS_KEY_ID))
        .collect();
    for line in &key_id_lines {
        assert!(
            line.contains("aws_sigv4") && line.contains("signing request"),
            "the access key id appears outside aws-sigv4's own signing trace: {line}"
        );
    }
}
