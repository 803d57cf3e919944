//! Generator settings (`specs/<stem>.toml`), one test per setting: the settings are applied
//! to `tests/fixtures/settings/inventory.yaml` and the files where they show are snapshotted;
//! then, for each setting, a bad value and the located diagnostic it gets.
//!
//! To accept changed output: `INSTA_UPDATE=always cargo test -p codegen --test settings`,
//! then read every changed `.snap` file.

use std::path::Path;

use codegen::{Diagnostics, GeneratedCrate, Settings};

const SPEC_FILE: &str = "inventory.yaml";
const SETTINGS_FILE: &str = "inventory.toml";

fn spec() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/settings").join(SPEC_FILE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn generate(settings: &str) -> Result<GeneratedCrate, Diagnostics> {
    let settings = Settings::parse("inventory", settings, SETTINGS_FILE)?;
    codegen::generate(&spec(), SPEC_FILE, &settings)
}

fn contents<'a>(generated: &'a GeneratedCrate, path: &str) -> &'a str {
    generated.files.iter().find(|f| f.path == path).map(|f| f.contents.as_str()).unwrap_or_else(|| panic!("no {path}"))
}

/// Generates with `settings` and snapshots each listed file as `settings__<name>@<file>.snap`.
fn snapshot(name: &str, settings: &str, files: &[&str]) -> GeneratedCrate {
    let generated = generate(settings).unwrap_or_else(|d| panic!("{name}: should generate, but:\n{d}"));
    for path in files {
        let mut insta_settings = insta::Settings::clone_current();
        insta_settings.set_snapshot_suffix(path.trim_start_matches("src/").trim_end_matches(".rs").replace('.', "_"));
        insta_settings.set_description(format!("{path} of tests/fixtures/settings/{SPEC_FILE} generated with:\n{settings}"));
        insta_settings.set_omit_expression(true);
        insta_settings.bind(|| insta::assert_snapshot!(name, contents(&generated, path)));
    }
    generated
}

/// The diagnostics for `settings`, which must be refused, snapshotted as `settings__<name>.snap`;
/// each names the settings file, with a line and column.
fn refused(name: &str, settings: &str) -> Diagnostics {
    let diagnostics = match generate(settings) {
        Ok(_) => panic!("{name}: should be refused"),
        Err(d) => d,
    };
    for d in &diagnostics.0 {
        assert_eq!(d.file, SETTINGS_FILE, "{d}");
        assert!(d.line.is_some() && d.column.is_some(), "not located: {d}");
    }
    let mut insta_settings = insta::Settings::clone_current();
    insta_settings.set_description(format!("tests/fixtures/settings/{SPEC_FILE} with:\n{settings}"));
    insta_settings.set_omit_expression(true);
    insta_settings.bind(|| insta::assert_snapshot!(name, diagnostics.to_string()));
    diagnostics
}

#[test]
fn without_settings_the_defaults_hold() {
    let generated = generate("").unwrap();
    let manifest = contents(&generated, "Cargo.toml");
    assert!(manifest.contains("name = \"inventory-client\"\nversion = \"0.1.0\"\nedition = \"2021\""), "{manifest}");
    assert!(manifest.contains("publish = false"), "{manifest}");
    let types = contents(&generated, "src/types.rs");
    assert!(types.contains("pub struct ItemRecord"), "{types}");
    assert!(types.contains("pub id: String"), "{types}");
    assert!(types.contains("pub struct AuditEvent"), "{types}");
}

#[test]
fn crate_metadata() {
    let generated = snapshot(
        "crate_metadata",
        r#"
[crate]
name = "inventory-api"
version = "2.1.0"
description = "Inventory API client"
license = "Apache-2.0"
repository = "https://github.com/example/inventory"
keywords = ["inventory", "api"]
edition = "2024"
rust-version = "1.88"
publish = true
"#,
        &["Cargo.toml"],
    );
    // The library follows the package name.
    assert!(contents(&generated, "README.md").contains("inventory_api::"), "{}", contents(&generated, "README.md"));
}

#[test]
fn crate_metadata_refused() {
    refused(
        "crate_metadata_refused",
        r#"
[crate]
name = "inventory api"
version = "2.1"
edition = "2015"
keywords = ["a keyword that is far too long"]
"#,
    );
}

#[test]
fn client_defaults() {
    let generated = snapshot(
        "client_defaults",
        r#"
[client]
user-agent = "inventory-sync/1.0"
timeout = "30s"
connect-timeout = "2s 500ms"
operation-timeout = "2m"
retry = { max-attempts = 5, initial-backoff = "250ms", max-backoff = "10s", max-retry-after = "30s" }
"#,
        &["src/lib.rs"],
    );
    let lib = contents(&generated, "src/lib.rs");
    assert!(lib.contains("Duration::from_millis(2500)"), "{lib}");
}

#[test]
fn client_defaults_refused() {
    refused(
        "client_defaults_refused",
        r#"
[client]
timeout = "thirty seconds"
connect-timeout = "0s"
retry = { max-attempts = 0 }
"#,
    );
}

#[test]
fn derives() {
    let generated = snapshot(
        "derives",
        r#"
[derive]
all = ["Eq", "Hash", "PartialOrd", "Ord"]
schemas = { NewItem = ["Default", "schemars::JsonSchema"], Money = ["Default"] }

[dependencies]
schemars = { version = "1", features = ["chrono04"] }
"#,
        &["src/types.rs", "Cargo.toml"],
    );
    let types = contents(&generated, "src/types.rs");
    // `NewItem` holds an `f64`: no `Eq`, `Hash` or `Ord` for it, but `PartialOrd`.
    let derives_of = |name: &str| {
        let at = types.find(&format!("pub struct {name} ")).or_else(|| types.find(&format!("pub enum {name} "))).unwrap();
        let start = types[..at].rfind("#[derive(").unwrap();
        types[start..at].split_whitespace().collect::<String>()
    };
    assert!(derives_of("NewItem").ends_with("::serde::Deserialize,PartialOrd,Default,::schemars::JsonSchema)]"), "{}", derives_of("NewItem"));
    // What `NewItem` holds gets the other crate's derive too; the string enum had the rest.
    assert_eq!(derives_of("ItemKind"), "#[derive(::schemars::JsonSchema)]");
    assert!(!derives_of("Money").contains("JsonSchema"), "{}", derives_of("Money"));
}

#[test]
fn derives_refused() {
    let d = refused(
        "derives_refused",
        r#"
[derive]
schemas = { NewItem = ["Eq"], ItemKind = ["Default"], Missing = ["Hash"], Money = ["Ord"] }
"#,
    );
    assert!(d.to_string().contains("`weight` is `f64`"), "{d}");
}

#[test]
fn derives_refused_before_reading_the_spec() {
    refused(
        "derives_refused_before_reading_the_spec",
        r#"
[derive]
all = ["Copy", "Debug"]
schemas = { item_record = ["serde_with::SerializeDisplay"] }
"#,
    );
}

#[test]
fn replaced_types() {
    let generated = snapshot(
        "replaced_types",
        r#"
[dependencies]
uuid = { version = "1", features = ["serde"] }
rust_decimal = "1"

[replace.formats]
uuid = "uuid::Uuid"
ipv4 = "std::net::Ipv4Addr"

[replace.schemas]
Money = "rust_decimal::Decimal"
"#,
        &["src/types.rs", "src/operations.rs", "Cargo.toml"],
    );
    let types = contents(&generated, "src/types.rs");
    assert!(!types.contains("pub struct Money"), "a replaced schema has no type of its own");
}

#[test]
fn replaced_types_refused() {
    refused(
        "replaced_types_refused",
        r#"
[replace.formats]
uuid = "uuid::Uuid"
ipv4 = "not a path"
"#,
    );
}

#[test]
fn replaced_schema_not_in_the_spec() {
    refused(
        "replaced_schema_not_in_the_spec",
        r#"
[replace.schemas]
Price = "std::string::String"
"#,
    );
}

#[test]
fn renames() {
    let generated = snapshot(
        "renames",
        r##"
[rename.schemas]
item_record = "Item"

[rename.properties]
"item_record.sku_code" = "sku"
"#/components/schemas/AuditEvent/properties/actor" = "who"

[rename.operations]
getItemsList = "list_items"
"##,
        &["src/types.rs", "src/operations.rs"],
    );
    let lib = contents(&generated, "src/operations.rs");
    assert!(lib.contains("pub fn list_items(&self) -> ListItems"), "{lib}");
}

#[test]
fn renames_refused() {
    refused(
        "renames_refused",
        r#"
[rename.schemas]
item_record = "Money"
ItemKind = "Option"
Missing = "Thing"

[rename.properties]
"item_record.colour" = "color"

[rename.operations]
getItems = "list_items"
createItem = "create"
getItem = "create"
"#,
    );
}

#[test]
fn operation_filters() {
    let generated = snapshot(
        "operation_filters",
        r#"
[operations]
include = { paths = ["/items"], tags = ["admin"] }
exclude = { ids = ["listAuditEvents", "createItem"] }
"#,
        &["src/operations.rs", "src/types.rs"],
    );
    let types = contents(&generated, "src/types.rs");
    // Only the left-out operations needed these.
    for gone in ["AuditEvent", "Location", "NewItem"] {
        assert!(!types.contains(&format!("pub struct {gone}")), "{gone} should be left out:\n{types}");
    }
}

#[test]
fn operation_filters_refused() {
    let d = refused(
        "operation_filters_refused",
        r#"
[operations]
include = { tags = ["billing"] }
"#,
    );
    assert_eq!(d.0.len(), 1, "the unmatched tag is a warning, the empty crate an error: {d}");
}

#[test]
fn filters_that_match_nothing_warn() {
    let settings = Settings::parse("inventory", "[operations]\nexclude = { tags = [\"billing\"] }\n", SETTINGS_FILE).unwrap();
    let (_, warnings) = codegen::generate_lenient(&spec(), SPEC_FILE, &settings).unwrap();
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(text, ["inventory.toml:2:21: warning: no operation of the spec has the tag `billing`\n  at #/operations/exclude/tags/0"]);
}

#[test]
fn settings_refuse_even_lenient_generation() {
    let settings = Settings::parse("inventory", "[rename.schemas]\nMissing = \"Thing\"\n", SETTINGS_FILE).unwrap();
    let refused = codegen::generate_lenient(&spec(), SPEC_FILE, &settings).unwrap_err();
    assert!(refused.to_string().starts_with("inventory.toml:2:1: error:"), "{refused}");
}

/// The README's complete example is a working settings file.
#[test]
fn the_readme_example_generates() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let after = readme.split("<!-- settings-example -->").nth(1).expect("the README marks its settings example");
    let example = after.split("```toml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a toml block after the mark");
    let generated = generate(example).unwrap_or_else(|d| panic!("the README's settings example is refused:\n{d}"));
    let operations = contents(&generated, "src/operations.rs");
    assert!(operations.contains("pub fn list_items(&self)") && !operations.contains("pub fn get_item(&self)"), "{operations}");
    assert!(contents(&generated, "Cargo.toml").contains("name = \"inventory-api\""));
}
