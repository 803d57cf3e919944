//! `operations.rs`: a client method and a request builder per operation, with its
//! parameter and body setters, `send()`, and the decoding of every documented response.
//! `errors.rs`: each operation's enum of documented errors.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::tokens::{cfg, doc, gate, ident, paragraphs, rust_type, TypesPath};
use crate::emit::validate::{checks_for, checks_for_optional_ref, Holds};
use crate::ir::{
    Api, BodyDecoding, BodyKind, Operation, PageInput, Pagination, Param, ParamLocation, PathPiece, RequestBody,
    StatusMatch, Struct, TimeFormat, TypeRef,
};

pub fn emit_operations(api: &Api) -> TokenStream {
    let methods = api.operations.iter().map(|op| client_method(api, op));
    let builders = api.operations.iter().map(|op| gate(builder(api, op), &cfg(op.feature.as_slice())));
    // Imported only when used: a spec without operations, or whose operations carry no
    // named type, would otherwise get unused imports.
    let imports = (!api.operations.is_empty()).then(|| {
        let types = api.operations.iter().any(operation_mentions_types).then(|| quote!(types,));
        let allow = allow_unused(api);
        quote!(#allow use crate::{errors, runtime, #types};)
    });
    quote! {
        //! One request builder per operation. Start from the methods on [`Client`](crate::Client).
        #imports

        impl crate::Client {
            #( #methods )*
        }
        #( #builders )*
    }
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
    let fields = settable_params(op).map(|p| (ident(&p.rust_name), quote!(None))).chain(body_fields(op, &body_store(api, op)));
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

/// How the builder holds the request body.
enum BodyStore<'a> {
    None,
    /// AWS JSON operations without input: `{}` on the wire.
    EmptyObject(&'a RequestBody),
    /// An object body, gathered property by property into typed slots of the builder and
    /// assembled into its struct in `send()`.
    Object(&'a RequestBody, &'a Struct),
    /// Any other body, set whole.
    Whole(&'a RequestBody),
}

fn body_store<'a>(api: &'a Api, op: &'a Operation) -> BodyStore<'a> {
    match &op.body {
        None => BodyStore::None,
        Some(body) if body.ty == TypeRef::Unit => BodyStore::EmptyObject(body),
        Some(body) if !body.properties.is_empty() => match struct_of(api, &body.ty) {
            Some(def) => BodyStore::Object(body, def),
            None => BodyStore::Whole(body),
        },
        Some(body) => BodyStore::Whole(body),
    }
}

fn struct_of<'a>(api: &'a Api, ty: &TypeRef) -> Option<&'a Struct> {
    match ty {
        TypeRef::Named(id) => match &api.types[id.0].kind {
            crate::ir::TypeKind::Struct(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The builder field that holds one property of an object body until `send()`: named after
/// the property, kept apart from the parameters' fields.
fn slot(op: &Operation, property: &str) -> proc_macro2::Ident {
    let mut name = format!("body_{property}");
    while op.params.iter().any(|p| p.rust_name == name) {
        name.push('_');
    }
    ident(&name)
}

const ADDITIONAL: &str = "additional_properties";

fn settable_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.constant.is_none())
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.type_name);
    let name_text = &op.type_name;
    let line = format!(" Builder for [`Client::{}`](crate::Client::{}): `{} {}`.", op.method_name, op.method_name, op.http_method.as_str(), op.path_template);
    let store = body_store(api, op);

    let param_fields = settable_params(op).map(|p| {
        let field = ident(&p.rust_name);
        let ty = rust_type(api, &p.ty, TypesPath::Crate);
        quote!(#field: Option<#ty>,)
    });
    let param_setters = settable_params(op).map(|p| param_setter(api, p));
    let (body_field, body_setters) = body_members(api, op, &store);

    let request_fn = request_fn(api, op, &store);
    let success = success_type(api, op);
    let (success_ty, success_enum) = (&success.ty, &success.enum_def);
    let error_ty = error_type(op);
    let decode = decode_fn(api, op, &success, &error_ty);
    let stream = (!success.is_enum).then(|| stream_fn(api, op, &success.ty, &error_ty)).flatten();

    quote! {
        #[doc = #line]
        #[must_use = "a request does nothing until `.send().await`"]
        #[derive(Clone)]
        pub struct #name {
            client: crate::Client,
            #( #param_fields )*
            #body_field
        }

        impl ::std::fmt::Debug for #name {
            // Parameters and bodies may hold secrets: show only which request this is.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name_text).finish_non_exhaustive()
            }
        }

        impl #name {
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
            #request_fn
            #decode
        }

        #success_enum
    }
}

/// A setter's argument type and how to turn it into the stored value: arrays take any
/// iterable of things that convert into their items (`["a", "b"]` for a `Vec<String>`).
fn setter_input(api: &Api, ty: &TypeRef) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::Vec(item) => {
            let item = rust_type(api, item, TypesPath::Crate);
            (
                quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
                quote!(value.into_iter().map(::std::convert::Into::into).collect::<Vec<#item>>()),
            )
        }
        ty => {
            let ty = rust_type(api, ty, TypesPath::Crate);
            (quote!(impl ::std::convert::Into<#ty>), quote!(value.into()))
        }
    }
}

fn param_setter(api: &Api, p: &Param) -> TokenStream {
    let field = ident(&p.rust_name);
    let (input, convert) = setter_input(api, &p.ty);
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    };
    let requirement = if p.required { "required" } else { "optional" };
    let line = format!("`{}` ({place} parameter, {requirement}).", p.wire_name);
    let docs = doc(paragraphs(&[p.description.as_deref(), Some(&line)]).as_deref());
    quote! {
        #docs
        pub fn #field(mut self, value: #input) -> Self {
            self.#field = Some(#convert);
            self
        }
    }
}

/// The builder's fields that hold the body, with the value each starts out with.
fn body_fields(op: &Operation, store: &BodyStore<'_>) -> Vec<(proc_macro2::Ident, TokenStream)> {
    match store {
        BodyStore::None | BodyStore::EmptyObject(_) => Vec::new(),
        BodyStore::Whole(_) => vec![(ident("body"), quote!(None))],
        BodyStore::Object(body, def) => {
            let mut fields: Vec<_> = def.fields.iter().map(|f| (slot(op, &f.rust_name), quote!(None))).collect();
            if def.additional.is_some() {
                fields.push((slot(op, ADDITIONAL), quote!(None)));
            }
            // An optional body goes out once anything of it is set, even to nothing but `{}`.
            if !body_always_sent(body) {
                fields.push((ident("body_set"), quote!(false)));
            }
            fields
        }
    }
}

fn body_members(api: &Api, op: &Operation, store: &BodyStore<'_>) -> (TokenStream, TokenStream) {
    match store {
        BodyStore::None | BodyStore::EmptyObject(_) => (TokenStream::new(), TokenStream::new()),
        BodyStore::Whole(body) => {
            let ty = rust_type(api, &body.ty, TypesPath::Crate);
            (
                quote!(body: Option<#ty>,),
                quote! {
                    /// The whole request body.
                    pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.body = Some(value.into());
                        self
                    }
                },
            )
        }
        BodyStore::Object(body, def) => {
            let ty = rust_type(api, &body.ty, TypesPath::Crate);
            let mark = (!body_always_sent(body)).then(|| quote!(self.body_set = true;));
            let slots = def.fields.iter().map(|f| {
                let slot = slot(op, &f.rust_name);
                let value = rust_type(api, &f.ty, TypesPath::Crate);
                quote!(#slot: Option<#value>,)
            });
            let additional = def.additional.as_ref().map(|value| {
                let slot = slot(op, ADDITIONAL);
                let value = rust_type(api, value, TypesPath::Crate);
                quote!(#slot: Option<::std::collections::BTreeMap<String, #value>>,)
            });
            let flag = mark.is_some().then(|| quote!(body_set: bool,));
            let setters = body.properties.iter().filter_map(|property| {
                let field = def.fields.iter().find(|f| f.rust_name == property.rust_name)?;
                let setter = ident(&property.rust_name);
                let slot = slot(op, &field.rust_name);
                let (input, convert) = setter_input(api, &property.ty);
                let line = format!("Sets the body property `{}`.", property.wire_name);
                let docs = doc(paragraphs(&[property.description.as_deref(), Some(&line)]).as_deref());
                Some(quote! {
                    #docs
                    pub fn #setter(mut self, value: #input) -> Self {
                        self.#slot = Some(#convert);
                        #mark
                        self
                    }
                })
            });
            // `.body(value)` spreads the value over the slots, so that property setters
            // called afterwards change it.
            let members = def.fields.iter().map(|f| ident(&f.rust_name));
            let spread = def.fields.iter().map(|f| {
                let member = ident(&f.rust_name);
                let slot = slot(op, &f.rust_name);
                match (f.is_optional(), f.boxed) {
                    (false, false) => quote!(self.#slot = Some(#member);),
                    (false, true) => quote!(self.#slot = Some(*#member);),
                    (true, false) => quote!(self.#slot = #member;),
                    (true, true) => quote!(self.#slot = #member.map(|value| *value);),
                }
            });
            let rest = def.additional.as_ref().map(|_| {
                let slot = slot(op, ADDITIONAL);
                (quote!(additional_properties,), quote!(self.#slot = Some(additional_properties);))
            });
            let (rest_member, rest_spread) = rest.unzip();
            (
                quote!(#( #slots )* #additional #flag),
                quote! {
                    /// The whole request body; property setters called afterwards change it.
                    pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        let #ty { #( #members, )* #rest_member } = value.into();
                        #( #spread )*
                        #rest_spread
                        #mark
                        self
                    }
                    #( #setters )*
                },
            )
        }
    }
}

/// `fn request(&mut self)`: checks every value, then lays the request out. Body properties
/// are taken out of the builder, not copied: `send()` consumes it anyway.
fn request_fn(api: &Api, op: &Operation, store: &BodyStore<'_>) -> TokenStream {
    let mut bindings = Vec::new();
    for p in settable_params(op) {
        let field = ident(&p.rust_name);
        let label = &p.rust_name;
        if p.required {
            bindings.push(quote! { let #field = runtime::validate::required(#label, self.#field.as_ref())?; });
            bindings.push(checks_for(api, quote!(#field), Holds::Ref, &p.ty, &p.constraints, quote!(#label)));
        } else {
            bindings.push(quote! { let #field = self.#field.as_ref(); });
            bindings.push(checks_for_optional_ref(api, quote!(#field), &p.ty, &p.constraints, quote!(#label)));
        }
    }
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
        PathPiece::Param(index) => {
            let p = &op.params[*index];
            let field = ident(&p.rust_name);
            let text = if is_simple(api, &p.ty) { joined_text(&p.ty, &field) } else { structured_text(&field) };
            quote!(request.push_path_param(#text);)
        }
    });
    let query = op.params.iter().filter(|p| p.location == ParamLocation::Query).map(|p| {
        let wire = &p.wire_name;
        if let Some(constant) = &p.constant {
            return quote!(request.query(#wire, #constant););
        }
        let field = ident(&p.rust_name);
        let item = ident("item");
        let send_one = match &p.ty {
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
        };
        if p.required { send_one } else { quote!(if let Some(#field) = #field { #send_one }) }
    });
    let headers = op.params.iter().filter(|p| p.location == ParamLocation::Header).map(|p| {
        let wire = &p.wire_name;
        if let Some(constant) = &p.constant {
            return quote!(request.header(#wire, #constant)?;);
        }
        let field = ident(&p.rust_name);
        let text = if is_simple(api, &p.ty) { joined_text(&p.ty, &field) } else { structured_text(&field) };
        if p.required {
            quote!(request.header(#wire, #text)?;)
        } else {
            quote!(if let Some(#field) = #field { request.header(#wire, #text)?; })
        }
    });
    let accept = wants_accept(op).then(|| quote!(request.accept("application/json");));
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
    quote! {
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

/// AWS JSON services answer in their own media type and expect no `Accept`; everyone else
/// is told that JSON is wanted.
fn wants_accept(op: &Operation) -> bool {
    let aws_json = op.body.as_ref().is_some_and(|b| b.always_send);
    let successes = op.responses.success.iter().map(|s| &s.body);
    let errors = op.responses.errors.iter().map(|e| &e.body);
    let json_response = successes.chain(errors).any(|body| body.ty().is_some());
    json_response && !aws_json
}

/// Puts the typed body (`value`, an expression of type `&T`) on the request, encoded as its
/// media type says.
fn send_body_tokens(api: &Api, body: &RequestBody, value: TokenStream) -> TokenStream {
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
fn multipart_parts(api: &Api, ty: &TypeRef, body: &TokenStream) -> Vec<TokenStream> {
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
fn body_binding(api: &Api, op: &Operation, store: &BodyStore<'_>) -> TokenStream {
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
fn body_always_sent(body: &RequestBody) -> bool {
    body.required || body.always_send
}

/// Whether a parameter of this type is sent by its own text (primitives, string enums and
/// arrays of those); anything else goes through its JSON form.
fn is_simple(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Vec(inner) => !matches!(**inner, TypeRef::Vec(_)) && is_simple(api, inner),
        TypeRef::Named(id) => matches!(api.types[id.0].kind, crate::ir::TypeKind::Enum(_)),
        TypeRef::Map(_) | TypeRef::Json | TypeRef::Unit | TypeRef::Bytes => false,
        _ => true,
    }
}

/// The `simple`-style text of a structured value (a union of primitives, an object).
fn structured_text(value: &proc_macro2::Ident) -> TokenStream {
    quote!(&runtime::body::scalar_text(&runtime::body::to_json(#value)))
}

/// A `&str` expression for one value of `ty` held in `value` (a reference).
fn value_text(ty: &TypeRef, value: &proc_macro2::Ident) -> TokenStream {
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
fn joined_text(ty: &TypeRef, value: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::Vec(inner) => {
            let item = ident("item");
            let text = value_text(inner, &item);
            quote!(&#value.iter().map(|#item| (#text).to_string()).collect::<Vec<_>>().join(","))
        }
        ty => value_text(ty, value),
    }
}

/// The `T` of `Response<T>`.
struct SuccessType {
    ty: TokenStream,
    /// The enum to emit when several 2xx bodies differ; empty otherwise.
    enum_def: TokenStream,
    is_enum: bool,
}

fn success_type(api: &Api, op: &Operation) -> SuccessType {
    let cases = &op.responses.success;
    let first = cases.first().map(|c| c.body.ty());
    if cases.iter().all(|c| Some(c.body.ty()) == first) {
        let ty = match first.flatten() {
            Some(ty) => rust_type(api, ty, TypesPath::Crate),
            None => quote!(()),
        };
        return SuccessType { ty, enum_def: TokenStream::new(), is_enum: false };
    }
    let name = ident(&format!("{}Response", op.type_name));
    let variants = cases.iter().map(|case| {
        let variant = ident(&case.variant);
        let docs = doc(Some(&format!("{} ({}).", case.description.trim().trim_end_matches('.'), status_text(case.status))));
        match case.body.ty() {
            Some(ty) => {
                let ty = rust_type(api, ty, TypesPath::Crate);
                quote!(#docs #variant(#ty),)
            }
            None => quote!(#docs #variant,),
        }
    });
    let line = format!(" The successful outcomes of [`Client::{}`](crate::Client::{}), which differ by status.", op.method_name, op.method_name);
    SuccessType {
        ty: quote!(#name),
        enum_def: quote! {
            #[doc = #line]
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name {
                #( #variants )*
            }
        },
        is_enum: true,
    }
}

fn error_type(op: &Operation) -> TokenStream {
    let name = ident(&format!("{}Error", op.type_name));
    quote!(errors::#name)
}

fn error_enum(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&format!("{}Error", op.type_name));
    let line = format!(" The documented errors of [`Client::{}`](crate::Client::{}).", op.method_name, op.method_name);
    let mut variants = Vec::new();
    let mut messages = Vec::new();
    for case in &op.responses.errors {
        let variant = ident(&case.variant);
        let how = match &case.code {
            Some(code) => format!("error code `{code}`"),
            None => status_text(case.status),
        };
        let text = format!("{} ({how})", case.description.trim().trim_end_matches('.'));
        let docs = doc(Some(&format!("{text}.")));
        match case.body.ty() {
            Some(ty) => {
                let ty = rust_type(api, ty, TypesPath::Crate);
                variants.push(quote!(#docs #variant(#ty),));
                messages.push(quote!(Self::#variant(_) => #text,));
            }
            None => {
                variants.push(quote!(#docs #variant,));
                messages.push(quote!(Self::#variant => #text,));
            }
        }
    }
    // `Display` says which documented error it is, never what its body holds: bodies may
    // echo what was sent.
    let (formatter, display) = if messages.is_empty() {
        (quote!(_), quote!(match *self {}))
    } else {
        (quote!(f), quote!(f.write_str(match self { #( #messages )* })))
    };
    quote! {
        #[doc = #line]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #( #variants )*
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, #formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display
            }
        }

        impl ::std::error::Error for #name {}
    }
}

fn status_text(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => format!("status {code}"),
        StatusMatch::Range(range) => format!("status {range}XX"),
        StatusMatch::Default => "any other status".into(),
    }
}

/// `fn decode(raw)`: the response, matched against the documented ones. The runtime finds
/// which one it is from a table ([`Route`]s, one lookup); the arms only decode.
fn decode_fn(api: &Api, op: &Operation, success: &SuccessType, error_ty: &TokenStream) -> TokenStream {
    let success_ty = &success.ty;
    let multi = success.is_enum;
    let enum_name = ident(&format!("{}Response", op.type_name));
    let error_name = ident(&format!("{}Error", op.type_name));
    let mut routes = Vec::new();
    let mut arms = Vec::new();
    for case in &op.responses.success {
        let decode = decode_body(api, &case.body, multi);
        let expr = if multi {
            let variant = ident(&case.variant);
            let wrap = if case.body.ty().is_some() { quote!(#enum_name::#variant) } else { quote!(|()| #enum_name::#variant) };
            quote!(#decode.map(|response| response.map(#wrap)))
        } else {
            decode
        };
        routes.push(route(case.status, true));
        arms.push(expr);
    }
    if op.responses.success.is_empty() {
        routes.push(quote!(Range(2)));
        arms.push(quote!(raw.empty()));
    }
    for case in &op.responses.errors {
        let variant = ident(&case.variant);
        let expr = match case.body.ty() {
            Some(ty) => {
                // The body's type is the variant's: inference finds it, no turbofish needed.
                let method = if is_struct(api, ty) { quote!(api_error_object) } else { quote!(api_error) };
                quote!(Err(raw.#method(errors::#error_name::#variant)))
            }
            None => quote!(Err(raw.api_error_without_body(errors::#error_name::#variant))),
        };
        // An error known by its code alone (AWS's made-up statuses) is routed by code only.
        if let Some(code) = &case.code {
            routes.push(quote!(Code(#code)));
            arms.push(expr.clone());
        }
        if case.match_status {
            routes.push(route(case.status, false));
            arms.push(expr);
        }
    }
    let arms = arms.iter().enumerate().map(|(i, expr)| {
        let i = Literal::usize_unsuffixed(i);
        quote!(Some(#i) => #expr,)
    });
    quote! {
        fn decode(raw: runtime::response::RawResponse) -> Result<crate::Response<#success_ty>, crate::Error<#error_ty>> {
            use runtime::response::Route::*;
            match raw.route(&[#( #routes ),*]) {
                #( #arms )*
                _ => Err(raw.unexpected()),
            }
        }
    }
}

/// The table entry for a documented status.
fn route(status: StatusMatch, success: bool) -> TokenStream {
    match status {
        StatusMatch::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(Status(#code))
        }
        StatusMatch::Range(range) => {
            let range = Literal::u16_unsuffixed(range);
            quote!(Range(#range))
        }
        StatusMatch::Default if success => quote!(Any),
        StatusMatch::Default => quote!(OtherError),
    }
}

/// The call that decodes a success body. Returned as it is, its type comes from `decode`'s
/// return type; wrapped into a success enum (`typed`), inference cannot see through the
/// closure, so the type is spelled out.
fn decode_body(api: &Api, body: &BodyDecoding, typed: bool) -> TokenStream {
    let method = match body {
        BodyDecoding::None => return quote!(raw.empty()),
        BodyDecoding::Text => return quote!(raw.text()),
        BodyDecoding::Binary => return quote!(raw.bytes()),
        BodyDecoding::Json(ty) if is_struct(api, ty) => quote!(json_object),
        BodyDecoding::Json(_) => quote!(json),
        BodyDecoding::JsonOrEmpty(_) => quote!(json_or_empty_object),
    };
    match body.ty().filter(|_| typed) {
        Some(ty) => {
            let ty = rust_type(api, ty, TypesPath::Crate);
            quote!(raw.#method::<#ty, _>())
        }
        None => quote!(raw.#method()),
    }
}

/// `fn stream(self)`: every item across pages, for operations marked with `x-pagination`.
fn stream_fn(api: &Api, op: &Operation, page_ty: &TokenStream, error_ty: &TokenStream) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let page = page_struct(api, op)?;
    let field = |rust_name: &str| page.fields.iter().find(|f| f.rust_name == rust_name);
    let docs = quote! {
        /// Every item of every page, fetched lazily: the next page is requested only when
        /// the items of this one have been consumed. Parameters set on this builder apply to
        /// every page.
    };
    let body = match pagination {
        Pagination::Token { input, output_field, items_field, item_ty } => {
            let item_ty = rust_type(api, item_ty, TypesPath::Crate);
            let (setter, first) = match input {
                PageInput::Param(index) => {
                    let name = ident(&op.params[*index].rust_name);
                    (name.clone(), quote!(self.#name.clone()))
                }
                PageInput::BodyProperty(rust_name) => {
                    let slot = slot(op, rust_name);
                    (ident(rust_name), quote!(self.#slot.clone()))
                }
            };
            let items = items_expr(field(items_field)?);
            let output = field(output_field)?;
            let output_ident = ident(&output.rust_name);
            let next = if output.is_optional() { quote!(page.#output_ident) } else { quote!(Some(page.#output_ident)) };
            quote! {
                #docs
                ///
                /// The walk ends on the page without a next token; a token that comes back a
                /// second time ends it with an error rather than a loop.
                pub fn stream(self) -> impl ::futures::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + Send + Unpin + 'static {
                    let first = #first;
                    runtime::paginate::by_token(
                        first,
                        move |token: Option<String>| {
                            let request = match token {
                                Some(token) => self.clone().#setter(token),
                                None => self.clone(),
                            };
                            request.send()
                        },
                        |page: #page_ty| (#items, #next),
                    )
                }
            }
        }
        Pagination::Offset { offset_param, limit_param, items_field, item_ty, total_field, next_link } => {
            let item_ty = rust_type(api, item_ty, TypesPath::Crate);
            let offset = &op.params[*offset_param];
            let offset_ident = ident(&offset.rust_name);
            let to_param = match offset.ty {
                TypeRef::I32 => quote!(i32::try_from(offset).unwrap_or(i32::MAX)),
                _ => quote!(offset),
            };
            let limit = match limit_param {
                Some(index) => {
                    let name = ident(&op.params[*index].rust_name);
                    let widen = widen_to_i64(&op.params[*index].ty);
                    quote!(self.#name #widen)
                }
                None => quote!(None),
            };
            let widen_offset = widen_to_i64(&offset.ty);
            let items = items_expr(field(items_field)?);
            let total = match total_field {
                Some(total) => {
                    let total = field(total)?;
                    let name = ident(&total.rust_name);
                    let widen = widen_to_i64(&total.ty);
                    if total.is_optional() { quote!(page.#name #widen) } else { quote!(Some(page.#name) #widen) }
                }
                None => quote!(None),
            };
            // Read before the items move out of the page.
            let (read_next, has_next) = match next_link {
                Some(pointer) => {
                    let read = match typed_link(api, page, pointer) {
                        Some(read) => read,
                        // Through a map or free-form JSON: ask the page's JSON form instead.
                        None => quote!(runtime::paginate::has_next_link(&runtime::body::to_json(&page), #pointer)),
                    };
                    (quote!(let has_next = #read;), quote!(has_next))
                }
                None => (TokenStream::new(), quote!(None)),
            };
            quote! {
                #docs
                ///
                /// The walk starts at the offset set on this builder (or 0) and ends on an
                /// empty or short page, once the reported total is reached, or on a page
                /// without a link to the next one.
                pub fn stream(self) -> impl ::futures::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + Send + Unpin + 'static {
                    let start = self.#offset_ident #widen_offset.unwrap_or(0);
                    let limit = #limit;
                    runtime::paginate::by_offset(
                        start,
                        limit,
                        move |offset: i64| self.clone().#offset_ident(#to_param).send(),
                        |page: #page_ty| {
                            #read_next
                            (#items, #total, #has_next)
                        },
                    )
                }
            }
        }
    };
    Some(body)
}

/// Reads a next-page link from the typed page, by the `x-pagination` JSON pointer
/// (`/_links/next`): `Some(true)` when the link is there, `Some(false)` when the object that
/// would hold it is there without it, `None` when the page says nothing either way (as
/// `runtime::paginate::has_next_link` answers for the JSON form). `None` from this function
/// means the pointer goes through something other than structs.
fn typed_link(api: &Api, page: &Struct, pointer: &str) -> Option<TokenStream> {
    let segments: Vec<String> = pointer.strip_prefix('/')?.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let (last, parents) = segments.split_last()?;
    let mut holder = &TypeRef::Unit;
    // `Option<&Holder>`; the page itself to begin with.
    let mut reach = quote!(Some(&page));
    for (i, segment) in parents.iter().enumerate() {
        let fields = if i == 0 { &page.fields } else { &struct_of(api, holder)?.fields };
        let field = fields.iter().find(|f| &f.wire_name == segment)?;
        let member = ident(&field.rust_name);
        reach = match (i, field.is_optional()) {
            (0, true) => quote!(page.#member.as_ref()),
            (0, false) => quote!(Some(&page.#member)),
            (_, true) => quote!(#reach.and_then(|v| v.#member.as_ref())),
            (_, false) => quote!(#reach.map(|v| &v.#member)),
        };
        holder = &field.ty;
    }
    // The link's holder: the page itself, a struct, or a map of links (`_links: {next: ...}`).
    let present = match holder {
        TypeRef::Map(value) if **value == TypeRef::Json => quote!(v.get(#last).is_some_and(|link| !link.is_null())),
        TypeRef::Map(_) => quote!(v.contains_key(#last)),
        _ => {
            let fields = if parents.is_empty() { &page.fields } else { &struct_of(api, holder)?.fields };
            let field = fields.iter().find(|f| &f.wire_name == last)?;
            let member = ident(&field.rust_name);
            match (&field.ty, field.is_optional()) {
                (TypeRef::Json, true) => quote!(v.#member.as_ref().is_some_and(|link| !link.is_null())),
                (TypeRef::Json, false) => quote!(!v.#member.is_null()),
                (_, true) => quote!(v.#member.is_some()),
                // Always there once its holder is.
                (_, false) => return Some(quote!(#reach.map(|_| true))),
            }
        }
    };
    Some(quote!(#reach.map(|v| #present)))
}

fn is_struct(api: &Api, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(id) if matches!(api.types[id.0].kind, crate::ir::TypeKind::Struct(_)))
}

/// `.map(i64::from)` for an `Option` of a narrower integer; nothing for `i64`.
fn widen_to_i64(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::I64 => TokenStream::new(),
        _ => quote!(.map(i64::from)),
    }
}

fn page_struct<'a>(api: &'a Api, op: &Operation) -> Option<&'a crate::ir::Struct> {
    let TypeRef::Named(id) = op.responses.success.iter().find_map(|s| s.body.ty())? else { return None };
    match &api.types[id.0].kind {
        crate::ir::TypeKind::Struct(s) => Some(s),
        _ => None,
    }
}

fn items_expr(items: &crate::ir::Field) -> TokenStream {
    let name = ident(&items.rust_name);
    if items.is_optional() {
        quote!(page.#name.unwrap_or_default())
    } else {
        quote!(page.#name)
    }
}

/// Whether a type names one of the crate's own types, so that the `types` module is used.
fn mentions_named(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => mentions_named(inner),
        _ => false,
    }
}

fn operation_mentions_types(op: &Operation) -> bool {
    let params = op.params.iter().filter(|p| p.constant.is_none()).map(|p| &p.ty);
    let body = op.body.iter().map(|b| &b.ty);
    let properties = op.body.iter().flat_map(|b| &b.properties).map(|p| &p.ty);
    let successes = op.responses.success.iter().filter_map(|s| s.body.ty());
    let pages = op.pagination.iter().map(|p| match p {
        Pagination::Token { item_ty, .. } | Pagination::Offset { item_ty, .. } => item_ty,
    });
    params.chain(body).chain(properties).chain(successes).chain(pages).any(mentions_named)
}
