//! `operations.rs`: a client method and a request builder per operation, with its
//! parameter and body setters, `send()`, and the decoding of every documented response.
//! `errors.rs`: each operation's enum of documented errors.
//!
//! This module assembles each builder; one submodule per concern writes its parts: the
//! builder surface (`builder`), request encoding (`request`), response decoding
//! (`response`) and pagination streams (`pagination`).

mod builder;
mod mock;
mod pagination;
mod request;
mod response;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{cfg, doc, gate, ident, paragraphs, rust_type, Chunk, MacroArm, TypesPath};
use crate::ir::{Api, Operation, Pagination, Struct, TypeRef};

use builder::{body_fields, body_members, body_store, own_params, param_setter, shared_params, shared_setters_call, takes_shared};
pub use mock::emit_mock;
use pagination::stream_fn;
use request::request_fn;
use response::{decode_fn, error_enum, error_type, events_fn, success_type};

/// `operations.rs`: its preamble, then the shared setters' macro (defined before the
/// builders that call it), then the client's methods and the builders.
pub fn emit_operations(api: &Api) -> (TokenStream, Vec<Chunk>) {
    let methods = api.operations.iter().map(|op| client_method(api, op));
    let builders = api.operations.iter().map(|op| gate(builder(api, op), &cfg(op.feature.as_slice())));
    // Imported only when used: a spec without operations, or whose operations carry no
    // named type, would otherwise get unused imports.
    let imports = (!api.operations.is_empty()).then(|| {
        let types = api.operations.iter().any(operation_mentions_types).then(|| quote!(types,));
        let allow = allow_unused(api);
        quote!(#allow use crate::{errors, runtime, #types};)
    });
    let preamble = quote! {
        //! One request builder per operation. Start from the methods on [`Client`](crate::Client).
        #imports
    };
    let mut chunks = Vec::new();
    let mut shared_struct = None;
    if let Some((definition, arms)) = shared_params(api) {
        let doc = "The setters of the parameters that many operations declare alike, written once: a\n\
                   builder's `impl` calls `shared_setters!(a, b)` for those it takes.";
        chunks.push(impl_macro(api, doc, "shared_setters", arms));
        shared_struct = Some(definition);
    }
    chunks.push(Chunk::Items(quote! {
        impl crate::Client {
            #( #methods )*
        }
        #shared_struct
        #( #builders )*
    }));
    (preamble, chunks)
}

pub fn emit_errors(api: &Api) -> TokenStream {
    let enums = api.operations.iter().map(|op| gate(error_enum(api, op), &cfg(op.feature.as_slice())));
    let uses_types = api.operations.iter().flat_map(|op| &op.responses.errors).any(|e| e.body.ty().is_some_and(mentions_named));
    let allow = allow_unused(api);
    let imports = uses_types.then(|| quote!(#allow use crate::types;));
    quote! {
        //! The documented errors of each operation, decoded: `Error::Api` holds one of these.
        #imports
        #( #enums )*
    }
}

/// A `macro_rules!` whose arms are associated items (`Chunk::ImplMacro`), documented by
/// `doc`, one line of it per doc comment line.
fn impl_macro(api: &Api, doc: &str, name: &'static str, arms: Vec<MacroArm>) -> Chunk {
    let mut attrs: String = doc.lines().map(|line| format!("/// {}\n", line.trim())).collect();
    // With cargo features, a build may have none of the operations that call it.
    if !api.features.is_empty() {
        attrs.push_str("#[allow(unused_macros)]\n");
    }
    Chunk::ImplMacro { attrs, name, arms }
}

/// With cargo features, a module's imports are used by some feature sets and not others.
pub fn allow_unused(api: &Api) -> TokenStream {
    if api.features.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[allow(unused_imports)])
    }
}

fn client_method(api: &Api, op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.type_name);
    let line = format!("`{} {}`", op.http_method.as_str(), op.path_template);
    let docs = doc(paragraphs(&[op.summary.as_deref(), op.description.as_deref(), Some(&line)]).as_deref());
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let cfg = cfg(op.feature.as_slice());
    // Every builder field but the client starts out unset.
    let shared = takes_shared(op).then(|| (ident("shared"), quote!(Default::default())));
    let fields = own_params(op).map(|p| (ident(&p.rust_name), quote!(None))).chain(shared).chain(body_fields(op, &body_store(api, op)));
    let (names, values): (Vec<_>, Vec<_>) = fields.unzip();
    quote! {
        #docs
        #cfg
        #deprecated
        pub fn #method(&self) -> #builder {
            #builder { client: self.clone(), #( #names: #values, )* }
        }
    }
}

pub(super) fn struct_of<'a>(api: &'a Api, ty: &TypeRef) -> Option<&'a Struct> {
    match ty {
        TypeRef::Named(id) => match &api.types[id.0].kind {
            crate::ir::TypeKind::Struct(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.type_name);
    let name_text = &op.type_name;
    let line = format!(" Builder for [`Client::{}`](crate::Client::{}): `{} {}`.", op.method_name, op.method_name, op.http_method.as_str(), op.path_template);
    let store = body_store(api, op);

    let param_fields = own_params(op).map(|p| {
        let field = ident(&p.rust_name);
        let ty = rust_type(api, &p.ty, TypesPath::Crate);
        quote!(#field: Option<#ty>,)
    });
    let shared_field = takes_shared(op).then(|| {
        let name = ident(crate::ir::SHARED_PARAMS);
        quote!(shared: #name,)
    });
    let param_setters = own_params(op).map(|p| param_setter(api, p));
    let shared_setters = shared_setters_call(op);
    let (body_field, body_setters) = body_members(api, op, &store);

    let request_fn = request_fn(api, op, &store);
    let success = success_type(api, op);
    let (success_ty, success_enum) = (&success.ty, &success.enum_def);
    let error_ty = error_type(op);
    let decode = decode_fn(api, op, &success, &error_ty);
    let stream = (!success.is_enum).then(|| stream_fn(api, op, &success.ty, &error_ty)).flatten();
    let events = events_fn(api, op, &error_ty);

    quote! {
        #[doc = #line]
        #[must_use = "a request does nothing until `.send().await`"]
        #[derive(Clone)]
        pub struct #name {
            client: crate::Client,
            #( #param_fields )*
            #shared_field
            #body_field
        }

        impl ::std::fmt::Debug for #name {
            // Parameters and bodies may hold secrets: show only which request this is.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name_text).finish_non_exhaustive()
            }
        }

        impl #name {
            #shared_setters
            #( #param_setters )*
            #body_setters

            /// Checks the request against the spec, sends it (retrying as the client's
            /// `RetryPolicy` allows) and decodes the response.
            pub async fn send(mut self) -> Result<crate::Response<#success_ty>, crate::Error<#error_ty>> {
                let request = self.request()?;
                let raw = self.client.core.execute(request).await?;
                Self::decode(raw)
            }

            #stream
            #events
            #request_fn
            #decode
        }

        #success_enum
    }
}

pub(super) fn is_struct(api: &Api, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(id) if matches!(api.types[id.0].kind, crate::ir::TypeKind::Struct(_)))
}

/// Whether a type names one of the crate's own types, so that the `types` module is used.
pub(super) fn mentions_named(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => mentions_named(inner),
        _ => false,
    }
}

pub(super) fn operation_mentions_types(op: &Operation) -> bool {
    let params = op.params.iter().filter(|p| p.constant.is_none()).map(|p| &p.ty);
    let body = op.body.iter().map(|b| &b.ty);
    let properties = op.body.iter().flat_map(|b| &b.properties).map(|p| &p.ty);
    let successes = op.responses.success.iter().filter_map(|s| s.body.ty());
    let pages = op.pagination.iter().map(|p| match p {
        Pagination::Token { item_ty, .. } | Pagination::Offset { item_ty, .. } => item_ty,
    });
    params.chain(body).chain(properties).chain(successes).chain(pages).any(mentions_named)
}
