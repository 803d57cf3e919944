//! AWS Signature Version 4, through the `aws-sigv4` crate the AWS SDK itself uses.
//!
//! Only crates whose spec declares a SigV4 scheme get this file, so nothing else in the
//! runtime may refer to it. Signing is delegated entirely to `aws-sigv4`: canonicalisation
//! details (double encoding, header folding, the empty-payload hash) are where hand-written
//! signers go wrong, and the SDK's own implementation is the reference servers check against.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH};

use super::auth::{AuthContext, AuthFuture, Authenticate, Refreshing};
use super::error::{CredentialsProblem, Failure, RequestProblem};
use super::secret::Secret;

/// Headers the signer itself produces; stale copies from an earlier attempt must not be
/// signed or sent next to the new ones.
const SIGNER_HEADERS: [&str; 3] = ["authorization", "x-amz-date", "x-amz-security-token"];

/// Provided credentials are fetched again this long before they expire, and those without
/// an expiry are kept this long: the AWS SDK's own identity cache defaults.
const EXPIRY_BUFFER: Duration = Duration::from_secs(10);
const NO_EXPIRY_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Signs each attempt, as the AWS SDK does for JSON protocols: headers `Authorization`,
/// `X-Amz-Date` and, for temporary credentials, `X-Amz-Security-Token` (which is signed too).
pub struct SigV4Auth {
    source: Source,
    region: String,
    service: String,
    time: Option<SystemTime>,
}

enum Source {
    Fixed(Credentials),
    /// Any provider of the AWS SDK's own trait (`aws-config`'s default chain, profiles, SSO,
    /// IAM roles), asked again when what it gave expires; one request at a time.
    Provider {
        provider: SharedCredentialsProvider,
        cached: Refreshing<Credentials>,
    },
}

impl SigV4Auth {
    /// `service` is the signing name (`info.x-serviceName`), `region` the signing region.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Secret>,
        session_token: Option<Secret>,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        let credentials = Credentials::new(
            access_key_id.into(),
            secret_access_key.into().expose_secret().to_owned(),
            session_token.map(|t| t.expose_secret().to_owned()),
            None,
            "generated-client",
        );
        SigV4Auth {
            source: Source::Fixed(credentials),
            region: region.into(),
            service: service.into(),
            time: None,
        }
    }

    /// Credentials from a provider, fetched when first needed and again before they expire.
    pub fn from_provider(
        provider: impl ProvideCredentials + 'static,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        SigV4Auth {
            source: Source::Provider {
                provider: SharedCredentialsProvider::new(provider),
                cached: Refreshing::new(),
            },
            region: region.into(),
            service: service.into(),
            time: None,
        }
    }

    /// Signs as if at `time` instead of now. Signatures embed the time, so this is what
    /// makes known-answer tests possible; real clients should leave the clock alone.
    pub fn with_time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Replaces the session token of fixed credentials (provided ones bring their own).
    pub fn with_session_token(mut self, token: Option<Secret>) -> Self {
        if let Source::Fixed(credentials) = &self.source {
            self.source = Source::Fixed(Credentials::new(
                credentials.access_key_id(),
                credentials.secret_access_key(),
                token.map(|t| t.expose_secret().to_owned()),
                credentials.expiry(),
                "generated-client",
            ));
        }
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    async fn credentials(&self) -> Result<Credentials, CredentialsProblem> {
        let (provider, cached) = match &self.source {
            Source::Fixed(credentials) => return Ok(credentials.clone()),
            Source::Provider { provider, cached } => (provider, cached),
        };
        cached
            .get(|| async {
                tracing::debug!("asking the AWS credentials provider");
                let credentials = provider
                    .provide_credentials()
                    .await
                    .map_err(|e| CredentialsProblem::Provider(e.to_string()))?;
                // The expiry is wall-clock time; the cache counts on the monotonic clock.
                let keep = match credentials.expiry() {
                    Some(expiry) => expiry
                        .duration_since(SystemTime::now())
                        .unwrap_or_default()
                        .saturating_sub(EXPIRY_BUFFER),
                    None => NO_EXPIRY_LIFETIME,
                };
                Ok((credentials, Some(Instant::now() + keep)))
            })
            .await
    }
}

impl fmt::Debug for SigV4Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Fixed(_) => "fixed credentials",
            Source::Provider { .. } => "credentials provider",
        };
        f.debug_struct("SigV4Auth")
            .field("credentials", &format_args!("[REDACTED] ({source})"))
            .field("region", &self.region)
            .field("service", &self.service)
            .finish()
    }
}

impl Authenticate for SigV4Auth {
    fn authenticate<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _: &'a AuthContext<'a>,
    ) -> AuthFuture<'a> {
        Box::pin(async move {
            let credentials = self.credentials().await.map_err(Failure::Credentials)?;
            self.sign(request, credentials)
                .map_err(|e| Failure::InvalidRequest(RequestProblem::Signing(e)))
        })
    }
}

impl SigV4Auth {
    /// Signs with fixed credentials, synchronously (for tests and known answers).
    pub fn sign_now(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match &self.source {
            Source::Fixed(credentials) => self.sign(request, credentials.clone()),
            Source::Provider { .. } => Err("provided credentials must be fetched first".into()),
        }
    }

    fn sign(&self, request: &mut reqwest::Request, credentials: Credentials) -> Result<(), String> {
        for name in SIGNER_HEADERS {
            request.headers_mut().remove(name);
        }
        let body_len = match request.body() {
            None => None,
            Some(b) => Some(
                b.as_bytes()
                    .ok_or("a streaming body cannot be signed with SigV4")?
                    .len(),
            ),
        };
        // hyper would add Content-Length after signing; setting it now lets it be signed, as
        // the AWS SDK signs it, and it is exactly the value hyper would have sent.
        if let Some(len) = body_len {
            if !request.headers().contains_key(CONTENT_LENGTH) {
                request
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
        }
        let body: &[u8] = request.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);

        let mut headers = Vec::with_capacity(request.headers().len());
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| format!("header `{name}` is not valid text and cannot be signed"))?;
            headers.push((name.as_str(), value));
        }

        let identity: Identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time.unwrap_or_else(SystemTime::now))
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("SigV4 signing parameters are incomplete: {e}"))?
            .into();
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("the request cannot be signed: {e}"))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| format!("SigV4 signing failed: {e}"))?
            .into_parts();

        let (new_headers, _query_params) = instructions.into_parts();
        for header in new_headers {
            let name = HeaderName::from_static(header.name());
            let mut value = HeaderValue::from_str(header.value()).map_err(|_| {
                format!("the signer produced an invalid `{}` header", header.name())
            })?;
            // The security token and the signature are credentials; the date is not.
            value.set_sensitive(header.sensitive() || name == AUTHORIZATION);
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    /// 2015-08-30T12:36:00Z, the date of the AWS SigV4 test suite.
    fn suite_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn suite_signer() -> SigV4Auth {
        SigV4Auth::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            "us-east-1",
            "service",
        )
        .with_time(suite_time())
    }

    #[test]
    fn get_vanilla_known_answer() {
        // `get-vanilla` from the AWS SigV4 test suite.
        let mut request = reqwest::Request::new(
            http::Method::GET,
            reqwest::Url::parse("https://example.amazonaws.com/").unwrap(),
        );
        suite_signer().sign_now(&mut request).unwrap();
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
        assert_eq!(
            request.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert!(request.headers()["authorization"].is_sensitive());
        assert!(!request.headers().contains_key("x-amz-security-token"));
    }

    #[test]
    fn json_post_signs_body_headers_and_token() {
        let mut request = reqwest::Request::new(
            http::Method::POST,
            reqwest::Url::parse("http://127.0.0.1:8080/").unwrap(),
        );
        request.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        request.headers_mut().insert(
            "x-amz-target",
            HeaderValue::from_static("WorkMailService.ListUsers"),
        );
        request
            .headers_mut()
            .insert("user-agent", HeaderValue::from_static("x/1"));
        request
            .headers_mut()
            .insert("authorization", HeaderValue::from_static("stale"));
        *request.body_mut() = Some(reqwest::Body::from(&b"{}"[..]));
        let signer = suite_signer().with_session_token(Some(Secret::new("TOKEN-123")));
        signer.sign_now(&mut request).unwrap();
        let auth = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        ));
        assert!(
            auth.contains("SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"),
            "{auth}"
        );
        assert_eq!(request.headers()["x-amz-security-token"], "TOKEN-123");
        assert_eq!(request.headers()["content-length"], "2");

        // Re-signing (a retry) replaces the signer's headers instead of piling them up.
        signer.sign_now(&mut request).unwrap();
        assert_eq!(request.headers().get_all("authorization").iter().count(), 1);
        assert_eq!(request.headers()["authorization"].to_str().unwrap(), auth);

        let dbg = format!("{signer:?}");
        assert!(
            !dbg.contains("TOKEN-123")
                && !dbg.contains("EXAMPLEKEY")
                && !dbg.contains("AKIDEXAMPLE")
        );
    }
}
