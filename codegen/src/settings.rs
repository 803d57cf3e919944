//! What a user decides about a generated crate beyond what its spec says: crate metadata,
//! extra derives, type replacements, renames, operation filters and client defaults.
//!
//! The settings live in a TOML file beside the spec (`specs/<stem>.toml`; see the README for
//! a complete example). Reading one checks everything that can be checked without the spec
//! (value syntax, unknown keys, versions, identifiers, durations); what names the spec's
//! contents (a schema to rename, an operationId to keep) is checked while lowering, against
//! the spec. Either way a problem is a [`Diagnostic`] located in the settings file.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::source_map::{escape_token, Position, SourceMap};

/// Everything the caller decides about one crate. [`Settings::new`] gives the defaults;
/// [`Settings::parse`] reads a settings file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The spec's file stem: by default the package is `<stem>-client`, the library
    /// `<stem>_client`.
    pub stem: String,
    pub krate: CrateSettings,
    pub client: ClientDefaults,
    pub derive: Derives,
    /// Crates that derives and replacements need, as `Cargo.toml` writes them.
    pub dependencies: BTreeMap<String, Dependency>,
    pub replace: Replacements,
    pub rename: Renames,
    pub operations: OperationFilter,
    /// Where the settings came from, to locate diagnostics; `None` for [`Settings::new`].
    origin: Option<Origin>,
    /// What reading them found odd but harmless (a derive every type has already).
    warnings: Vec<Diagnostic>,
}

/// `[crate]`: the generated `Cargo.toml`'s `[package]`. Every field is optional; `None`
/// keeps the generator's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrateSettings {
    pub name: Option<String>,
    pub version: Option<semver::Version>,
    pub description: Option<String>,
    pub license: Option<String>,
    pub repository: Option<String>,
    pub keywords: Vec<String>,
    pub edition: Option<String>,
    pub rust_version: Option<String>,
    /// Off unless set: a generated crate is not published by accident.
    pub publish: bool,
}

/// `[client]`: what a `ClientBuilder` starts from when the caller sets nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientDefaults {
    pub user_agent: Option<String>,
    pub timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub operation_timeout: Option<Duration>,
    pub retry: Option<RetryDefaults>,
}

/// `[client.retry]`; unset fields keep the runtime's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetryDefaults {
    pub max_attempts: Option<u32>,
    pub initial_backoff: Option<Duration>,
    pub max_backoff: Option<Duration>,
    pub max_retry_after: Option<Duration>,
}

/// `[derive]`: derives added to the generated types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derives {
    /// On every type that can have them (a type holding an `f64` gets no `Eq`).
    pub all: Vec<String>,
    /// On the named schemas (component name or JSON pointer), which must be able to have them.
    pub schemas: BTreeMap<String, Vec<String>>,
}

/// `[replace]`: existing Rust types used instead of generated ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replacements {
    /// String, integer or number `format` → Rust type path (`uuid` → `uuid::Uuid`).
    pub formats: BTreeMap<String, String>,
    /// Schema (component name or JSON pointer) → Rust type path.
    pub schemas: BTreeMap<String, String>,
}

/// `[rename]`: Rust names to use instead of the generated ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// Schema (component name or JSON pointer) → type name.
    pub schemas: BTreeMap<String, String>,
    /// `Schema.property` (or the property's JSON pointer) → field name.
    pub properties: BTreeMap<String, String>,
    /// operationId → client method name (the builder and its types follow it).
    pub operations: BTreeMap<String, String>,
}

/// `[operations]`: which operations the crate has. With an `include`, only the operations it
/// selects; then any that `exclude` selects are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    pub include: Option<Selector>,
    pub exclude: Option<Selector>,
}

/// Operations selected by tag, path prefix or operationId: any one that matches selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub tags: Vec<String>,
    pub paths: Vec<String>,
    pub ids: Vec<String>,
}

impl Selector {
    pub fn selects(&self, id: &str, path: &str, tags: &[String]) -> bool {
        self.ids.iter().any(|i| i == id)
            || self.paths.iter().any(|p| path.starts_with(p.as_str()))
            || self.tags.iter().any(|t| tags.contains(t))
    }
}

impl OperationFilter {
    pub fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }

    /// Whether the operation is generated.
    pub fn keeps(&self, id: &str, path: &str, tags: &[String]) -> bool {
        self.include.as_ref().is_none_or(|s| s.selects(id, path, tags))
            && !self.exclude.as_ref().is_some_and(|s| s.selects(id, path, tags))
    }
}

/// A dependency as `Cargo.toml` writes it: `"1"` or `{ version = "1", features = [...] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Dependency {
    Version(String),
    Detailed(DetailedDependency),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DetailedDependency {
    pub version: Option<String>,
    #[serde(default)]
    pub features: Vec<String>,
    pub default_features: Option<bool>,
    pub package: Option<String>,
    pub path: Option<String>,
    pub git: Option<String>,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub rev: Option<String>,
}

impl Dependency {
    /// The value side of its `Cargo.toml` line, with keys in a fixed order.
    pub fn toml_value(&self) -> String {
        match self {
            Dependency::Version(version) => toml_string(version),
            Dependency::Detailed(d) => {
                let mut parts = Vec::new();
                let strings = [
                    ("package", &d.package),
                    ("version", &d.version),
                    ("path", &d.path),
                    ("git", &d.git),
                    ("branch", &d.branch),
                    ("tag", &d.tag),
                    ("rev", &d.rev),
                ];
                for (key, value) in strings {
                    if let Some(value) = value {
                        parts.push(format!("{key} = {}", toml_string(value)));
                    }
                }
                if let Some(default) = d.default_features {
                    parts.push(format!("default-features = {default}"));
                }
                if !d.features.is_empty() {
                    let features: Vec<String> = d.features.iter().map(|f| toml_string(f)).collect();
                    parts.push(format!("features = [{}]", features.join(", ")));
                }
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Derives from the standard library whose requirements the generator knows, so that it can
/// tell which types can have them.
pub const KNOWN_DERIVES: &[&str] = &["Eq", "Hash", "PartialOrd", "Ord", "Default"];

/// Derives every generated struct and union already has.
const ALWAYS_DERIVED: &[&str] = &["Debug", "Clone", "PartialEq", "Serialize", "Deserialize", "serde::Serialize", "serde::Deserialize"];

/// Path roots a derive or replacement may use without a `[dependencies]` entry: the standard
/// library and what every generated crate depends on.
const ROOTS_WITHOUT_DEPENDENCY: &[&str] = &["std", "core", "alloc", "chrono", "serde", "serde_json"];

/// Dependencies every generated crate has; `[dependencies]` may not redefine them.
const RUNTIME_DEPENDENCIES: &[&str] = &[
    "reqwest", "serde", "serde_json", "chrono", "tokio", "futures", "tracing", "bytes", "http", "url", "wiremock",
    "aws-sigv4", "aws-credential-types", "aws-smithy-runtime-api",
];

#[derive(Clone)]
struct Origin {
    file: String,
    positions: SourceMap,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin").field("file", &self.file).finish_non_exhaustive()
    }
}

impl Settings {
    /// The defaults: nothing decided beyond the stem.
    pub fn new(stem: impl Into<String>) -> Settings {
        Settings { stem: stem.into(), ..Settings::default() }
    }

    /// Reads a settings file. `file` names it in diagnostics.
    pub fn parse(stem: impl Into<String>, text: &str, file: &str) -> Result<Settings, Diagnostics> {
        let positions = index(text);
        let origin = Origin { file: file.to_string(), positions };
        let raw: Raw = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(error) => {
                let (pointer, position) = match error.span() {
                    Some(span) => origin.pointer_at(text, span.start),
                    None => ("#".to_string(), None),
                };
                let mut d = Diagnostic::new(file, pointer, error.message().trim_end().to_string());
                if let Some(p) = position {
                    d.line = Some(p.line);
                    d.column = Some(p.column);
                }
                return Err(Diagnostics::single(d));
            }
        };
        let mut settings = Settings { stem: stem.into(), origin: Some(origin), ..Settings::default() };
        let mut problems = Vec::new();
        settings.read(raw, &mut problems);
        problems.sort_by_key(|d| (d.line, d.column));
        if problems.iter().any(Diagnostic::is_error) {
            return Err(Diagnostics(problems));
        }
        settings.warnings = problems;
        Ok(settings)
    }

    /// Warnings from reading the settings; generation reports them with its own.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The settings file, for diagnostics; `None` when there is none.
    pub fn file(&self) -> Option<&str> {
        self.origin.as_ref().map(|o| o.file.as_str())
    }

    /// An error at `pointer` (`#/rename/schemas/Token`) of the settings file.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(self.file().unwrap_or("<settings>"), pointer, message);
        if let Some(position) = self.origin.as_ref().and_then(|o| o.positions.locate(pointer)) {
            d.line = Some(position.line);
            d.column = Some(position.column);
        }
        d
    }

    pub fn warning(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..self.error(pointer, message) }
    }

    /// The package name: `[crate] name`, or `<stem>-client`.
    pub fn package(&self) -> String {
        self.krate.name.clone().unwrap_or_else(|| format!("{}-client", self.stem))
    }

    fn read(&mut self, raw: Raw, problems: &mut Vec<Diagnostic>) {
        let at = |path: &[&str]| pointer(path);
        if let Some(k) = raw.krate {
            if let Some(name) = &k.name {
                if !is_package_name(name) {
                    problems.push(self.error(&at(&["crate", "name"]), format!("`{name}` is not a package name: use letters, digits, `-` and `_`, starting with a letter")));
                }
            }
            let version = k.version.as_deref().and_then(|v| match semver::Version::parse(v) {
                Ok(version) => Some(version),
                Err(e) => {
                    problems.push(self.error(&at(&["crate", "version"]), format!("`{v}` is not a semver version such as `1.2.3`: {e}")));
                    None
                }
            });
            if let Some(edition) = &k.edition {
                if !["2021", "2024"].contains(&edition.as_str()) {
                    problems.push(self.error(&at(&["crate", "edition"]), format!("edition `{edition}`: generated code is written for 2021 and 2024")));
                }
            }
            if let Some(rust_version) = &k.rust_version {
                let parts: Vec<&str> = rust_version.split('.').collect();
                if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
                    problems.push(self.error(&at(&["crate", "rust-version"]), format!("`{rust_version}` is not a Rust version such as `1.85`")));
                }
            }
            if let Some(repository) = &k.repository {
                if !(repository.starts_with("https://") || repository.starts_with("http://")) {
                    problems.push(self.error(&at(&["crate", "repository"]), format!("`{repository}` is not an http(s) URL")));
                }
            }
            if k.keywords.len() > 5 {
                problems.push(self.error(&at(&["crate", "keywords"]), format!("{} keywords: crates.io takes at most 5", k.keywords.len())));
            }
            for (i, keyword) in k.keywords.iter().enumerate() {
                let ok = keyword.len() <= 20
                    && keyword.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && keyword.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+');
                if !ok {
                    problems.push(self.error(&at(&["crate", "keywords", &i.to_string()]), format!("`{keyword}` is not a crates.io keyword: at most 20 ASCII letters, digits, `-`, `_` or `+`, starting with a letter or digit")));
                }
            }
            self.krate = CrateSettings {
                name: k.name,
                version,
                description: k.description,
                license: k.license,
                repository: k.repository,
                keywords: k.keywords,
                edition: k.edition,
                rust_version: k.rust_version,
                publish: k.publish,
            };
        }
        if let Some(c) = raw.client {
            let mut duration = |value: Option<String>, path: &[&str]| {
                let text = value?;
                match humantime::parse_duration(&text) {
                    Ok(d) if !d.is_zero() => Some(d),
                    Ok(_) => {
                        problems.push(self.error(&pointer(path), "a duration of zero would fail every request; leave the key out to keep the default"));
                        None
                    }
                    Err(e) => {
                        problems.push(self.error(&pointer(path), format!("`{text}` is not a duration such as `30s` or `250ms`: {e}")));
                        None
                    }
                }
            };
            let timeout = duration(c.timeout, &["client", "timeout"]);
            let connect_timeout = duration(c.connect_timeout, &["client", "connect-timeout"]);
            let operation_timeout = duration(c.operation_timeout, &["client", "operation-timeout"]);
            let retry = c.retry.map(|r| RetryDefaults {
                max_attempts: r.max_attempts,
                initial_backoff: duration(r.initial_backoff, &["client", "retry", "initial-backoff"]),
                max_backoff: duration(r.max_backoff, &["client", "retry", "max-backoff"]),
                max_retry_after: duration(r.max_retry_after, &["client", "retry", "max-retry-after"]),
            });
            if retry.as_ref().and_then(|r| r.max_attempts) == Some(0) {
                problems.push(self.error(&at(&["client", "retry", "max-attempts"]), "attempts count the first one: use 1 for no retries"));
            }
            if let Some(agent) = &c.user_agent {
                if agent.is_empty() || agent.chars().any(|c| c.is_control()) {
                    problems.push(self.error(&at(&["client", "user-agent"]), "a user agent must be non-empty text without control characters"));
                }
            }
            self.client = ClientDefaults { user_agent: c.user_agent, timeout, connect_timeout, operation_timeout, retry };
        }
        self.dependencies = raw.dependencies;
        for name in self.dependencies.keys() {
            if !is_package_name(name) {
                problems.push(self.error(&at(&["dependencies", name]), format!("`{name}` is not a crate name")));
            } else if RUNTIME_DEPENDENCIES.contains(&name.as_str()) {
                problems.push(self.error(&at(&["dependencies", name]), format!("`{name}` is already a dependency of every generated crate; leave it out")));
            }
        }
        if let Some(d) = raw.derive {
            for (i, derive) in d.all.iter().enumerate() {
                self.check_derive(derive, &at(&["derive", "all", &i.to_string()]), problems);
            }
            for (schema, derives) in &d.schemas {
                for (i, derive) in derives.iter().enumerate() {
                    self.check_derive(derive, &at(&["derive", "schemas", schema, &i.to_string()]), problems);
                }
            }
            self.derive = Derives { all: d.all, schemas: d.schemas };
        }
        if let Some(r) = raw.replace {
            for (format, path) in &r.formats {
                self.check_type_path(path, &at(&["replace", "formats", format]), problems);
            }
            for (schema, path) in &r.schemas {
                self.check_type_path(path, &at(&["replace", "schemas", schema]), problems);
            }
            self.replace = Replacements { formats: r.formats, schemas: r.schemas };
        }
        if let Some(r) = raw.rename {
            for (schema, name) in &r.schemas {
                if !is_identifier(name) || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    problems.push(self.error(&at(&["rename", "schemas", schema]), format!("`{name}` is not a type name: an identifier in UpperCamelCase")));
                }
            }
            let snake = |name: &str| is_identifier(name) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            for (property, name) in &r.properties {
                if !property.starts_with("#/") && !property.contains('.') {
                    problems.push(self.error(&at(&["rename", "properties", property]), format!("`{property}` names no property: write `Schema.property` or the property's JSON pointer")));
                }
                if !snake(name) {
                    problems.push(self.error(&at(&["rename", "properties", property]), format!("`{name}` is not a field name: an identifier in snake_case")));
                }
            }
            for (id, name) in &r.operations {
                if !snake(name) {
                    problems.push(self.error(&at(&["rename", "operations", id]), format!("`{name}` is not a method name: an identifier in snake_case")));
                }
            }
            self.rename = Renames { schemas: r.schemas, properties: r.properties, operations: r.operations };
        }
        if let Some(o) = raw.operations {
            let selector = |s: RawSelector| Selector { tags: s.tags, paths: s.paths, ids: s.ids };
            self.operations = OperationFilter { include: o.include.map(selector), exclude: o.exclude.map(selector) };
            for (key, s) in [("include", &self.operations.include), ("exclude", &self.operations.exclude)] {
                if let Some(s) = s {
                    for (i, path) in s.paths.iter().enumerate() {
                        if !path.starts_with('/') {
                            problems.push(self.error(&at(&["operations", key, "paths", &i.to_string()]), format!("`{path}` is not a path prefix: paths start with `/`")));
                        }
                    }
                }
            }
        }
    }

    fn check_derive(&self, derive: &str, at: &str, problems: &mut Vec<Diagnostic>) {
        if ALWAYS_DERIVED.contains(&derive) {
            problems.push(self.warning(at, format!("every generated type already derives `{derive}`")));
        } else if derive.contains("::") {
            self.check_type_path(derive, at, problems);
        } else if !KNOWN_DERIVES.contains(&derive) {
            problems.push(self.error(
                at,
                format!("`{derive}` is not a derive the generator knows: use one of {} or the full path of a derive macro from a dependency (`schemars::JsonSchema`)", KNOWN_DERIVES.join(", ")),
            ));
        }
    }

    /// A Rust path from the standard library, a crate every client has, or a `[dependencies]` entry.
    fn check_type_path(&self, path: &str, at: &str, problems: &mut Vec<Diagnostic>) {
        let Ok(parsed) = syn::parse_str::<syn::Path>(path) else {
            problems.push(self.error(at, format!("`{path}` is not a Rust path such as `uuid::Uuid`")));
            return;
        };
        let root = parsed.segments.first().map(|s| s.ident.to_string()).unwrap_or_default();
        if parsed.segments.len() < 2 {
            problems.push(self.error(at, format!("`{path}` needs its crate: write the full path, such as `uuid::Uuid`")));
        } else if !ROOTS_WITHOUT_DEPENDENCY.contains(&root.as_str()) && !self.dependencies.keys().any(|d| d.replace('-', "_") == root) {
            problems.push(self.error(at, format!("`{path}` needs the `{root}` crate: add it under [dependencies], such as `{root} = \"1\"`")));
        }
    }
}

/// `#/a/b/c` from path segments: where a key of the settings file is.
pub(crate) fn pointer(path: &[&str]) -> String {
    let mut out = String::from("#");
    for segment in path {
        out.push('/');
        out.push_str(&escape_token(segment));
    }
    out
}

fn is_package_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An identifier that is not a keyword (what `syn` accepts as an `Ident`).
fn is_identifier(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_ok()
}

impl Origin {
    /// The pointer and position of the innermost key whose entry holds byte `offset`.
    fn pointer_at(&self, text: &str, offset: usize) -> (String, Option<Position>) {
        let position = position_of(text, offset);
        (self.positions.innermost(offset).unwrap_or_else(|| "#".to_string()), Some(position))
    }
}

/// Every key of the document by pointer, with where its key starts and the byte range of
/// its whole entry. A document that does not parse yields an empty map (toml reports it).
fn index(text: &str) -> SourceMap {
    let mut entries: HashMap<String, (Position, std::ops::Range<usize>)> = HashMap::new();
    if let Ok(doc) = text.parse::<toml_edit::ImDocument<String>>() {
        walk_table(text, doc.as_table(), "#", &mut entries);
    }
    SourceMap::from_entries(entries)
}

fn walk_table(text: &str, table: &toml_edit::Table, at: &str, out: &mut HashMap<String, (Position, std::ops::Range<usize>)>) {
    for (key, item) in table.iter() {
        let here = format!("{at}/{}", escape_token(key));
        let key_span = table.key(key).and_then(|k| k.span());
        let item_span = item.span().or_else(|| item.as_table().and_then(|t| t.span()));
        if let Some(start) = key_span.as_ref().map(|s| s.start).or(item_span.as_ref().map(|s| s.start)) {
            let end = item_span.map(|s| s.end).unwrap_or(start);
            out.insert(here.clone(), (position_of(text, start), start..end.max(start)));
        }
        walk_item(text, item, &here, out);
    }
}

fn walk_item(text: &str, item: &toml_edit::Item, at: &str, out: &mut HashMap<String, (Position, std::ops::Range<usize>)>) {
    match item {
        toml_edit::Item::Table(t) => walk_table(text, t, at, out),
        toml_edit::Item::Value(v) => walk_value(text, v, at, out),
        toml_edit::Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                walk_table(text, t, &format!("{at}/{i}"), out);
            }
        }
        toml_edit::Item::None => {}
    }
}

fn walk_value(text: &str, value: &toml_edit::Value, at: &str, out: &mut HashMap<String, (Position, std::ops::Range<usize>)>) {
    match value {
        toml_edit::Value::InlineTable(t) => {
            for (key, v) in t.iter() {
                let here = format!("{at}/{}", escape_token(key));
                let start = t.key(key).and_then(|k| k.span()).map(|s| s.start).or(v.span().map(|s| s.start));
                if let Some(start) = start {
                    let end = v.span().map(|s| s.end).unwrap_or(start);
                    out.insert(here.clone(), (position_of(text, start), start..end.max(start)));
                }
                walk_value(text, v, &here, out);
            }
        }
        toml_edit::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let here = format!("{at}/{i}");
                if let Some(span) = v.span() {
                    out.insert(here.clone(), (position_of(text, span.start), span));
                }
                walk_value(text, v, &here, out);
            }
        }
        _ => {}
    }
}

/// The 1-based line and column (in characters) of byte `offset`.
fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

// The file as written. Unknown keys are refused (a typo would otherwise be ignored).

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(rename = "crate")]
    krate: Option<RawCrate>,
    client: Option<RawClient>,
    derive: Option<RawDerive>,
    #[serde(default)]
    dependencies: BTreeMap<String, Dependency>,
    replace: Option<RawReplace>,
    rename: Option<RawRename>,
    operations: Option<RawOperations>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCrate {
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    license: Option<String>,
    repository: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    edition: Option<String>,
    rust_version: Option<String>,
    #[serde(default)]
    publish: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClient {
    user_agent: Option<String>,
    timeout: Option<String>,
    connect_timeout: Option<String>,
    operation_timeout: Option<String>,
    retry: Option<RawRetry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRetry {
    max_attempts: Option<u32>,
    initial_backoff: Option<String>,
    max_backoff: Option<String>,
    max_retry_after: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDerive {
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    schemas: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplace {
    #[serde(default)]
    formats: BTreeMap<String, String>,
    #[serde(default)]
    schemas: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRename {
    #[serde(default)]
    schemas: BTreeMap<String, String>,
    #[serde(default)]
    properties: BTreeMap<String, String>,
    #[serde(default)]
    operations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperations {
    include: Option<RawSelector>,
    exclude: Option<RawSelector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelector {
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, Diagnostics> {
        Settings::parse("items", text, "items.toml")
    }

    fn only_error(text: &str) -> Diagnostic {
        let diagnostics = parse(text).expect_err("should be refused");
        assert_eq!(diagnostics.0.len(), 1, "{diagnostics}");
        diagnostics.0.into_iter().next().unwrap()
    }

    #[test]
    fn reads_every_section() {
        let settings = parse(
            r#"
[crate]
name = "items-api"
version = "1.2.0"
keywords = ["items"]

[client]
timeout = "30s"
retry = { max-attempts = 5, initial-backoff = "250ms" }

[derive]
all = ["Eq", "Hash"]
schemas = { Item = ["schemars::JsonSchema"] }

[dependencies]
schemars = { version = "0.8", features = ["chrono"] }
uuid = "1"

[replace.formats]
uuid = "uuid::Uuid"

[rename.operations]
listItems = "items"

[operations]
include = { tags = ["items"], paths = ["/items"] }
"#,
        )
        .unwrap();
        assert_eq!(settings.package(), "items-api");
        assert_eq!(settings.krate.version, Some(semver::Version::new(1, 2, 0)));
        assert_eq!(settings.client.timeout, Some(Duration::from_secs(30)));
        let retry = settings.client.retry.clone().unwrap();
        assert_eq!((retry.max_attempts, retry.initial_backoff), (Some(5), Some(Duration::from_millis(250))));
        assert_eq!(settings.derive.all, ["Eq", "Hash"]);
        assert_eq!(settings.dependencies["schemars"].toml_value(), r#"{ version = "0.8", features = ["chrono"] }"#);
        assert_eq!(settings.dependencies["uuid"].toml_value(), r#""1""#);
        assert!(settings.operations.keeps("x", "/items/1", &[]));
        assert!(!settings.operations.keeps("x", "/other", &["other".into()]));
    }

    #[test]
    fn unknown_keys_are_located() {
        let d = only_error("[crate]\nname = \"a\"\nlicence = \"MIT\"\n");
        assert_eq!((d.line, d.column, d.pointer.as_str()), (Some(3), Some(1), "#/crate/licence"));
        assert!(d.message.contains("unknown field `licence`"), "{d}");
        assert_eq!(d.file, "items.toml");
    }

    #[test]
    fn bad_values_are_located() {
        let d = only_error("[crate]\nversion = \"one\"\n");
        assert_eq!((d.line, d.column, d.pointer.as_str()), (Some(2), Some(1), "#/crate/version"));
        let d = only_error("[client]\ntimeout = \"soon\"\n");
        assert!(d.message.contains("not a duration"), "{d}");
        let d = only_error("[derive]\nall = [\"Eq\", \"Copy\"]\n");
        assert_eq!((d.line, d.column, d.pointer.as_str()), (Some(2), Some(14), "#/derive/all/1"));
        let d = only_error("[replace.formats]\nuuid = \"uuid::Uuid\"\n");
        assert!(d.message.contains("needs the `uuid` crate"), "{d}");
        let d = only_error("[rename.schemas]\nItem = \"item\"\n");
        assert!(d.message.contains("UpperCamelCase"), "{d}");
        let d = only_error("[rename.operations]\nlistItems = \"fn\"\n");
        assert!(d.message.contains("snake_case"), "{d}");
        let d = only_error("[dependencies]\nserde = \"1\"\n");
        assert!(d.message.contains("already a dependency"), "{d}");
        let d = only_error("[client.retry]\nmax-attempts = -1\n");
        assert_eq!(d.pointer, "#/client/retry/max-attempts", "{d}");
        let d = only_error("[operations]\ninclude = { paths = [\"repos\"] }\n");
        assert_eq!(d.pointer, "#/operations/include/paths/0", "{d}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let d = only_error("[crate\nname = 1\n");
        assert_eq!(d.line, Some(1), "{d}");
    }
}
