//! Generated crates driven end to end: a construct fixture is generated into a crate of its
//! own, with a test of that crate against a local server, and `cargo test` runs it. The
//! `streaming.yaml` fixture (OpenAPI 3.1, OpenAI-style chat completions) is driven through
//! `send_events()` with events written in pieces; `security.yaml` through per-operation
//! security.
//!
//! It builds a crate and its dependencies, so it shares the corpus's target directory
//! (`target/corpus-target`), where `cargo xtask corpus check` builds the same dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::Settings;

const E2E_TEST: &str = r##"
use futures::StreamExt;
use streaming_client::errors::CreateChatCompletionError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request with `head` then each piece, flushed, a little apart.
async fn serve(head: &'static str, pieces: Vec<&'static str>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 8192];
        let n = socket.read(&mut request).await.unwrap();
        socket.write_all(head.as_bytes()).await.unwrap();
        for piece in pieces {
            socket.write_all(format!("{:x}\r\n{piece}\r\n", piece.len()).as_bytes()).await.unwrap();
            socket.flush().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        socket.write_all(b"0\r\n\r\n").await.unwrap();
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    (url, server)
}

const SSE: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn chat_completion_events_arrive_typed() {
    let (url, server) = serve(SSE, vec!["data: {\"delta\":\"Hel", "lo\"}\n\n", "data: {\"delta\":\" world\",\"finish_reason\":\"stop\"}\n\n", "data: [DONE]\n\n"]).await;
    let client = streaming_client::Client::builder().base_url(url).build().unwrap();
    let response = client.create_chat_completion().prompt("hi").stream(true).send_events().await.unwrap();
    assert_eq!(response.status(), 200);
    let chunks: Vec<_> = response.into_inner().map(|chunk| chunk.unwrap()).collect().await;
    let text: String = chunks.iter().map(|c| c.delta.as_str()).collect();
    assert_eq!(text, "Hello world");
    assert_eq!(chunks[1].finish_reason.as_deref(), Some("stop"));
    let request = server.await.unwrap();
    assert!(request.starts_with("POST /chat/completions "), "{request}");
    assert!(request.to_ascii_lowercase().contains("accept: text/event-stream"), "{request}");
    assert!(request.ends_with(r#"{"prompt":"hi","stream":true}"#), "{request}");
}

#[tokio::test]
async fn an_error_status_decodes_as_send_does() {
    let head = "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    let (url, _server) = serve(head, vec!["{\"message\":\"slow down\"}"]).await;
    let client = streaming_client::Client::builder().base_url(url).retry(streaming_client::RetryPolicy::none()).build().unwrap();
    let error = client.create_chat_completion().prompt("hi").send_events().await.unwrap_err();
    match error.api_error() {
        Some(CreateChatCompletionError::TooManyRequests(problem)) => assert_eq!(problem.message.as_deref(), Some("slow down")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn json_lines_arrive_typed() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";
    let (url, _server) = serve(head, vec!["{\"id\":1}\n{\"i", "d\":2}\n", "{\"id\":3}"]).await;
    let client = streaming_client::Client::builder().base_url(url).build().unwrap();
    let records = client.export_records().send_events().await.unwrap().into_inner();
    let ids: Vec<i64> = records.map(|r| r.unwrap().id).collect().await;
    assert_eq!(ids, [1, 2, 3]);
}
"##;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Generates `tests/fixtures/constructs/<fixture>.yaml` into `target/e2e-<fixture>/` with
/// `test` as its `tests/e2e.rs` and `dev_dependencies` as its own, and runs that test.
fn run_e2e(fixture: &str, test: &str, dev_dependencies: &str, expected_passes: usize) {
    let spec = workspace_root().join(format!("codegen/tests/fixtures/constructs/{fixture}.yaml"));
    run_e2e_with(&spec, Settings::new(fixture), test, dev_dependencies, expected_passes);
}

/// Like [`run_e2e`], for any spec and settings. Crates the workspace's lockfile lacks (a
/// dependency the settings add) are resolved by cargo.
fn run_e2e_with(spec: &Path, settings: Settings, test: &str, dev_dependencies: &str, expected_passes: usize) {
    let root = workspace_root();
    let fixture = settings.stem.clone();
    let text = std::fs::read_to_string(spec).unwrap();
    let generated = codegen::generate(&text, &spec.display().to_string(), &settings).unwrap_or_else(|d| panic!("{d}"));
    let dir = root.join(format!("target/e2e-{fixture}"));
    let _ = std::fs::remove_dir_all(&dir);
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut contents = file.contents.clone();
        if file.path == "Cargo.toml" {
            // A workspace of its own, with what its test needs.
            contents.push_str(&format!("\n[workspace]\n\n[dev-dependencies]\n{dev_dependencies}"));
        }
        std::fs::write(&path, contents).unwrap();
    }
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/e2e.rs"), test).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let extra_dependencies = !settings.dependencies.is_empty();
    // Every feature, the typed mocks' included.
    let mut args = vec!["test", "--quiet", "--all-features", "--test", "e2e"];
    if !extra_dependencies {
        args.push("--offline");
    }
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root.join("target/corpus-target"))
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo test in {} failed:\n{stdout}\n{stderr}", dir.display());
    // Dependencies' warnings are capped by cargo: any warning here is the generated crate's.
    assert!(!stderr.contains("warning"), "the generated crate compiles with warnings:\n{stderr}");
    assert!(stdout.contains(&format!("{expected_passes} passed")), "{stdout}");
}

const TOKIO: &str = "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\", \"time\"] }\n";

#[test]
fn a_generated_streaming_operation_end_to_end() {
    run_e2e("streaming", E2E_TEST, TOKIO, 3);
}

/// The `security.yaml` fixture's client against a local server: each operation sends what
/// its own `security` asks for, and an unmet requirement fails before sending.
const SECURITY_TEST: &str = r##"
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn each_operation_sends_what_its_security_asks_for() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = security_client::Client::builder()
        .base_url(server.uri())
        .key_a("secret-a")
        .key_b("secret-b")
        .token("secret-token")
        .oauth("secret-oauth")
        .build()
        .unwrap();
    client.get_health().send().await.unwrap(); // security: []
    client.create_thing().send().await.unwrap(); // keyA or keyB
    client.delete_thing().id("1").send().await.unwrap(); // keyA and keyB, or token
    client.list_things().send().await.unwrap(); // the global oauth
    let received = server.received_requests().await.unwrap();
    let query = |i: usize| received[i].url.query().unwrap_or("").to_string();
    let header = |i: usize, name: &str| received[i].headers.get(name).map(|v| v.to_str().unwrap().to_string());
    assert_eq!((header(0, "x-key-a"), header(0, "authorization"), query(0)), (None, None, String::new()));
    assert_eq!((header(1, "x-key-a").as_deref(), query(1).contains("key_b")), (Some("secret-a"), false));
    assert_eq!((header(2, "x-key-a").as_deref(), query(2)), (Some("secret-a"), "key_b=secret-b".to_string()));
    assert_eq!(header(2, "authorization"), None, "the first alternative that is configured, alone");
    assert_eq!(header(3, "authorization").as_deref(), Some("Bearer secret-oauth"));

    let bare = security_client::Client::builder().base_url(server.uri()).build().unwrap();
    let error = bare.list_things().send().await.unwrap_err();
    assert_eq!(error.status(), None);
    assert!(error.to_string().contains("oauth_client_credentials"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 4, "nothing was sent");
}
"##;

#[test]
fn generated_per_operation_security_end_to_end() {
    run_e2e("security", SECURITY_TEST, &format!("{TOKIO}wiremock = \"0.6\"\n"), 1);
}

/// The `shared_params.yaml` fixture's client against a local server: the setters of
/// parameters many operations share (written once, in a macro) send what the builders' own
/// setters would, in the path, the query and the headers; a missing shared required
/// parameter is named before anything is sent; a stream pages through a shared offset; an
/// operation's own parameter of a shared one's name stays its own.
const SHARED_PARAMS_TEST: &str = r##"
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use futures::TryStreamExt;

#[tokio::test]
async fn shared_parameters_go_where_the_spec_says() {
    let server = MockServer::start().await;
    for (offset, items) in [("0", vec!["a", "b"]), ("2", vec!["c"])] {
        Mock::given(method("GET"))
            .and(path("/orgs/acme/teams"))
            .and(query_param("offset", offset))
            .and(query_param("per_page", "2"))
            .and(header("x-tenant", "t-1"))
            .and(header("x-trace", "trace-9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "items": items })))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path("/orgs/acme/members/ann"))
        .and(header("x-tenant", "t-1"))
        .and(header("x-trace", "removal-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = shared_params_client::Client::builder().base_url(server.uri()).build().unwrap();

    let teams = client.list_teams().org("acme").x_tenant("t-1").x_trace("trace-9").per_page(2);
    let names: Vec<String> = teams.stream().try_collect().await.unwrap();
    assert_eq!(names, ["a", "b", "c"]);
    client.remove_member().org("acme").user("ann").x_tenant("t-1").x_trace("removal-1").send().await.unwrap();

    let missing = client.get_repo().org("acme").name("tools").send().await.unwrap_err();
    match missing {
        shared_params_client::Error::Validation(problem) => assert_eq!(problem.field, "x_tenant"),
        other => panic!("{other:?}"),
    }
    let too_many = client.list_repos().org("acme").x_tenant("t-1").per_page(500).send().await.unwrap_err();
    assert!(matches!(too_many, shared_params_client::Error::Validation(ref problem) if problem.field == "per_page"), "{too_many:?}");
    server.verify().await;
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "the invalid requests were not sent");
}

#[tokio::test]
async fn typed_mocks_match_shared_parameters_where_they_go() {
    let server = shared_params_client::mock::MockServer::start().await;
    // `org` is the path's second piece here and in every operation: matched there.
    server.get_member().org("acme").user("ann").x_tenant("t-1").times(1).respond().await;
    let client = server.client_builder().build().unwrap();
    client.get_member().org("acme").user("ann").x_tenant("t-1").send().await.unwrap();
    let elsewhere = client.get_member().org("other").user("ann").x_tenant("t-1").send().await.unwrap_err();
    assert_eq!(elsewhere.status(), Some(404), "{elsewhere:?}");
    let other_tenant = client.get_member().org("acme").user("ann").x_tenant("t-2").send().await.unwrap_err();
    assert_eq!(other_tenant.status(), Some(404), "{other_tenant:?}");
}
"##;

#[test]
fn generated_shared_parameters_end_to_end() {
    run_e2e("shared_params", SHARED_PARAMS_TEST, &format!("{TOKIO}wiremock = \"0.6\"\nfutures = \"0.3\"\nserde_json = \"1\"\n"), 2);
}

/// `tests/fixtures/settings/inventory.yaml` generated with every kind of setting, and driven
/// against a local server: the settings shape the crate (its name and edition, renamed and
/// left-out operations, replaced types, derives) and the client's defaults (user agent, retry).
const SETTINGS_TEST: &str = r##"
use std::collections::HashSet;

use inventory_api::types::{Item, NewItem};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_settings_shape_the_client() {
    let server = MockServer::start().await;
    let id = uuid::Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
    let item = serde_json::json!({ "id": id, "name": "saw", "origin": "10.0.0.1", "kind": "tool", "sku_code": "S-1" });
    Mock::given(method("GET"))
        .and(path(format!("/items/{id}")))
        .and(header("user-agent", "inventory-e2e/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(item))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("origin", "10.0.0.1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&server)
        .await;
    let client = inventory_api::Client::builder().base_url(server.uri()).build().unwrap();

    let fetched: Item = client.fetch_item().item_id(id).send().await.unwrap().into_inner();
    assert_eq!((fetched.id, fetched.sku.as_deref()), (id, Some("S-1")));
    assert_eq!(fetched.origin, Some(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    // `Eq` and `Hash` from the settings.
    let set: HashSet<Item> = [fetched.clone(), fetched].into_iter().collect();
    assert_eq!(set.len(), 1);

    // Two attempts in all, as the settings' retry policy says.
    let origin = "10.0.0.1".parse::<std::net::Ipv4Addr>().unwrap();
    let error = client.list_items().origin(origin).send().await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    server.verify().await;

    // Another crate's derive.
    let schema = serde_json::to_string(&schemars::schema_for!(NewItem)).unwrap();
    assert!(schema.contains("weight") && schema.contains("tool"), "{schema}");
}
"##;

const SETTINGS: &str = r#"
[crate]
name = "inventory-api"
version = "3.0.0"
edition = "2024"

[client]
user-agent = "inventory-e2e/1.0"
retry = { max-attempts = 2, initial-backoff = "1ms" }

[derive]
all = ["Eq", "Hash"]
schemas = { NewItem = ["schemars::JsonSchema"] }

[dependencies]
schemars = "1"
uuid = { version = "1", features = ["serde"] }

[replace.formats]
uuid = "uuid::Uuid"
ipv4 = "std::net::Ipv4Addr"

[rename.schemas]
item_record = "Item"

[rename.properties]
"item_record.sku_code" = "sku"

[rename.operations]
getItemsList = "list_items"
getItem = "fetch_item"

[operations]
exclude = { tags = ["admin"] }
"#;

#[test]
fn a_crate_generated_with_settings_end_to_end() {
    let spec = workspace_root().join("codegen/tests/fixtures/settings/inventory.yaml");
    let settings = Settings::parse("inventory", SETTINGS, "inventory.toml").unwrap();
    let dev = format!("{TOKIO}wiremock = \"0.6\"\nserde_json = \"1\"\nuuid = \"1\"\nschemars = \"1\"\n");
    run_e2e_with(&spec, settings, SETTINGS_TEST, &dev, 1);
}
