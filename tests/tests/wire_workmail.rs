//! End-to-end wire tests of the generated WorkMail client (`workmail-client`, AWS JSON 1.1
//! with SigV4) against a local wiremock server: `POST /` with `X-Amz-Target`, the exact JSON
//! body, a SigV4 signature that verifies (checked with an independent implementation below),
//! the spec's examples decoded (epoch-second timestamps), errors told apart by `__type` or
//! `X-Amzn-ErrorType` on HTTP 400, bad responses, client-side validation and redaction.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};
use wiremock::matchers::{header as header_is, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use workmail_client::errors::{
    DeletePersonalAccessTokenError, GetPersonalAccessTokenMetadataError,
    ListPersonalAccessTokensError,
};
use workmail_client::{types, Client, Error, RetryPolicy};

const AKID: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "FQoGZXIvYXdzEXAMPLE-session-s3cr3t";
const REGION: &str = "eu-west-1";
const ORG: &str = "m-0123456789abcdef0123456789abcdef";
const TOKEN_ID: &str = "3f2b1c9e-8d7a-4b6c-9e5f-0a1b2c3d4e5f";
const USER_ID: &str = "S-1-1-11-1111111111-2222222222-3333333333-3333";
const AMZ_JSON: &str = "application/x-amz-json-1.1";

const LIST: &str = "ListPersonalAccessTokens";
const GET: &str = "GetPersonalAccessTokenMetadata";
const DELETE: &str = "DeletePersonalAccessToken";

/// The headers a JSON 1.1 request is signed over, without and with a session token.
const SIGNED_HEADERS: &str = "content-length;content-type;host;x-amz-date;x-amz-target";
const SIGNED_HEADERS_WITH_TOKEN: &str =
    "content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target";

// ----------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------

fn spec() -> Value {
    wire_tests::spec("workmail")
}

fn spec_path(operation: &str) -> String {
    format!("/#X-Amz-Target=WorkMailService.{operation}")
}

fn responses_pointer(operation: &str) -> String {
    format!(
        "/paths/{}/post/responses",
        spec_path(operation).replace('~', "~0").replace('/', "~1")
    )
}

fn success_example(spec: &Value, operation: &str) -> Value {
    wire_tests::response_example(spec, &spec_path(operation), "post", "200", AMZ_JSON)
}

fn request_example(spec: &Value, operation: &str) -> Value {
    wire_tests::request_example(spec, &spec_path(operation), "post", AMZ_JSON)
}

/// Every documented error of an operation: (made-up status key, error code, example body).
fn documented_errors(spec: &Value, operation: &str) -> Vec<(String, String, Value)> {
    let pointer = responses_pointer(operation);
    let responses = wire_tests::at(spec, &pointer);
    let mut out = Vec::new();
    for status in responses.as_object().expect("responses map").keys() {
        if status.starts_with('2') {
            continue;
        }
        let response = wire_tests::at(spec, &format!("{pointer}/{status}"));
        let code = response["x-error-code"]
            .as_str()
            .expect("x-error-code")
            .to_owned();
        assert_eq!(
            response["description"].as_str(),
            Some(code.as_str()),
            "APIs.guru convention"
        );
        let example =
            wire_tests::response_example(spec, &spec_path(operation), "post", status, AMZ_JSON);
        out.push((status.clone(), code, example));
    }
    assert!(!out.is_empty());
    out
}

fn builder(server: &MockServer) -> workmail_client::ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .region(REGION)
        .aws_credentials(AKID, SECRET_KEY)
}

/// A client with retries off, so that every test sees exactly one request per call.
fn client(server: &MockServer) -> Client {
    builder(server)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

fn utc_millis(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
        + chrono::Duration::milliseconds(ms)
}

fn utc(y: i32, mo: u32, d: u32) -> DateTime<Utc> {
    utc_millis(y, mo, d, 0, 0, 0, 0)
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}

async fn request_count(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .len()
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values.next()?;
    assert!(
        values.next().is_none(),
        "header {name} was sent more than once"
    );
    Some(first.to_str().expect("header is text"))
}

/// A mock answering one operation (matched by method, path and target).
fn operation_mock(operation: &str, response: ResponseTemplate) -> Mock {
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header_is(
            "x-amz-target",
            format!("WorkMailService.{operation}").as_str(),
        ))
        .respond_with(response)
}

fn amz_json(status: u16, body: &Value) -> ResponseTemplate {
    wire_tests::json_response(status, body, AMZ_JSON)
}

/// Everything an AWS JSON 1.1 request of `operation` must be, byte for byte where it counts.
fn assert_aws_request(
    request: &Request,
    operation: &str,
    expected_body: &Value,
    session_token: Option<&str>,
    region: &str,
) {
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/");
    assert_eq!(request.url.query(), None, "no query string");
    assert_eq!(
        header(request, "x-amz-target"),
        Some(format!("WorkMailService.{operation}").as_str())
    );
    assert_eq!(header(request, "content-type"), Some(AMZ_JSON));
    let body: Value = serde_json::from_slice(&request.body).expect("the body is JSON");
    assert_eq!(&body, expected_body, "exact request body");
    assert_eq!(
        header(request, "content-length"),
        Some(request.body.len().to_string().as_str())
    );
    assert_eq!(header(request, "x-amz-security-token"), session_token);

    // X-Amz-Date: basic ISO 8601, UTC, close to now.
    let amz_date = header(request, "x-amz-date").expect("X-Amz-Date");
    let signed_at = NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|e| panic!("X-Amz-Date {amz_date:?}: {e}"))
        .and_utc();
    let skew = (Utc::now() - signed_at).num_seconds().abs();
    assert!(skew < 300, "X-Amz-Date {amz_date} is {skew}s away from now");

    // Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...
    let authorization = header(request, "authorization").expect("Authorization");
    let parsed = parse_authorization(authorization);
    assert_eq!(
        parsed.credential,
        format!("{AKID}/{}/{region}/workmail/aws4_request", &amz_date[..8]),
        "credential scope"
    );
    let expected_signed = if session_token.is_some() {
        SIGNED_HEADERS_WITH_TOKEN
    } else {
        SIGNED_HEADERS
    };
    assert_eq!(parsed.signed_headers, expected_signed);
    for required in ["host", "x-amz-date", "x-amz-target"] {
        assert!(
            parsed.signed_headers.split(';').any(|h| h == required),
            "{required} must be signed"
        );
    }
    assert_eq!(parsed.signature.len(), 64);
    assert!(parsed
        .signature
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));

    // The signature verifies against what actually went over the wire.
    let expected = sigv4::signature(
        SECRET_KEY,
        request.method.as_str(),
        request.url.path(),
        request.url.query().unwrap_or(""),
        &parsed
            .signed_headers
            .split(';')
            .map(|name| (name, header_values(request, name)))
            .collect::<Vec<_>>(),
        &request.body,
        amz_date,
        &format!("{}/{region}/workmail/aws4_request", &amz_date[..8]),
    );
    assert_eq!(
        parsed.signature, expected,
        "the SigV4 signature does not verify"
    );
}

fn header_values(request: &Request, name: &str) -> String {
    let values: Vec<&str> = request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("header is text"))
        .collect();
    assert!(!values.is_empty(), "signed header {name} was not sent");
    values.join(",")
}

struct Authorization {
    credential: String,
    signed_headers: String,
    signature: String,
}

fn parse_authorization(value: &str) -> Authorization {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .unwrap_or_else(|| panic!("Authorization must start with `AWS4-HMAC-SHA256 `: {value}"));
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        let (key, val) = part
            .split_once('=')
            .unwrap_or_else(|| panic!("bad Authorization part {part:?}"));
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => panic!("unexpected Authorization part {other}"),
        };
        assert!(slot.is_none(), "{key} given twice");
        *slot = Some(val.to_owned());
    }
    Authorization {
        credential: credential.expect("Credential"),
        signed_headers: signed_headers.expect("SignedHeaders"),
        signature: signature.expect("Signature"),
    }
}

fn assert_validation<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, Error<E>>,
    field_hint: &str,
) {
    let err = result.expect_err("the request must be refused");
    assert!(
        err.is_validation(),
        "expected a validation error, got {err:?}"
    );
    assert_eq!(err.status(), None);
    assert!(err.api_error().is_none());
    assert_eq!(err.attempts(), 0);
    match &err {
        Error::Validation(v) => assert!(
            v.field.contains(field_hint) || v.message.contains(field_hint),
            "validation error should name `{field_hint}`: {v:?}"
        ),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

/// An error body as the generated types hold it: `(code, Message, __type)`.
type ErrorParts = (&'static str, Option<String>, Option<String>);

fn list_error(e: &ListPersonalAccessTokensError) -> ErrorParts {
    use ListPersonalAccessTokensError as E;
    match e {
        E::InvalidParameterException(b) => (
            "InvalidParameterException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::EntityNotFoundException(b) => (
            "EntityNotFoundException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::EntityStateException(b) => ("EntityStateException", b.message.clone(), b.type_.clone()),
        E::OrganizationNotFoundException(b) => (
            "OrganizationNotFoundException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::OrganizationStateException(b) => (
            "OrganizationStateException",
            b.message.clone(),
            b.type_.clone(),
        ),
        // The enums are `#[non_exhaustive]`: a later spec may document more errors.
        other => panic!("not an error of this operation: {other:?}"),
    }
}

fn get_error(e: &GetPersonalAccessTokenMetadataError) -> ErrorParts {
    use GetPersonalAccessTokenMetadataError as E;
    match e {
        E::InvalidParameterException(b) => (
            "InvalidParameterException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::ResourceNotFoundException(b) => (
            "ResourceNotFoundException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::OrganizationNotFoundException(b) => (
            "OrganizationNotFoundException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::OrganizationStateException(b) => (
            "OrganizationStateException",
            b.message.clone(),
            b.type_.clone(),
        ),
        // The enums are `#[non_exhaustive]`: a later spec may document more errors.
        other => panic!("not an error of this operation: {other:?}"),
    }
}

fn delete_error(e: &DeletePersonalAccessTokenError) -> ErrorParts {
    use DeletePersonalAccessTokenError as E;
    match e {
        E::InvalidParameterException(b) => (
            "InvalidParameterException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::OrganizationNotFoundException(b) => (
            "OrganizationNotFoundException",
            b.message.clone(),
            b.type_.clone(),
        ),
        E::OrganizationStateException(b) => (
            "OrganizationStateException",
            b.message.clone(),
            b.type_.clone(),
        ),
        // The enums are `#[non_exhaustive]`: a later spec may document more errors.
        other => panic!("not an error of this operation: {other:?}"),
    }
}

/// The ways an AWS JSON server names an error, all on HTTP 400: returns the response and the
/// `__type` the decoded body should hold.
fn error_forms(
    code: &str,
    example: &Value,
) -> Vec<(&'static str, ResponseTemplate, Option<String>)> {
    let message = example["Message"].clone();
    let namespaced = format!("com.amazonaws.workmail#{code}");
    vec![
        (
            "body __type (the spec example)",
            amz_json(400, example),
            Some(code.to_owned()),
        ),
        (
            "body __type with a namespace prefix",
            amz_json(400, &json!({"__type": namespaced, "Message": message})),
            Some(namespaced.clone()),
        ),
        (
            "X-Amzn-ErrorType header with a URI suffix, body without __type",
            amz_json(400, &json!({"Message": message})).insert_header(
                "X-Amzn-ErrorType",
                format!("{code}:http://internal.amazon.com/coral/com.amazonaws.workmail/"),
            ),
            None,
        ),
        (
            "X-Amzn-ErrorType header with a namespace prefix, body with the same __type",
            amz_json(400, example).insert_header("X-Amzn-ErrorType", namespaced.as_str()),
            Some(code.to_owned()),
        ),
    ]
}

// ----------------------------------------------------------------------------------------
// The SigV4 verifier itself (an independent implementation: SHA-256, HMAC, canonical request)
// ----------------------------------------------------------------------------------------

mod sigv4 {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub fn sha256(data: &[u8]) -> [u8; 32] {
        let mut h: [u32; 8] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
            0x5be0cd19,
        ];
        let mut message = data.to_vec();
        message.push(0x80);
        while message.len() % 64 != 56 {
            message.push(0);
        }
        message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
        for block in message.chunks(64) {
            let mut w = [0u32; 64];
            for i in 0..16 {
                w[i] = u32::from_be_bytes([
                    block[4 * i],
                    block[4 * i + 1],
                    block[4 * i + 2],
                    block[4 * i + 3],
                ]);
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
            for i in 0..64 {
                let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
                let ch = (e & f) ^ (!e & g);
                let t1 = hh
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(K[i])
                    .wrapping_add(w[i]);
                let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
                let maj = (a & b) ^ (a & c) ^ (b & c);
                let t2 = s0.wrapping_add(maj);
                hh = g;
                g = f;
                f = e;
                e = d.wrapping_add(t1);
                d = c;
                c = b;
                b = a;
                a = t1.wrapping_add(t2);
            }
            for (slot, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
                *slot = slot.wrapping_add(v);
            }
        }
        let mut out = [0u8; 32];
        for (i, word) in h.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    pub fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&sha256(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
        inner.extend_from_slice(message);
        let mut outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
        outer.extend_from_slice(&sha256(&inner));
        sha256(&outer)
    }

    pub fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The SigV4 signature of a request whose path and query are already canonical (as they
    /// are for `POST /`), over `headers` (lower-case names, in signing order).
    #[allow(clippy::too_many_arguments)]
    pub fn signature(
        secret: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, String)],
        body: &[u8],
        amz_date: &str,
        scope: &str,
    ) -> String {
        let mut canonical = format!("{method}\n{path}\n{query}\n");
        for (name, value) in headers {
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            canonical.push_str(&format!("{name}:{value}\n"));
        }
        let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        canonical.push_str(&format!("\n{}\n{}", names.join(";"), hex(&sha256(body))));
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(&sha256(canonical.as_bytes()))
        );
        let mut parts = scope.split('/');
        let (date, region, service) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        let k_signing = hmac(&k_service, b"aws4_request");
        hex(&hmac(&k_signing, string_to_sign.as_bytes()))
    }
}

#[test]
fn the_sigv4_verifier_passes_known_answers() {
    assert_eq!(
        sigv4::hex(&sigv4::sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sigv4::hex(&sigv4::sha256(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    // RFC 4231 test case 2.
    assert_eq!(
        sigv4::hex(&sigv4::hmac(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // `get-vanilla` from the AWS SigV4 test suite.
    assert_eq!(
        sigv4::signature(
            SECRET_KEY,
            "GET",
            "/",
            "",
            &[
                ("host", "example.amazonaws.com".to_owned()),
                ("x-amz-date", "20150830T123600Z".to_owned())
            ],
            b"",
            "20150830T123600Z",
            "20150830/us-east-1/service/aws4_request",
        ),
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
}

// ----------------------------------------------------------------------------------------
// Client construction and secrets
// ----------------------------------------------------------------------------------------

#[test]
fn default_base_url_comes_from_the_region() {
    let client = Client::builder()
        .region("eu-west-1")
        .aws_credentials(AKID, SECRET_KEY)
        .build()
        .unwrap();
    assert_eq!(
        client.base_url(),
        "https://workmail.eu-west-1.amazonaws.com"
    );
    let client = Client::builder()
        .aws_credentials(AKID, SECRET_KEY)
        .build()
        .unwrap();
    assert_eq!(
        client.base_url(),
        "https://workmail.us-east-1.amazonaws.com"
    );
    // A region that would change the host is refused, not spliced into the URL.
    assert!(Client::builder().region("evil.com/x").build().is_err());
}

#[test]
fn client_debug_hides_the_credentials() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .region(REGION)
        .aws_credentials(AKID, SECRET_KEY)
        .aws_session_token(SESSION_TOKEN)
        .build()
        .unwrap();
    for text in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(
            !text.contains(SECRET_KEY),
            "Debug leaks the secret access key: {text}"
        );
        assert!(
            !text.contains("EXAMPLEKEY"),
            "Debug leaks part of the secret access key: {text}"
        );
        assert!(
            !text.contains(SESSION_TOKEN),
            "Debug leaks the session token: {text}"
        );
    }
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug>() {}
    assert_traits::<Client>();
}

// ----------------------------------------------------------------------------------------
// ListPersonalAccessTokens
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn list_sends_a_signed_json_request_and_decodes_the_example() {
    let spec = spec();
    let example = success_example(&spec, LIST);
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &example))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_personal_access_tokens()
        .organization_id(ORG)
        .user_id(USER_ID)
        .max_results(25)
        .next_token("AAIAAbQ9")
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_aws_request(
        &request,
        LIST,
        &json!({"OrganizationId": ORG, "UserId": USER_ID, "MaxResults": 25, "NextToken": "AAIAAbQ9"}),
        None,
        REGION,
    );

    assert_eq!(page.status(), 200);
    assert_eq!(
        page.next_token.as_deref(),
        Some("AAIAAbQ9EXAMPLEnextTokenZm9vYmFyYmF6")
    );
    let summaries = page
        .personal_access_token_summaries
        .as_ref()
        .expect("summaries");
    assert_eq!(summaries.len(), 2);

    let first = &summaries[0];
    assert_eq!(first.personal_access_token_id.as_deref(), Some(TOKEN_ID));
    assert_eq!(first.user_id.as_deref(), Some(USER_ID));
    assert_eq!(first.name.as_deref(), Some("Thunderbird on laptop"));
    assert_eq!(first.date_created, Some(utc(2024, 1, 1)));
    assert_eq!(
        first.date_last_used,
        Some(utc_millis(2024, 2, 1, 0, 0, 0, 527))
    );
    assert_eq!(first.expires_time, Some(utc(2025, 1, 1)));
    assert_eq!(
        first.scopes,
        Some(vec!["IMAP".to_owned(), "SMTP".to_owned()])
    );

    let second = &summaries[1];
    assert_eq!(
        second.personal_access_token_id.as_deref(),
        Some("7c6d5e4f-3a2b-4c1d-8e9f-a0b1c2d3e4f5")
    );
    assert_eq!(second.user_id.as_deref(), Some(USER_ID));
    assert_eq!(second.name.as_deref(), Some("Phone mail app"));
    assert_eq!(
        second.date_created,
        Some(utc_millis(2024, 3, 1, 0, 0, 0, 250))
    );
    assert_eq!(second.date_last_used, None);
    assert_eq!(
        second.expires_time,
        Some(utc_millis(2025, 3, 1, 0, 0, 0, 250))
    );
    assert_eq!(second.scopes, Some(vec!["EWS".to_owned()]));

    let expected: types::ListPersonalAccessTokensResponse =
        serde_json::from_value(example).unwrap();
    assert_eq!(page.into_inner(), expected);
}

#[tokio::test]
async fn list_with_only_the_organization_sends_only_it() {
    let server = MockServer::start().await;
    operation_mock(
        LIST,
        amz_json(200, &json!({"PersonalAccessTokenSummaries": []})),
    )
    .mount(&server)
    .await;

    let page = client(&server)
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    assert_eq!(page.personal_access_token_summaries, Some(vec![]));
    assert_eq!(page.next_token, None);

    let request = only_request(&server).await;
    assert_aws_request(
        &request,
        LIST,
        &json!({"OrganizationId": ORG}),
        None,
        REGION,
    );
}

#[tokio::test]
async fn list_with_the_spec_request_example_as_body() {
    let spec = spec();
    let request_example = request_example(&spec, LIST);
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &success_example(&spec, LIST)))
        .mount(&server)
        .await;

    let body: types::ListPersonalAccessTokensRequest =
        serde_json::from_value(request_example.clone()).unwrap();
    client(&server)
        .list_personal_access_tokens()
        .body(body)
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_aws_request(&request, LIST, &request_example, None, REGION);
}

#[tokio::test]
async fn list_with_a_session_token_sends_and_signs_it() {
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &json!({})))
        .mount(&server)
        .await;
    let client = builder(&server)
        .aws_session_token(SESSION_TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_aws_request(
        &request,
        LIST,
        &json!({"OrganizationId": ORG}),
        Some(SESSION_TOKEN),
        REGION,
    );
}

#[tokio::test]
async fn list_signs_with_the_default_region_when_none_is_given() {
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &json!({})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .aws_credentials(AKID, SECRET_KEY)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_aws_request(
        &request,
        LIST,
        &json!({"OrganizationId": ORG}),
        None,
        "us-east-1",
    );
}

#[tokio::test]
async fn list_decodes_every_documented_error_in_every_form() {
    let spec = spec();
    let server = MockServer::start().await;
    for (status_key, code, example) in documented_errors(&spec, LIST) {
        for (form, response, expected_type) in error_forms(&code, &example) {
            server.reset().await;
            operation_mock(LIST, response).mount(&server).await;

            let err = client(&server)
                .list_personal_access_tokens()
                .organization_id(ORG)
                .send()
                .await
                .unwrap_err();

            let what = format!("{code} (spec status {status_key}), {form}");
            assert_eq!(err.status(), Some(400), "{what}");
            let api = err
                .api_error()
                .unwrap_or_else(|| panic!("{what}: expected a documented error, got {err:?}"));
            let message = example["Message"].as_str().map(str::to_owned);
            assert_eq!(
                list_error(api),
                (code_static(&code), message, expected_type),
                "{what}"
            );
            assert_eq!(err.attempts(), 1);
            assert_eq!(request_count(&server).await, 1, "{what}");
        }
    }
}

#[tokio::test]
async fn list_undocumented_status_and_bad_bodies() {
    let server = MockServer::start().await;
    operation_mock(LIST, ResponseTemplate::new(418).set_body_string("teapot"))
        .mount(&server)
        .await;
    let err = client(&server)
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());
    assert_eq!(err.body(), Some(&b"teapot"[..]));

    let bodies: [&[u8]; 6] = [
        br#"{"PersonalAccessTokenSummaries": "nope"}"#, // wrong type
        br#"{"PersonalAccessTokenSummaries": [{"DateCreated": "yesterday"}]}"#, // timestamp as a string
        br#"{"PersonalAccessTokenSummaries": [{"Scopes": "IMAP"}]}"#,           // wrong type
        br#"{"NextToken": 5}"#,                                                 // wrong type
        br#"{"PersonalAccessTokenSummaries": [{"Name": "x""#,                   // truncated
        b"<html>",                                                              // not JSON
    ];
    for body in bodies {
        server.reset().await;
        operation_mock(
            LIST,
            ResponseTemplate::new(200).set_body_raw(body.to_vec(), AMZ_JSON),
        )
        .mount(&server)
        .await;
        let err = client(&server)
            .list_personal_access_tokens()
            .organization_id(ORG)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Decode { status: 200, .. }),
            "body {:?}: expected a decode error, got {err:?}",
            String::from_utf8_lossy(body)
        );
        assert!(err.api_error().is_none());
    }
}

#[tokio::test]
async fn list_empty_success_body_reads_as_an_empty_structure() {
    // Every member of the output is optional, and the AWS SDKs (botocore, smithy-rs) read an
    // empty AWS JSON body as `{}`; so does the generated client.
    let server = MockServer::start().await;
    operation_mock(LIST, ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let page = client(&server)
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.into_inner(),
        types::ListPersonalAccessTokensResponse::default()
    );
}

#[tokio::test]
async fn list_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(
        c.list_personal_access_tokens().send().await,
        "OrganizationId",
    );
    assert_validation(
        c.list_personal_access_tokens().max_results(5).send().await,
        "OrganizationId",
    );
    for bad_org in [
        "m-0123456789ABCDEF0123456789ABCDEF",  // upper case
        "m-0123456789abcdef0123456789abcde",   // 33 characters
        "m-0123456789abcdef0123456789abcdef0", // 35 characters
        "x-0123456789abcdef0123456789abcdef",  // wrong prefix
        "m-0123456789abcdef0123456789abcdeg",  // not hex
        "",
    ] {
        assert_validation(
            c.list_personal_access_tokens()
                .organization_id(bad_org)
                .send()
                .await,
            "organization_id",
        );
    }
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .max_results(0)
            .send()
            .await,
        "max_results",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .max_results(101)
            .send()
            .await,
        "max_results",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .max_results(-1)
            .send()
            .await,
        "max_results",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .next_token("")
            .send()
            .await,
        "next_token",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .next_token("n".repeat(1025))
            .send()
            .await,
        "next_token",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .user_id("")
            .send()
            .await,
        "user_id",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .user_id("u".repeat(257))
            .send()
            .await,
        "user_id",
    );
    assert_validation(
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .user_id("!!!")
            .send()
            .await,
        "user_id",
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );

    // The boundaries themselves are allowed.
    operation_mock(LIST, amz_json(200, &json!({})))
        .mount(&server)
        .await;
    for max in [1, 100] {
        c.list_personal_access_tokens()
            .organization_id(ORG)
            .max_results(max)
            .send()
            .await
            .unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body_json::<Value>().unwrap(),
        json!({"OrganizationId": ORG, "MaxResults": 1})
    );
    assert_eq!(
        requests[1].body_json::<Value>().unwrap(),
        json!({"OrganizationId": ORG, "MaxResults": 100})
    );
}

#[tokio::test]
async fn list_is_retried_on_a_transient_5xx_and_each_attempt_is_signed_afresh() {
    // `x-idempotent: true`: a 503 may be retried even though the method is POST.
    let server = MockServer::start().await;
    operation_mock(LIST, ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    operation_mock(LIST, amz_json(200, &json!({"NextToken": "t"})))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();

    let page = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    assert_eq!(page.next_token.as_deref(), Some("t"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_aws_request(request, LIST, &json!({"OrganizationId": ORG}), None, REGION);
    }
}

// ----------------------------------------------------------------------------------------
// GetPersonalAccessTokenMetadata
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn get_sends_a_signed_json_request_and_decodes_the_example() {
    let spec = spec();
    let example = success_example(&spec, GET);
    let server = MockServer::start().await;
    operation_mock(GET, amz_json(200, &example))
        .expect(1)
        .mount(&server)
        .await;

    let token = client(&server)
        .get_personal_access_token_metadata()
        .organization_id(ORG)
        .personal_access_token_id(TOKEN_ID)
        .send()
        .await
        .unwrap();

    let request = only_request(&server).await;
    let expected_body = json!({"OrganizationId": ORG, "PersonalAccessTokenId": TOKEN_ID});
    assert_eq!(
        expected_body,
        request_example(&spec, GET),
        "the spec's request example"
    );
    assert_aws_request(&request, GET, &expected_body, None, REGION);

    assert_eq!(token.status(), 200);
    assert_eq!(token.personal_access_token_id.as_deref(), Some(TOKEN_ID));
    assert_eq!(token.user_id.as_deref(), Some(USER_ID));
    assert_eq!(token.name.as_deref(), Some("Thunderbird on laptop"));
    assert_eq!(token.date_created, Some(utc(2024, 1, 1)));
    assert_eq!(
        token.date_last_used,
        Some(utc_millis(2024, 2, 1, 0, 0, 0, 527))
    );
    assert_eq!(token.expires_time, Some(utc(2025, 1, 1)));
    assert_eq!(
        token.scopes,
        Some(vec!["IMAP".to_owned(), "SMTP".to_owned()])
    );

    let expected: types::GetPersonalAccessTokenMetadataResponse =
        serde_json::from_value(example).unwrap();
    assert_eq!(token.into_inner(), expected);
}

#[tokio::test]
async fn get_with_the_spec_request_example_as_body() {
    let spec = spec();
    let request_example = request_example(&spec, GET);
    let server = MockServer::start().await;
    operation_mock(GET, amz_json(200, &success_example(&spec, GET)))
        .mount(&server)
        .await;

    let body: types::GetPersonalAccessTokenMetadataRequest =
        serde_json::from_value(request_example.clone()).unwrap();
    client(&server)
        .get_personal_access_token_metadata()
        .body(body)
        .send()
        .await
        .unwrap();

    assert_aws_request(
        &only_request(&server).await,
        GET,
        &request_example,
        None,
        REGION,
    );
}

#[tokio::test]
async fn get_decodes_every_documented_error_in_every_form() {
    let spec = spec();
    let server = MockServer::start().await;
    for (status_key, code, example) in documented_errors(&spec, GET) {
        for (form, response, expected_type) in error_forms(&code, &example) {
            server.reset().await;
            operation_mock(GET, response).mount(&server).await;

            let err = client(&server)
                .get_personal_access_token_metadata()
                .organization_id(ORG)
                .personal_access_token_id(TOKEN_ID)
                .send()
                .await
                .unwrap_err();

            let what = format!("{code} (spec status {status_key}), {form}");
            assert_eq!(err.status(), Some(400), "{what}");
            let api = err
                .api_error()
                .unwrap_or_else(|| panic!("{what}: expected a documented error, got {err:?}"));
            let message = example["Message"].as_str().map(str::to_owned);
            assert_eq!(
                get_error(api),
                (code_static(&code), message, expected_type),
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn get_undocumented_status_and_bad_bodies() {
    let server = MockServer::start().await;
    operation_mock(GET, ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_personal_access_token_metadata()
        .organization_id(ORG)
        .personal_access_token_id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());

    let bodies: [&[u8]; 5] = [
        br#"{"DateCreated": "2024-01-01T00:00:00Z"}"#, // RFC 3339 where epoch seconds are documented
        br#"{"DateLastUsed": true}"#,                  // wrong type
        br#"{"Scopes": [1, 2]}"#,                      // wrong item type
        br#"{"Name": "x", "#,                          // truncated
        br#""Name""#,                                  // a string, not an object
    ];
    for body in bodies {
        server.reset().await;
        operation_mock(
            GET,
            ResponseTemplate::new(200).set_body_raw(body.to_vec(), AMZ_JSON),
        )
        .mount(&server)
        .await;
        let err = client(&server)
            .get_personal_access_token_metadata()
            .organization_id(ORG)
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Decode { status: 200, .. }),
            "body {:?}: expected a decode error, got {err:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[tokio::test]
async fn get_array_body_is_a_decode_error_not_a_positional_struct() {
    // An AWS JSON output is a JSON object. serde's derive also accepts a JSON array for a
    // struct, filling the fields by position, so `[1704067200, null, null, "x"]` would
    // "decode" as a token created on 2024-01-01 named "x".
    let server = MockServer::start().await;
    for body in [br#"[1704067200, null, null, "x"]"#, &b"[]"[..]] {
        server.reset().await;
        operation_mock(
            GET,
            ResponseTemplate::new(200).set_body_raw(body.to_vec(), AMZ_JSON),
        )
        .mount(&server)
        .await;
        let result = client(&server)
            .get_personal_access_token_metadata()
            .organization_id(ORG)
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await;
        assert!(
            matches!(result, Err(Error::Decode { status: 200, .. })),
            "body {:?}: expected a decode error, got {result:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[tokio::test]
async fn get_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(
        c.get_personal_access_token_metadata()
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await,
        "OrganizationId",
    );
    assert_validation(
        c.get_personal_access_token_metadata()
            .organization_id(ORG)
            .send()
            .await,
        "PersonalAccessTokenId",
    );
    assert_validation(
        c.get_personal_access_token_metadata()
            .organization_id("m-123")
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await,
        "organization_id",
    );
    for bad_id in [String::new(), "t".repeat(65), "!!!".to_owned()] {
        assert_validation(
            c.get_personal_access_token_metadata()
                .organization_id(ORG)
                .personal_access_token_id(bad_id)
                .send()
                .await,
            "personal_access_token_id",
        );
    }
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );
}

// ----------------------------------------------------------------------------------------
// DeletePersonalAccessToken
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_sends_a_signed_json_request_and_accepts_the_example() {
    let spec = spec();
    let example = success_example(&spec, DELETE);
    assert_eq!(example, json!({}));
    let server = MockServer::start().await;
    operation_mock(DELETE, amz_json(200, &example))
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server)
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id(TOKEN_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let () = response.into_inner();

    let request = only_request(&server).await;
    let expected_body = json!({"OrganizationId": ORG, "PersonalAccessTokenId": TOKEN_ID});
    assert_eq!(
        expected_body,
        request_example(&spec, DELETE),
        "the spec's request example"
    );
    assert_aws_request(&request, DELETE, &expected_body, None, REGION);
}

#[tokio::test]
async fn delete_with_the_spec_request_example_as_body_and_a_session_token() {
    let spec = spec();
    let request_example = request_example(&spec, DELETE);
    let server = MockServer::start().await;
    operation_mock(DELETE, amz_json(200, &json!({})))
        .mount(&server)
        .await;
    let client = builder(&server)
        .aws_session_token(SESSION_TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    let body: types::DeletePersonalAccessTokenRequest =
        serde_json::from_value(request_example.clone()).unwrap();
    client
        .delete_personal_access_token()
        .body(body)
        .send()
        .await
        .unwrap();

    assert_aws_request(
        &only_request(&server).await,
        DELETE,
        &request_example,
        Some(SESSION_TOKEN),
        REGION,
    );
}

#[tokio::test]
async fn delete_accepts_an_empty_body_and_an_empty_object() {
    let server = MockServer::start().await;
    for template in [
        ResponseTemplate::new(200),
        ResponseTemplate::new(200).set_body_raw(b"".to_vec(), AMZ_JSON),
        ResponseTemplate::new(200).set_body_raw(b"{}".to_vec(), AMZ_JSON),
    ] {
        server.reset().await;
        operation_mock(DELETE, template).mount(&server).await;
        let response = client(&server)
            .delete_personal_access_token()
            .organization_id(ORG)
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn delete_decodes_every_documented_error_in_every_form() {
    let spec = spec();
    let server = MockServer::start().await;
    for (status_key, code, example) in documented_errors(&spec, DELETE) {
        for (form, response, expected_type) in error_forms(&code, &example) {
            server.reset().await;
            operation_mock(DELETE, response).mount(&server).await;

            let err = client(&server)
                .delete_personal_access_token()
                .organization_id(ORG)
                .personal_access_token_id(TOKEN_ID)
                .send()
                .await
                .unwrap_err();

            let what = format!("{code} (spec status {status_key}), {form}");
            assert_eq!(err.status(), Some(400), "{what}");
            let api = err
                .api_error()
                .unwrap_or_else(|| panic!("{what}: expected a documented error, got {err:?}"));
            let message = example["Message"].as_str().map(str::to_owned);
            assert_eq!(
                delete_error(api),
                (code_static(&code), message, expected_type),
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn delete_error_signalled_by_header_alone_with_an_empty_body() {
    let server = MockServer::start().await;
    operation_mock(
        DELETE,
        ResponseTemplate::new(400).insert_header("X-Amzn-ErrorType", "OrganizationStateException"),
    )
    .mount(&server)
    .await;
    let err = client(&server)
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id(TOKEN_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        delete_error(err.api_error().expect("documented")),
        ("OrganizationStateException", None, None)
    );
}

#[tokio::test]
async fn delete_undocumented_status_and_codes() {
    let server = MockServer::start().await;
    let send = |server: &MockServer| {
        client(server)
            .delete_personal_access_token()
            .organization_id(ORG)
            .personal_access_token_id(TOKEN_ID)
            .send()
    };

    operation_mock(DELETE, ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let err = send(&server).await.unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 418, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(418));
    assert!(err.api_error().is_none());

    // A 400 whose code this operation does not document (another operation's error, or a
    // brand-new one) is not forced into a documented variant.
    for code in [
        "ResourceNotFoundException",
        "EntityNotFoundException",
        "SomethingNewException",
    ] {
        server.reset().await;
        operation_mock(
            DELETE,
            amz_json(400, &json!({"__type": code, "Message": "m"})),
        )
        .mount(&server)
        .await;
        let err = send(&server).await.unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedStatus { status: 400, .. }),
            "{code}: {err:?}"
        );
        assert_eq!(err.status(), Some(400));
        assert!(err.api_error().is_none(), "{code}");
    }

    // A documented code with a body that does not fit the error shape.
    server.reset().await;
    operation_mock(
        DELETE,
        amz_json(
            400,
            &json!({"__type": "InvalidParameterException", "Message": 42}),
        ),
    )
    .mount(&server)
    .await;
    let err = send(&server).await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 400, .. }), "{err:?}");
    assert!(err.api_error().is_none());
}

#[tokio::test]
async fn delete_validation_happens_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert_validation(
        c.delete_personal_access_token().send().await,
        "OrganizationId",
    );
    assert_validation(
        c.delete_personal_access_token()
            .organization_id(ORG)
            .send()
            .await,
        "PersonalAccessTokenId",
    );
    assert_validation(
        c.delete_personal_access_token()
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await,
        "OrganizationId",
    );
    assert_validation(
        c.delete_personal_access_token()
            .organization_id("M-0123456789abcdef0123456789abcdef")
            .personal_access_token_id(TOKEN_ID)
            .send()
            .await,
        "organization_id",
    );
    for bad_id in [String::new(), "t".repeat(65), "***".to_owned()] {
        assert_validation(
            c.delete_personal_access_token()
                .organization_id(ORG)
                .personal_access_token_id(bad_id)
                .send()
                .await,
            "personal_access_token_id",
        );
    }
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing may reach the server"
    );

    // The longest id is allowed.
    operation_mock(DELETE, ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let id = "t".repeat(64);
    c.delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id(id.as_str())
        .send()
        .await
        .unwrap();
    assert_aws_request(
        &only_request(&server).await,
        DELETE,
        &json!({"OrganizationId": ORG, "PersonalAccessTokenId": id}),
        None,
        REGION,
    );
}

/// The error code as the `&'static str` the per-operation helpers return.
fn code_static(code: &str) -> &'static str {
    [
        "InvalidParameterException",
        "EntityNotFoundException",
        "EntityStateException",
        "ResourceNotFoundException",
        "OrganizationNotFoundException",
        "OrganizationStateException",
    ]
    .into_iter()
    .find(|c| *c == code)
    .unwrap_or_else(|| panic!("unknown error code {code}"))
}

// ----------------------------------------------------------------------------------------
// Credentials from the environment and from AWS SDK providers
// ----------------------------------------------------------------------------------------

/// Serializes the tests that change the process environment.
static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[tokio::test]
async fn credentials_and_region_come_from_the_environment() {
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &json!({"PersonalAccessTokenSummaries": []})))
        .mount(&server)
        .await;
    let built = {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        std::env::set_var("AWS_ACCESS_KEY_ID", AKID);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        std::env::set_var("AWS_SESSION_TOKEN", SESSION_TOKEN);
        std::env::set_var("AWS_REGION", "ap-southeast-2");
        let built = Client::builder().base_url(server.uri()).aws_credentials_from_env().build();
        let default_host = Client::builder().aws_credentials_from_env().build().unwrap();
        assert_eq!(default_host.base_url(), "https://workmail.ap-southeast-2.amazonaws.com");
        // A region set on the builder wins over `AWS_REGION`.
        let chosen = Client::builder().region("eu-west-1").aws_credentials_from_env().build().unwrap();
        assert_eq!(chosen.base_url(), "https://workmail.eu-west-1.amazonaws.com");
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"] {
            std::env::remove_var(name);
        }
        let missing = Client::builder().aws_credentials_from_env().build().unwrap_err();
        assert!(missing.to_string().contains("AWS_ACCESS_KEY_ID"), "{missing}");
        built.expect("client")
    };
    built.list_personal_access_tokens().organization_id(ORG).send().await.unwrap();
    let request = only_request(&server).await;
    assert_aws_request(&request, LIST, &json!({"OrganizationId": ORG}), Some(SESSION_TOKEN), "ap-southeast-2");
}

/// What `aws-config`'s chain hands over: temporary credentials that expire, renewed each
/// time they are asked for (`AKID` is the same so that the test verifier can check them).
#[derive(Debug, Default)]
struct Renewing {
    calls: std::sync::atomic::AtomicU32,
}

impl workmail_client::aws_credential_types::provider::ProvideCredentials for Renewing {
    fn provide_credentials<'a>(&'a self) -> workmail_client::aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        workmail_client::aws_credential_types::provider::future::ProvideCredentials::ready(Ok(
            workmail_client::aws_credential_types::Credentials::new(
                AKID,
                SECRET_KEY,
                Some(format!("session-{n}")),
                // Within the 10 s refresh margin: every call asks again.
                Some(std::time::SystemTime::now() + Duration::from_secs(5)),
                "test",
            ),
        ))
    }
}

#[tokio::test]
async fn a_credentials_provider_signs_each_call_with_what_it_currently_gives() {
    let server = MockServer::start().await;
    operation_mock(LIST, amz_json(200, &json!({"PersonalAccessTokenSummaries": []})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .region(REGION)
        .aws_credentials_provider(Renewing::default())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        client.list_personal_access_tokens().organization_id(ORG).send().await.unwrap();
    }
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_aws_request(&received[0], LIST, &json!({"OrganizationId": ORG}), Some("session-1"), REGION);
    assert_aws_request(&received[1], LIST, &json!({"OrganizationId": ORG}), Some("session-2"), REGION);
    let shown = format!("{client:?}");
    assert!(!shown.contains(SECRET_KEY) && !shown.contains("session-"), "{shown}");
}
