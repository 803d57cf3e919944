//! The model the emitters read: HTTP and Rust facts, with every name chosen, every `$ref`
//! resolved and every wire convention made explicit. Nothing here mentions OpenAPI syntax.

/// The struct, in `operations.rs`, that holds the values of `Api::shared_params` in each
/// builder that takes some of them.
pub const SHARED_PARAMS: &str = "SharedParams";

/// One API: becomes one crate.
#[derive(Debug, Clone)]
pub struct Api {
    /// Package name, `<stem>-client`.
    pub package: String,
    /// Library name, `<stem>_client`.
    pub library: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    /// The security schemes the client can satisfy, in the order the spec declares them.
    pub schemes: Vec<SecurityScheme>,
    /// What an operation without its own `security` needs: the global requirement, or,
    /// when the spec states none, any one configured scheme or nothing.
    pub security: Security,
    pub operations: Vec<Operation>,
    /// Parameters that many operations declare alike (bunq's seven headers on each of its
    /// 429 operations, GitHub's `owner` and `per_page`), each with `shared` set: their
    /// setters are written once, and each builder keeps their values in one struct.
    pub shared_params: Vec<Param>,
    pub types: Vec<TypeDef>,
    /// Cargo features, one per tag (small tags merged): empty when the spec has fewer than
    /// two tags, and then everything is always compiled.
    pub features: Vec<Feature>,
    /// The `[package]` of the generated `Cargo.toml`, and what it depends on beyond the runtime.
    pub krate: CrateMeta,
    /// What the generated `ClientBuilder` starts from (settings `[client]`).
    pub client: crate::settings::ClientDefaults,
}

/// The generated crate's manifest, decided from the settings and the spec's `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateMeta {
    pub version: String,
    pub description: String,
    pub license: String,
    pub repository: Option<String>,
    pub keywords: Vec<String>,
    pub edition: String,
    pub rust_version: String,
    /// Whether `cargo publish` may publish it (`publish = false` otherwise).
    pub publish: bool,
    /// Extra dependencies (for derives and replaced types): name → TOML value.
    pub dependencies: Vec<(String, String)>,
}

/// A cargo feature of the crate: the operations of some tags and the types they need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub name: String,
    /// The spec's tags whose operations it gates.
    pub tags: Vec<String>,
}

impl Api {
    pub fn uses_sigv4(&self) -> bool {
        self.schemes.iter().any(|s| matches!(s.kind, SchemeKind::SigV4 { .. }))
    }

    pub fn uses_streaming(&self) -> bool {
        self.operations.iter().any(|op| op.responses.events.is_some())
    }

    pub fn uses_client_credentials(&self) -> bool {
        self.schemes.iter().any(|s| s.client_credentials().is_some())
    }
}

#[derive(Debug, Clone)]
pub struct Server {
    /// URL template, with `{variable}` placeholders.
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
}

#[derive(Debug, Clone)]
pub struct ServerVariable {
    pub wire_name: String,
    pub rust_name: String,
    pub default: String,
    pub allowed: Vec<String>,
    pub description: Option<String>,
}

/// Alternatives, tried in order; each lists the indices (into `Api::schemes`) of the schemes
/// that must all be sent. No alternatives: send no credential (`security: []`). An empty
/// alternative: sending none is allowed.
pub type Security = Vec<Vec<usize>>;

/// One security scheme of the spec that the client can satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// Its name under `components/securitySchemes`.
    pub name: String,
    pub pointer: String,
    pub description: Option<String>,
    pub kind: SchemeKind,
    /// The builder setter that configures it: the kind's usual name (`bearer_token`,
    /// `api_key`, ...) or, when the spec has several schemes of that kind, the scheme's own.
    pub setter: String,
}

impl SecurityScheme {
    pub fn client_credentials(&self) -> Option<&ClientCredentials> {
        match &self.kind {
            SchemeKind::Bearer { client_credentials } => client_credentials.as_ref(),
            _ => None,
        }
    }

    /// The `ClientBuilder` methods that configure this scheme, as the README, the API
    /// surface and the diff name them.
    pub fn setters(&self) -> Vec<AuthSetter> {
        let setter = |name: &str, signature: &'static str, note: String| AuthSetter { name: name.to_string(), signature, note };
        match &self.kind {
            SchemeKind::Bearer { client_credentials } => {
                let mut setters = vec![setter(&self.setter, "(impl Into<Secret>)", format!("`{}`: Authorization: Bearer", self.name))];
                if let Some(flow) = client_credentials {
                    setters.push(setter(&flow.setter, "(impl Into<String>, impl Into<Secret>)", format!("`{}`: OAuth2 client credentials", self.name)));
                    setters.push(setter(&flow.scopes_setter, "(impl IntoIterator<Item = impl Into<String>>)", "OAuth2 scopes to ask for".into()));
                    setters.push(setter(&flow.token_url_setter, "(impl Into<String>)", format!("default `{}`", flow.token_url)));
                }
                setters
            }
            SchemeKind::Basic => vec![setter(&self.setter, "(impl Into<String>, impl Into<Secret>)", format!("`{}`: Authorization: Basic", self.name))],
            SchemeKind::ApiKey { location, name } => {
                let place = match location {
                    ApiKeyLocation::Header => "header",
                    ApiKeyLocation::Query => "query",
                    ApiKeyLocation::Cookie => "cookie",
                };
                vec![setter(&self.setter, "(impl Into<Secret>)", format!("`{}`: {place} `{name}`", self.name))]
            }
            SchemeKind::SigV4 { service } => vec![
                setter(&self.setter, "(impl Into<String>, impl Into<Secret>)", format!("`{}`: SigV4, service `{service}`", self.name)),
                setter("aws_session_token", "(impl Into<Secret>)", "X-Amz-Security-Token".into()),
                setter("aws_credentials_from_env", "()", "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION".into()),
                setter("aws_credentials_provider", "(impl ::aws_credential_types::provider::ProvideCredentials + 'static)", "aws-config's default chain, profiles, roles".into()),
            ],
        }
    }

    /// How an error message names the setters that satisfy this scheme.
    pub fn setter_hint(&self) -> String {
        match self.client_credentials() {
            Some(flow) => format!("{}` or `{}", self.setter, flow.setter),
            None => self.setter.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`: http bearer, OAuth2 and OpenID Connect. OAuth2 with a
    /// `clientCredentials` flow can also fetch the token itself.
    Bearer { client_credentials: Option<ClientCredentials> },
    /// `Authorization: Basic ...`.
    Basic,
    /// A key sent as given, in a header, the query or a cookie.
    ApiKey { location: ApiKeyLocation, name: String },
    /// AWS Signature Version 4; the region is the `region` server variable.
    SigV4 { service: String },
}

/// A `ClientBuilder` method for a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSetter {
    pub name: String,
    /// Its parameters, as the API surface prints them.
    pub signature: &'static str,
    pub note: String,
}

/// An OAuth2 `clientCredentials` flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The flow's `tokenUrl`, with `{variable}` placeholders of the first server's variables.
    pub token_url: String,
    pub scopes: Vec<String>,
    /// Builder setters: `client_credentials`, `scopes`, `token_url`, prefixed with the
    /// scheme's name when the spec has several bearer schemes.
    pub setter: String,
    pub scopes_setter: String,
    pub token_url_setter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The operationId (or one derived from method and path).
    pub id: String,
    /// `snake_case` client method.
    pub method_name: String,
    /// `UpperCamelCase` stem for the builder and its error and response types.
    pub type_name: String,
    pub http_method: HttpMethod,
    /// The path as the spec writes it, for docs and tracing (`/api/v2/tokens/{id}`).
    pub path_template: String,
    /// The path to send, piece by piece.
    pub path: Vec<PathPiece>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Safe to retry on 5xx and connection failures.
    pub idempotent: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub responses: Responses,
    pub pagination: Option<Pagination>,
    /// The spec's tags, in order.
    pub tags: Vec<String>,
    /// The cargo feature that gates this operation; `None`: always compiled.
    pub feature: Option<String>,
    /// Its own `security`, resolved; `None`: the API's default (`Api::security`).
    pub security: Option<Security>,
    /// `#/paths/<path>/<method>`.
    pub pointer: String,
    /// The `Accept` header to send: JSON when a documented response has a JSON body, except
    /// on AWS JSON operations (the AWS SDKs send none).
    pub accept: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Idempotent by HTTP semantics (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, HttpMethod::Post | HttpMethod::Patch)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPiece {
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

#[derive(Debug, Clone)]
pub struct Param {
    pub wire_name: String,
    /// Setter and field name.
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub constraints: Constraints,
    /// A value sent on every call, with no setter (a single-value enum header).
    pub constant: Option<String>,
    pub description: Option<String>,
    /// An object-valued query parameter: `style: deepObject` sends `name[key]=value`,
    /// otherwise each property is a parameter of its own (`form`, exploded).
    pub deep_object: bool,
    /// Where it is declared (`.../parameters/<index>`, before following a `$ref`); `None` for
    /// constants the generator derives from the path.
    pub pointer: Option<String>,
    /// One of `Api::shared_params`: the name of the field that holds it in every builder's
    /// shared parameters (its `rust_name`, unless two shared parameters have that name).
    pub shared: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub content_type: String,
    pub kind: BodyKind,
    pub ty: TypeRef,
    pub required: bool,
    /// The top-level properties of an object body, each of which gets a setter.
    pub properties: Vec<BodyProperty>,
    /// AWS JSON: send `{}` when the caller sets nothing.
    pub always_send: bool,
}

/// How a request body goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`; nested values in bracket notation (`a[b]=c`).
    Form,
    /// `multipart/form-data`: a part per property, binary properties as files.
    Multipart,
    /// Bytes as given (`application/octet-stream`, images...).
    Binary,
    /// Text as given (`text/plain`...).
    Text,
}

#[derive(Debug, Clone)]
pub struct BodyProperty {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Responses {
    pub success: Vec<SuccessCase>,
    pub errors: Vec<ErrorCase>,
    /// A success documented as a stream (server-sent events, JSON lines): `send_events()`.
    pub events: Option<EventStream>,
}

/// A streaming success response: how it is cut into items, and each item's type.
#[derive(Debug, Clone)]
pub struct EventStream {
    pub framing: Framing,
    pub media_type: String,
    pub item: TypeRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    ServerSentEvents,
    JsonLines,
}

#[derive(Debug, Clone)]
pub struct SuccessCase {
    pub status: StatusMatch,
    /// Variant name, when several successes carry different bodies.
    pub variant: String,
    pub body: BodyDecoding,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyDecoding {
    /// No body documented: whatever comes is ignored.
    None,
    /// A JSON body that must be present.
    Json(TypeRef),
    /// A JSON object with no required members: an empty body means `{}`.
    JsonOrEmpty(TypeRef),
    /// Text (`text/plain`, `text/html`...): a `String`.
    Text,
    /// Anything else (`application/octet-stream`, images...): the bytes.
    Binary,
}

impl BodyDecoding {
    pub fn ty(&self) -> Option<&TypeRef> {
        match self {
            BodyDecoding::None => None,
            BodyDecoding::Json(ty) | BodyDecoding::JsonOrEmpty(ty) => Some(ty),
            BodyDecoding::Text => Some(&TypeRef::String),
            BodyDecoding::Binary => Some(&TypeRef::Bytes),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ErrorCase {
    pub status: StatusMatch,
    /// Whether the status identifies this error: false for the made-up statuses (480, 481...)
    /// that AWS specs use to list errors told apart by code only.
    pub match_status: bool,
    /// The AWS error code that identifies this error whatever its status.
    pub code: Option<String>,
    pub variant: String,
    pub body: BodyDecoding,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `4XX` is `Range(4)`.
    Range(u16),
    Default,
}

/// What `x-pagination` says, resolved to Rust names.
#[derive(Debug, Clone)]
pub enum Pagination {
    Token {
        /// Where the request carries the token: a body property or a query parameter.
        input: PageInput,
        /// The response field with the next token.
        output_field: String,
        items_field: String,
        item_ty: TypeRef,
    },
    Offset {
        /// Index into `Operation::params`.
        offset_param: usize,
        limit_param: Option<usize>,
        items_field: String,
        item_ty: TypeRef,
        total_field: Option<String>,
        /// A JSON pointer into the page (`/_links/next`): when it points at nothing, this
        /// is the last page.
        next_link: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub enum PageInput {
    /// Index into `Operation::params`.
    Param(usize),
    /// Rust name of the body property setter.
    BodyProperty(String),
}

/// A Rust type as used in a field, parameter or body.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Bool,
    I32,
    I64,
    F32,
    F64,
    String,
    Secret,
    DateTime(TimeFormat),
    /// Anything: `serde_json::Value`.
    Json,
    /// No data: `()`.
    Unit,
    /// Raw bytes (`format: binary`, binary bodies): `Vec<u8>`.
    Bytes,
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
    Named(TypeId),
    /// A type the user supplies instead of a generated one (settings `[replace]`): its path,
    /// such as `uuid::Uuid`, and what the spec says goes on the wire (the primitive a
    /// `format` was on; any JSON for a replaced schema). It is (de)serialized by its own serde
    /// impls.
    External { path: String, wire: Box<TypeRef> },
}

impl TypeRef {
    /// The Rust type as a user writes it (`Vec<Token>`, `DateTime<Utc>`), naming each named
    /// type as `named` says: reports and listings of the API share this one spelling.
    pub fn rust_text(&self, named: &dyn Fn(TypeId) -> String) -> String {
        match self {
            TypeRef::Bool => "bool".into(),
            TypeRef::I32 => "i32".into(),
            TypeRef::I64 => "i64".into(),
            TypeRef::F32 => "f32".into(),
            TypeRef::F64 => "f64".into(),
            TypeRef::String => "String".into(),
            TypeRef::Secret => "Secret".into(),
            TypeRef::DateTime(_) => "DateTime<Utc>".into(),
            TypeRef::Json => "serde_json::Value".into(),
            TypeRef::Unit => "()".into(),
            TypeRef::Bytes => "Vec<u8>".into(),
            TypeRef::Vec(inner) => format!("Vec<{}>", inner.rust_text(named)),
            TypeRef::Map(inner) => format!("BTreeMap<String, {}>", inner.rust_text(named)),
            TypeRef::Named(id) => named(*id),
            TypeRef::External { path, .. } => path.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    Rfc3339,
    EpochSeconds,
    EpochMillis,
}

/// Index into `Api::types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub description: Option<String>,
    pub kind: TypeKind,
    /// Whether values of this type can fail client-side validation: its own fields carry
    /// constraints, or it holds a type that does. Only such types implement `Validate`.
    pub validated: bool,
    /// The cargo features any of which compiles this type; empty: always compiled.
    pub features: Vec<String>,
    /// The schema that defines it (`$ref`s followed); `None` for a type whose definition
    /// failed and became opaque JSON.
    pub pointer: Option<String>,
    /// Derives beyond the ones every generated type has (settings `[derive]`), as Rust
    /// paths: `Eq`, `schemars::JsonSchema`.
    pub derives: Vec<String>,
    /// Another type, identical to this one, that is generated in its place: this one is
    /// `pub type <name> = <that>;`. Its kind is still its own, for the code that uses it.
    pub alias_of: Option<TypeId>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum, with an `Unknown(String)` fallback.
    Enum(Vec<EnumVariant>),
    Union(Union),
    /// A schema the generator cannot express, kept as `serde_json::Value` so that the rest
    /// of the crate still works (lenient generation only).
    Opaque,
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside named properties: kept in a flattened map.
    pub additional: Option<TypeRef>,
    /// Alternatives (by Rust field name) of which one must be fully set, from `oneOf` or
    /// `anyOf` members that only require some properties; empty: no such check.
    pub required_one_of: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Breaks a cycle of directly nested structs.
    pub boxed: bool,
    pub description: Option<String>,
    pub constraints: Constraints,
    /// Where the property is declared (`#/components/schemas/Token/properties/name`; in an
    /// `allOf` member, that member's), for `diff` to locate and read it.
    pub pointer: String,
}

impl Field {
    /// Absent or `null` are both possible: the Rust type is an `Option`.
    pub fn is_optional(&self) -> bool {
        !self.required || self.nullable
    }
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    pub wire: String,
}

#[derive(Debug, Clone)]
pub struct Union {
    /// The discriminator property; `None` means untagged.
    pub tag: Option<String>,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    pub boxed: bool,
    /// The discriminator value, for tagged unions.
    pub tag_value: Option<String>,
    /// Where the alternative is listed (`#/components/schemas/Shape/oneOf/1`), for `diff`.
    pub pointer: String,
}

/// Client-side checks from JSON Schema validation keywords.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// Checks on each item of an array.
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }

    /// The pattern, when `send()` can check it: the `regex` crate has no look-around or
    /// backreferences, so such a pattern (Azure's `^(?![0-9]+$)(?!-)...`) is documented only.
    pub fn checkable_pattern(&self) -> Option<&str> {
        self.pattern.as_deref().filter(|p| regex::Regex::new(p).is_ok())
    }

    /// Whether a value of `ty` under these constraints is checked by `send()`, given which
    /// named types are (`validated`). What `emit::validate` emits a check for, and nothing
    /// else: a type marked validated with nothing to check has an empty `validate`.
    pub fn check_anything(&self, ty: &TypeRef, validated: &dyn Fn(TypeId) -> bool) -> bool {
        let nested = |inner: &TypeRef| Constraints::default().check_anything(inner, validated);
        match ty {
            TypeRef::String | TypeRef::Secret => self.min_length.is_some() || self.max_length.is_some() || self.checkable_pattern().is_some(),
            TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => self.minimum.is_some() || self.maximum.is_some(),
            TypeRef::Vec(inner) => {
                self.min_items.is_some() || self.max_items.is_some() || self.items.as_deref().cloned().unwrap_or_default().check_anything(inner, validated)
            }
            TypeRef::Map(inner) => nested(inner),
            TypeRef::Named(id) => validated(*id),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}
