//! What the generated client costs on top of the HTTP it sends.
//!
//! - `request/plain_reqwest` vs `request/generated_client`: the same GET, answered by the
//!   same loopback server, decoded into the same type. The difference is the client's own
//!   work per request: the builder, constraint checks, URL and header assembly, auth, the
//!   retry loop and the tracing span.
//! - `decode/tokens_page_10000`: decoding one page of 10,000 LaunchDarkly tokens.
//!
//! Run: `cargo bench -p wire-tests --bench client`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use launchdarkly_client::types::{Token, Tokens};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One token as the API sends it.
fn token_json(i: usize) -> serde_json::Value {
    serde_json::json!({
        "_id": format!("61095542756dba551110ae{i:02}"),
        "ownerId": "569f183514f4432160000007",
        "memberId": "569f183514f4432160000007",
        "name": format!("token-{i}"),
        "role": "reader",
        "token": "1234",
        "serviceToken": false,
        "defaultApiVersion": 20240415,
        "creationDate": 1628001602644i64,
        "lastModified": 1628001602644i64,
        "lastUsed": 1628001602644i64,
        "customRoleIds": [],
        "_links": {"self": {"href": format!("/api/v2/tokens/{i}"), "type": "application/json"}}
    })
}

/// A keep-alive HTTP/1.1 server on loopback that answers every request with `body`. Hand
/// written so that the server's own cost stays small next to the clients being compared.
fn serve(body: Vec<u8>) -> SocketAddr {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    let mut response = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
    response.extend_from_slice(&body);
    std::thread::spawn(move || {
        runtime.block_on(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { continue };
                let response = response.clone();
                tokio::spawn(async move {
                    let mut buffer = Vec::with_capacity(4096);
                    let mut chunk = [0u8; 4096];
                    loop {
                        // Requests here carry no body: a request ends at the blank line.
                        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let end = buffer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                        buffer.drain(..end);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    address
}

async fn plain_get(http: &reqwest::Client, url: &str) -> Token {
    let response = http
        .get(url)
        .header("authorization", "api-0123")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice::<Token>(&bytes).unwrap()
}

async fn generated_get(client: &launchdarkly_client::Client) -> Token {
    client.get_token().id("61095542756dba551110ae01").send().await.unwrap().into_inner()
}

async fn timed<T>(request: impl std::future::Future<Output = T>) -> Duration {
    let start = Instant::now();
    std::hint::black_box(request.await);
    start.elapsed()
}

fn request_overhead(c: &mut Criterion) {
    let body = serde_json::to_vec(&token_json(1)).unwrap();
    let address = serve(body);
    let base = format!("http://{address}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let http = reqwest::Client::new();
    let generated = launchdarkly_client::Client::builder()
        .base_url(&base)
        .api_key("api-0123")
        .http_client(http.clone())
        .build()
        .unwrap();
    let url = format!("{base}/api/v2/tokens/61095542756dba551110ae01");

    // Loopback round trips drift with scheduling and CPU frequency over a run, enough to
    // swamp a few percent. So both benchmarks run the same interleaved workload, one plain
    // request and one generated request, and each reports only its own side's time: the
    // two figures are measured under the same conditions.
    let mut group = c.benchmark_group("request");
    group.measurement_time(Duration::from_secs(15)).sample_size(100).warm_up_time(Duration::from_secs(3));
    for (name, measure_generated) in [("plain_reqwest", false), ("generated_client", true)] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter_custom(|iterations| {
                let (http, generated, url) = (&http, &generated, &url);
                async move {
                    let mut measured = Duration::ZERO;
                    for i in 0..iterations {
                        // Alternate which goes first, so neither always meets a warmer path.
                        let (plain, generated) = if i % 2 == 0 {
                            let plain = timed(plain_get(http, url)).await;
                            (plain, timed(generated_get(generated)).await)
                        } else {
                            let generated = timed(generated_get(generated)).await;
                            (timed(plain_get(http, url)).await, generated)
                        };
                        measured += if measure_generated { generated } else { plain };
                    }
                    measured
                }
            })
        });
    }
    group.finish();
}

fn decode_page(c: &mut Criterion) {
    let items: Vec<serde_json::Value> = (0..10_000).map(token_json).collect();
    let page = serde_json::to_vec(&serde_json::json!({"items": items, "totalCount": 10_000, "_links": {}})).unwrap();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("tokens_page_10000", |b| {
        b.iter(|| serde_json::from_slice::<Tokens>(&page).unwrap())
    });
    group.finish();
}

criterion_group!(benches, request_overhead, decode_page);
criterion_main!(benches);
