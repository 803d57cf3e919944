//! Request encoding: `request()`, which checks the builder's values against the spec and
//! turns them into the runtime's `RequestParts` (path, query, headers, body).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{ident, rust_type, TypesPath};
use crate::emit::validate::{checks_for, checks_for_optional_ref, Holds};
use crate::ir::{Api, BodyKind, Operation, Param, ParamLocation, PathPiece, RequestBody, TimeFormat, TypeRef};

use super::builder::{param_field, settable_params, shared_field, slot, BodyStore, ADDITIONAL};

/// `fn request(&mut self)`: checks the builder's own values, then lays the request out,
/// shared parameters checked as their `put_` methods lay them. Body properties are taken
/// out of the builder, not copied: `send()` consumes it anyway.
pub(super) fn request_fn(api: &Api, op: &Operation, store: &BodyStore<'_>) -> TokenStream {
    // A shared parameter is checked where it is put on the request, by its `put_` method.
    let bindings = settable_params(op).filter(|p| p.shared.is_none()).map(|p| binding(api, p, param_field(p)));
    let body = body_binding(api, op, store);

    let method = ident(op.http_method.as_str());
    let id = &op.id;
    let template = &op.path_template;
    let idempotent = op.idempotent;
    let security = op.security.as_ref().map(|security| {
        let security = crate::emit::client::security_tokens(security);
        quote!(request.set_security(#security);)
    });
    let path = op.path.iter().map(|piece| match piece {
        PathPiece::Literal(text) => quote!(request.push_path(#text);),
        PathPiece::Param(index) => match &op.params[*index].shared {
            Some(field) => put_shared(field),
            None => send_param(api, &op.params[*index]),
        },
    });
    let query_and_headers = [ParamLocation::Query, ParamLocation::Header].map(|location| {
        let params = op.params.iter().filter(move |p| p.location == location);
        params.map(|p| {
            if let Some(field) = &p.shared {
                return put_shared(field);
            }
            let send = send_param(api, p);
            if p.required || p.constant.is_some() {
                send
            } else {
                let field = ident(&p.rust_name);
                quote!(if let Some(#field) = #field { #send })
            }
        })
    });
    let [query, headers] = query_and_headers;
    let accept = op.accept.as_deref().map(|accept| quote!(request.accept(#accept);));
    let send_body = match store {
        BodyStore::None => TokenStream::new(),
        BodyStore::EmptyObject(body) => {
            let content_type = &body.content_type;
            quote!(request.raw_body(#content_type, b"{}".to_vec());)
        }
        BodyStore::Object(body, _) if body_always_sent(body) => send_body_tokens(api, body, quote!(&body)),
        BodyStore::Object(body, _) | BodyStore::Whole(body) => {
            let send = send_body_tokens(api, body, quote!(body));
            quote!(if let Some(body) = &body { #send })
        }
    };
    // `#[inline]`: compiled where `send()` is awaited, like `decode` (see there).
    quote! {
        #[inline]
        fn request(&mut self) -> Result<runtime::request::RequestParts, runtime::validate::ValidationError> {
            #( #bindings )*
            #body
            let mut request = runtime::request::RequestParts::new(::http::Method::#method, #id, #template);
            request.set_idempotent(#idempotent);
            #security
            #( #path )*
            #( #query )*
            #( #headers )*
            #accept
            #send_body
            Ok(request)
        }
    }
}

/// `let <name> = ...;`: a parameter's value (`stored`, an `Option`) as a reference, checked
/// against the spec: unwrapped when required (missing, it fails by name), else optional.
fn binding(api: &Api, p: &Param, stored: TokenStream) -> TokenStream {
    let field = ident(&p.rust_name);
    let label = &p.rust_name;
    if p.required {
        let checks = checks_for(api, quote!(#field), Holds::Ref, &p.ty, &p.constraints, quote!(#label));
        quote! {
            let #field = runtime::validate::required(#label, #stored.as_ref())?;
            #checks
        }
    } else {
        let checks = checks_for_optional_ref(api, quote!(#field), &p.ty, &p.constraints, quote!(#label));
        quote! {
            let #field = #stored.as_ref();
            #checks
        }
    }
}

fn put_method(field: &str) -> proc_macro2::Ident {
    ident(&format!("put_{field}"))
}

/// `self.shared.put_<field>(&mut request)?;`: a shared parameter, checked and laid on the
/// request by code compiled once for every operation that takes it.
fn put_shared(field: &str) -> TokenStream {
    let put = put_method(field);
    quote!(self.shared.#put(&mut request)?;)
}

/// The `put_<field>` method of `SharedParams` for each shared parameter: the checks and the
/// encoding an operation's `request()` would have for it.
pub(super) fn shared_put_methods(api: &Api) -> TokenStream {
    let methods = api.shared_params.iter().map(|p| {
        let field = shared_field(p);
        let put = put_method(field);
        let stored = ident(field);
        let bind = binding(api, p, quote!(self.#stored));
        let send = send_param(api, p);
        let name = ident(&p.rust_name);
        let send = if p.required { send } else { quote!(if let Some(#name) = #name { #send }) };
        quote! {
            fn #put(&self, request: &mut runtime::request::RequestParts) -> Result<(), runtime::validate::ValidationError> {
                #bind
                #send
                Ok(())
            }
        }
    });
    quote!(#( #methods )*)
}

/// Lays one parameter on `request`, encoded as its location and type say: its field, when
/// set, is bound to a reference of its type (`&T`). The typed mocks encode their expected
/// values with this same code, so that what they match is what the client sends.
pub(super) fn send_param(api: &Api, p: &Param) -> TokenStream {
    let wire = &p.wire_name;
    let field = ident(&p.rust_name);
    match p.location {
        ParamLocation::Query => {
            if let Some(constant) = &p.constant {
                return quote!(request.query(#wire, #constant););
            }
            let item = ident("item");
            match &p.ty {
                ty if !is_simple(api, ty) => {
                    let deep = p.deep_object;
                    quote!(request.query_value(#wire, &runtime::body::to_json(#field), #deep);)
                }
                // Arrays go as repeated pairs (`form` style, `explode: true`, the default).
                TypeRef::Vec(inner) => {
                    let text = value_text(inner, &item);
                    quote!(for #item in #field.iter() { request.query(#wire, #text); })
                }
                ty => {
                    let text = value_text(ty, &field);
                    quote!(request.query(#wire, #text);)
                }
            }
        }
        ParamLocation::Header => {
            if let Some(constant) = &p.constant {
                return quote!(request.header(#wire, #constant)?;);
            }
            let text = if is_simple(api, &p.ty) { joined_text(&p.ty, &field) } else { structured_text(&field) };
            quote!(request.header(#wire, #text)?;)
        }
        ParamLocation::Path => {
            let text = if is_simple(api, &p.ty) { joined_text(&p.ty, &field) } else { structured_text(&field) };
            quote!(request.push_path_param(#text);)
        }
    }
}

/// Puts the typed body (`value`, an expression of type `&T`) on the request, encoded as its
/// media type says.
pub(super) fn send_body_tokens(api: &Api, body: &RequestBody, value: TokenStream) -> TokenStream {
    let content_type = &body.content_type;
    match body.kind {
        BodyKind::Json => quote!(request.json_body(#content_type, #value)?;),
        BodyKind::Form => quote!(request.form_body(#content_type, &runtime::body::to_json(#value));),
        BodyKind::Binary => quote!(request.raw_body(#content_type, #value.to_vec());),
        BodyKind::Text => quote!(request.raw_body(#content_type, #value.as_bytes().to_vec());),
        BodyKind::Multipart => {
            let parts = multipart_parts(api, &body.ty, &value);
            quote! {
                let mut form = runtime::body::Multipart::new();
                #( #parts )*
                request.multipart_body(form);
            }
        }
    }
}

/// One part per property of a multipart body: bytes as files, everything else as text.
pub(super) fn multipart_parts(api: &Api, ty: &TypeRef, body: &TokenStream) -> Vec<TokenStream> {
    let TypeRef::Named(id) = ty else { return Vec::new() };
    let crate::ir::TypeKind::Struct(s) = &api.types[id.0].kind else { return Vec::new() };
    s.fields
        .iter()
        .map(|field| {
            let member = ident(&field.rust_name);
            let wire = &field.wire_name;
            let add = if field.ty == TypeRef::Bytes {
                quote!(form.file(#wire, value);)
            } else {
                quote!(form.text(#wire, &runtime::body::to_json(value));)
            };
            if field.is_optional() {
                quote!(if let Some(value) = &(#body).#member { #add })
            } else {
                quote!({ let value = &(#body).#member; #add })
            }
        })
        .collect()
}

/// `let body = ...;`: the typed body (or `None`), checked against the spec.
pub(super) fn body_binding(api: &Api, op: &Operation, store: &BodyStore<'_>) -> TokenStream {
    match store {
        BodyStore::None | BodyStore::EmptyObject(_) => TokenStream::new(),
        BodyStore::Whole(body) => {
            let missing = if body.required {
                quote!(let body = Some(runtime::validate::required("body", body)?);)
            } else {
                TokenStream::new()
            };
            let check = checks_for_optional_ref(api, quote!(body), &body.ty, &Default::default(), quote!("body"));
            quote! {
                let body = self.body.as_ref();
                #missing
                #check
            }
        }
        BodyStore::Object(body, def) => {
            let ty = rust_type(api, &body.ty, TypesPath::Crate);
            let members = def.fields.iter().map(|f| {
                let member = ident(&f.rust_name);
                let slot = slot(op, &f.rust_name);
                let label = format!("body.{}", f.rust_name);
                let wire = &f.wire_name;
                let required = quote!(runtime::validate::required_property(#label, #wire, self.#slot.take())?);
                match (f.is_optional(), f.boxed) {
                    (false, false) => quote!(#member: #required,),
                    (false, true) => quote!(#member: Box::new(#required),),
                    (true, false) => quote!(#member: self.#slot.take(),),
                    (true, true) => quote!(#member: self.#slot.take().map(Box::new),),
                }
            });
            let rest = def.additional.as_ref().map(|_| {
                let slot = slot(op, ADDITIONAL);
                quote!(additional_properties: self.#slot.take().unwrap_or_default(),)
            });
            let assemble = quote!(#ty { #( #members )* #rest });
            if body_always_sent(body) {
                // Whatever was set, `{}` at least; a missing required property fails here, by name.
                let check = checks_for(api, quote!(body), Holds::Value, &body.ty, &Default::default(), quote!("body"));
                quote! {
                    let body = #assemble;
                    #check
                }
            } else {
                let check = checks_for(api, quote!(body), Holds::Option, &body.ty, &Default::default(), quote!("body"));
                quote! {
                    let body = if self.body_set { Some(#assemble) } else { None };
                    #check
                }
            }
        }
    }
}

/// Object bodies that go out even when no setter was called.
pub(super) fn body_always_sent(body: &RequestBody) -> bool {
    body.required || body.always_send
}

/// Whether a parameter of this type is sent by its own text (primitives, string enums and
/// arrays of those); anything else goes through its JSON form.
pub(super) fn is_simple(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Vec(inner) => !matches!(**inner, TypeRef::Vec(_)) && is_simple(api, inner),
        TypeRef::Named(id) => matches!(api.types[id.0].kind, crate::ir::TypeKind::Enum(_)),
        TypeRef::Map(_) | TypeRef::Json | TypeRef::Unit | TypeRef::Bytes | TypeRef::External { .. } => false,
        _ => true,
    }
}

/// The `simple`-style text of a structured value (a union of primitives, an object).
pub(super) fn structured_text(value: &proc_macro2::Ident) -> TokenStream {
    quote!(&runtime::body::scalar_text(&runtime::body::to_json(#value)))
}

/// A `&str` expression for one value of `ty` held in `value` (a reference).
pub(super) fn value_text(ty: &TypeRef, value: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::String => quote!(#value.as_str()),
        TypeRef::Secret => quote!(#value.expose_secret()),
        TypeRef::Named(_) => quote!(#value.as_str()),
        TypeRef::DateTime(TimeFormat::Rfc3339) => quote!(&#value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true)),
        TypeRef::DateTime(TimeFormat::EpochSeconds) => quote!(&#value.timestamp().to_string()),
        TypeRef::DateTime(TimeFormat::EpochMillis) => quote!(&#value.timestamp_millis().to_string()),
        _ => quote!(&#value.to_string()),
    }
}

/// Like `value_text`, but arrays become comma-separated (`simple` style, for paths and headers).
pub(super) fn joined_text(ty: &TypeRef, value: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::Vec(inner) => {
            let item = ident("item");
            let text = value_text(inner, &item);
            quote!(&#value.iter().map(|#item| (#text).to_string()).collect::<Vec<_>>().join(","))
        }
        ty => value_text(ty, value),
    }
}
