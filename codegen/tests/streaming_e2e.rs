//! One generated streaming operation driven end to end: the `streaming.yaml` construct
//! fixture (OpenAPI 3.1, OpenAI-style chat completions) is generated into a crate of its own,
//! with a test of that crate's `send_events()` against a local server that writes its events
//! in pieces, and `cargo test` runs it.
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

#[test]
fn a_generated_streaming_operation_end_to_end() {
    let root = workspace_root();
    let spec = std::fs::read_to_string(root.join("codegen/tests/fixtures/constructs/streaming.yaml")).unwrap();
    let generated = codegen::generate(&spec, "streaming.yaml", &Settings { stem: "streaming".into() }).unwrap();
    let dir = root.join("target/streaming-e2e");
    let _ = std::fs::remove_dir_all(&dir);
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut contents = file.contents.clone();
        if file.path == "Cargo.toml" {
            // A workspace of its own, with what its test needs.
            contents.push_str("\n[workspace]\n\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\", \"time\"] }\n");
        }
        std::fs::write(&path, contents).unwrap();
    }
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/e2e.rs"), E2E_TEST).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--quiet", "--offline", "--test", "e2e"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root.join("target/corpus-target"))
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo test in {} failed:\n{stdout}\n{stderr}", dir.display());
    assert!(stdout.contains("3 passed"), "{stdout}");
}
