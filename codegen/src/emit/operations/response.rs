//! Response decoding: the success type, the operation's error enum, and `decode()`, one
//! route-table lookup followed by a decode per documented response.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::tokens::{doc, ident, rust_type, TypesPath};
use crate::ir::{Api, BodyDecoding, Operation, StatusMatch};

use super::is_struct;

/// The `T` of `Response<T>`.
pub(super) struct SuccessType {
    pub(super) ty: TokenStream,
    /// The enum to emit when several 2xx bodies differ; empty otherwise.
    pub(super) enum_def: TokenStream,
    pub(super) is_enum: bool,
}

pub(super) fn success_type(api: &Api, op: &Operation) -> SuccessType {
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

pub(super) fn error_type(op: &Operation) -> TokenStream {
    let name = ident(&format!("{}Error", op.type_name));
    quote!(errors::#name)
}

pub(super) fn error_enum(api: &Api, op: &Operation) -> TokenStream {
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

pub(super) fn status_text(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => format!("status {code}"),
        StatusMatch::Range(range) => format!("status {range}XX"),
        StatusMatch::Default => "any other status".into(),
    }
}

/// `fn decode(raw)`: the response, matched against the documented ones. The runtime finds
/// which one it is from a table ([`Route`]s, one lookup); the arms only decode.
pub(super) fn decode_fn(api: &Api, op: &Operation, success: &SuccessType, error_ty: &TokenStream) -> TokenStream {
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
    // `#[inline]` (as `request`): compiled in the program that awaits `send()`, for the
    // operations it calls, rather than for every operation when the crate itself is built.
    // Decoding is where serde's code for each response type is instantiated: two thirds of a
    // large crate's LLVM IR when it was an ordinary function (bunq, `cargo llvm-lines`).
    quote! {
        #[inline]
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
pub(super) fn route(status: StatusMatch, success: bool) -> TokenStream {
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
pub(super) fn decode_body(api: &Api, body: &BodyDecoding, typed: bool) -> TokenStream {
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

/// `send_events()` for an operation documented as streaming its success: the same request,
/// asking for the stream's media type, and a stream of decoded items; an error status is
/// decoded as `send()` decodes it.
pub(super) fn events_fn(api: &Api, op: &Operation, error_ty: &TokenStream) -> Option<TokenStream> {
    let events = op.responses.events.as_ref()?;
    let item = rust_type(api, &events.item, TypesPath::Crate);
    let (framing, what) = match events.framing {
        crate::ir::Framing::ServerSentEvents => (quote!(ServerSentEvents), "server-sent event"),
        crate::ir::Framing::JsonLines => (quote!(JsonLines), "JSON line"),
    };
    let media_type = &events.media_type;
    let line = format!(
        " Sends the request asking for `{media_type}` and returns the response as a stream: each {what}, decoded, as \
         it arrives. An error status is decoded as by [`send`](Self::send)."
    );
    Some(quote! {
        #[doc = #line]
        pub async fn send_events(mut self) -> Result<crate::Response<runtime::stream::Events<#item, #error_ty>>, crate::Error<#error_ty>> {
            let mut request = self.request()?;
            request.set_streaming(true);
            request.accept(#media_type);
            let raw = self.client.core.execute(request).await?;
            if raw.is_success() {
                return runtime::stream::events(raw, runtime::stream::Framing::#framing);
            }
            Err(match Self::decode(raw) {
                Err(error) => error,
                Ok(response) => runtime::response::not_a_stream(response),
            })
        }
    })
}
