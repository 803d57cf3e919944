//! `mock.rs` (the `mock` cargo feature): a method per operation on the runtime's
//! `MockServer`, returning a typed expectation. Its setters are the operation's parameters,
//! encoded by the same code the request builder uses (`request::send_param`), its body is
//! the operation's body type, and its answers are the operation's own success and error
//! types, at the statuses the spec gives them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{cfg, gate, ident, rust_type, Chunk, MacroArm, TypesPath};
use crate::ir::{Api, BodyDecoding, BodyKind, ErrorCase, Operation, Param, ParamLocation, PathPiece, StatusMatch};

use super::builder::{settable_params, setter_input, shared_field};
use super::request::send_param;
use super::error_type;

/// `mock.rs`: its preamble, then the shared matchers' macro (defined before the
/// expectations that call it), then the server's methods and the expectations.
pub fn emit_mock(api: &Api) -> (TokenStream, Vec<Chunk>) {
    let methods: Vec<TokenStream> = api.operations.iter().map(|op| gate(server_method(api, op), &cfg(op.feature.as_slice()))).collect();
    let expectations: Vec<TokenStream> = api.operations.iter().map(|op| gate(expectation(api, op), &cfg(op.feature.as_slice()))).collect();
    let shared = shared_matchers(api);
    // Imported only where used: `runtime::` encodes objects in a query; `types::` appears in
    // bodies and answers, not every operation has.
    let shared_text = match &shared {
        Some(Chunk::ImplMacro { arms, .. }) => arms.iter().map(|arm| arm.items.to_string()).collect(),
        _ => String::new(),
    };
    let text: String = expectations.iter().chain(&methods).map(TokenStream::to_string).chain([shared_text]).collect();
    let uses = |path: &str| text.contains(path);
    let runtime = uses("runtime ::").then(|| quote!(runtime,));
    let types = uses("types ::").then(|| quote!(types,));

    let errors = (!api.operations.is_empty()).then(|| quote!(errors,));
    let allow = super::allow_unused(api);
    // A spec without operations has nothing to expect: only the server itself.
    let imports = (!api.operations.is_empty()).then(|| {
        quote! {
            #allow
            use crate::{#errors #runtime #types};
            #allow
            use crate::runtime::mock::{Answer, Expectation, PathPart};
        }
    });
    let preamble = quote! {
        //! Typed test doubles, with the `mock` feature: a local server that answers each
        //! operation as a test says.
        //!
        //! ```ignore
        //! let server = MockServer::start().await;
        //! server.some_operation().some_parameter(5).times(1).respond(body).await;
        //! let client = server.client_builder().build()?;
        //! // ... the code under test calls `client` ...
        //! server.verify().await; // panics, naming the operation, unless each expectation was met
        //! ```
        //!
        //! An expectation matches the requests of its operation whose parameters and body
        //! agree with what was set on it (anything not set matches any value); it answers
        //! with a typed success (`respond`), a documented error (`respond_error`, at the
        //! status the spec gives it), a page after page (`respond_pages`) or a bare status
        //! (`respond_status`: a 429 to exercise retries). Earlier expectations answer first;
        //! `times(n)` hands over to the next after `n` requests.
        #imports
    };
    let items = quote! {
        pub use crate::runtime::mock::MockServer;

        impl MockServer {
            /// A client builder pointed at this server; add credentials and build.
            pub fn client_builder(&self) -> crate::ClientBuilder {
                crate::Client::builder().base_url(self.uri())
            }

            #( #methods )*
        }

        #( #expectations )*
    };
    (preamble, shared.into_iter().chain([Chunk::Items(items)]).collect())
}

fn server_method(api: &Api, op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let name = ident(&op.type_name);
    let id = &op.id;
    let http = ident(op.http_method.as_str());
    let line = format!(" Expects [`Client::{}`](crate::Client::{}): `{} {}`.", op.method_name, op.method_name, op.http_method.as_str(), op.path_template);
    let parts = op.path.iter().map(|piece| match piece {
        PathPiece::Literal(text) => quote!(PathPart::Literal(#text)),
        PathPiece::Param(_) => quote!(PathPart::Param(None)),
    });
    // Constant parameters tell operations apart (AWS JSON's `X-Amz-Target`): always matched.
    let constants = op.params.iter().filter(|p| p.constant.is_some()).map(|p| {
        let send = send_param(api, p);
        quote!(.with(|request| { #send Ok(()) }))
    });
    quote! {
        #[doc = #line]
        pub fn #method(&self) -> #name<'_> {
            #name(self.expect(#id, ::http::Method::#http, vec![#( #parts ),*]) #( #constants )*)
        }
    }
}

fn expectation(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.type_name);
    let line = format!(" An expectation of [`Client::{}`](crate::Client::{}), from [`MockServer::{}`].", op.method_name, op.method_name, op.method_name);
    // A shared parameter's matcher is written once, in `shared_matchers!`; one in the path
    // is given where in the path it goes (`user_id = 1`).
    let path_index = |p: &Param| {
        let index = op.path.iter().position(|piece| matches!(piece, PathPiece::Param(i) if op.params[*i].rust_name == p.rust_name))?;
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        Some(quote!(#index))
    };
    let (shared, own): (Vec<&Param>, Vec<&Param>) = settable_params(op).partition(|p| p.shared.is_some());
    let shared: Vec<TokenStream> = shared
        .iter()
        .map(|p| {
            let arm = ident(shared_field(p));
            match path_index(p) {
                Some(index) => quote!(#arm = #index),
                None => quote!(#arm),
            }
        })
        .collect();
    let shared = (!shared.is_empty()).then(|| quote!(shared_matchers!(#( #shared ),*);));
    let setters = own.into_iter().map(|p| matcher(api, p, path_index(p)));
    let json_body = op.body.as_ref().filter(|b| b.kind == BodyKind::Json && b.ty != crate::ir::TypeRef::Unit).map(|body| {
        let ty = rust_type(api, &body.ty, TypesPath::Crate);
        quote! {
            /// Matches requests whose body is exactly this one (compared as JSON).
            pub fn body(self, body: #ty) -> Self {
                Self(self.0.json_body(&body))
            }

            /// Matches requests whose body decodes and passes `accept`.
            pub fn body_matching(self, accept: impl Fn(&#ty) -> bool + Send + Sync + 'static) -> Self {
                Self(self.0.body_matching(accept))
            }
        }
    });
    let aws_json = op.body.as_ref().is_some_and(|b| b.always_send);
    let content_type = if aws_json { "application/x-amz-json-1.1" } else { "application/json" };
    let respond = respond_fn(api, op, content_type);
    let pages = op.pagination.as_ref().and_then(|_| op.responses.success.first()).and_then(|case| {
        let ty = rust_type(api, case.body.ty()?, TypesPath::Crate);
        let status = answer_status(case.status);
        Some(quote! {
            /// Answers one request after another with these pages, in order (the last one
            /// again if more come), and expects as many requests as there are pages.
            pub async fn respond_pages(self, pages: Vec<#ty>) {
                self.0.respond_in_turn(pages.iter().map(|page| Answer::json(#status, page, #content_type)).collect()).await;
            }
        })
    });
    let error_ty = error_type(op);
    let error_arms = op.responses.errors.iter().map(|case| error_arm(case, &error_ty, content_type, aws_json));
    // An operation without documented errors has an empty enum: nothing to answer with.
    let respond_error = if op.responses.errors.is_empty() {
        quote!(match error {})
    } else {
        quote! {
            let answer = match error { #( #error_arms )* };
            self.0.respond(answer).await;
        }
    };
    quote! {
        #[doc = #line]
        #[must_use = "an expectation does nothing until one of its `respond` methods is awaited"]
        pub struct #name<'a>(Expectation<'a>);

        impl #name<'_> {
            #shared
            #( #setters )*
            #json_body

            /// Answers `n` matching requests, then lets later expectations answer; `verify`
            /// checks that exactly `n` came.
            pub fn times(self, n: u64) -> Self {
                Self(self.0.times(n))
            }

            #respond
            #pages

            /// Answers with a documented error, at the status the spec gives it.
            pub async fn respond_error(self, error: #error_ty) {
                #respond_error
            }

            /// Answers with a bare status and no body (a 429 or 503 to exercise retries).
            pub async fn respond_status(self, status: u16) {
                self.0.respond(Answer::status(status)).await;
            }
        }
    }
}

/// A setter that narrows an expectation to requests with this parameter value, encoded as
/// the client encodes it; `path_index`: where it goes in the path (an expression), if there.
fn matcher(api: &Api, p: &Param, path_index: Option<TokenStream>) -> TokenStream {
    let field = ident(&p.rust_name);
    let (input, convert) = setter_input(api, &p.ty);
    let send = send_param(api, p);
    let doc = format!(" Matches requests whose `{}` is this value, as the client encodes it.", p.wire_name);
    let encode = match path_index {
        Some(index) => quote!(self.0.path_param(#index, |request| { #send })),
        None => quote!(self.0.with(|request| { #send Ok(()) })),
    };
    quote! {
        #[doc = #doc]
        pub fn #field(self, value: #input) -> Self {
            let #field = &#convert;
            Self(#encode)
        }
    }
}

/// `shared_matchers!`: the matchers of the shared parameters, one arm each, for the
/// expectations of the operations that take them; a path parameter's arm is given where in
/// the path it goes.
fn shared_matchers(api: &Api) -> Option<Chunk> {
    let arms: Vec<MacroArm> = api
        .shared_params
        .iter()
        .map(|p| {
            let in_path = p.location == ParamLocation::Path;
            let at = in_path.then(|| {
                let at = ident(MacroArm::ARGUMENT);
                quote!(#at)
            });
            MacroArm { name: shared_field(p).to_string(), takes_argument: in_path, items: matcher(api, p, at) }
        })
        .collect();
    if arms.is_empty() {
        return None;
    }
    let doc = "The matchers of the parameters that many operations declare alike, written once: an\n\
               expectation's `impl` calls `shared_matchers!(a, b = 1)` for those its operation\n\
               takes, with where in the path a path parameter goes.";
    Some(super::impl_macro(api, doc, "shared_matchers", arms))
}

/// `respond(body)` with the first documented success: its status and body type.
fn respond_fn(api: &Api, op: &Operation, content_type: &str) -> TokenStream {
    let Some(case) = op.responses.success.first() else {
        return TokenStream::new();
    };
    let status = match case.status {
        StatusMatch::Default => answer_status(StatusMatch::Code(200)),
        status => answer_status(status),
    };
    let line = format!(" Answers with status {status} and this body.");
    match &case.body {
        BodyDecoding::Json(ty) | BodyDecoding::JsonOrEmpty(ty) => {
            let ty = rust_type(api, ty, TypesPath::Crate);
            quote! {
                #[doc = #line]
                pub async fn respond(self, body: #ty) {
                    self.0.respond(Answer::json(#status, &body, #content_type)).await;
                }
            }
        }
        BodyDecoding::Text | BodyDecoding::Binary => quote! {
            #[doc = #line]
            pub async fn respond(self, body: impl Into<Vec<u8>>) {
                self.0.respond(Answer::raw(#status, body.into())).await;
            }
        },
        BodyDecoding::None => {
            let line = format!(" Answers with status {status} and no body.");
            quote! {
                #[doc = #line]
                pub async fn respond(self) {
                    self.0.respond(Answer::status(#status)).await;
                }
            }
        }
    }
}

fn error_arm(case: &ErrorCase, error_ty: &TokenStream, content_type: &str, aws_json: bool) -> TokenStream {
    let variant = ident(&case.variant);
    // Errors told apart by code alone (AWS's made-up statuses) go out as a 400 with the code.
    let status = answer_status(if case.match_status { case.status } else { StatusMatch::Code(400) });
    let code = case.code.as_ref().filter(|_| aws_json || !case.match_status).map(|code| quote!(.aws_error(#code)));
    match case.body.ty() {
        Some(_) => quote!(#error_ty::#variant(body) => Answer::json(#status, &body, #content_type) #code,),
        None => quote!(#error_ty::#variant => Answer::status(#status) #code,),
    }
}

/// The status a mock answers with: the documented one, the first of a range, or 500 for
/// `default` errors (200 for a `default` success).
fn answer_status(status: StatusMatch) -> proc_macro2::Literal {
    proc_macro2::Literal::u16_unsuffixed(match status {
        StatusMatch::Code(code) => code,
        StatusMatch::Range(range) => range * 100,
        StatusMatch::Default => 500,
    })
}
