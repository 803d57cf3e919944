//! Which credentials go on which request, against local servers: per-operation security,
//! redirects to another origin, OAuth2 client credentials and AWS credential providers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, ProvideCredentials};
use aws_credential_types::Credentials;
use codegen_runtime::auth::{ApiKeyAuth, BearerAuth};
use codegen_runtime::client::{ClientConfig, ClientCore, Scheme};
use codegen_runtime::error::{CredentialsProblem, Error, RequestProblem};
use codegen_runtime::oauth2::ClientCredentialsAuth;
use codegen_runtime::request::RequestParts;
use codegen_runtime::retry::RetryPolicy;
use codegen_runtime::secret::Secret;
use codegen_runtime::sigv4::SigV4Auth;
use http::Method;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY_A: usize = 0;
const KEY_B: usize = 1;

/// Two API keys, as a spec with `keyA` (header) and `keyB` (query) declares them; the
/// default requirement is `keyA`.
fn keys(base: &str, a: Option<&str>, b: Option<&str>) -> ClientCore {
    let mut key_a = Scheme::new("keyA", "key_a");
    if let Some(a) = a {
        key_a = key_a.with(ApiKeyAuth::header("X-Key-A", a));
    }
    let mut key_b = Scheme::new("keyB", "key_b");
    if let Some(b) = b {
        key_b = key_b.with(ApiKeyAuth::query("key_b", b));
    }
    ClientCore::new(ClientConfig {
        schemes: vec![key_a, key_b],
        security: &[&[KEY_A]],
        retry: RetryPolicy::none(),
        ..ClientConfig::new(base)
    })
    .unwrap()
}

fn get(path: &'static str) -> RequestParts {
    let mut parts = RequestParts::new(Method::GET, "op", path);
    parts.push_path(path);
    parts
}

fn with_security(mut parts: RequestParts, security: &'static [&'static [usize]]) -> RequestParts {
    parts.set_security(security);
    parts
}

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    server
}

async fn last_request(server: &MockServer) -> Request {
    server.received_requests().await.unwrap().pop().expect("a request")
}

fn has_key_b(request: &Request) -> bool {
    request.url.query_pairs().any(|(k, _)| k == "key_b")
}

#[tokio::test]
async fn an_operation_with_empty_security_sends_no_credentials() {
    let server = ok_server().await;
    let client = keys(&server.uri(), Some("secret-a"), Some("secret-b"));
    client.execute(with_security(get("/health"), &[])).await.unwrap();
    let request = last_request(&server).await;
    assert!(!request.headers.contains_key("x-key-a"));
    assert!(!has_key_b(&request), "{}", request.url);

    // The default requirement still applies to operations without their own.
    client.execute(get("/things")).await.unwrap();
    let request = last_request(&server).await;
    assert_eq!(request.headers["x-key-a"], "secret-a");
    assert!(!has_key_b(&request), "only keyA is asked for: {}", request.url);
}

#[tokio::test]
async fn of_two_alternatives_the_first_configured_is_used() {
    let server = ok_server().await;
    let either: &[&[usize]] = &[&[KEY_A], &[KEY_B]];

    let only_b = keys(&server.uri(), None, Some("secret-b"));
    only_b.execute(with_security(get("/things"), either)).await.unwrap();
    let request = last_request(&server).await;
    assert!(!request.headers.contains_key("x-key-a"));
    assert_eq!(request.url.query(), Some("key_b=secret-b"));

    let both = keys(&server.uri(), Some("secret-a"), Some("secret-b"));
    both.execute(with_security(get("/things"), either)).await.unwrap();
    let request = last_request(&server).await;
    assert_eq!(request.headers["x-key-a"], "secret-a");
    assert!(!has_key_b(&request), "the first alternative wins: {}", request.url);
}

#[tokio::test]
async fn a_requirement_naming_two_schemes_sends_both() {
    let server = ok_server().await;
    let client = keys(&server.uri(), Some("secret-a"), Some("secret-b"));
    client.execute(with_security(get("/things"), &[&[KEY_A, KEY_B]])).await.unwrap();
    let request = last_request(&server).await;
    assert_eq!(request.headers["x-key-a"], "secret-a");
    assert_eq!(request.url.query(), Some("key_b=secret-b"));
}

#[tokio::test]
async fn an_unmet_requirement_fails_before_sending_and_names_the_setter() {
    let server = ok_server().await;
    let client = keys(&server.uri(), None, Some("secret-b"));
    let error = client
        .execute(with_security(get("/things"), &[&[KEY_A, KEY_B]]))
        .await
        .map_err(Error::<()>::from)
        .unwrap_err();
    assert_eq!(error.status(), None);
    assert_eq!(
        error.request_problem(),
        Some(&RequestProblem::MissingCredential { scheme: "keyA", setter: "key_a" })
    );
    assert!(error.to_string().contains("ClientBuilder::key_a"), "{error}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// `from` answers every request with a redirect (`status`) to `to` + the same path.
async fn redirecting(from: &MockServer, status: u16, to: &str) {
    let to = to.to_string();
    Mock::given(path("/start"))
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(status).insert_header("location", format!("{to}/landed").as_str())
        })
        .mount(from)
        .await;
}

#[tokio::test]
async fn no_credential_follows_a_redirect_to_another_origin() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    redirecting(&api, 307, &elsewhere.uri()).await;
    Mock::given(path("/landed")).respond_with(ResponseTemplate::new(204)).mount(&elsewhere).await;

    let signer = SigV4Auth::new("AKIDREDIRECT", "secret-key", Some(Secret::new("SESSION-TOKEN")), "us-east-1", "svc");
    let client = ClientCore::new(ClientConfig {
        schemes: vec![
            Scheme::new("keyA", "key_a").with(ApiKeyAuth::header("X-Key-A", "secret-a")),
            Scheme::new("keyB", "key_b").with(ApiKeyAuth::query("key_b", "secret-b")),
            Scheme::new("sigv4", "aws_credentials").with(signer),
        ],
        security: &[&[0, 1, 2]],
        retry: RetryPolicy::none(),
        ..ClientConfig::new(api.uri())
    })
    .unwrap();
    let mut parts = RequestParts::new(Method::POST, "op", "/start");
    parts.push_path("/start");
    parts.json_body("application/json", &serde_json::json!({"a": 1})).unwrap();
    let response = client.execute(parts).await.unwrap();
    assert_eq!(response.status(), 204);

    let first = last_request(&api).await;
    assert_eq!(first.headers["x-key-a"], "secret-a");
    assert_eq!(first.headers["x-amz-security-token"], "SESSION-TOKEN");
    let landed = last_request(&elsewhere).await;
    assert_eq!(landed.method.as_str(), "POST", "307 keeps the method");
    assert_eq!(landed.body, br#"{"a":1}"#, "307 keeps the body");
    for name in ["x-key-a", "authorization", "x-amz-security-token", "x-amz-date"] {
        assert!(!landed.headers.contains_key(name), "{name} followed the redirect");
    }
    assert!(!has_key_b(&landed), "{}", landed.url);
}

#[tokio::test]
async fn credentials_follow_a_redirect_within_the_origin_and_303_turns_into_get() {
    let api = MockServer::start().await;
    redirecting(&api, 303, &api.uri()).await;
    Mock::given(path("/landed")).respond_with(ResponseTemplate::new(204)).mount(&api).await;
    let client = keys(&api.uri(), Some("secret-a"), None);
    let mut parts = RequestParts::new(Method::POST, "op", "/start");
    parts.push_path("/start");
    parts.json_body("application/json", &serde_json::json!({"a": 1})).unwrap();
    client.execute(parts).await.unwrap();
    let landed = last_request(&api).await;
    assert_eq!(landed.url.path(), "/landed");
    assert_eq!(landed.method.as_str(), "GET");
    assert!(landed.body.is_empty());
    assert!(!landed.headers.contains_key("content-type"));
    assert_eq!(landed.headers["x-key-a"], "secret-a");
}

/// A token endpoint that hands out `tok-1`, `tok-2`, ... , each valid `expires_in` seconds,
/// slowly enough for concurrent callers to pile up behind the first fetch.
async fn token_endpoint(expires_in: f64) -> MockServer {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicU32::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials&client_id=pat-id&client_secret=pat%2Fsecret"))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({
                    "access_token": format!("tok-{n}"),
                    "token_type": "bearer",
                    "expires_in": expires_in,
                }))
                .set_delay(Duration::from_millis(100))
        })
        .mount(&server)
        .await;
    server
}

fn oauth_client(api: &MockServer, tokens: &MockServer) -> ClientCore {
    let auth = ClientCredentialsAuth::new("pat-id", "pat/secret", format!("{}/oauth/token", tokens.uri()), vec![]);
    ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("userAuth", "client_credentials").with(auth)],
        security: &[&[0]],
        retry: RetryPolicy::none(),
        ..ClientConfig::new(api.uri())
    })
    .unwrap()
}

async fn token_requests(tokens: &MockServer) -> usize {
    tokens.received_requests().await.unwrap().len()
}

fn bearer_of(request: &Request) -> String {
    request.headers["authorization"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn fifty_concurrent_calls_fetch_one_token() {
    let tokens = token_endpoint(3600.0).await;
    let api = ok_server().await;
    let client = oauth_client(&api, &tokens);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(get("/things")).await.map(|r| r.status()) })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap(), 204);
    }
    assert_eq!(token_requests(&tokens).await, 1);
    let received = api.received_requests().await.unwrap();
    assert_eq!(received.len(), 50);
    assert!(received.iter().all(|r| bearer_of(r) == "Bearer tok-1"));
}

#[tokio::test]
async fn a_token_is_fetched_again_after_it_expires() {
    let tokens = token_endpoint(1.0).await;
    let api = ok_server().await;
    let client = oauth_client(&api, &tokens);
    client.execute(get("/things")).await.unwrap();
    client.execute(get("/things")).await.unwrap();
    assert_eq!(token_requests(&tokens).await, 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.execute(get("/things")).await.unwrap();
    assert_eq!(token_requests(&tokens).await, 2);
    assert_eq!(bearer_of(&last_request(&api).await), "Bearer tok-2");
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let tokens = token_endpoint(3600.0).await;
    let api = MockServer::start().await;
    Mock::given(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&api)
        .await;
    Mock::given(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&api)
        .await;
    let client = oauth_client(&api, &tokens);
    let response = client.execute(get("/things")).await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.attempts(), 2);
    assert_eq!(token_requests(&tokens).await, 2);

    // A server that refuses every token: one refresh, then the 401 is the answer.
    let refusing = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).mount(&refusing).await;
    let tokens = token_endpoint(3600.0).await;
    let client = oauth_client(&refusing, &tokens);
    let response = client.execute(get("/things")).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(refusing.received_requests().await.unwrap().len(), 2);
    assert_eq!(token_requests(&tokens).await, 2);
}

#[tokio::test]
async fn a_refused_token_request_is_a_typed_error_without_the_secret() {
    let tokens = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "Bad credentials",
        })))
        .mount(&tokens)
        .await;
    let api = ok_server().await;
    let client = oauth_client(&api, &tokens);
    let error = client.execute(get("/things")).await.map_err(Error::<()>::from).unwrap_err();
    assert_eq!(
        error.credentials_problem(),
        Some(&CredentialsProblem::TokenRejected {
            status: 401,
            error: Some("invalid_client".into()),
            description: Some("Bad credentials".into()),
        })
    );
    assert_eq!(error.status(), None, "the API itself never answered");
    for shown in [error.to_string(), format!("{error:?}"), format!("{client:?}")] {
        assert!(!shown.contains("pat/secret") && !shown.contains("pat%2Fsecret") && !shown.contains("pat-id"), "{shown}");
    }
    assert!(api.received_requests().await.unwrap().is_empty());
}

/// Hands out `AKID-1`, `AKID-2`, ..., each expiring `lifetime` from now.
#[derive(Debug)]
struct Rotating {
    calls: AtomicU32,
    lifetime: Duration,
}

impl ProvideCredentials for Rotating {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let expiry = SystemTime::now() + self.lifetime;
        provider::future::ProvideCredentials::ready(Ok(Credentials::new(
            format!("AKID-{n}"),
            format!("secret-{n}"),
            Some(format!("session-{n}")),
            Some(expiry),
            "test",
        )))
    }
}

#[tokio::test]
async fn sigv4_signs_with_credentials_from_a_provider_that_rotates_them() {
    let api = ok_server().await;
    // Fetched again 10 s before expiry: these are good for one second.
    let provider = Arc::new(Rotating { calls: AtomicU32::new(0), lifetime: Duration::from_secs(11) });
    let signer = SigV4Auth::from_provider(SharedProvider(provider.clone()), "eu-west-1", "workmail");
    let client = ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("hmac", "aws_credentials").with(signer)],
        security: &[&[0]],
        ..ClientConfig::new(api.uri())
    })
    .unwrap();
    let credential = |request: &Request| {
        let auth = bearer_of(request);
        auth.split("Credential=").nth(1).unwrap().split('/').next().unwrap().to_string()
    };
    client.execute(get("/a")).await.unwrap();
    client.execute(get("/b")).await.unwrap();
    let received = api.received_requests().await.unwrap();
    assert_eq!(credential(&received[0]), "AKID-1");
    assert_eq!(credential(&received[1]), "AKID-1", "cached while fresh");
    assert_eq!(received[1].headers["x-amz-security-token"], "session-1");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.execute(get("/c")).await.unwrap();
    let last = last_request(&api).await;
    assert_eq!(credential(&last), "AKID-2");
    assert_eq!(last.headers["x-amz-security-token"], "session-2");
    assert!(bearer_of(&last).contains("/eu-west-1/workmail/aws4_request"));
}

#[tokio::test]
async fn a_failing_provider_is_a_typed_error() {
    #[derive(Debug)]
    struct Empty;
    impl ProvideCredentials for Empty {
        fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            provider::future::ProvideCredentials::ready(Err(
                aws_credential_types::provider::error::CredentialsError::not_loaded("no profile"),
            ))
        }
    }
    let api = ok_server().await;
    let client = ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("hmac", "aws_credentials").with(SigV4Auth::from_provider(Empty, "us-east-1", "svc"))],
        security: &[&[0]],
        ..ClientConfig::new(api.uri())
    })
    .unwrap();
    let error = client.execute(get("/a")).await.map_err(Error::<()>::from).unwrap_err();
    assert!(matches!(error.credentials_problem(), Some(CredentialsProblem::Provider(_))), "{error:?}");
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_bearer_token_is_sent_as_given() {
    let api = ok_server().await;
    let client = ClientCore::new(ClientConfig {
        schemes: vec![Scheme::new("userAuth", "bearer_token").with(BearerAuth::new("own-token"))],
        security: &[&[0]],
        ..ClientConfig::new(api.uri())
    })
    .unwrap();
    client.execute(get("/a")).await.unwrap();
    assert_eq!(bearer_of(&last_request(&api).await), "Bearer own-token");
}

/// Lets the test keep a handle on the provider it gives away.
#[derive(Debug)]
struct SharedProvider(Arc<Rotating>);

impl ProvideCredentials for SharedProvider {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.provide_credentials()
    }
}
