//! No credential, query value or body may reach a log line, whatever the level.
//!
//! This test has a binary of its own because it installs a global subscriber: tracing
//! caches per-callsite interest, and a thread-local subscriber in a binary whose other tests
//! run in parallel misses events at random.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codegen_runtime::auth::{ApiKeyAuth, Authenticate, BearerAuth};
use codegen_runtime::client::{ClientConfig, ClientCore, Scheme};
use codegen_runtime::error::Error;
use codegen_runtime::oauth2::ClientCredentialsAuth;
use codegen_runtime::request::RequestParts;
use codegen_runtime::retry::RetryPolicy;
use codegen_runtime::secret::Secret;
use codegen_runtime::sigv4::SigV4Auth;
use http::Method;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

mod common;
use common::with_credentials;

fn core(server: &MockServer, auth: Vec<Arc<dyn Authenticate>>) -> ClientCore {
    let retry = RetryPolicy::default().with_initial_backoff(Duration::from_millis(1));
    ClientCore::new(with_credentials(
        ClientConfig {
            retry,
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

/// A `MakeWriter` collecting everything into one buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

#[tokio::test]
async fn logs_never_contain_credentials() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let bearer = core(
        &server,
        vec![
            Arc::new(BearerAuth::new("BEARER-SECRET")),
            Arc::new(ApiKeyAuth::query("api_key", "QUERY-SECRET")),
        ],
    );
    let mut parts = get("/things");
    parts.query("token_hint", "QUERY-VALUE");
    bearer
        .execute(parts)
        .await
        .map_err(Error::<()>::from)
        .unwrap();

    let aws = core(
        &server,
        vec![Arc::new(SigV4Auth::new(
            "AKIDSECRET",
            "SIGV4-SECRET-KEY",
            Some(Secret::new("SESSION-SECRET")),
            "us-east-1",
            "workmail",
        ))],
    );
    let mut parts = RequestParts::new(
        Method::POST,
        "ListUsers",
        "/#X-Amz-Target=WorkMailService.ListUsers",
    );
    parts.push_path("/");
    parts
        .header("X-Amz-Target", "WorkMailService.ListUsers")
        .unwrap();
    parts
        .json_body(
            "application/x-amz-json-1.1",
            &serde_json::json!({"Password": "BODY-SECRET"}),
        )
        .unwrap();
    let response = aws.execute(parts).await.map_err(Error::<()>::from).unwrap();
    assert_eq!(response.status(), 503);
    let received = server.received_requests().await.unwrap();
    let signed = received.last().unwrap();
    assert!(signed.headers["authorization"]
        .to_str()
        .unwrap()
        .contains("/us-east-1/workmail/aws4_request"));
    assert_eq!(signed.headers["x-amz-security-token"], "SESSION-SECRET");

    // OAuth2 client credentials: the token request, its answer and its use.
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "ACCESS-TOKEN-SECRET",
            "token_type": "bearer",
            "expires_in": 600,
        })))
        .mount(&tokens)
        .await;
    let oauth = ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("userAuth", "client_credentials").with(
            ClientCredentialsAuth::new(
                "CLIENT-ID-SECRET",
                "CLIENT-SECRET",
                format!("{}/oauth/token", tokens.uri()),
                vec![],
            ),
        )],
        security: &[&[0]],
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    oauth
        .execute(get("/things"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();
    assert_eq!(
        server.received_requests().await.unwrap().last().unwrap().headers["authorization"],
        "Bearer ACCESS-TOKEN-SECRET"
    );

    // Credentials from an AWS provider.
    let provided = ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("hmac", "aws_credentials").with(SigV4Auth::from_provider(
            aws_credential_types::Credentials::new(
                "AKIDPROVIDED",
                "PROVIDED-SECRET-KEY",
                Some("PROVIDED-SESSION".into()),
                None,
                "test",
            ),
            "us-east-1",
            "workmail",
        ))],
        security: &[&[0]],
        ..ClientConfig::new(server.uri())
    })
    .unwrap();
    provided
        .execute(get("/things"))
        .await
        .map_err(Error::<()>::from)
        .unwrap();

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("fetching an OAuth2 access token"), "{logs}");
    assert!(logs.contains("asking the AWS credentials provider"), "{logs}");
    assert!(
        logs.contains("operation_id=\"getThing\"") || logs.contains("operation_id=getThing"),
        "{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    for secret in [
        "BEARER-SECRET",
        "QUERY-SECRET",
        "QUERY-VALUE",
        "SIGV4-SECRET-KEY",
        "SESSION-SECRET",
        "BODY-SECRET",
        "Signature=",
        "CLIENT-ID-SECRET",
        "CLIENT-SECRET",
        "ACCESS-TOKEN-SECRET",
        "PROVIDED-SECRET-KEY",
        "PROVIDED-SESSION",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
    }
}
