//! Client-side checks: the spec's constraints as calls into `runtime::validate`, so a bad
//! value fails in `send()` before anything goes on the wire.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::number_literal;
use crate::ir::{Api, Constraints, TypeRef};

/// What the expression given to [`checks_for`] holds.
#[derive(Clone, Copy)]
pub enum Holds {
    /// A place of type `ty`.
    Value,
    /// A place of type `Option<ty>`.
    Option,
    /// An expression of type `&ty`.
    Ref,
}

/// Checks for the value of `expr`, reporting failures under the name that `label` (an
/// `&str` expression) gives. Empty when nothing needs checking.
pub fn checks_for(
    api: &Api,
    expr: TokenStream,
    holds: Holds,
    ty: &TypeRef,
    constraints: &Constraints,
    label: TokenStream,
) -> TokenStream {
    let body = checks_on_ref(api, ty, constraints, &label, 0);
    if body.is_empty() {
        return body;
    }
    match holds {
        Holds::Option => quote! { if let Some(value) = &#expr { #body } },
        Holds::Value => quote! { { let value = &#expr; #body } },
        Holds::Ref => quote! { { let value = #expr; #body } },
    }
}

/// Checks for `expr`, an `Option<&ty>`.
pub fn checks_for_optional_ref(api: &Api, expr: TokenStream, ty: &TypeRef, constraints: &Constraints, label: TokenStream) -> TokenStream {
    let body = checks_on_ref(api, ty, constraints, &label, 0);
    if body.is_empty() {
        return body;
    }
    quote! { if let Some(value) = #expr { #body } }
}

/// Checks on `value`, a reference to a `ty`.
fn checks_on_ref(api: &Api, ty: &TypeRef, c: &Constraints, label: &TokenStream, depth: usize) -> TokenStream {
    let v = quote!(runtime::validate);
    let mut out = TokenStream::new();
    match ty {
        TypeRef::String | TypeRef::Secret => {
            let text = if *ty == TypeRef::Secret { quote!(value.expose_secret()) } else { quote!(value.as_str()) };
            if c.min_length.is_some() || c.max_length.is_some() {
                let min = option_u64(c.min_length);
                let max = option_u64(c.max_length);
                out.extend(quote! { #v::length(#label, #text, #min, #max)?; });
            }
            if let Some(pattern) = c.checkable_pattern() {
                out.extend(quote! {
                    static PATTERN: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| {
                        // The generator compiled this pattern with the same engine.
                        ::regex::Regex::new(#pattern).expect("the generator checked this pattern")
                    });
                    #v::pattern(#label, #text, &PATTERN)?;
                });
            }
        }
        TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => {
            let bound = |n: Option<crate::ir::Number>, on: bool| match n {
                Some(n) if on => { let lit = number_literal(n, ty); quote!(Some(#lit)) }
                _ => quote!(None),
            };
            let inclusive = (bound(c.minimum, !c.exclusive_minimum), bound(c.maximum, !c.exclusive_maximum));
            let exclusive = (bound(c.minimum, c.exclusive_minimum), bound(c.maximum, c.exclusive_maximum));
            if c.minimum.is_some() && !c.exclusive_minimum || c.maximum.is_some() && !c.exclusive_maximum {
                let (min, max) = inclusive;
                out.extend(quote! { #v::range(#label, *value, #min, #max)?; });
            }
            if c.minimum.is_some() && c.exclusive_minimum || c.maximum.is_some() && c.exclusive_maximum {
                let (min, max) = exclusive;
                out.extend(quote! { #v::exclusive_range(#label, *value, #min, #max)?; });
            }
        }
        TypeRef::Vec(inner) => {
            if c.min_items.is_some() || c.max_items.is_some() {
                let min = option_u64(c.min_items);
                let max = option_u64(c.max_items);
                out.extend(quote! { #v::items(#label, value.len(), #min, #max)?; });
            }
            let item_constraints = c.items.as_deref().cloned().unwrap_or_default();
            // Each nesting level has its own index, so labels of nested arrays stay right.
            let index = crate::emit::tokens::ident(&format!("index{depth}"));
            let item_label = quote!(&format!("{}[{}]", #label, #index));
            let item_checks = checks_on_ref(api, inner, &item_constraints, &item_label, depth + 1);
            if !item_checks.is_empty() {
                out.extend(quote! {
                    for (#index, value) in value.iter().enumerate() { #item_checks }
                });
            }
        }
        TypeRef::Map(inner) if has_nested_checks(api, inner) => {
            out.extend(quote! { #v::Validate::validate(value, #label)?; });
        }
        TypeRef::Named(id) if api.types[id.0].validated => {
            out.extend(quote! { #v::Validate::validate(value, #label)?; });
        }
        _ => {}
    }
    out
}

/// Whether values of `ty` can fail validation by themselves.
pub fn has_nested_checks(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(id) => api.types[id.0].validated,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => has_nested_checks(api, inner),
        _ => false,
    }
}

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}
