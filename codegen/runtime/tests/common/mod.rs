//! Helpers shared by the runtime's test binaries.

use std::sync::Arc;

use codegen_runtime::auth::Authenticate;
use codegen_runtime::client::{ClientConfig, Scheme};

/// A config whose every operation sends all of `credentials` (up to three), one scheme each.
pub fn with_credentials(config: ClientConfig, credentials: Vec<Arc<dyn Authenticate>>) -> ClientConfig {
    const ALL: [&[usize]; 4] = [&[], &[0], &[0, 1], &[0, 1, 2]];
    const SECURITY: [&[&[usize]]; 4] = [&[ALL[0]], &[ALL[1]], &[ALL[2]], &[ALL[3]]];
    let security = SECURITY[credentials.len()];
    let schemes = credentials
        .into_iter()
        .map(|credential| Scheme {
            credential: Some(credential),
            ..Scheme::new("scheme", "setter")
        })
        .collect();
    ClientConfig {
        schemes,
        security,
        ..config
    }
}
