//! The runtime that every generated client crate carries inside itself.
//!
//! The generator copies each file of this directory verbatim into a generated crate as
//! `src/runtime/<file>.rs` and writes that crate's `runtime/mod.rs` itself. This file is
//! therefore only a list of modules: anything else written here would be lost in a generated
//! crate. The modules name each other through `super::` so that they compile the same way
//! here, as top-level modules, and there, as `crate::runtime::*`.
//!
//! `sigv4` is copied only into crates whose spec signs with AWS SigV4, and `oauth2` only into
//! crates with an OAuth2 client credentials flow, so no other module may depend on them.
//! `mock` compiles only with the `mock` feature (a generated crate's, off by default).

pub mod auth;
pub mod body;
pub mod client;
pub mod error;
#[cfg(feature = "mock")]
pub mod mock;
pub mod oauth2;
pub mod paginate;
pub mod request;
pub mod response;
pub mod retry;
pub mod secret;
pub mod sigv4;
pub mod stream;
pub mod string_enum;
pub mod timestamp;
pub mod validate;
