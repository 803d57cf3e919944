//! When to try a request again, and how long to wait first.
//!
//! Retrying is only safe when a repeat cannot do harm: a 429 or an AWS throttling error
//! means the server refused the request without acting on it, and a failed connection means
//! nothing was sent, so those are retried for any method. A 502/503/504 or a broken
//! connection may come after the server acted, so those are retried only for idempotent
//! requests (by method, or the spec's `x-idempotent: true`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::response::RawResponse;

/// AWS error codes that mean "slow down", as the AWS SDKs list them.
pub const THROTTLING_ERROR_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Statuses that usually mean a transient problem in front of or inside the server.
pub const TRANSIENT_STATUSES: &[u16] = &[502, 503, 504];

/// How many times to try an operation and how long to wait in between.
///
/// The default (3 attempts in all, full-jitter exponential backoff from 100 ms capped at
/// 20 s) is the AWS SDK's "standard" mode: enough to ride out a blip without turning an
/// outage into a retry storm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first one included; 0 is read as 1.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The ceiling of the first wait; it doubles for every later retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The ceiling no computed wait exceeds.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest wait a server may ask for through `Retry-After` or `X-Ratelimit-Reset`;
    /// longer requests are cut to this, so a misbehaving server cannot park a client.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Whether a response is worth another attempt; `idempotent` is the request's.
    pub fn should_retry_response(&self, response: &RawResponse, idempotent: bool) -> bool {
        let status = response.status();
        if status == 429 {
            return true;
        }
        if (200..400).contains(&status) {
            return false;
        }
        if response
            .error_code()
            .is_some_and(|code| is_throttling_code(&code))
        {
            return true;
        }
        idempotent && TRANSIENT_STATUSES.contains(&status)
    }

    /// Whether a transport failure is worth another attempt.
    pub fn should_retry_transport(&self, error: &reqwest::Error, idempotent: bool) -> bool {
        if error.is_builder() || error.is_decode() || error.is_redirect() || error.is_status() {
            return false;
        }
        // A refused or failed connection never carried the request.
        if error.is_connect() {
            return true;
        }
        // A timeout, a reset or a half-read response may have left the server acting on it.
        idempotent && (error.is_timeout() || error.is_request() || error.is_body())
    }

    /// The ceiling of the wait before retry number `retry` (0 for the first retry).
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Full jitter: a uniformly random wait up to the ceiling, so that clients that failed
    /// together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .backoff_ceiling(retry)
            .as_nanos()
            .min(u128::from(u64::MAX)) as u64;
        Duration::from_nanos(fastrand::u64(0..=ceiling))
    }

    /// The wait the server asked for, if any, cut to `max_retry_after`.
    ///
    /// `Retry-After` (delay in seconds, or an HTTP date) wins over `X-Ratelimit-Reset`
    /// (epoch milliseconds, as LaunchDarkly sends it). A time already past means "now".
    pub fn server_delay(&self, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let delay = if let Some(value) = header("retry-after") {
            parse_retry_after(value, now)?
        } else if let Some(value) = header("x-ratelimit-reset") {
            let reset_ms: u64 = value.parse().ok()?;
            let now_ms = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()) as u64;
            Duration::from_millis(reset_ms.saturating_sub(now_ms))
        } else {
            return None;
        };
        Some(delay.min(self.max_retry_after))
    }

    /// The wait before retrying after `response`: the server's wish if it stated one,
    /// otherwise the jittered backoff for retry number `retry` (0 for the first retry).
    pub fn delay_for_response(&self, response: &RawResponse, retry: u32) -> Duration {
        self.server_delay(response.headers(), SystemTime::now())
            .unwrap_or_else(|| self.backoff(retry))
    }
}

/// `Retry-After: 120` or `Retry-After: Fri, 31 Dec 1999 23:59:59 GMT`.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Whether an AWS error code (already stripped of `namespace#`) means throttling.
pub fn is_throttling_code(code: &str) -> bool {
    THROTTLING_ERROR_CODES.contains(&code)
}

