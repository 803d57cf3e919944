//! The client core against a local wiremock server: what goes over the wire, retries,
//! timeouts, and that no credential reaches an error message or a log line.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use codegen_runtime::auth::{ApiKeyAuth, Authenticate, BearerAuth};
use codegen_runtime::client::{ClientConfig, ClientCore};
use codegen_runtime::error::Error;
use codegen_runtime::request::RequestParts;
use codegen_runtime::retry::RetryPolicy;
use codegen_runtime::secret::Secret;
use codegen_runtime::validate::{self, ValidationError};
use http::Method;
use serde::Deserialize;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod common;
use common::with_credentials;

/// Retries as in production, with waits short enough for a test.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn core(server: &MockServer, auth: Vec<Arc<dyn Authenticate>>) -> ClientCore {
    ClientCore::new(with_credentials(
        ClientConfig {
            retry: fast_retries(),
            ..ClientConfig::new(server.uri())
        },
        auth,
    ))
    .unwrap()
}

fn get(path: &str) -> RequestParts {
    let mut parts = RequestParts::new(Method::GET, "getThing", "/things");
    parts.push_path(path);
    parts
}

#[tokio::test]
async fn path_params_are_one_encoded_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let base = format!("{}/v3/", server.uri());
    let client = ClientCore::new(ClientConfig::new(base)).unwrap();
    let mut parts = RequestParts::new(Method::GET, "getToken", "/tokens/{id}");
    parts.push_path("/tokens/");
    parts.push_path_param("../x y");
    parts.push_path("/scopes");
    parts.query("filter", "a b&c");
    client
        .execute(parts)
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].url.path(), "/v3/tokens/..%2Fx%20y/scopes");
    assert_eq!(received[0].url.query(), Some("filter=a%20b%26c"));

    let mut dots = RequestParts::new(Method::GET, "getToken", "/tokens/{id}");
    dots.push_path("/tokens/");
    dots.push_path_param("..");
    assert!(matches!(
        client.execute(dots).await.map_err(Error::<()>::from),
        Err(Error::InvalidRequest { .. })
    ));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "nothing more was sent"
    );
}

#[tokio::test]
async fn header_values_with_cr_or_lf_are_refused() {
    let mut parts = get("/x");
    let err = parts
        .header("X-Request-Note", "a\r\nX-Evil: 1")
        .unwrap_err();
    assert_eq!(err.field, "X-Request-Note");
    assert!(!err.to_string().contains("Evil"));
    let err: Error<()> = err.into();
    assert!(err.is_validation());
    assert_eq!(err.attempts(), 0);
}

#[tokio::test]
async fn bearer_and_api_key_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/things"))
        .and(header("authorization", "Bearer tok-1"))
        .and(header("x-api-key", "api-0123"))
        .and(query_param("api_key", "q-9"))
        .and(header("user-agent", "my-agent/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"n": 1}"#))
        .expect(1)
        .mount(&server)
        .await;
    let client = ClientCore::new(with_credentials(
        ClientConfig {
            user_agent: "my-agent/1.0".into(),
            ..ClientConfig::new(server.uri())
        },
        vec![
            Arc::new(BearerAuth::new("tok-1")),
            Arc::new(ApiKeyAuth::header("X-API-Key", "api-0123")),
            Arc::new(ApiKeyAuth::query("api_key", "q-9")),
        ],
    ))
    .unwrap();
    let response = client
        .execute(get("/things"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(response.status(), 200);
    #[derive(Deserialize)]
    struct N {
        n: u32,
    }
    let typed = response.json::<N, ()>().unwrap();
    assert_eq!(typed.n, 1);
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains("tok-1") && !dbg.contains("api-0123") && !dbg.contains("q-9"),
        "{dbg}"
    );
    assert!(dbg.contains(&server.uri()));
}

#[tokio::test]
async fn too_many_requests_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let mut parts = RequestParts::new(Method::POST, "create", "/things");
    parts.push_path("/things");
    parts
        .json_body("application/json", &serde_json::json!({"name": "a"}))
        .unwrap();
    let response = core(&server, vec![])
        .execute(parts)
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 2);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].body, br#"{"name":"a"}"#, "the body is resent");
}

#[tokio::test]
async fn service_unavailable_is_retried_only_when_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let client = core(&server, vec![]);

    let mut post = RequestParts::new(Method::POST, "create", "/things");
    post.push_path("/things");
    let response = client
        .execute(post)
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!((response.status(), response.attempts()), (503, 1));

    let response = client
        .execute(get("/things"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(
        (response.status(), response.attempts()),
        (503, 3),
        "the last response is returned as is"
    );
    let err: Error<()> = response.unexpected();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn idempotent_post_and_throttling_codes_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "Svc.Throttled"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string(r#"{"__type":"com.amazonaws.svc#ThrottlingException"}"#),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "Svc.Describe"))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&server)
        .await;
    let client = ClientCore::new(ClientConfig {
        retry: fast_retries().with_max_attempts(2),
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    for target in ["Svc.Throttled", "Svc.Describe"] {
        let mut parts = RequestParts::new(Method::POST, "op", "/#X-Amz-Target=op");
        parts.push_path("/");
        parts.header("X-Amz-Target", target).unwrap();
        parts.set_idempotent(target == "Svc.Describe");
        let response = client
            .execute(parts)
            .await
            .map_err(Error::<()>::from)
            .unwrap();
        assert_eq!(response.attempts(), 2, "{target}");
    }
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_cap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 300;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = ClientCore::new(ClientConfig {
        retry: fast_retries().with_max_retry_after(Duration::from_millis(150)),
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    let start = Instant::now();
    let response = client
        .execute(get("/things"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!((response.status(), response.attempts()), (204, 3));
    // Two server-requested waits, each cut to 150 ms; not the 30 s the first one asked for.
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn slow_responses_time_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let per_attempt = ClientCore::new(ClientConfig {
        timeout: Some(Duration::from_millis(100)),
        retry: RetryPolicy::none(),
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    let err = per_attempt
        .execute(get("/slow"))
        .await
        .map_err(Error::<()>::from)
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.attempts(), 1);

    let whole = ClientCore::new(ClientConfig {
        operation_timeout: Some(Duration::from_millis(150)),
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    let start = Instant::now();
    let err = whole
        .execute(get("/slow"))
        .await
        .map_err(Error::<()>::from)
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1 }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    // Bind and drop a listener so that the port is known to be closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ClientCore::new(with_credentials(
        ClientConfig {
            retry: fast_retries(),
            ..ClientConfig::new(format!("http://127.0.0.1:{port}"))
        },
        vec![Arc::new(ApiKeyAuth::query("api_key", "q-secret"))],
    ))
    .unwrap();
    let err = client
        .execute(get("/x"))
        .await
        .map_err(Error::<()>::from)
        .unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(
        err.attempts(),
        3,
        "nothing was sent, so even this is retried"
    );
    assert!(!err.to_string().contains("q-secret"), "{err}");
    assert!(!format!("{err:?}").contains("q-secret"));
}

#[test]
fn bad_base_urls_are_build_errors() {
    for bad in ["", "::", "localhost:8080", "ftp://example.com", "http://"] {
        let err = ClientCore::new(ClientConfig::new(bad)).unwrap_err();
        assert!(
            err.to_string().starts_with("could not build the client"),
            "{bad}: {err}"
        );
    }
    assert!(ClientCore::new(ClientConfig {
        user_agent: "bad\nagent".into(),
        ..ClientConfig::new("http://h")
    })
    .is_err());
}

#[derive(Debug, Deserialize, PartialEq)]
struct AwsError {
    #[serde(rename = "Message", default)]
    message: Option<String>,
}

#[tokio::test]
async fn error_codes_and_empty_bodies() {
    let server = MockServer::start().await;
    Mock::given(path("/header"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header(
                    "x-amzn-errortype",
                    "EntityNotFoundException:http://internal.amazon.com/coral/",
                )
                .set_body_raw("", "application/x-amz-json-1.1"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/type"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            r#"{"__type":"com.amazonaws.workmail#OrganizationNotFoundException","Message":"no"}"#,
            "application/x-amz-json-1.1",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/empty"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = core(&server, vec![]);

    let r = client
        .execute(get("/header"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(r.error_code().as_deref(), Some("EntityNotFoundException"));
    let err: Error<AwsError> = r.api_error(|e: AwsError| e);
    assert_eq!(err.api_error(), Some(&AwsError { message: None }));

    let r = client
        .execute(get("/type"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(
        r.error_code().as_deref(),
        Some("OrganizationNotFoundException")
    );
    let err: Error<AwsError> = r.api_error(|e: AwsError| e);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.into_api_error().unwrap().message.as_deref(), Some("no"));

    #[derive(Debug, Deserialize, PartialEq)]
    struct Output {
        #[serde(rename = "NextToken", default)]
        next_token: Option<String>,
    }
    let empty = || async { client.execute(get("/empty")).await.map_err(Error::<()>::from).unwrap() };
    let out = empty().await.json_or_empty_object::<Output, ()>().unwrap();
    assert_eq!(out.into_inner(), Output { next_token: None });
    let err = empty().await.json::<Output, ()>().unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}

#[test]
fn secrets_and_validation_errors_never_print_values() {
    let secret = Secret::from("hunter2");
    assert_eq!(secret.to_string(), "[REDACTED]");
    assert!(!format!("{secret:?}").contains("hunter2"));
    assert_eq!(secret.expose_secret(), "hunter2");

    let re = regex::Regex::new("^[a-z]{3}$").unwrap();
    let err: ValidationError = validate::pattern("body.password", "hunter2", &re).unwrap_err();
    assert!(!err.to_string().contains("hunter2"));
    let err: Error<()> = validate::length("body.password", "hunter2", None, Some(3))
        .unwrap_err()
        .into();
    assert!(!err.to_string().contains("hunter2"));
    assert!(!format!("{err:?}").contains("hunter2"));
    assert_eq!(err.to_string(), "request refused before sending: invalid value for `body.password`: must be at most 3 characters long");
}
