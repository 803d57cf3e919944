//! Turns an OpenAPI 3.0 document into the source of a typed, async Rust client crate.
//!
//! ```text
//! spec text ──load──▶ openapiv3::OpenAPI ──lower──▶ ir::Api ──emit──▶ files
//! ```
//! The library does no I/O: [`generate`] takes the spec's text and returns the crate's files,
//! or located [`Diagnostics`]. `xtask` owns reading specs and writing `generated/`.

pub mod diagnostics;
pub mod diff;
mod emit;
pub mod ir;
pub mod load;
mod lower;
mod naming;
mod openapi31;
pub mod settings;
pub mod source_map;
pub mod surface;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use settings::Settings;

/// One generated file, with a `/`-separated path relative to the crate's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Every file of a generated crate, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCrate {
    pub files: Vec<GeneratedFile>,
}

/// Generates a client crate from the text of an OpenAPI 3.0.x document (YAML or JSON).
///
/// `file_name` is used only to locate diagnostics.
pub fn generate(
    spec_text: &str,
    file_name: &str,
    settings: &Settings,
) -> Result<GeneratedCrate, Diagnostics> {
    let document = load::load(spec_text, file_name)?;
    let (api, _) = lower::lower_for_code(&document, settings, false)?;
    emit::emit(&api)
}

/// Like [`generate`], for specs written elsewhere: an operation the generator cannot express
/// is left out and a schema it cannot express becomes `serde_json::Value`, each with a
/// located diagnostic in the returned list, and the rest of the crate is generated. Only a
/// document that cannot be read at all is refused.
pub fn generate_lenient(
    spec_text: &str,
    file_name: &str,
    settings: &Settings,
) -> Result<(GeneratedCrate, Vec<Diagnostic>), Diagnostics> {
    let document = load::load(spec_text, file_name)?;
    let (api, skipped) = lower::lower_for_code(&document, settings, true)?;
    Ok((emit::emit(&api)?, skipped))
}

/// Lowers a spec without emitting code, as it is generated: for tools that inspect the
/// shape of a generated crate.
pub fn lower_spec(spec_text: &str, file_name: &str, settings: &Settings) -> Result<ir::Api, Diagnostics> {
    let document = load::load(spec_text, file_name)?;
    lower::lower_for_code(&document, settings, false).map(|(api, _)| api)
}
