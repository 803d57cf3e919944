//! The model the emitters read: HTTP and Rust facts, with every name chosen, every `$ref`
//! resolved and every wire convention made explicit. Nothing here mentions OpenAPI syntax.

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
    pub auth: Vec<Auth>,
    pub operations: Vec<Operation>,
    pub types: Vec<TypeDef>,
    /// Cargo features, one per tag (small tags merged): empty when the spec has fewer than
    /// two tags, and then everything is always compiled.
    pub features: Vec<Feature>,
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
        self.auth.iter().any(|a| matches!(a, Auth::SigV4 { .. }))
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

/// One way to authenticate; at most one of each kind per API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (http bearer and OAuth2).
    Bearer,
    /// `Authorization: Basic ...`.
    Basic,
    /// A key sent as given, in a header or the query.
    ApiKey { location: ApiKeyLocation, name: String },
    /// AWS Signature Version 4; the region is the `region` server variable.
    SigV4 { service: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header,
    Query,
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}
