//! `lib.rs`: the crate root, `Client` and `ClientBuilder` with a setter per server variable
//! and per kind of authentication the spec declares.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{doc, ident, paragraphs};
use crate::ir::{Api, ApiKeyLocation, Auth, Server};

pub fn emit_lib(api: &Api) -> TokenStream {
    let crate_doc = crate_doc(api);
    let server = api.servers.first();
    let default_url = server.map(|s| s.url.clone()).unwrap_or_default();
    let variables = server.map(|s| s.variables.as_slice()).unwrap_or_default();

    let var_fields = variables.iter().map(|v| {
        let field = ident(&v.rust_name);
        quote!(#field: Option<String>,)
    });
    let var_setters = variables.iter().map(|v| {
        let field = ident(&v.rust_name);
        let default = format!("Server variable `{}` of `{}`; default `{}`.", v.wire_name, default_url, v.default);
        let allowed = (!v.allowed.is_empty()).then(|| format!("Known values: {}.", v.allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")));
        let docs = doc(paragraphs(&[v.description.as_deref(), Some(&default), allowed.as_deref()]).as_deref());
        quote! {
            #docs
            pub fn #field(mut self, value: impl ::std::convert::Into<String>) -> Self {
                self.#field = Some(value.into());
                self
            }
        }
    });
    let var_substitutions = variables.iter().map(|v| {
        let field = ident(&v.rust_name);
        let placeholder = format!("{{{}}}", v.wire_name);
        let default = &v.default;
        let name = &v.wire_name;
        quote! {
            let value = self.#field.as_deref().unwrap_or(#default);
            url = url.replace(#placeholder, server_variable(#name, value)?);
        }
    });
    let server_variable_fn = (!variables.is_empty()).then(|| {
        quote! {
            /// A server variable goes into the URL as it is: refuse what would change which
            /// host or path the URL names.
            fn server_variable<'a>(name: &str, value: &'a str) -> Result<&'a str, crate::BuildError> {
                let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | ':');
                if !value.is_empty() && value.chars().all(allowed) {
                    Ok(value)
                } else {
                    Err(crate::BuildError::new(format!("server variable `{name}` may only hold letters, digits and `-._~:`")))
                }
            }
        }
    });

    let auth = AuthMembers::new(api);
    let (auth_fields, auth_setters, auth_build) = (&auth.fields, &auth.setters, &auth.build);

    let default_url_doc = if default_url.is_empty() {
        " The spec names no server: set one with [`ClientBuilder::base_url`].".to_string()
    } else {
        format!(" Default: `{default_url}`, the spec's first server.")
    };

    quote! {
        #crate_doc

        pub mod errors;
        pub mod operations;
        /// Support code shared by every generated client; its items reach users through the
        /// re-exports below, and the rest may change between versions.
        #[doc(hidden)]
        pub mod runtime;
        pub mod types;

        pub use runtime::error::{BuildError, Error};
        pub use runtime::response::Response;
        pub use runtime::retry::RetryPolicy;
        pub use runtime::secret::Secret;
        pub use runtime::validate::ValidationError;

        /// The client: cheap to clone, safe to share between tasks.
        #[derive(Clone)]
        pub struct Client {
            pub(crate) core: crate::runtime::client::ClientCore,
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client").field("core", &self.core).finish()
            }
        }

        impl Client {
            /// Starts configuring a client.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// The URL every request path is appended to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }
        }

        /// Configures a [`Client`]. Nothing is checked until [`build`](ClientBuilder::build).
        #[derive(Default)]
        pub struct ClientBuilder {
            base_url: Option<String>,
            #( #var_fields )*
            #( #auth_fields )*
            timeout: Option<::std::time::Duration>,
            connect_timeout: Option<::std::time::Duration>,
            operation_timeout: Option<::std::time::Duration>,
            retry: Option<crate::RetryPolicy>,
            http_client: Option<::reqwest::Client>,
            user_agent: Option<String>,
        }

        impl ::std::fmt::Debug for ClientBuilder {
            // Credentials stay out of logs: show only what is configured.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("ClientBuilder").field("base_url", &self.base_url).finish_non_exhaustive()
            }
        }

        impl ClientBuilder {
            #[doc = " The server to talk to, instead of the one the spec names."]
            #[doc = ""]
            #[doc = #default_url_doc]
            pub fn base_url(mut self, url: impl ::std::convert::Into<String>) -> Self {
                self.base_url = Some(url.into());
                self
            }

            #( #var_setters )*
            #( #auth_setters )*

            /// Time limit for each attempt, from sending the request to reading the whole body.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.timeout = Some(timeout);
                self
            }

            /// Time limit for opening a connection (only for the client this builder makes;
            /// configure a client given with `http_client` yourself).
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.connect_timeout = Some(timeout);
                self
            }

            /// Time limit for a whole operation, every attempt and wait included.
            pub fn operation_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.operation_timeout = Some(timeout);
                self
            }

            /// When and how to retry; [`RetryPolicy::none()`] turns retries off.
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.retry = Some(policy);
                self
            }

            /// Sends requests through this `reqwest::Client` (proxies, TLS roots, pools).
            pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
                self.http_client = Some(client);
                self
            }

            /// The `User-Agent` header; default `<package>/<version>`.
            pub fn user_agent(mut self, user_agent: impl ::std::convert::Into<String>) -> Self {
                self.user_agent = Some(user_agent.into());
                self
            }

            /// Checks the configuration and makes the client.
            pub fn build(self) -> Result<Client, crate::BuildError> {
                let base_url = match &self.base_url {
                    Some(url) => url.clone(),
                    None => {
                        #[allow(unused_mut)]
                        let mut url = String::from(#default_url);
                        #( #var_substitutions )*
                        url
                    }
                };
                let mut config = crate::runtime::client::ClientConfig::new(base_url);
                #auth_build
                config.user_agent = self.user_agent.unwrap_or_else(|| {
                    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_string()
                });
                config.http_client = self.http_client;
                config.timeout = self.timeout;
                // Unset keeps the runtime's default (10 s), rather than no limit at all.
                if let Some(timeout) = self.connect_timeout {
                    config.connect_timeout = Some(timeout);
                }
                config.operation_timeout = self.operation_timeout;
                config.retry = self.retry.unwrap_or_default();
                let core = crate::runtime::client::ClientCore::new(config)?;
                Ok(Client { core })
            }
        }

        #server_variable_fn
    }
}

/// The builder fields, setters and `build()` lines for each kind of authentication.
struct AuthMembers {
    fields: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    build: TokenStream,
}

impl AuthMembers {
    fn new(api: &Api) -> AuthMembers {
        let mut members = AuthMembers { fields: Vec::new(), setters: Vec::new(), build: TokenStream::new() };
        for auth in &api.auth {
            match auth {
                Auth::Bearer => members.bearer(),
                Auth::Basic => members.basic(),
                Auth::ApiKey { location, name } => members.api_key(*location, name),
                Auth::SigV4 { service } => members.sigv4(api, service),
            }
        }
        members
    }

    fn bearer(&mut self) {
        self.fields.push(quote!(bearer_token: Option<crate::Secret>,));
        self.setters.push(quote! {
            /// Sends `Authorization: Bearer <token>` with every request.
            pub fn bearer_token(mut self, token: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.bearer_token = Some(token.into());
                self
            }
        });
        self.build.extend(quote! {
            if let Some(token) = self.bearer_token {
                config.auth.push(::std::sync::Arc::new(crate::runtime::auth::BearerAuth::new(token)));
            }
        });
    }

    fn basic(&mut self) {
        self.fields.push(quote!(basic_auth: Option<(String, crate::Secret)>,));
        self.setters.push(quote! {
            /// Sends HTTP Basic credentials with every request.
            pub fn basic_auth(mut self, user: impl ::std::convert::Into<String>, password: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.basic_auth = Some((user.into(), password.into()));
                self
            }
        });
        self.build.extend(quote! {
            if let Some((user, password)) = self.basic_auth {
                config.auth.push(::std::sync::Arc::new(crate::runtime::auth::BasicAuth::new(user, password)));
            }
        });
    }

    fn api_key(&mut self, location: ApiKeyLocation, name: &str) {
        let (where_, constructor) = match location {
            ApiKeyLocation::Header => (format!("the `{name}` header"), quote!(header)),
            ApiKeyLocation::Query => (format!("the `{name}` query parameter"), quote!(query)),
        };
        let line = format!(" Sends the key, as given, in {where_} of every request.");
        self.fields.push(quote!(api_key: Option<crate::Secret>,));
        self.setters.push(quote! {
            #[doc = #line]
            pub fn api_key(mut self, key: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.api_key = Some(key.into());
                self
            }
        });
        self.build.extend(quote! {
            if let Some(key) = self.api_key {
                config.auth.push(::std::sync::Arc::new(crate::runtime::auth::ApiKeyAuth::#constructor(#name, key)));
            }
        });
    }

    fn sigv4(&mut self, api: &Api, service: &str) {
        let region_default = region_default(api.servers.first());
        self.fields.push(quote! {
            aws_credentials: Option<(String, crate::Secret)>,
            aws_session_token: Option<crate::Secret>,
        });
        self.setters.push(quote! {
            /// Signs every request with AWS Signature Version 4, using these long-term or
            /// temporary credentials. The signing region is the `region` server variable.
            pub fn aws_credentials(mut self, access_key_id: impl ::std::convert::Into<String>, secret_access_key: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.aws_credentials = Some((access_key_id.into(), secret_access_key.into()));
                self
            }

            /// The session token that comes with temporary credentials (`X-Amz-Security-Token`).
            pub fn aws_session_token(mut self, token: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.aws_session_token = Some(token.into());
                self
            }
        });
        let region = match region_default {
            Some((field, default)) => {
                let field = ident(&field);
                quote!(self.#field.clone().unwrap_or_else(|| #default.to_string()))
            }
            None => quote!(String::from("us-east-1")),
        };
        self.build.extend(quote! {
            if let Some((access_key_id, secret_access_key)) = self.aws_credentials {
                let signer = crate::runtime::sigv4::SigV4Auth::new(access_key_id, secret_access_key, self.aws_session_token, #region, #service);
                config.auth.push(::std::sync::Arc::new(signer));
            }
        });
    }
}

/// The builder field of the `region` server variable, and its default.
fn region_default(server: Option<&Server>) -> Option<(String, String)> {
    server?.variables.iter().find(|v| v.wire_name == "region").map(|v| (v.rust_name.clone(), v.default.clone()))
}

fn crate_doc(api: &Api) -> TokenStream {
    let title = format!("{} {}", api.title, api.version);
    let generated = format!("Generated from the OpenAPI description of {}. See the README for an example.", api.title);
    let text = paragraphs(&[Some(&title), api.description.as_deref(), Some(&generated)]).unwrap_or_default();
    let lines = text.lines().map(|line| format!(" {}", line.trim_end()));
    quote! { #( #![doc = #lines] )* }
}
