//! The rules: one stable id per kind of change, with its usual verdicts.
//!
//! A rule's `wire` and `rust` levels are what the rule reports in the common case. Where a
//! verdict depends on what the generated crate actually looks like (did a Rust type change?
//! does the struct stop deriving `Default`?), the comparison computes it and the table says
//! so in `detects`. `RULES.md` documents the same table for readers; a test keeps the two in
//! step.

use serde::Serialize;

/// How much a change matters, to one audience or overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Nothing that worked stops working.
    Info,
    /// Works, but deserves a look: new behaviour, a deprecation, a new variant to match.
    Warning,
    /// Something that worked stops working: a request is refused, a response fails to
    /// decode, or Rust code that compiled no longer does.
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

/// What the table says about one rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    /// The verdict for wire clients (any client of the HTTP API, in any language).
    pub wire: Level,
    /// The verdict for Rust users of the generated crate, in the usual case.
    pub rust: Level,
    /// The change adds API surface to the crate (a method, setter, field, type): a minor bump.
    pub additive: bool,
    /// What the rule detects, and how verdicts that depend on the case are decided.
    pub detects: &'static str,
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $name:ident => $id:literal, $wire:ident, $rust:ident, $additive:literal, $detects:literal; )+) => {
        /// Every kind of change the comparison reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $name, )+
        }

        impl Rule {
            /// Every rule, in the order of the table.
            pub const ALL: &'static [Rule] = &[ $( Rule::$name, )+ ];

            pub fn info(self) -> RuleInfo {
                match self {
                    $( Rule::$name => RuleInfo {
                        id: $id,
                        wire: Level::$wire,
                        rust: Level::$rust,
                        additive: $additive,
                        detects: $detects,
                    }, )+
                }
            }
        }
    };
}

impl Rule {
    /// The stable id, as printed in reports and accepted by tools reading them.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.id() == id)
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

rules! {
    // Whole specs.
    SpecAdded => "spec-added", Info, Info, true,
        "A spec that exists only in the new revision: a new crate.";
    SpecRemoved => "spec-removed", Breaking, Breaking, false,
        "A spec that exists only in the base revision: its crate goes away.";

    // Servers.
    ServerAdded => "server-added", Info, Info, false,
        "A server URL that is new.";
    ServerRemoved => "server-removed", Warning, Info, false,
        "A server URL that is gone: callers configured with it must move.";
    ServerDefaultChanged => "server-default-changed", Warning, Warning, false,
        "The first server, the generated client's default base URL, is a different URL.";
    ServerVariableAdded => "server-variable-added", Info, Info, true,
        "A variable of the first server that is new: a new `ClientBuilder` setter (it has a default).";
    ServerVariableRemoved => "server-variable-removed", Warning, Breaking, false,
        "A variable of the first server that is gone: its `ClientBuilder` setter goes away.";

    // Security.
    SecuritySchemeAdded => "security-scheme-added", Info, Info, true,
        "A security scheme that is new; a new kind of scheme adds a `ClientBuilder` auth setter.";
    SecuritySchemeRemoved => "security-scheme-removed", Breaking, Breaking, false,
        "A security scheme that is gone: callers authenticating with it are refused. Rust: breaking when the auth setter of its kind goes away, else info.";
    OAuthScopeAdded => "security-scheme-oauth-scope-added", Info, Info, false,
        "An OAuth2 flow of a scheme offers a new scope.";
    OAuthScopeRemoved => "security-scheme-oauth-scope-removed", Breaking, Info, false,
        "An OAuth2 flow of a scheme no longer offers a scope: tokens asked for with it are refused.";
    OAuthUrlChanged => "security-scheme-oauth-url-changed", Warning, Info, false,
        "An OAuth2 flow's `tokenUrl`, `authorizationUrl` or `refreshUrl` changed: callers that configured it must follow; the generated client-credentials default follows the spec.";
    SecuritySchemeChanged => "security-scheme-changed", Breaking, Info, false,
        "A security scheme whose type, location or name changed. Rust: breaking when an auth setter goes away, else info.";
    SecurityRequirementChanged => "security-requirement-changed", Breaking, Info, false,
        "The `security` requirement of the API or of one operation changed. Wire: breaking when credentials that were accepted no longer are (a scheme or scope is now needed), else info.";

    // Operations.
    OperationAdded => "operation-added", Info, Info, true,
        "An operation (method and path) that is new: a new client method.";
    OperationRemoved => "operation-removed", Breaking, Breaking, false,
        "An operation that is gone: its client method goes away.";
    OperationIdRenamed => "operation-id-renamed", Info, Breaking, false,
        "Same method and path, different `operationId`. The wire is unchanged; Rust: breaking when the method or builder name changes, else info.";
    OperationRustRenamed => "operation-rust-renamed", Info, Breaking, false,
        "Same operation and `operationId`, another Rust name (the generator settings' `[rename.operations]` changed): the method, builder and error enum are renamed.";
    OperationMoved => "operation-moved", Breaking, Info, false,
        "Same `operationId`, different method or path: old requests go nowhere; the Rust method keeps its name.";
    OperationDeprecated => "operation-deprecated", Warning, Warning, false,
        "An operation newly marked `deprecated` (or documenting a `Deprecation` response header): the client method gets `#[deprecated]` (a warning, an error under `-D warnings`); Rust: info when only the header says so.";
    OperationReactivated => "operation-reactivated", Info, Info, false,
        "An operation no longer deprecated: `#[deprecated]` goes away, which breaks nothing.";
    OperationSunsetAnnounced => "operation-sunset-announced", Warning, Info, false,
        "An operation that now announces a sunset date (`x-sunset`, or a documented `Sunset` response header): callers must move before it.";
    OperationSunsetChanged => "operation-sunset-changed", Warning, Info, false,
        "An operation's sunset date changed. Wire: warning when it moved earlier (less time to move), info when later or withdrawn.";
    OperationRemovedBeforeSunset => "operation-removed-before-sunset", Breaking, Breaking, false,
        "An operation removed before the sunset date it announced: callers were promised it until then.";
    OperationRemovedAfterDeprecation => "operation-removed-after-deprecation", Warning, Breaking, false,
        "A deprecated operation removed with no sunset date, or after its sunset date passed: what the deprecation announced. Rust: breaking, its method goes away.";
    PaginationAdded => "operation-pagination-added", Info, Info, true,
        "An operation newly marked `x-pagination`: its builder gains `.stream()`.";
    PaginationRemoved => "operation-pagination-removed", Info, Breaking, false,
        "An operation no longer marked `x-pagination`: its builder loses `.stream()`.";

    // Parameters.
    ParameterStyleChanged => "request-parameter-style-changed", Breaking, Info, false,
        "A parameter's `style` or `explode` changed: the server parses the value another way. The generated client sends it the new way; its API is unchanged.";
    ParameterDeprecated => "request-parameter-deprecated", Warning, Info, false,
        "A parameter newly marked `deprecated`: callers should stop sending it; its setter is unchanged.";
    ParameterAdded => "request-parameter-added", Info, Info, true,
        "An optional parameter that is new: a new setter.";
    ParameterRequiredAdded => "request-parameter-required-added", Breaking, Breaking, false,
        "A required parameter that is new: old requests lack it, and `send()` refuses a builder without it.";
    ParameterRemoved => "request-parameter-removed", Warning, Breaking, false,
        "A parameter that is gone: the server ignores or refuses it; its setter goes away.";
    ParameterBecameRequired => "request-parameter-became-required", Breaking, Breaking, false,
        "An optional parameter that is now required: old requests without it are refused, and so is a builder without it.";
    ParameterBecameOptional => "request-parameter-became-optional", Info, Info, false,
        "A required parameter that is now optional.";
    PathParameterRenamed => "path-parameter-renamed", Info, Breaking, false,
        "A path parameter with a new name in the same place of the path. The wire is unchanged; Rust: breaking when the setter name changes, else info.";

    // Request bodies.
    RequestBodyAdded => "request-body-added", Info, Info, true,
        "An optional request body where there was none: a new `.body()` setter.";
    RequestBodyRequiredAdded => "request-body-required-added", Breaking, Breaking, false,
        "A required request body where there was none.";
    RequestBodyRemoved => "request-body-removed", Warning, Breaking, false,
        "A request body that is gone: its setters go away.";
    RequestBodyBecameRequired => "request-body-became-required", Breaking, Breaking, false,
        "An optional request body that is now required.";
    RequestBodyBecameOptional => "request-body-became-optional", Info, Info, false,
        "A required request body that is now optional.";
    RequestMediaTypeChanged => "request-media-type-changed", Breaking, Info, false,
        "The request body's media type changed (`application/json` to `application/merge-patch+json`, say).";

    // Properties of objects sent in requests.
    RequestPropertyAdded => "request-property-added", Info, Warning, true,
        "An optional property of a request object that is new. Rust: warning, because the struct gains a field and struct literals that name every field stop compiling (`..Default::default()` keeps working); breaking when the struct stops deriving `Default`.";
    RequestPropertyRequiredAdded => "request-property-required-added", Breaking, Breaking, false,
        "A required property of a request object that is new: old requests lack it.";
    RequestPropertyRemoved => "request-property-removed", Warning, Breaking, false,
        "A property of a request object that is gone: the server ignores or refuses it; the struct field goes away.";
    RequestPropertyBecameRequired => "request-property-became-required", Breaking, Breaking, false,
        "A request property that must now be present (or may no longer be `null`). Rust: breaking when the field stops being an `Option`, else info.";
    RequestPropertyBecameOptional => "request-property-became-optional", Info, Breaking, false,
        "A request property that may now be absent (or `null`). Rust: breaking when the field becomes an `Option`, else info.";

    // Properties of objects received in responses.
    ResponsePropertyAdded => "response-property-added", Info, Info, true,
        "A property of a response object that is new. Rust: info, because users read response structs rather than build them; warning when the struct stops deriving `Default`.";
    ResponsePropertyRemoved => "response-property-removed", Breaking, Breaking, false,
        "A property of a response object that is gone: callers that read it find nothing.";
    ResponsePropertyBecameOptional => "response-property-became-optional", Breaking, Breaking, false,
        "A response property that may now be absent (or `null`). Rust: breaking when the field becomes an `Option`, else info.";
    ResponsePropertyBecameRequired => "response-property-became-required", Info, Breaking, false,
        "A response property that is now always present (and not `null`). Rust: breaking when the field stops being an `Option`, else info.";

    // Schemas.
    SchemaAdded => "schema-added", Info, Info, true,
        "A component schema that is new: a new type in `types`.";
    SchemaRemoved => "schema-removed", Info, Breaking, false,
        "A component schema that is gone: its type goes away (where it was used, the uses are reported too).";
    SchemaRenamed => "schema-renamed", Info, Breaking, false,
        "The same schema under another name (found where it is used, or by identical structure): the wire is unchanged, the Rust type is renamed.";
    RequestPropertyBecameReadOnly => "request-property-became-read-only", Warning, Info, false,
        "A property of a request object that is now `readOnly`: the server ignores what callers send in it.";
    ResponsePropertyBecameWriteOnly => "response-property-became-write-only", Breaking, Info, false,
        "A property of a response object that is now `writeOnly`: responses no longer carry it.";
    PropertyDeprecated => "property-deprecated", Warning, Info, false,
        "A property newly marked `deprecated`: callers should stop sending or relying on it; its field is unchanged.";
    PropertyRustRenamed => "property-rust-renamed", Info, Breaking, false,
        "Same property, another Rust field name (the generator settings' `[rename.properties]` changed).";
    UnusedSchemaChanged => "unused-schema-changed", Info, Breaking, false,
        "A component schema that no operation uses changed: nothing changes on the wire; Rust: the worst verdict of the changes to its type.";

    // Types where they are used: parameters, bodies, properties, items.
    RequestTypeNarrowed => "request-type-narrowed", Breaking, Breaking, false,
        "A value sent in a request accepts fewer values with its type: `int64` to `int32`, any value to a string, a string to an enum (with any validation keywords that changed along). Rust: breaking (the Rust type changed, or `send()` now refuses values it accepted). Keywords alone, on an unchanged type, have a rule each.";
    RequestTypeWidened => "request-type-widened", Info, Info, false,
        "A value sent in a request accepts more values. Rust: breaking when the Rust type changed, else info.";
    ResponseTypeNarrowed => "response-type-narrowed", Info, Info, false,
        "A value received in a response takes fewer values. Rust: breaking when the Rust type changed, else info.";
    ResponseTypeWidened => "response-type-widened", Breaking, Info, false,
        "A value received in a response takes more values: callers may not decode it. Wire: breaking when the JSON type widens (`int32` to `int64`, an enum to any string), warning when only bounds, lengths or patterns loosen. Rust: breaking when the Rust type changed, else info.";
    TypeChanged => "type-changed", Breaking, Breaking, false,
        "A value whose type changed incompatibly (a string that is now an integer, one object for another, an object schema that is now an enum).";
    RustTypeChanged => "rust-type-changed", Info, Breaking, false,
        "The same values on the wire, a different Rust type: `format: password` or `x-sensitive` (`Secret`), `epoch-millis` (`DateTime`), `float` (`f32`), or an object under another name in one place (a `$ref` replaced by an inline copy, whose properties are then compared one by one).";
    RequestFormatChanged => "request-format-changed", Breaking, Info, false,
        "A value sent in a request gained or changed its `format` (`uuid`, `email`...) with the same Rust type: the server may refuse values it accepted. Wire: info when the format is removed.";
    ResponseFormatChanged => "response-format-changed", Warning, Info, false,
        "A value received in a response changed or lost its `format` with the same Rust type: callers parsing it as the old format may fail. Wire: info when a format is only added.";
    // Validation keywords of values whose type is unchanged, one rule per keyword.
    RequestMaxLengthDecreased => "request-max-length-decreased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `maxLength` (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMaxLengthIncreased => "request-max-length-increased", Info, Info, false,
        "A value sent in requests has a looser `maxLength` (or none): more values are accepted.";
    RequestMinLengthIncreased => "request-min-length-increased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `minLength` (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMinLengthDecreased => "request-min-length-decreased", Info, Info, false,
        "A value sent in requests has a looser `minLength` (or none): more values are accepted.";
    RequestMaxDecreased => "request-max-decreased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `maximum` (or `exclusiveMaximum`) (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMaxIncreased => "request-max-increased", Info, Info, false,
        "A value sent in requests has a looser `maximum` (or `exclusiveMaximum`) (or none): more values are accepted.";
    RequestMinIncreased => "request-min-increased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `minimum` (or `exclusiveMinimum`) (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMinDecreased => "request-min-decreased", Info, Info, false,
        "A value sent in requests has a looser `minimum` (or `exclusiveMinimum`) (or none): more values are accepted.";
    RequestMaxItemsDecreased => "request-max-items-decreased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `maxItems` (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMaxItemsIncreased => "request-max-items-increased", Info, Info, false,
        "A value sent in requests has a looser `maxItems` (or none): more values are accepted.";
    RequestMinItemsIncreased => "request-min-items-increased", Breaking, Breaking, false,
        "A value sent in requests has a tighter `minItems` (set where there was none, or moved): the server refuses values it accepted, and `send()` checks the new bound.";
    RequestMinItemsDecreased => "request-min-items-decreased", Info, Info, false,
        "A value sent in requests has a looser `minItems` (or none): more values are accepted.";
    RequestPatternAdded => "request-pattern-added", Breaking, Breaking, false,
        "A value sent in requests must now match a `pattern`: the server refuses values that do not, and `send()` checks it.";
    RequestPatternChanged => "request-pattern-changed", Breaking, Breaking, false,
        "A value sent in requests must match another `pattern`: values that matched the old one may not match the new.";
    RequestPatternRemoved => "request-pattern-removed", Info, Info, false,
        "A value sent in requests no longer has a `pattern`.";
    ResponseMaxLengthDecreased => "response-max-length-decreased", Info, Info, false,
        "A value received in responses has a tighter `maxLength`: fewer values come back.";
    ResponseMaxLengthIncreased => "response-max-length-increased", Warning, Info, false,
        "A value received in responses has a looser `maxLength` (or none): callers that relied on the bound may meet values outside it.";
    ResponseMinLengthIncreased => "response-min-length-increased", Info, Info, false,
        "A value received in responses has a tighter `minLength`: fewer values come back.";
    ResponseMinLengthDecreased => "response-min-length-decreased", Warning, Info, false,
        "A value received in responses has a looser `minLength` (or none): callers that relied on the bound may meet values outside it.";
    ResponseMaxDecreased => "response-max-decreased", Info, Info, false,
        "A value received in responses has a tighter `maximum` (or `exclusiveMaximum`): fewer values come back.";
    ResponseMaxIncreased => "response-max-increased", Warning, Info, false,
        "A value received in responses has a looser `maximum` (or `exclusiveMaximum`) (or none): callers that relied on the bound may meet values outside it.";
    ResponseMinIncreased => "response-min-increased", Info, Info, false,
        "A value received in responses has a tighter `minimum` (or `exclusiveMinimum`): fewer values come back.";
    ResponseMinDecreased => "response-min-decreased", Warning, Info, false,
        "A value received in responses has a looser `minimum` (or `exclusiveMinimum`) (or none): callers that relied on the bound may meet values outside it.";
    ResponseMaxItemsDecreased => "response-max-items-decreased", Info, Info, false,
        "A value received in responses has a tighter `maxItems`: fewer values come back.";
    ResponseMaxItemsIncreased => "response-max-items-increased", Warning, Info, false,
        "A value received in responses has a looser `maxItems` (or none): callers that relied on the bound may meet values outside it.";
    ResponseMinItemsIncreased => "response-min-items-increased", Info, Info, false,
        "A value received in responses has a tighter `minItems`: fewer values come back.";
    ResponseMinItemsDecreased => "response-min-items-decreased", Warning, Info, false,
        "A value received in responses has a looser `minItems` (or none): callers that relied on the bound may meet values outside it.";
    ResponsePatternAdded => "response-pattern-added", Info, Info, false,
        "A value received in responses now matches a `pattern`.";
    ResponsePatternChanged => "response-pattern-changed", Warning, Info, false,
        "A value received in responses matches another `pattern`: callers that relied on the old one may meet values that do not match it.";
    ResponsePatternRemoved => "response-pattern-removed", Warning, Info, false,
        "A value received in responses no longer promises a `pattern`.";
    RequestDefaultChanged => "request-default-changed", Warning, Info, false,
        "The `default` of a value sent in requests was added, removed or changed: requests that leave it out now mean something else.";

    // Enums.
    RequestEnumValueAdded => "request-enum-value-added", Info, Warning, true,
        "An enum sent in requests accepts a new value. Rust: warning, a new variant (exhaustive `match`es need an arm).";
    RequestEnumValueRemoved => "request-enum-value-removed", Breaking, Breaking, false,
        "An enum sent in requests no longer accepts a value: its variant goes away.";
    ResponseEnumValueAdded => "response-enum-value-added", Warning, Warning, true,
        "An enum received in responses has a new value: clients without a fallback may fail to decode it. Rust: warning, the value used to land in `Unknown` and now has a variant (exhaustive `match`es need an arm).";
    ResponseEnumValueRemoved => "response-enum-value-removed", Info, Breaking, false,
        "An enum received in responses lost a value: its variant goes away.";

    // Unions (oneOf / anyOf).
    RequestUnionVariantAdded => "request-union-variant-added", Info, Warning, true,
        "A `oneOf`/`anyOf` sent in requests accepts a new alternative: a new enum variant.";
    RequestUnionVariantRemoved => "request-union-variant-removed", Breaking, Breaking, false,
        "A `oneOf`/`anyOf` sent in requests lost an alternative.";
    ResponseUnionVariantAdded => "response-union-variant-added", Warning, Warning, true,
        "A `oneOf`/`anyOf` received in responses has a new alternative: callers may not recognise it.";
    ResponseUnionVariantRemoved => "response-union-variant-removed", Info, Breaking, false,
        "A `oneOf`/`anyOf` received in responses lost an alternative: its variant goes away.";

    DiscriminatorChanged => "union-discriminator-changed", Breaking, Info, false,
        "A `oneOf`/`anyOf` tells its alternatives apart by another property (or none, or one where there was none): payloads tagged the old way are read as another alternative or refused. The generated enum reads the new property; its variants are compared by the union rules.";

    // Responses.
    SuccessStatusAdded => "response-success-status-added", Warning, Info, false,
        "A success status that is new: callers may not expect it. Rust: breaking when the success type becomes an enum of statuses, warning when that enum gains a variant, else info.";
    SuccessStatusRemoved => "response-success-status-removed", Info, Info, false,
        "A success status that is gone. Rust: breaking when a variant of the success enum goes away or the success type changes, else info.";
    ErrorResponseAdded => "response-error-added", Info, Warning, true,
        "A documented error (status or error code) that is new: a new variant of the operation's error enum.";
    ErrorResponseRemoved => "response-error-removed", Info, Breaking, false,
        "A documented error that is gone: its variant of the error enum goes away.";
    ResponseBodyAdded => "response-body-added", Info, Warning, false,
        "A response that now has a body. Rust: warning for a success (the response type changes from `()`), breaking for an error (its variant gains a payload).";
    ResponseBodyRemoved => "response-body-removed", Breaking, Breaking, false,
        "A response that no longer has a body: callers that read it find nothing.";
    ResponseHeaderAdded => "response-header-added", Info, Info, false,
        "A response documents a new header.";
    ResponseHeaderRemoved => "response-header-removed", Breaking, Info, false,
        "A documented response header that is gone. Wire: breaking when it was `required`, else warning. Rust: info, headers are read from `Response::headers()`.";
    ResponseHeaderBecameOptional => "response-header-became-optional", Breaking, Info, false,
        "A response header that was `required` no longer is: callers that read it may find nothing.";
    ResponseMediaTypeAdded => "response-media-type-added", Info, Info, false,
        "A response offers a new media type.";
    ResponseMediaTypeRemoved => "response-media-type-removed", Warning, Info, false,
        "A response no longer offers a media type: callers that ask for it get another or `406`. The generated client's own `Accept` is judged by the body rules.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in Rule::ALL {
            let id = rule.id();
            assert!(seen.insert(id), "duplicate id {id}");
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{id}");
            assert_eq!(Rule::from_id(id), Some(*rule));
        }
        assert!(Rule::ALL.len() >= 30);
    }

    #[test]
    fn every_oasdiff_rule_is_mapped_or_explained() {
        let md = include_str!("RULES.md");
        let section = md.split("## oasdiff's rules, mapped").nth(1).expect("RULES.md has the oasdiff section");
        let mut seen = std::collections::BTreeSet::new();
        for row in section.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 4, "{row}");
            let (theirs, ours, note) = (cells[0].trim_matches('`'), cells[2], cells[3]);
            assert!(seen.insert(theirs.to_string()), "{theirs} listed twice");
            if ours == "—" {
                assert!(!note.is_empty(), "{theirs}: no rule of ours and no reason");
            } else {
                for id in ours.split(", ") {
                    let id = id.trim_matches('`');
                    assert!(Rule::from_id(id).is_some(), "{theirs} maps to `{id}`, which is not a rule");
                }
            }
        }
        assert_eq!(seen.len(), 509, "oasdiff's rules.go at 4553c69 has 509 rules");
    }

    #[test]
    fn rules_md_documents_every_rule() {
        let table = include_str!("RULES.md");
        for rule in Rule::ALL {
            let info = rule.info();
            let level = info.wire.max(info.rust);
            let row = format!("| `{}` | {} | {} | {} | {} |", info.id, level.as_str(), info.wire.as_str(), info.rust.as_str(), info.detects);
            assert!(table.contains(&row), "RULES.md lacks the row\n{row}");
        }
    }
}
