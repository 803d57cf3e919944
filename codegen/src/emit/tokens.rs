//! Small pieces every emitter uses: Rust types for `TypeRef`s, doc attributes, identifiers.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Number, TimeFormat, TypeRef};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` lines. Markdown passes through; the crates turn doctests off, so prose
/// with indented or fenced blocks is never compiled.
pub fn doc(text: Option<&str>) -> TokenStream {
    let lines = doc_lines(text.unwrap_or_default());
    quote! { #( #[doc = #lines] )* }
}

/// The lines of a doc comment (each after its `///` or `//!`), from prose as a spec
/// writes it: none for blank prose.
pub fn doc_lines(text: &str) -> Vec<String> {
    let text = text.trim();
    // A bare carriage return is a line break to whoever wrote it, and an error to rustc in
    // a doc comment (`bare CR not allowed`); a tab is clippy's `tabs_in_doc_comments`.
    let text = text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ");
    text.lines().map(|line| format!(" {}", line.trim_end())).collect()
}

/// `#[cfg(feature = "x")]`, or `#[cfg(any(...))]` for several: what compiles an item that
/// only some cargo features need. Nothing for an item that is always compiled.
pub fn cfg(features: &[String]) -> TokenStream {
    match features {
        [] => TokenStream::new(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any( #( feature = #many ),* ))]),
    }
}

/// [`cfg`] as text, for items written outside the token stream (macro invocations).
pub fn cfg_text(features: &[String]) -> String {
    let each: Vec<String> = features.iter().map(|f| format!("feature = {f:?}")).collect();
    match each.as_slice() {
        [] => String::new(),
        [one] => format!("#[cfg({one})]"),
        many => format!("#[cfg(any({}))]", many.join(", ")),
    }
}

/// Puts `cfg` on every item of `items` (a type and its impls, a builder and its impls).
///
/// Works on the tokens, not a parse: an item ends at a top-level `{...}` body (with a `;`
/// right after it, as a `const` block has) or a top-level `;`. Parsing every gated item with
/// syn only to add an attribute was 15% of generating GitHub's crate.
pub fn gate(items: TokenStream, cfg: &TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, TokenTree};
    if cfg.is_empty() {
        return items;
    }
    let mut out = TokenStream::new();
    let mut item = TokenStream::new();
    let mut tokens = items.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            TokenTree::Punct(punct) => punct.as_char() == ';',
            _ => false,
        };
        item.extend([token]);
        if !ends {
            continue;
        }
        if matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            item.extend(tokens.next());
        }
        out.extend(cfg.clone());
        out.extend(std::mem::take(&mut item));
    }
    if !item.is_empty() {
        out.extend(cfg.clone());
        out.extend(item);
    }
    out
}


/// Joins doc paragraphs, skipping empty ones.
pub fn paragraphs(parts: &[Option<&str>]) -> Option<String> {
    let parts: Vec<&str> = parts.iter().flatten().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Where named types live, as seen from the module being written.
#[derive(Clone, Copy)]
pub enum TypesPath {
    /// Inside `types.rs`.
    Local,
    /// Anywhere else in the crate, where `use crate::types;` is in scope.
    Crate,
}

pub fn rust_type(api: &Api, ty: &TypeRef, path: TypesPath) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => quote!(String),
        TypeRef::Secret => quote!(crate::Secret),
        TypeRef::DateTime(_) => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Unit => quote!(()),
        TypeRef::Bytes => quote!(Vec<u8>),
        TypeRef::Vec(inner) => {
            let inner = rust_type(api, inner, path);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(api, inner, path);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::External { path, .. } => external_path(path),
        TypeRef::Named(id) => {
            let name = ident(&api.types[id.0].name);
            match path {
                TypesPath::Local => quote!(#name),
                TypesPath::Crate => quote!(types::#name),
            }
        }
    }
}

/// A user's type or derive path (`uuid::Uuid`), absolute (`::uuid::Uuid`) so that no name
/// of the generated crate can shadow its crate; a bare name (`Eq`) is left as it is.
pub fn external_path(path: &str) -> TokenStream {
    match syn::parse_str::<syn::Path>(path) {
        Ok(mut parsed) => {
            if parsed.segments.len() > 1 {
                parsed.leading_colon = Some(Default::default());
            }
            quote!(#parsed)
        }
        // The settings reader checked every path; keep the text for the compiler to judge.
        Err(_) => path.parse().unwrap_or_default(),
    }
}

/// The serde `with` module for a timestamp that is not RFC 3339.
pub fn time_module(ty: &TypeRef, optional: bool) -> Option<String> {
    let module = match ty {
        TypeRef::DateTime(TimeFormat::EpochSeconds) => "epoch_seconds",
        TypeRef::DateTime(TimeFormat::EpochMillis) => "epoch_millis",
        _ => return None,
    };
    Some(format!("crate::runtime::timestamp::{module}{}", if optional { "::option" } else { "" }))
}

/// A literal of the same Rust type as the value it is compared with.
pub fn number_literal(number: Number, ty: &TypeRef) -> TokenStream {
    match (ty, number) {
        (TypeRef::I32, Number::Int(v)) => {
            let v = Literal::i32_suffixed(v.clamp(i32::MIN as i64, i32::MAX as i64) as i32);
            quote!(#v)
        }
        (TypeRef::I32, Number::Float(v)) => {
            let v = Literal::i32_suffixed(v.clamp(i32::MIN as f64, i32::MAX as f64) as i32);
            quote!(#v)
        }
        (TypeRef::I64, Number::Int(v)) => {
            let v = Literal::i64_suffixed(v);
            quote!(#v)
        }
        (TypeRef::I64, Number::Float(v)) => {
            let v = Literal::i64_suffixed(v as i64);
            quote!(#v)
        }
        (TypeRef::F32, number) => {
            let v = Literal::f32_suffixed(as_f64(number) as f32);
            quote!(#v)
        }
        (_, number) => {
            let v = Literal::f64_suffixed(as_f64(number));
            quote!(#v)
        }
    }
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Int(v) => v as f64,
        Number::Float(v) => v,
    }
}

/// Formats a token stream as a Rust file, with a header saying where it came from.
///
/// Fails only through a bug in the emitters; the error shows the tokens so that it is easy
/// to find.
pub fn format_file(tokens: TokenStream, header: &str) -> Result<String, String> {
    Ok(format!("{header}\n{}", unparse(tokens)?))
}

/// A piece of a generated file, formatted on its own.
pub enum Chunk {
    Items(TokenStream),
    /// `name! { item }`, with `item` formatted as Rust, after `attrs` (a `#[cfg]`, say).
    Macro { attrs: String, name: &'static str, item: TokenStream },
    /// `macro_rules! name`, called in an `impl` as `name!(a, b = 3);`, which expands to the
    /// associated items of arms `a` and `b` (given `3`). prettyplease leaves a macro's body
    /// as written, on a line or two; each arm's items are formatted here as the `impl` they
    /// end up in. `attrs`: the lines before it (doc comments, an `allow`).
    ImplMacro { attrs: String, name: &'static str, arms: Vec<MacroArm> },
}

/// One arm of a [`Chunk::ImplMacro`].
pub struct MacroArm {
    pub name: String,
    /// Items that use the literal a call gives the arm (`b = 3`) as the identifier
    /// [`MacroArm::ARGUMENT`], which becomes the macro's `$at`.
    pub takes_argument: bool,
    pub items: TokenStream,
}

impl MacroArm {
    pub const ARGUMENT: &'static str = "macro_argument_at";
}

/// Formats chunks into one file: `preamble` (inner doc comments) first, then each chunk.
pub fn format_chunks(preamble: TokenStream, chunks: Vec<Chunk>, header: &str) -> Result<String, String> {
    let mut out = format_file(preamble, header)?;
    for chunk in chunks {
        match chunk {
            Chunk::Items(tokens) => out.push_str(&unparse(tokens)?),
            Chunk::Macro { attrs, name, item } => {
                if !attrs.is_empty() {
                    out.push_str(&attrs);
                    out.push('\n');
                }
                out.push_str(name);
                out.push_str("! {\n");
                for line in unparse(item)?.lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str("    ");
                        out.push_str(line);
                        out.push('\n');
                    }
                }
                out.push_str("}\n");
            }
            Chunk::ImplMacro { attrs, name, arms } => {
                out.push_str(&attrs);
                let (given, passed) = if arms.iter().any(|arm| arm.takes_argument) { (" $(= $at:literal)?", " $($at)?") } else { ("", "") };
                out.push_str(&format!(
                    "macro_rules! {name} {{\n    ($($arm:ident{given}),* $(,)?) => {{\n        $({name}!(@ $arm{passed});)*\n    }};\n"
                ));
                for MacroArm { name: arm, takes_argument, items } in arms {
                    let argument = if takes_argument { " $at:literal" } else { "" };
                    out.push_str(&format!("    (@ {arm}{argument}) => {{\n"));
                    let formatted = unparse(quote!(impl Arm { #items }))?.replace(MacroArm::ARGUMENT, "$at");
                    let lines: Vec<&str> = formatted.lines().collect();
                    // Between `impl Arm {` and `}`, indented one level deeper.
                    for line in lines.get(1..lines.len().saturating_sub(1)).unwrap_or_default() {
                        if !line.is_empty() {
                            out.push_str("    ");
                            out.push_str(line);
                        }
                        out.push('\n');
                    }
                    out.push_str("    };\n");
                }
                out.push_str("}\n");
            }
        }
    }
    Ok(out)
}

fn unparse(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens.clone())
        .map_err(|error| format!("the generator emitted invalid Rust ({error}):\n{tokens}"))?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_never_hold_a_carriage_return_or_a_tab() {
        let docs = doc(Some("one\rtwo\r\nthree\tfour")).to_string();
        assert!(!docs.contains("\\r") && !docs.contains("\\t"), "{docs}");
        assert_eq!(docs.matches("doc").count(), 3, "{docs}");
        assert_eq!(doc_lines("  \t "), Vec::<String>::new());
    }
}
