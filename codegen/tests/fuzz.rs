//! Robustness: the generator never panics and never hangs, whatever document it is given, and
//! whatever it emits parses as Rust.
//!
//! Two properties, both driven by proptest:
//!
//! - `random_documents`: plausible OpenAPI documents built from scratch: nested objects,
//!   arrays, enums, `allOf`/`oneOf`/`anyOf` with discriminators, `$ref`s that resolve, dangle or
//!   form cycles, names with odd characters, paths with declared and undeclared parameters,
//!   random responses, media types, security schemes, servers and `x-` extensions.
//! - `mutated_specs`: the hand-written specs in `specs/` with a few nodes deleted, replaced or
//!   renamed, so that the generator's deeper paths see almost-valid input.
//!
//! Each document is sent as JSON or YAML. `Err(diagnostics)` is a fine answer; a panic, a
//! generator that takes longer than [`TIME_LIMIT`], an `.rs` file that `syn` cannot parse or a
//! `Cargo.toml` that is not TOML fails the test, and proptest shrinks the document.
//!
//! `cargo test -p codegen --test fuzz` runs a modest number of cases. A long run:
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --release -p codegen --test fuzz
//! ```

use std::sync::mpsc;
use std::time::Duration;

use codegen::{GeneratedCrate, Settings};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::RngSeed;
use serde_json::{json, Map, Value};

/// How long one document may take to generate, even in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// With `FUZZ_FORK=1` each case runs in a child process, so that a stack overflow (which
/// aborts the process) is caught and shrunk like a panic; slower, so off by default.
///
/// Under CI (`CI` set) the seed is fixed, so a failure there is due to the change under test,
/// not to the draw; elsewhere each run draws new documents. `PROPTEST_RNG_SEED=N` fixes it.
fn config(default_cases: u32) -> ProptestConfig {
    let fork = std::env::var_os("FUZZ_FORK").is_some_and(|v| v != "0");
    let defaults = ProptestConfig::default();
    let ci_seed = std::env::var_os("CI").is_some() && std::env::var_os("PROPTEST_RNG_SEED").is_none();
    ProptestConfig {
        rng_seed: if ci_seed { RngSeed::Fixed(0x0a11_ca5e) } else { defaults.rng_seed },
        cases: cases(default_cases),
        // Shrinking a large document can take many steps; keep it bounded.
        max_shrink_iters: 4096,
        fork,
        timeout: if fork { 120_000 } else { 0 },
        ..defaults
    }
}

/// Bugs already reported, left out of the documents with `FUZZ_SKIP=name,...` so that a long
/// run looks for new ones:
/// - `allof-refs`: `allOf` members that are `$ref`s (a schema whose `allOf` refers to itself,
///   directly or from one of its properties or `additionalProperties`, overflowed the stack).
/// - `json-surrogates`: JSON with `\ud83d\ude80`-style escapes of characters outside the
///   Basic Multilingual Plane (refused as "invalid Unicode character escape code").
/// - `toml-escapes`: the check that `Cargo.toml` is TOML (a title or version with a combining
///   or unprintable character was written with Rust's `\u{...}` escapes).
fn skipping(bug: &str) -> bool {
    std::env::var("FUZZ_SKIP").is_ok_and(|v| v.split(',').any(|b| b.trim() == bug))
}

// ---------------------------------------------------------------------------------------------
// Running the generator

/// Runs the generator on another thread: a panic is re-raised here (so proptest sees it and
/// shrinks), and a generator that does not return in time is a failure too.
///
/// A stack overflow aborts the whole process, so nothing can be shrunk: with `FUZZ_LAST=path`
/// each document is written to `path` before it is generated, and the one that crashed is
/// left there (`cargo xtask generate path --out /tmp/x` reproduces it).
fn generate_bounded(text: String, file_name: &'static str) -> Result<GeneratedCrate, String> {
    if let Some(path) = std::env::var_os("FUZZ_LAST") {
        // Tests run in parallel: one file per thread.
        let thread = std::thread::current();
        let path = format!("{}.{}.{}", path.to_string_lossy(), thread.name().unwrap_or("main"), file_name.rsplit('.').next().unwrap_or("txt"));
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
    let (send, receive) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("generate".into())
        .spawn(move || {
            let settings = Settings::new("fuzz");
            let result = codegen::generate(&text, file_name, &settings).map_err(|d| d.to_string());
            let _ = send.send(result);
        })
        .expect("spawn the generator thread");
    match receive.recv_timeout(TIME_LIMIT) {
        Ok(result) => {
            let _ = handle.join();
            result
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the generator thread always sends before it ends"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("the generator did not return within {TIME_LIMIT:?}")
        }
    }
}

/// How a document is written out.
#[derive(Debug, Clone, Copy)]
enum Format {
    Json,
    /// JSON with every non-ASCII character escaped (`\u00e9`, `\ud83d\ude80`), as some tools
    /// write it.
    JsonAscii,
    Yaml,
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![4 => Just(Format::Json), 1 => Just(Format::JsonAscii), 4 => Just(Format::Yaml)]
}

/// Whether a document is also tried as OpenAPI 3.1.
fn as_31() -> impl Strategy<Value = bool> {
    prop_oneof![2 => Just(false), 1 => Just(true)]
}

/// The document written as OpenAPI 3.1: `openapi: 3.1.0`, `nullable` as a `type` array with
/// `"null"` and exclusive bounds as numbers, everywhere they occur.
fn to_31(document: &Value) -> Value {
    fn rewrite(value: &mut Value) {
        match value {
            Value::Object(map) => {
                // Without a type, a schema allows any value, `null` included, in both versions.
                if map.remove("nullable") == Some(Value::Bool(true)) {
                    if let Some(Value::String(t)) = map.get("type").cloned() {
                        map.insert("type".into(), serde_json::json!([t, "null"]));
                    }
                }
                for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                    if map.get(flag) == Some(&Value::Bool(true)) {
                        match map.remove(bound) {
                            Some(n) => map.insert(flag.into(), n),
                            None => map.remove(flag),
                        };
                    }
                }
                map.values_mut().for_each(rewrite);
            }
            Value::Array(items) => items.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    let mut out = document.clone();
    rewrite(&mut out);
    if let Some(root) = out.as_object_mut() {
        root.insert("openapi".into(), "3.1.0".into());
    }
    out
}

/// Escapes every non-ASCII character of a JSON text (they can only be inside strings).
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            let units = c.encode_utf16(&mut units);
            if units.len() > 1 && skipping("json-surrogates") {
                out.push(c);
                continue;
            }
            for unit in units {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The property: generating never panics or hangs, and a generated crate is well-formed.
fn check_document(document: &Value, format: Format) -> Result<(), TestCaseError> {
    let pretty = || serde_json::to_string_pretty(document).expect("a JSON value is JSON");
    let (text, file_name) = match format {
        Format::Json => (pretty(), "fuzz.json"),
        Format::JsonAscii => (ascii_json(&pretty()), "fuzz.json"),
        Format::Yaml => (serde_yaml::to_string(document).expect("a JSON value is YAML"), "fuzz.yaml"),
    };
    let generated = match generate_bounded(text, file_name) {
        Ok(generated) => generated,
        Err(diagnostics) => {
            prop_assert!(!diagnostics.trim().is_empty(), "a refusal must say why");
            return Ok(());
        }
    };
    prop_assert!(!generated.files.is_empty(), "a generated crate has files");
    for file in &generated.files {
        if file.path.ends_with(".rs") {
            // The runtime is copied verbatim into every crate: parse each distinct file once.
            if parsed_before(&file.contents, false) {
                continue;
            }
            if let Err(e) = parse_rust(&file.contents) {
                return Err(TestCaseError::fail(format!(
                    "{} does not parse as Rust: {e}\n{}",
                    file.path, file.contents
                )));
            }
            parsed_before(&file.contents, true);
        } else if file.path == "Cargo.toml" && !skipping("toml-escapes") {
            if let Err(e) = file.contents.parse::<toml::Table>() {
                return Err(TestCaseError::fail(format!("Cargo.toml is not TOML: {e}")));
            }
        }
    }
    Ok(())
}

/// Parses generated Rust on a thread with a large stack: `syn` parses nested expressions
/// recursively, and a debug build of it overflows a test thread's 2 MiB stack on code that
/// rustc (which grows its stack as it goes) compiles without trouble.
fn parse_rust(contents: &str) -> syn::Result<()> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, || syn::parse_file(contents).map(drop))
            .expect("spawn the parser thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Whether a file with these contents already parsed in this process (by a 64-bit hash);
/// with `remember`, records that it did.
fn parsed_before(contents: &str, remember: bool) -> bool {
    use std::collections::HashSet;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::{Mutex, OnceLock};
    static PARSED: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    let mut hasher = DefaultHasher::new();
    contents.hash(&mut hasher);
    let hash = hasher.finish();
    let mut parsed = PARSED
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if remember {
        !parsed.insert(hash)
    } else {
        parsed.contains(&hash)
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// Names that have tripped code generators: keywords, prelude and runtime names, characters
/// that are not identifiers, case collisions, leading digits, unicode, JSON-pointer escapes.
const ODD_NAMES: &[&str] = &[
    "", " ", "_", "__", "a", "A", "id", "Id", "ID", "type", "Type", "self", "Self", "super",
    "crate", "mod", "fn", "async", "await", "dyn", "r#type", "match", "ref", "box", "yield",
    "try", "gen", "union", "static", "default", "Default", "Option", "Some", "None", "Result",
    "Ok", "Err", "String", "Vec", "Box", "Value", "Client", "Error", "Builder", "Request",
    "Response", "Secret", "Unknown", "types", "operations", "errors", "runtime", "serde",
    "std", "core", "1", "1st", "123abc", "-", "--", ".", "..", "foo-bar", "foo_bar", "FooBar",
    "fooBar", "FOO_BAR", "foo bar", "foo.bar", "foo/bar", "foo~bar", "~0~1", "$ref", "@type",
    "+1", "-1", "a[]", "a[b]", "ünïcödé", "名前", "🚀", "x-y-z", "null", "true", "false",
    "$", "#", "{id}", "{", "}", "a\"b", "a'b", "a\\b", "a\nb", "\t",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(ODD_NAMES).prop_map(str::to_owned),
        3 => "[a-z][a-zA-Z0-9_]{0,10}",
        1 => "[A-Za-z0-9_ .$/~{}-]{0,12}",
        1 => "\\PC{0,6}",
    ]
}

/// Component names: a small pool, so `$ref`s often resolve, sometimes dangle, and form cycles.
const COMPONENTS: &[&str] = &[
    "Pet", "pet", "Pet_", "Node", "Error", "Self", "type", "Foo.Bar", "Foo-Bar", "1st",
    "ünï", "Option", "Tree", "List",
];

fn component_name() -> impl Strategy<Value = String> {
    select(COMPONENTS).prop_map(str::to_owned)
}

fn reference() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => component_name().prop_map(|n| json!({ "$ref": format!("#/components/schemas/{n}") })),
        1 => select(&[
            "#/components/schemas/Missing",
            "#/components/schemas/",
            "#/components/schemas",
            "#/components/responses/R",
            "#/components/parameters/P",
            "#/paths/~1pets/get",
            "#/info",
            "#/nope/deeper",
            "#",
            "",
            "other.yaml#/components/schemas/Pet",
            "https://example.com/schema.json",
            "#/components/schemas/Foo~1Bar",
            "#/components/schemas/Foo%20Bar",
            "#/components/schemas/~2",
        ][..])
        .prop_map(|r| json!({ "$ref": r })),
        // A `$ref` with siblings, and a `$ref` that is not a string.
        1 => component_name().prop_map(|n| json!({
            "$ref": format!("#/components/schemas/{n}"),
            "nullable": true,
            "description": "sibling"
        })),
        1 => select(vec![json!(1), json!(null), json!([]), json!({})]).prop_map(|r| json!({ "$ref": r })),
    ]
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn odd_value() -> impl Strategy<Value = Value> {
    select(vec![
        json!(null),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(""),
        json!("x"),
        json!("2024-01-01T00:00:00Z"),
        json!(true),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"a": 1}),
    ])
}

fn scalar() -> impl Strategy<Value = Value> {
    let string_formats = select(&[
        "", "date-time", "date", "time", "uuid", "uri", "email", "byte", "binary", "password",
        "int64", "epoch-seconds", "epoch-millis", "ipv4", "hostname", "made-up",
    ][..]);
    let number_formats = select(&[
        "", "int32", "int64", "int8", "uint64", "float", "double", "epoch-seconds",
        "epoch-millis", "decimal",
    ][..]);
    prop_oneof![
        6 => (string_formats, proptest::option::of(0u64..5), proptest::option::of(0u64..5),
         proptest::option::of(select(&["^[a-z]+$", "([", "\\d{3}", "", "^\\p{L}$", "(?<x>a)"][..])))
            .prop_map(|(format, min, max, pattern)| {
                let mut s = json!({ "type": "string" });
                if !format.is_empty() {
                    s["format"] = json!(format);
                }
                if let Some(min) = min {
                    s["minLength"] = json!(min);
                }
                if let Some(max) = max {
                    s["maxLength"] = json!(max);
                }
                if let Some(pattern) = pattern {
                    s["pattern"] = json!(pattern);
                }
                s
            }),
        5 => (select(&["integer", "number"][..]), number_formats,
         proptest::option::of(-10i64..10), proptest::option::of(-10i64..10), any::<bool>())
            .prop_map(|(ty, format, min, max, exclusive)| {
                let mut s = json!({ "type": ty });
                if !format.is_empty() {
                    s["format"] = json!(format);
                }
                if let Some(min) = min {
                    s["minimum"] = json!(min);
                    s["exclusiveMinimum"] = json!(exclusive);
                }
                if let Some(max) = max {
                    s["maximum"] = json!(max);
                    s["exclusiveMaximum"] = json!(exclusive);
                }
                s
            }),
        2 => Just(json!({ "type": "boolean" })),
        1 => Just(json!({})),
        1 => Just(json!({ "type": "object" })),
        // Not OpenAPI 3.0: the loader refuses these.
        1 => select(vec![
            json!({ "type": "null" }),
            json!({ "type": ["string", "null"] }),
            json!({ "type": "made-up" }),
            json!({ "not": { "type": "string" } }),
        ]),
    ]
}

fn enumeration() -> impl Strategy<Value = Value> {
    let member = prop_oneof![
        20 => name().prop_map(Value::String),
        1 => odd_value(),
    ];
    (
        select(&["string", "integer", "number", "boolean", ""][..]),
        proptest::collection::vec(member, 0..6),
        any::<bool>(),
    )
        .prop_map(|(ty, members, nullable)| {
            let mut s = json!({ "enum": members });
            if !ty.is_empty() {
                s["type"] = json!(ty);
            }
            if nullable {
                s["nullable"] = json!(true);
            }
            s
        })
}

fn leaf_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => scalar(),
        3 => reference(),
        2 => enumeration(),
    ]
}

fn object(inner: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    (
        proptest::collection::vec((name(), inner.clone()), 0..6),
        proptest::collection::vec(name(), 0..3),
        any::<bool>(),
        prop_oneof![
            3 => Just(None),
            1 => any::<bool>().prop_map(|b| Some(json!(b))),
            1 => inner.prop_map(Some),
        ],
        any::<bool>(),
    )
        .prop_map(|(properties, extra_required, require_all, additional, typed)| {
            let mut required: Vec<String> = if require_all {
                properties.iter().map(|(n, _)| n.clone()).collect()
            } else {
                properties.iter().step_by(2).map(|(n, _)| n.clone()).collect()
            };
            // Names that are required but not declared.
            required.extend(extra_required);
            let properties: Map<String, Value> = properties.into_iter().collect();
            let mut s = json!({ "properties": properties });
            if typed {
                s["type"] = json!("object");
            }
            if !required.is_empty() {
                s["required"] = json!(required);
            }
            if let Some(additional) = additional {
                s["additionalProperties"] = additional;
            }
            s
        })
}

fn array(inner: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    (
        proptest::option::weighted(0.9, inner),
        proptest::option::of(0u64..3),
        proptest::option::of(0u64..3),
        any::<bool>(),
    )
        .prop_map(|(items, min, max, unique)| {
            let mut s = json!({ "type": "array" });
            if let Some(items) = items {
                s["items"] = items;
            }
            if let Some(min) = min {
                s["minItems"] = json!(min);
            }
            if let Some(max) = max {
                s["maxItems"] = json!(max);
            }
            if unique {
                s["uniqueItems"] = json!(true);
            }
            s
        })
}

fn composed(inner: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    (
        select(&["allOf", "oneOf", "anyOf"][..]),
        proptest::collection::vec(inner, 0..4),
        proptest::option::of((name(), proptest::collection::vec((name(), component_name()), 0..3))),
        proptest::option::of(select(&["object", "string"][..])),
    )
        .prop_map(|(keyword, mut members, discriminator, ty)| {
            if keyword == "allOf" && skipping("allof-refs") {
                members.retain(|m| m.get("$ref").is_none());
            }
            let mut s = json!({ keyword: members });
            if let Some((property, mapping)) = discriminator {
                let mapping: Map<String, Value> = mapping
                    .into_iter()
                    .map(|(k, v)| (k, json!(format!("#/components/schemas/{v}"))))
                    .collect();
                s["discriminator"] = json!({ "propertyName": property, "mapping": mapping });
            }
            if let Some(ty) = ty {
                s["type"] = json!(ty);
            }
            s
        })
}

/// Flags and extensions that may sit on any schema.
fn decorate(schema: Value) -> impl Strategy<Value = Value> {
    (
        Just(schema),
        proptest::collection::vec(
            select(&[
                "nullable", "readOnly", "writeOnly", "deprecated", "x-sensitive", "description",
                "title", "default", "example", "x-other", "format",
            ][..]),
            0..3,
        ),
        odd_value(),
        name(),
    )
        .prop_map(|(mut schema, flags, value, text)| {
            if let Value::Object(map) = &mut schema {
                for flag in flags {
                    let v = match flag {
                        "description" | "title" => json!(text),
                        "default" | "example" | "x-other" => value.clone(),
                        "format" => json!("password"),
                        _ => json!(true),
                    };
                    map.insert(flag.to_owned(), v);
                }
            }
            schema
        })
}

fn schema() -> BoxedStrategy<Value> {
    leaf_schema()
        .prop_recursive(4, 40, 6, |inner| {
            let inner = inner.boxed();
            prop_oneof![
                4 => object(inner.clone()),
                2 => array(inner.clone()),
                2 => composed(inner.clone()),
            ]
        })
        .prop_flat_map(decorate)
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Operations

const MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/json",
    "application/problem+json",
    "application/json; charset=utf-8",
    "application/vnd.github.v3+json",
    "application/x-amz-json-1.1",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "text/html",
    "application/octet-stream",
    "*/*",
    "",
];

fn content() -> impl Strategy<Value = Value> {
    content_entries(0..3)
}

fn content_entries(entries: std::ops::Range<usize>) -> impl Strategy<Value = Value> {
    let media_type = prop_oneof![
        8 => Just("application/json"),
        1 => select(MEDIA_TYPES),
    ];
    proptest::collection::vec((media_type, proptest::option::weighted(0.9, schema())), entries)
        .prop_map(|entries| {
            let mut content = Map::new();
            for (media_type, schema) in entries {
                let mut entry = json!({});
                if let Some(schema) = schema {
                    entry["schema"] = schema;
                }
                content.insert(media_type.to_owned(), entry);
            }
            Value::Object(content)
        })
}

const PARAM_NAMES: &[&str] = &["id", "Id", "user-id", "user_id", "x", "type", "self", "limit", "nextToken", "a.b", ""];

fn parameter() -> impl Strategy<Value = Value> {
    prop_oneof![
        20 => (
            select(PARAM_NAMES),
            prop_oneof![
                30 => select(&["query", "header", "path"][..]),
                1 => select(&["cookie", "body", ""][..]),
            ],
            any::<bool>(),
            prop_oneof![
                40 => prop_oneof![scalar(), enumeration()].prop_map(Some),
                2 => schema().prop_map(Some),
                1 => Just(None),
            ],
            proptest::option::weighted(0.1, content()),
            // Mostly a style that fits the location (see below), sometimes one that does not.
            proptest::option::weighted(0.3, select(&["form", "simple", "deepObject", "spaceDelimited", "pipeDelimited", "matrix", "label"][..])),
            proptest::bool::weighted(0.05),
        )
            .prop_map(|(name, location, required, schema, content, style, misfit)| {
                let mut p = json!({ "name": name, "in": location, "required": required });
                if let Some(schema) = schema {
                    p["schema"] = schema;
                }
                if let Some(content) = content {
                    p["content"] = content;
                }
                let fits = match location {
                    "query" => ["form", "spaceDelimited", "pipeDelimited", "deepObject"].contains(&style.unwrap_or("")),
                    "path" => ["simple", "label", "matrix"].contains(&style.unwrap_or("")),
                    "header" => style == Some("simple"),
                    _ => false,
                };
                if let (Some(style), true) = (style, fits || misfit) {
                    p["style"] = json!(style);
                }
                p
            }),
        1 => select(&["#/components/parameters/P", "#/components/parameters/Missing", "#/components/schemas/Pet"][..])
            .prop_map(|r| json!({ "$ref": r })),
    ]
}

const STATUSES: &[&str] = &[
    "200", "200", "201", "202", "204", "206", "2XX", "2xx", "3XX", "301", "304", "400", "404",
    "4XX", "409", "429", "480", "500", "5XX", "default", "999", "0", "abc", "1XX", "100", "",
];

fn response() -> impl Strategy<Value = Value> {
    prop_oneof![
        30 => (
            name(),
            proptest::option::weighted(0.7, content()),
            proptest::option::weighted(0.15, proptest::collection::vec((name(), schema()), 0..2)),
            proptest::option::weighted(0.1, name()),
        )
            .prop_map(|(description, content, headers, error_code)| {
                let mut r = json!({ "description": description });
                if let Some(content) = content {
                    r["content"] = content;
                }
                if let Some(headers) = headers {
                    let headers: Map<String, Value> = headers
                        .into_iter()
                        .map(|(n, s)| (n, json!({ "schema": s })))
                        .collect();
                    r["headers"] = Value::Object(headers);
                }
                if let Some(code) = error_code {
                    r["x-error-code"] = json!(code);
                }
                r
            }),
        1 => select(&["#/components/responses/R", "#/components/responses/Missing"][..])
            .prop_map(|r| json!({ "$ref": r })),
        // No `description`: not OpenAPI 3.0.
        1 => Just(json!({})),
    ]
}

fn pagination() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(&["token", "offset", "cursor", ""][..]).prop_flat_map(|style| {
            proptest::collection::vec(
                (
                    select(&["inputToken", "outputToken", "pageSize", "items", "offset", "limit", "total"][..]),
                    select(PARAM_NAMES),
                ),
                0..6,
            )
            .prop_map(move |fields| {
                let mut p = json!({ "style": style });
                for (k, v) in fields {
                    p[k] = json!(v);
                }
                p
            })
        }),
        odd_value(),
    ]
}

fn operation(path_params: Vec<String>) -> impl Strategy<Value = Value> {
    (
        proptest::option::weighted(0.8, name()),
        proptest::collection::vec(parameter(), 0..4),
        proptest::bool::weighted(0.9),
        proptest::option::weighted(0.4, (content_entries(1..3), any::<bool>())),
        proptest::collection::vec((select(STATUSES), response()), 0..4),
        proptest::option::weighted(0.05, pagination()),
        proptest::option::weighted(0.1, odd_value()),
        proptest::option::weighted(0.2, name()),
        any::<bool>(),
    )
        .prop_map(
            move |(id, mut params, declare_path_params, body, responses, pagination, idempotent, summary, deprecated)| {
                if declare_path_params {
                    for p in &path_params {
                        params.push(json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }));
                    }
                }
                let mut op = json!({ "parameters": params });
                if let Some(id) = id {
                    op["operationId"] = json!(id);
                }
                if let Some((content, required)) = body {
                    op["requestBody"] = json!({ "content": content, "required": required });
                }
                let responses: Map<String, Value> =
                    responses.into_iter().map(|(s, r)| (s.to_owned(), r)).collect();
                op["responses"] = Value::Object(responses);
                if let Some(p) = pagination {
                    op["x-pagination"] = p;
                }
                if let Some(i) = idempotent {
                    op["x-idempotent"] = i;
                }
                if let Some(s) = summary {
                    op["summary"] = json!(s);
                }
                if deprecated {
                    op["deprecated"] = json!(true);
                }
                op
            },
        )
}

/// A path template and the names of its `{parameters}`.
fn path() -> impl Strategy<Value = (String, Vec<String>)> {
    let segment = prop_oneof![
        4 => select(&["pets", "users", "a b", "x.y", "v1", "", "~", "%20", "#X-Amz-Target=Svc.Op", "items:search"][..])
            .prop_map(|s| (s.to_owned(), None)),
        2 => select(PARAM_NAMES).prop_map(|p| (format!("{{{p}}}"), Some(p.to_owned()))),
        1 => select(PARAM_NAMES).prop_map(|p| (format!("prefix-{{{p}}}.json"), Some(p.to_owned()))),
        1 => name().prop_map(|n| (n, None)),
    ];
    (proptest::collection::vec(segment, 0..4), any::<bool>()).prop_map(|(segments, slash)| {
        let mut params = Vec::new();
        let mut text = String::new();
        for (s, p) in segments {
            text.push('/');
            text.push_str(&s);
            params.extend(p);
        }
        if text.is_empty() || slash {
            text.push('/');
        }
        (text, params)
    })
}

fn path_item() -> impl Strategy<Value = (String, Value)> {
    path().prop_flat_map(|(path, params)| {
        let methods = select(&["get", "put", "post", "delete", "patch", "head", "options", "trace", "x-custom"][..]);
        (Just(path), proptest::collection::vec((methods, operation(params)), 1..3)).prop_map(|(path, ops)| {
            let item: Map<String, Value> = ops.into_iter().map(|(m, o)| (m.to_owned(), o)).collect();
            (path, Value::Object(item))
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Documents

fn security_scheme() -> impl Strategy<Value = Value> {
    select(vec![
        json!({ "type": "http", "scheme": "bearer" }),
        json!({ "type": "http", "scheme": "basic" }),
        json!({ "type": "http", "scheme": "digest" }),
        json!({ "type": "apiKey", "in": "header", "name": "X-Api-Key" }),
        json!({ "type": "apiKey", "in": "query", "name": "api_key" }),
        json!({ "type": "apiKey", "in": "cookie", "name": "session" }),
        json!({ "type": "apiKey", "in": "header", "name": "Authorization", "x-amazon-apigateway-authtype": "awsSigv4" }),
        json!({ "type": "oauth2", "flows": { "clientCredentials": { "tokenUrl": "https://x/token", "scopes": {} } } }),
        json!({ "type": "openIdConnect", "openIdConnectUrl": "https://x/.well-known" }),
    ])
}

fn server() -> impl Strategy<Value = Value> {
    (
        select(&[
            "https://api.example.com",
            "https://api.example.com/v1/",
            "/v1",
            "",
            "{scheme}://{host}/v1",
            "https://{region}.example.amazonaws.com",
            "http://localhost:{port}",
            "not a url",
            "https://{undeclared}.example.com",
        ][..]),
        proptest::collection::vec(
            (
                select(&["scheme", "host", "region", "port", "type", ""][..]),
                name(),
                proptest::collection::vec(name(), 0..3),
            ),
            0..3,
        ),
    )
        .prop_map(|(url, variables)| {
            let variables: Map<String, Value> = variables
                .into_iter()
                .map(|(n, default, allowed)| {
                    let mut v = json!({ "default": default });
                    if !allowed.is_empty() {
                        v["enum"] = json!(allowed);
                    }
                    (n.to_owned(), v)
                })
                .collect();
            json!({ "url": url, "variables": variables })
        })
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            20 => Just("3.0.3"),
            3 => select(&["3.0.0", "3.0.1", "3.0.2"][..]),
            1 => select(&["3.1.0", "2.0", "3", ""][..]),
        ],
        (name(), name(), proptest::option::of(name()), proptest::option::weighted(0.1, name())),
        proptest::collection::vec(server(), 0..3),
        proptest::collection::vec(path_item(), 0..4),
        proptest::collection::vec((component_name(), schema()), 0..8),
        proptest::bool::weighted(0.9),
        proptest::collection::vec(
            (
                select(&["bearer", "key", "sigv4", "Bearer", ""][..]),
                prop_oneof![
                    12 => security_scheme(),
                    1 => select(vec![json!({ "type": "mutualTLS" }), json!({ "type": "apiKey" })]),
                ],
            ),
            0..3,
        ),
        proptest::option::weighted(0.9, (parameter(), response())),
        any::<bool>(),
    )
        .prop_map(
            |(version, (title, api_version, description, service), servers, paths, schemas, complete, schemes, shared, secure)| {
                let mut info = json!({ "title": title, "version": api_version });
                if let Some(d) = description {
                    info["description"] = json!(d);
                }
                if let Some(s) = service {
                    info["x-serviceName"] = json!(s);
                }
                let mut doc = json!({ "info": info, "servers": servers });
                if !version.is_empty() {
                    doc["openapi"] = json!(version);
                }
                let paths: Map<String, Value> = paths.into_iter().collect();
                doc["paths"] = Value::Object(paths);
                let mut schemas: Map<String, Value> = schemas.into_iter().collect();
                if complete {
                    // Most documents define every component they point at (cycles stay).
                    let mut referenced = Vec::new();
                    collect_refs(&doc, &mut referenced);
                    for schema in schemas.values() {
                        collect_refs(schema, &mut referenced);
                    }
                    for name in referenced {
                        schemas.entry(name).or_insert_with(|| json!({ "type": "object", "properties": { "name": { "type": "string" } } }));
                    }
                }
                let scheme_names: Vec<String> = schemes.iter().map(|(n, _)| n.to_string()).collect();
                let schemes: Map<String, Value> =
                    schemes.into_iter().map(|(n, s)| (n.to_owned(), s)).collect();
                let mut components = json!({ "schemas": schemas, "securitySchemes": schemes });
                if let Some((parameter, response)) = shared {
                    components["parameters"] = json!({ "P": parameter });
                    components["responses"] = json!({ "R": response });
                }
                doc["components"] = components;
                if secure {
                    let requirements: Vec<Value> =
                        scheme_names.iter().map(|n| json!({ n.clone(): [] })).collect();
                    doc["security"] = json!(requirements);
                }
                doc
            },
        )
}

/// The component names that `#/components/schemas/<name>` references under `value` point at.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let (true, Some(target)) = (key == "$ref", v.as_str()) {
                    if let Some(name) = target.strip_prefix("#/components/schemas/") {
                        if COMPONENTS.contains(&name) {
                            out.push(name.to_owned());
                        }
                    }
                }
                collect_refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations of the hand-written specs

fn seed_specs() -> &'static [Value] {
    static SPECS: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    SPECS.get_or_init(read_seed_specs)
}

fn read_seed_specs() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut specs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        specs.push(value);
    }
    assert!(!specs.is_empty(), "no specs in {}", dir.display());
    specs
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Replace(Value),
    RenameKey(String),
    /// Copy the node over one of its siblings.
    Duplicate,
}

fn mutation() -> impl Strategy<Value = (Vec<usize>, Mutation)> {
    (
        proptest::collection::vec(any::<usize>(), 1..12),
        prop_oneof![
            3 => Just(Mutation::Delete),
            3 => prop_oneof![
                3 => odd_value(),
                1 => reference(),
                1 => leaf_schema(),
                1 => name().prop_map(Value::String),
            ]
            .prop_map(Mutation::Replace),
            2 => name().prop_map(Mutation::RenameKey),
            1 => Just(Mutation::Duplicate),
        ],
    )
}

/// Walks from the root, picking a child by each index in turn (stopping early at a leaf), and
/// applies the mutation to the node reached.
fn apply(root: &mut Value, (choices, mutation): &(Vec<usize>, Mutation)) {
    let mut node = root;
    let last = choices.len() - 1;
    for (depth, &choice) in choices.iter().enumerate() {
        let len = match &*node {
            Value::Object(map) => map.len(),
            Value::Array(items) => items.len(),
            _ => 0,
        };
        if len == 0 {
            return;
        }
        let index = choice % len;
        let child_is_container = match &*node {
            Value::Object(map) => map.values().nth(index).is_some_and(|v| v.is_object() || v.is_array()),
            Value::Array(items) => items[index].is_object() || items[index].is_array(),
            _ => false,
        };
        if depth < last && child_is_container {
            node = match node {
                Value::Object(map) => map.values_mut().nth(index).expect("index < len"),
                Value::Array(items) => &mut items[index],
                _ => unreachable!(),
            };
            continue;
        }
        match (node, mutation) {
            (Value::Object(map), Mutation::Delete) => {
                let key = map.keys().nth(index).cloned().expect("index < len");
                map.remove(&key);
            }
            (Value::Array(items), Mutation::Delete) => {
                items.remove(index);
            }
            (Value::Object(map), Mutation::Replace(v)) => {
                *map.values_mut().nth(index).expect("index < len") = v.clone();
            }
            (Value::Array(items), Mutation::Replace(v)) => items[index] = v.clone(),
            (Value::Object(map), Mutation::RenameKey(new)) => {
                let key = map.keys().nth(index).cloned().expect("index < len");
                if let Some(v) = map.remove(&key) {
                    map.insert(new.clone(), v);
                }
            }
            (Value::Array(items), Mutation::RenameKey(_)) => {
                let v = items[index].clone();
                items.push(v);
            }
            (Value::Object(map), Mutation::Duplicate) => {
                let v = map.values().nth(index).cloned().expect("index < len");
                let target = (index + 1) % len;
                *map.values_mut().nth(target).expect("target < len") = v;
            }
            (Value::Array(items), Mutation::Duplicate) => {
                let v = items[index].clone();
                items.insert(index, v);
            }
            _ => {}
        }
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// The properties

/// Runs a property as `proptest!` would, on a thread with a large stack: building the value
/// tree of a whole random document nests proptest's strategies deeply enough to overflow a
/// test thread's 2 MiB stack in a debug build.
fn run_property<S>(name: &'static str, config: ProptestConfig, strategy: fn() -> S, test: fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy + 'static,
    S::Value: std::fmt::Debug + 'static,
{
    let result = std::thread::Builder::new()
        .name(name.into())
        .stack_size(64 << 20)
        .spawn(move || {
            let config = ProptestConfig { test_name: Some(name), source_file: Some(file!()), ..config };
            proptest::test_runner::TestRunner::new(config).run(&strategy(), test).map_err(|e| e.to_string())
        })
        .expect("spawn the property thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
}

#[test]
fn random_documents() {
    run_property(concat!(module_path!(), "::random_documents"), config(256), || (document(), format(), as_31()), |(document, format, as_31)| {
        check_document(&if as_31 { to_31(&document) } else { document }, format)
    });
}

#[test]
fn mutated_specs() {
    let strategy = || (0usize..64, proptest::collection::vec(mutation(), 1..5), format(), as_31());
    run_property(concat!(module_path!(), "::mutated_specs"), config(48), strategy, |(seed, mutations, format, as_31)| {
        let specs = seed_specs();
        let mut document = specs[seed % specs.len()].clone();
        for m in &mutations {
            apply(&mut document, m);
        }
        check_document(&if as_31 { to_31(&document) } else { document }, format)
    });
}

/// The 3.1 form of the seed specs generates the same crates as their 3.0 form: reading 3.1
/// is a faithful rewriting, at least for what both versions can say.
#[test]
fn seed_specs_as_31_generate_the_same_crates() {
    let settings = Settings::new("fuzz");
    for spec in seed_specs().iter() {
        let as_30 = codegen::generate(&serde_json::to_string(spec).unwrap(), "seed.json", &settings);
        let as_31 = codegen::generate(&serde_json::to_string(&to_31(spec)).unwrap(), "seed.json", &settings);
        match (as_30, as_31) {
            (Ok(a), Ok(b)) => {
                for (x, y) in a.files.iter().zip(&b.files) {
                    assert_eq!(x.path, y.path);
                    assert_eq!(x.contents, y.contents, "{} differs between the 3.0 and 3.1 forms", x.path);
                }
            }
            (a, b) => panic!("3.0: {:?}\n3.1: {:?}", a.err(), b.err()),
        }
    }
}

/// The strategies produce documents the generator accepts, not only refusals: otherwise the
/// properties above would test little more than the loader.
#[test]
fn some_random_documents_generate() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = document();
    let debug = std::env::var_os("FUZZ_DEBUG").is_some();
    let mut generated = 0;
    for _ in 0..200 {
        let document = strategy.new_tree(&mut runner).expect("a document").current();
        let text = serde_json::to_string(&document).unwrap();
        match generate_bounded(text, "fuzz.json") {
            Ok(_) => generated += 1,
            // `FUZZ_DEBUG=1 cargo test -p codegen --test fuzz some_random -- --nocapture`
            // shows why documents are refused, to tune the strategies.
            Err(diagnostics) if debug => {
                for line in diagnostics.lines().filter_map(|l| l.split_once("error: ")) {
                    eprintln!("refused: {}", line.1);
                }
            }
            Err(_) => {}
        }
    }
    if debug {
        eprintln!("generated {generated} of 200");
    }
    assert!(generated >= 20, "only {generated} of 200 random documents generated a crate");
}
