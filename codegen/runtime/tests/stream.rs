//! Streaming responses against a local server that writes its body in pieces, waiting for
//! the client between them: items arrive as they are written, not when the body ends.

use std::time::Duration;

use codegen_runtime::client::{ClientConfig, ClientCore};
use codegen_runtime::error::Error;
use codegen_runtime::request::RequestParts;
use codegen_runtime::stream::{self, Framing};
use futures::StreamExt;
use http::Method;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Debug, Deserialize, PartialEq)]
struct Chunk {
    delta: String,
}

/// Serves one response: the head, then each piece as a chunk; before the piece at
/// `wait_before`, it waits until `go` fires.
async fn serve(content_type: &'static str, pieces: Vec<&'static str>, wait_before: usize, go: oneshot::Receiver<()>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let _ = socket.read(&mut request).await.unwrap();
        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n");
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut go = Some(go);
        for (i, piece) in pieces.iter().enumerate() {
            if i == wait_before {
                if let Some(go) = go.take() {
                    go.await.unwrap();
                }
            }
            socket.write_all(format!("{:x}\r\n{piece}\r\n", piece.len()).as_bytes()).await.unwrap();
            socket.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        socket.write_all(b"0\r\n\r\n").await.unwrap();
    });
    format!("http://{address}")
}

fn streaming_get() -> RequestParts {
    let mut parts = RequestParts::new(Method::GET, "stream", "/events");
    parts.push_path("/events");
    parts.set_streaming(true);
    parts
}

#[tokio::test]
async fn server_sent_events_arrive_as_they_are_written() {
    let (go, wait) = oneshot::channel();
    let pieces = vec!["data: {\"delta\":\"Hel", "lo\"}\n", "\n: keep-alive\n\n", "data: {\"delta\":\"!\"}\r\n\r\ndata: [DONE]\n\n", "data: {\"delta\":\"after done\"}\n\n"];
    let base = serve("text/event-stream", pieces, 3, wait).await;
    let core = ClientCore::new(ClientConfig::new(base)).unwrap();
    let raw = core.execute(streaming_get()).await.unwrap();
    let mut events = stream::events::<Chunk, ()>(raw, Framing::ServerSentEvents).unwrap().into_inner();
    // The first event was split across two pieces; it comes before the server sends more.
    // (Were the body read whole, this would wait for ever: the timeout makes that a failure.)
    let first = tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("the first event before the rest is sent");
    assert_eq!(first.unwrap().unwrap(), Chunk { delta: "Hello".into() });
    go.send(()).unwrap();
    assert_eq!(events.next().await.unwrap().unwrap(), Chunk { delta: "!".into() });
    // `[DONE]` ends the stream, whatever follows it.
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn json_lines_are_decoded_one_by_one_and_a_bad_line_is_a_typed_error() {
    let (go, wait) = oneshot::channel();
    go.send(()).unwrap();
    let pieces = vec!["{\"delta\":\"a\"}\n{\"del", "ta\":\"b\"}\n\n", "not json\n", "{\"delta\":\"c\"}\n"];
    let base = serve("application/x-ndjson", pieces, 0, wait).await;
    let core = ClientCore::new(ClientConfig::new(base)).unwrap();
    let raw = core.execute(streaming_get()).await.unwrap();
    let items: Vec<Result<Chunk, Error<()>>> = stream::events::<Chunk, ()>(raw, Framing::JsonLines).unwrap().into_inner().collect().await;
    assert_eq!(items.len(), 3, "the stream ends at the bad line");
    assert_eq!(items[0].as_ref().unwrap().delta, "a");
    assert_eq!(items[1].as_ref().unwrap().delta, "b");
    match &items[2] {
        Err(Error::Decode { status, body, .. }) => {
            assert_eq!(*status, 200);
            assert_eq!(body.as_ref(), b"not json");
        }
        other => panic!("{other:?}"),
    }
}
