//! `lib.rs`: the crate root, `Client` and `ClientBuilder` with a setter per server variable
//! and per kind of authentication the spec declares.

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{doc, doc_lines, ident, paragraphs};
use crate::settings::ClientDefaults;
use crate::ir::{Api, ApiKeyLocation, ClientCredentials, SchemeKind, SecurityScheme, Server};

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
    let var_substitutions: Vec<TokenStream> = variables.iter().map(|v| {
        let field = ident(&v.rust_name);
        let placeholder = format!("{{{}}}", v.wire_name);
        let default = &v.default;
        let name = &v.wire_name;
        quote! {
            let value = self.#field.as_deref().unwrap_or(#default);
            url = url.replace(#placeholder, server_variable(#name, value)?);
        }
    }).collect();
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
    let aws_reexport = api.uses_sigv4().then(|| quote! {
        /// The AWS SDK's credentials types, for [`ClientBuilder::aws_credentials_provider`].
        pub use ::aws_credential_types;
    });

    let defaults = client_defaults(&api.client);
    let c = &api.client;
    let default_doc = |d: Option<Duration>| d.map(|d| {
        let text = format!(" Default: {} (from the generator settings).", humantime::format_duration(d));
        quote!(#[doc = ""] #[doc = #text])
    });
    let (timeout_doc, connect_timeout_doc, operation_timeout_doc) = (default_doc(c.timeout), default_doc(c.connect_timeout), default_doc(c.operation_timeout));
    let retry_doc = c.retry.as_ref().map(|r| {
        let mut parts = Vec::new();
        if let Some(n) = r.max_attempts {
            parts.push(format!("{n} attempts"));
        }
        for (what, d) in [("first wait", r.initial_backoff), ("longest wait", r.max_backoff), ("longest `Retry-After`", r.max_retry_after)] {
            if let Some(d) = d {
                parts.push(format!("{what} {}", humantime::format_duration(d)));
            }
        }
        let text = format!(" Default: {} (from the generator settings).", parts.join(", "));
        quote!(#[doc = ""] #[doc = #text])
    });
    let user_agent_doc = match &c.user_agent {
        Some(agent) => format!(" The `User-Agent` header; default `{agent}`."),
        None => " The `User-Agent` header; default `<package>/<version>`.".to_string(),
    };
    // `build()` takes credentials out of the builder as it goes.
    let build_mut = (!api.schemes.is_empty()).then(|| quote!(mut));
    let default_url_doc = if default_url.is_empty() {
        " The spec names no server: set one with [`ClientBuilder::base_url`].".to_string()
    } else {
        format!(" Default: `{default_url}`, the spec's first server.")
    };

    quote! {
        #crate_doc

        pub mod errors;
        /// Typed test doubles: a local server that answers each operation as a test says.
        #[cfg(feature = "mock")]
        pub mod mock;
        pub mod operations;
        /// Support code shared by every generated client; its items reach users through the
        /// re-exports below, and the rest may change between versions.
        #[doc(hidden)]
        pub mod runtime;
        pub mod types;

        pub use runtime::error::{BuildError, CredentialsProblem, Error, PaginationProblem, RequestProblem};
        pub use runtime::response::Response;
        pub use runtime::retry::RetryPolicy;
        pub use runtime::secret::Secret;
        pub use runtime::validate::ValidationError;
        #aws_reexport

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
            #timeout_doc
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.timeout = Some(timeout);
                self
            }

            /// Time limit for opening a connection (only for the client this builder makes;
            /// configure a client given with `http_client` yourself).
            #connect_timeout_doc
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.connect_timeout = Some(timeout);
                self
            }

            /// Time limit for a whole operation, every attempt and wait included.
            #operation_timeout_doc
            pub fn operation_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.operation_timeout = Some(timeout);
                self
            }

            /// When and how to retry; [`RetryPolicy::none()`] turns retries off.
            #retry_doc
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.retry = Some(policy);
                self
            }

            /// Sends requests through this `reqwest::Client` (proxies, TLS roots, pools).
            ///
            /// Build it with `redirect(reqwest::redirect::Policy::none())`: the client then
            /// follows redirects itself and never sends a credential to another origin.
            pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
                self.http_client = Some(client);
                self
            }

            #[doc = #user_agent_doc]
            pub fn user_agent(mut self, user_agent: impl ::std::convert::Into<String>) -> Self {
                self.user_agent = Some(user_agent.into());
                self
            }

            /// Checks the configuration and makes the client.
            pub fn build(#build_mut self) -> Result<Client, crate::BuildError> {
                let base_url = match &self.base_url {
                    Some(url) => url.clone(),
                    None => self.server_url(#default_url)?,
                };
                let mut config = crate::runtime::client::ClientConfig::new(base_url);
                #auth_build
                #defaults
                let core = crate::runtime::client::ClientCore::new(config)?;
                Ok(Client { core })
            }

            /// A URL of the spec (a server's, a token endpoint's) with the first server's
            /// variables substituted.
            fn server_url(&self, template: &str) -> Result<String, crate::BuildError> {
                #[allow(unused_mut)]
                let mut url = template.to_string();
                #( #var_substitutions )*
                Ok(url)
            }
        }

        #server_variable_fn
    }
}

/// The builder fields, setters and `build()` lines of each security scheme. `build()` lists
/// the schemes in the runtime's config, fills in those the caller configured, and sets the
/// API's default requirement; operations with their own carry it in their request.
struct AuthMembers {
    fields: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    build: TokenStream,
}

impl AuthMembers {
    fn new(api: &Api) -> AuthMembers {
        let mut members = AuthMembers { fields: Vec::new(), setters: Vec::new(), build: TokenStream::new() };
        if api.schemes.is_empty() {
            return members;
        }
        let schemes = api.schemes.iter().map(|scheme| {
            let (name, hint) = (&scheme.name, scheme.setter_hint());
            quote!(crate::runtime::client::Scheme::new(#name, #hint))
        });
        let security = security_tokens(&api.security);
        members.build.extend(quote! {
            config.schemes = ::std::vec::Vec::from([#( #schemes ),*]);
            config.security = #security;
        });
        for (index, scheme) in api.schemes.iter().enumerate() {
            let index = proc_macro2::Literal::usize_unsuffixed(index);
            let credential = match &scheme.kind {
                SchemeKind::Bearer { client_credentials: None } => members.bearer(scheme),
                SchemeKind::Bearer { client_credentials: Some(flow) } => members.client_credentials(scheme, flow),
                SchemeKind::Basic => members.basic(scheme),
                SchemeKind::ApiKey { location, name } => members.api_key(scheme, *location, name),
                SchemeKind::SigV4 { service } => members.sigv4(api, scheme, service),
            };
            members.build.extend(quote! {
                config.schemes[#index].credential = #credential;
            });
        }
        members
    }

    /// Each method below adds the scheme's fields and setters and returns the expression
    /// (an `Option<Arc<dyn Authenticate>>`) that `build()` stores for it.
    fn bearer(&mut self, scheme: &SecurityScheme) -> TokenStream {
        let field = ident(&scheme.setter);
        let line = format!(" Sends `Authorization: Bearer <token>` where the operation asks for `{}`.", scheme.name);
        self.fields.push(quote!(#field: Option<crate::Secret>,));
        self.setters.push(quote! {
            #[doc = #line]
            pub fn #field(mut self, token: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.#field = Some(token.into());
                self
            }
        });
        quote!(self.#field.take().map(|token| ::std::sync::Arc::new(crate::runtime::auth::BearerAuth::new(token)) as _))
    }

    fn client_credentials(&mut self, scheme: &SecurityScheme, flow: &ClientCredentials) -> TokenStream {
        let bearer = self.bearer(scheme);
        let (field, scopes, token_url) = (ident(&flow.setter), ident(&flow.scopes_setter), ident(&flow.token_url_setter));
        let default_url = &flow.token_url;
        let line = format!(
            " Fetches access tokens for `{}` itself, with the OAuth2 client credentials grant: the \
             client id and secret go to the token endpoint (default `{default_url}`), and the token \
             is cached, refreshed before it expires and after a 401, one refresh at a time. \
             Takes precedence over a bearer token.",
            scheme.name
        );
        let scopes_line = " The scopes to ask the token endpoint for (its `scope` parameter); none by default.";
        let url_line = " The token endpoint, instead of the spec's (server variables substituted): for tests and proxies.";
        self.fields.push(quote! {
            #field: Option<(String, crate::Secret)>,
            #scopes: Vec<String>,
            #token_url: Option<String>,
        });
        self.setters.push(quote! {
            #[doc = #line]
            pub fn #field(mut self, client_id: impl ::std::convert::Into<String>, client_secret: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.#field = Some((client_id.into(), client_secret.into()));
                self
            }

            #[doc = #scopes_line]
            pub fn #scopes(mut self, scopes: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<String>>) -> Self {
                self.#scopes = scopes.into_iter().map(::std::convert::Into::into).collect();
                self
            }

            #[doc = #url_line]
            pub fn #token_url(mut self, url: impl ::std::convert::Into<String>) -> Self {
                self.#token_url = Some(url.into());
                self
            }
        });
        quote! {
            match self.#field.take() {
                Some((client_id, client_secret)) => {
                    let token_url = match self.#token_url.take() {
                        Some(url) => url,
                        None => self.server_url(#default_url)?,
                    };
                    if let Err(e) = ::reqwest::Url::parse(&token_url) {
                        return Err(crate::BuildError::new(format!("the OAuth2 token URL is not a valid URL: {e}")));
                    }
                    let scopes = ::std::mem::take(&mut self.#scopes);
                    Some(::std::sync::Arc::new(crate::runtime::oauth2::ClientCredentialsAuth::new(client_id, client_secret, token_url, scopes)) as _)
                }
                None => #bearer,
            }
        }
    }

    fn basic(&mut self, scheme: &SecurityScheme) -> TokenStream {
        let field = ident(&scheme.setter);
        let line = format!(" Sends HTTP Basic credentials where the operation asks for `{}`.", scheme.name);
        self.fields.push(quote!(#field: Option<(String, crate::Secret)>,));
        self.setters.push(quote! {
            #[doc = #line]
            pub fn #field(mut self, user: impl ::std::convert::Into<String>, password: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.#field = Some((user.into(), password.into()));
                self
            }
        });
        quote!(self.#field.take().map(|(user, password)| ::std::sync::Arc::new(crate::runtime::auth::BasicAuth::new(user, password)) as _))
    }

    fn api_key(&mut self, scheme: &SecurityScheme, location: ApiKeyLocation, name: &str) -> TokenStream {
        let field = ident(&scheme.setter);
        let (where_, constructor) = match location {
            ApiKeyLocation::Header => (format!("the `{name}` header"), quote!(header)),
            ApiKeyLocation::Query => (format!("the `{name}` query parameter"), quote!(query)),
            ApiKeyLocation::Cookie => (format!("the `{name}` cookie"), quote!(cookie)),
        };
        let line = format!(" Sends the key, as given, in {where_}, where the operation asks for `{}`.", scheme.name);
        self.fields.push(quote!(#field: Option<crate::Secret>,));
        self.setters.push(quote! {
            #[doc = #line]
            pub fn #field(mut self, key: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.#field = Some(key.into());
                self
            }
        });
        quote!(self.#field.take().map(|key| ::std::sync::Arc::new(crate::runtime::auth::ApiKeyAuth::#constructor(#name, key)) as _))
    }

    fn sigv4(&mut self, api: &Api, scheme: &SecurityScheme, service: &str) -> TokenStream {
        let field = ident(&scheme.setter);
        let region_default = region_default(api.servers.first());
        self.fields.push(quote! {
            #field: Option<(String, crate::Secret)>,
            aws_session_token: Option<crate::Secret>,
            aws_credentials_provider: Option<::aws_credential_types::provider::SharedCredentialsProvider>,
            aws_credentials_missing: Option<&'static str>,
        });
        let (region, region_from_env) = match &region_default {
            Some((field, default)) => {
                let field = ident(field);
                (
                    quote!(self.#field.clone().unwrap_or_else(|| #default.to_string())),
                    quote! {
                        if self.#field.is_none() {
                            self.#field = ::std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty());
                        }
                    },
                )
            }
            None => (quote!(String::from("us-east-1")), TokenStream::new()),
        };
        let region_doc = if region_default.is_some() {
            " and, unless a region was set already, `AWS_REGION`, the `region` server variable."
        } else {
            "."
        };
        let env_doc = format!(
            " Signs with the credentials of the standard environment variables `AWS_ACCESS_KEY_ID`, \
             `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`{region_doc} They are read now; \
             [`build`](ClientBuilder::build) fails if the key id or the secret is missing."
        );
        self.setters.push(quote! {
            /// Signs every request with AWS Signature Version 4, using these long-term or
            /// temporary credentials. The signing region is the `region` server variable.
            pub fn #field(mut self, access_key_id: impl ::std::convert::Into<String>, secret_access_key: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.#field = Some((access_key_id.into(), secret_access_key.into()));
                self.aws_credentials_missing = None;
                self
            }

            /// The session token that comes with temporary credentials (`X-Amz-Security-Token`).
            pub fn aws_session_token(mut self, token: impl ::std::convert::Into<crate::Secret>) -> Self {
                self.aws_session_token = Some(token.into());
                self
            }

            #[doc = #env_doc]
            pub fn aws_credentials_from_env(mut self) -> Self {
                let var = |name: &str| ::std::env::var(name).ok().filter(|v| !v.is_empty());
                match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
                    (Some(id), Some(secret)) => {
                        self.#field = Some((id, crate::Secret::new(secret)));
                        self.aws_session_token = var("AWS_SESSION_TOKEN").map(crate::Secret::new);
                        self.aws_credentials_missing = None;
                    }
                    (None, _) => self.aws_credentials_missing = Some("AWS_ACCESS_KEY_ID is not set"),
                    (_, None) => self.aws_credentials_missing = Some("AWS_SECRET_ACCESS_KEY is not set"),
                }
                #region_from_env
                self
            }

            /// Signs with credentials from any provider of the AWS SDK's own trait: the
            /// `aws-config` default chain, a profile, SSO, an IAM role. They are asked for
            /// when first needed and again shortly before they expire, one request at a time.
            /// Takes precedence over fixed credentials.
            pub fn aws_credentials_provider(mut self, provider: impl ::aws_credential_types::provider::ProvideCredentials + 'static) -> Self {
                self.aws_credentials_provider = Some(::aws_credential_types::provider::SharedCredentialsProvider::new(provider));
                self.aws_credentials_missing = None;
                self
            }
        });
        quote! {
            {
                if let Some(missing) = self.aws_credentials_missing {
                    return Err(crate::BuildError::new(format!("aws_credentials_from_env: {missing}")));
                }
                let region = #region;
                match (self.aws_credentials_provider.take(), self.#field.take()) {
                    (Some(provider), _) => Some(::std::sync::Arc::new(crate::runtime::sigv4::SigV4Auth::from_provider(provider, region, #service)) as _),
                    (None, Some((access_key_id, secret_access_key))) => Some(::std::sync::Arc::new(crate::runtime::sigv4::SigV4Auth::new(access_key_id, secret_access_key, self.aws_session_token.take(), region, #service)) as _),
                    (None, None) => None,
                }
            }
        }
    }
}

/// `&[&[0], &[1, 2], &[]]`: a security requirement as the runtime reads it.
/// What `build()` sets from the builder: each value the caller left unset falls back to the
/// settings' `[client]` default, else to the runtime's.
fn client_defaults(defaults: &ClientDefaults) -> TokenStream {
    let user_agent = match &defaults.user_agent {
        Some(agent) => quote!(self.user_agent.unwrap_or_else(|| #agent.to_string())),
        None => quote!(self.user_agent.unwrap_or_else(|| {
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_string()
        })),
    };
    let or_default = |field: TokenStream, default: Option<Duration>| match default {
        Some(d) => {
            let d = duration(d);
            quote!(self.#field.or(Some(#d)))
        }
        None => quote!(self.#field),
    };
    let timeout = or_default(quote!(timeout), defaults.timeout);
    let operation_timeout = or_default(quote!(operation_timeout), defaults.operation_timeout);
    let connect_timeout = match defaults.connect_timeout {
        Some(d) => {
            let d = duration(d);
            quote!(config.connect_timeout = Some(self.connect_timeout.unwrap_or(#d));)
        }
        None => quote! {
            // Unset keeps the runtime's default (10 s), rather than no limit at all.
            if let Some(timeout) = self.connect_timeout {
                config.connect_timeout = Some(timeout);
            }
        },
    };
    let retry = match &defaults.retry {
        None => quote!(self.retry.unwrap_or_default()),
        Some(r) => {
            let mut policy = quote!(crate::RetryPolicy::default());
            if let Some(n) = r.max_attempts {
                let n = proc_macro2::Literal::u32_unsuffixed(n);
                policy = quote!(#policy.with_max_attempts(#n));
            }
            let durations = [(quote!(with_initial_backoff), r.initial_backoff), (quote!(with_max_backoff), r.max_backoff), (quote!(with_max_retry_after), r.max_retry_after)];
            for (setter, value) in durations {
                if let Some(d) = value {
                    let d = duration(d);
                    policy = quote!(#policy.#setter(#d));
                }
            }
            quote!(self.retry.unwrap_or_else(|| #policy))
        }
    };
    quote! {
        config.user_agent = #user_agent;
        config.http_client = self.http_client;
        config.timeout = #timeout;
        #connect_timeout
        config.operation_timeout = #operation_timeout;
        config.retry = #retry;
    }
}

/// A `Duration` expression in the largest whole unit: seconds, milliseconds or nanoseconds.
fn duration(d: Duration) -> TokenStream {
    let literal = |n: u128| proc_macro2::Literal::u64_unsuffixed(u64::try_from(n).unwrap_or(u64::MAX));
    if d.subsec_nanos() == 0 {
        let n = literal(d.as_secs().into());
        quote!(::std::time::Duration::from_secs(#n))
    } else if d.subsec_nanos() % 1_000_000 == 0 {
        let n = literal(d.as_millis());
        quote!(::std::time::Duration::from_millis(#n))
    } else {
        let n = literal(d.as_nanos());
        quote!(::std::time::Duration::from_nanos(#n))
    }
}

pub fn security_tokens(security: &[Vec<usize>]) -> TokenStream {
    let alternatives = security.iter().map(|alternative| {
        let indices = alternative.iter().map(|i| proc_macro2::Literal::usize_unsuffixed(*i));
        quote!(&[#( #indices ),*])
    });
    quote!(&[#( #alternatives ),*])
}

/// The builder field of the `region` server variable, and its default.
fn region_default(server: Option<&Server>) -> Option<(String, String)> {
    server?.variables.iter().find(|v| v.wire_name == "region").map(|v| (v.rust_name.clone(), v.default.clone()))
}

fn crate_doc(api: &Api) -> TokenStream {
    let title = format!("{} {}", api.title, api.version);
    let generated = format!("Generated from the OpenAPI description of {}. See the README for an example.", api.title);
    let text = paragraphs(&[Some(&title), api.description.as_deref(), Some(&generated)]).unwrap_or_default();
    let lines = doc_lines(&text);
    quote! { #( #![doc = #lines] )* }
}
