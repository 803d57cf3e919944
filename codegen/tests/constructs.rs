//! Snapshot tests of the generated code, one small spec per OpenAPI construct.
//!
//! Each fixture in `tests/fixtures/constructs/` exercises one construct; the test generates
//! a crate from it and snapshots the file(s) where that construct shows: `src/types.rs` for
//! schemas, `src/operations.rs` and `src/errors.rs` for operations, `src/lib.rs` for servers
//! and authentication.
//!
//! To accept changed output: `INSTA_UPDATE=always cargo test -p codegen --test constructs`
//! (or `cargo insta review`), then read every changed `.snap` file.

use std::path::{Path, PathBuf};

use codegen::{GeneratedCrate, Settings};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_path(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/constructs").join(format!("{name}.yaml"))
}

fn generate_text(text: &str, file_name: &str, stem: &str) -> GeneratedCrate {
    match codegen::generate(text, file_name, &Settings::new(stem.to_string())) {
        Ok(generated) => generated,
        Err(diagnostics) => panic!("{file_name} should generate, but:\n{diagnostics}"),
    }
}

fn generate_fixture(name: &str) -> GeneratedCrate {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    generate_text(&text, &format!("{name}.yaml"), &name.replace('_', "-"))
}

fn contents<'a>(generated: &'a GeneratedCrate, path: &str) -> &'a str {
    match generated.files.iter().find(|f| f.path == path) {
        Some(file) => &file.contents,
        None => {
            let paths: Vec<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
            panic!("no generated file {path}; the crate has {paths:?}")
        }
    }
}

/// Snapshots one generated file as `constructs__<fixture>@<file stem>.snap`.
fn snapshot_file(fixture: &str, generated: &GeneratedCrate, path: &str) {
    let text = contents(generated, path);
    let stem = path.trim_start_matches("src/").trim_end_matches(".rs");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_suffix(stem);
    settings.set_description(format!("{path} generated from tests/fixtures/constructs/{fixture}.yaml"));
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(fixture, text));
}

/// `construct!(test_name, "fixture", ["src/types.rs", ...])`: generate the fixture and
/// snapshot each listed file.
macro_rules! construct {
    ($test:ident, $fixture:literal, [$($file:literal),+ $(,)?]) => {
        #[test]
        fn $test() {
            let generated = generate_fixture($fixture);
            $( snapshot_file($fixture, &generated, $file); )+
        }
    };
}

// Schemas.
construct!(required_and_optional_fields, "required_optional", ["src/types.rs"]);
construct!(nullable_fields, "nullable", ["src/types.rs"]);
construct!(arrays, "arrays", ["src/types.rs"]);
construct!(maps_from_additional_properties, "maps", ["src/types.rs"]);
construct!(string_enums_with_unknown_fallback, "enums", ["src/types.rs"]);
construct!(integer_and_number_formats, "numbers", ["src/types.rs"]);
construct!(timestamp_wire_forms, "timestamps", ["src/types.rs"]);
construct!(ref_chains, "refs", ["src/types.rs", "src/operations.rs"]);
construct!(all_of_merged, "all_of", ["src/types.rs"]);
construct!(one_of_tagged_and_untagged, "one_of", ["src/types.rs"]);
construct!(one_of_tag_declared_in_members, "one_of_tag_in_member", ["src/types.rs"]);
construct!(any_of, "any_of", ["src/types.rs"]);
construct!(untyped_values, "untyped", ["src/types.rs"]);
construct!(inline_object_schemas, "inline", ["src/types.rs", "src/operations.rs", "src/errors.rs"]);
construct!(recursive_types, "recursive", ["src/types.rs"]);
construct!(identical_schemas_generated_once, "identical_schemas", ["src/types.rs"]);
construct!(secrets, "secrets", ["src/types.rs", "src/operations.rs"]);
construct!(openapi_3_1, "openapi31", ["src/types.rs", "src/operations.rs"]);
construct!(streaming_responses, "streaming", ["src/operations.rs"]);
construct!(keywords_and_odd_names, "keywords", ["src/types.rs"]);

// Operations.
construct!(path_query_and_header_parameters, "params", ["src/operations.rs"]);
construct!(several_success_responses, "multi_success", ["src/operations.rs"]);
construct!(error_responses_by_status_and_default, "errors", ["src/operations.rs", "src/errors.rs"]);
construct!(aws_json_operations, "aws_json", ["src/operations.rs", "src/errors.rs", "src/lib.rs"]);
construct!(missing_operation_id, "missing_operation_id", ["src/operations.rs"]);
construct!(json_patch_array_body, "json_patch", ["src/operations.rs"]);
construct!(empty_object_response, "empty_response", ["src/operations.rs"]);
construct!(idempotency, "idempotent", ["src/operations.rs"]);
construct!(pagination_token_and_offset, "pagination", ["src/operations.rs"]);
construct!(parameters_many_operations_share, "shared_params", ["src/operations.rs", "src/mock.rs"]);

// Servers and authentication.
construct!(servers_and_auth_kinds, "auth", ["src/lib.rs"]);
construct!(per_operation_security, "security", ["src/lib.rs", "src/operations.rs", "README.md"]);
construct!(typed_mocks_rest, "params", ["src/mock.rs"]);
construct!(typed_mocks_aws_json, "aws_json", ["src/mock.rs"]);
construct!(cargo_features_per_tag, "tag_features", ["Cargo.toml", "src/types.rs", "src/operations.rs", "src/errors.rs"]);

/// Every spec the repository ships, and every construct fixture: (file name, text).
fn all_specs() -> Vec<(String, String)> {
    let mut specs = Vec::new();
    for (dir, at_least) in [(manifest_dir().join("../specs"), 4), (manifest_dir().join("tests/fixtures/constructs"), 20)] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        assert!(paths.len() >= at_least, "expected at least {at_least} specs in {}", dir.display());
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            specs.push((path.file_name().unwrap().to_string_lossy().into_owned(), text));
        }
    }
    specs
}

fn stem_of(file_name: &str) -> String {
    file_name.trim_end_matches(".yaml").replace('_', "-")
}

#[test]
fn generation_is_deterministic() {
    for (name, text) in all_specs() {
        let first = generate_text(&text, &name, &stem_of(&name));
        // A second run in another thread: hash maps there get other random seeds.
        let second = std::thread::scope(|s| s.spawn(|| generate_text(&text, &name, &stem_of(&name))).join().unwrap());
        let third = generate_text(&text, &name, &stem_of(&name));
        for other in [&second, &third] {
            let paths = |c: &GeneratedCrate| c.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
            assert_eq!(paths(&first), paths(other), "{name}: the generated file lists differ");
            for (a, b) in first.files.iter().zip(&other.files) {
                assert!(a.contents == b.contents, "{name}: {} differs between two runs", a.path);
            }
        }
    }
}

#[test]
fn every_generated_rust_file_parses() {
    let mut checked = 0;
    for (name, text) in all_specs() {
        let generated = generate_text(&text, &name, &stem_of(&name));
        for file in generated.files.iter().filter(|f| f.path.ends_with(".rs")) {
            if let Err(error) = syn::parse_file(&file.contents) {
                panic!("{name}: {} does not parse as Rust: {error}", file.path);
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn every_generated_crate_has_the_expected_files() {
    for (name, text) in all_specs() {
        let generated = generate_text(&text, &name, &stem_of(&name));
        let paths: Vec<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
        for expected in ["Cargo.toml", "README.md", "src/lib.rs", "src/types.rs", "src/operations.rs", "src/errors.rs", "src/runtime/mod.rs"] {
            assert!(paths.contains(&expected), "{name}: no {expected} in {paths:?}");
        }
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths, sorted, "{name}: files are not in a stable, sorted, duplicate-free order");
    }
}

// Regressions: bugs found in review, each pinned by the output it must have.

/// The text of `pub struct <name> { ... }` in a generated file.
fn struct_body<'a>(file: &'a str, name: &str) -> &'a str {
    let start = file.find(&format!("pub struct {name} {{")).unwrap_or_else(|| panic!("no struct {name}"));
    let end = file[start..].find("\n}").expect("the struct ends") + start;
    &file[start..end]
}

#[test]
fn properties_keep_document_order() {
    let generated = generate_fixture("required_optional");
    let widget = struct_body(contents(&generated, "src/types.rs"), "Widget");
    let order = ["pub id:", "pub name:", "pub count:", "pub color:", "pub enabled:"];
    let positions: Vec<usize> = order.iter().map(|f| widget.find(f).unwrap_or_else(|| panic!("no {f}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "fields out of document order:\n{widget}");
}

#[test]
fn ref_to_a_nullable_schema_is_optional() {
    let generated = generate_fixture("nullable");
    let profile = struct_body(contents(&generated, "src/types.rs"), "Profile");
    assert!(profile.contains("pub avatar: Option<NullableImage>"), "{profile}");
}

#[test]
fn component_names_win_over_inline_names() {
    let generated = generate_fixture("inline");
    let customer = struct_body(contents(&generated, "src/types.rs"), "Customer");
    assert!(customer.contains("pub billing: Option<CustomerAddress>"), "{customer}");
}

#[test]
fn tag_property_declared_in_members() {
    // serde's internally tagged enums take the tag out before the variant sees the object,
    // so `Circle { kind, radius }` fails with "missing field `kind`" and serializes `kind` twice.
    let generated = generate_fixture("one_of_tag_in_member");
    let types = contents(&generated, "src/types.rs");
    let tagged = types.contains("#[serde(tag = \"kind\")]");
    let member_has_tag = struct_body(types, "Circle").contains("pub kind:");
    assert!(!(tagged && member_has_tag), "{types}");
}

#[test]
fn deduplicated_keyword_names_are_snake_case() {
    let generated = generate_fixture("keywords");
    let types = contents(&generated, "src/types.rs");
    assert!(!types.contains("__"), "a field or type name with `__`:\n{types}");
}

/// An `allOf` that includes the schema it stands in (found by the fuzzer: it recursed until
/// the stack overflowed) is one type, reached again by reference and boxed.
#[test]
fn an_all_of_that_includes_its_own_container_is_one_recursive_type() {
    let generated = generate_fixture("all_of_own_container");
    let types = &generated.files.iter().find(|f| f.path == "src/types.rs").expect("types.rs").contents;
    assert!(types.contains("pub additional_properties: ::std::collections::BTreeMap<String, SelfValue>"), "{types}");
    assert!(struct_body(types, "Ax").contains("pub x: Option<Box<Ax>>"), "{types}");
}

/// Three shared parameters whose setters are `token` or `token_2` each get a field of their
/// own: Trello's once made two fields `token_2`, a crate that did not compile.
#[test]
fn shared_parameters_of_one_name_get_fields_of_their_own() {
    let generated = generate_fixture("shared_params_same_name");
    let operations = contents(&generated, "src/operations.rs");
    let start = operations.find("\nstruct SharedParams {").expect("the shared values' struct");
    let body = &operations[start..start + operations[start..].find("\n}").expect("its end")];
    let fields: Vec<&str> = body.lines().skip(2).filter_map(|line| line.trim().split(':').next()).collect();
    assert_eq!(fields, ["token", "token_2", "token_3"], "{operations}");
    assert!(operations.contains("shared_setters!(token, token_2);"), "a board operation sets `token` and `token_2`");
    assert!(operations.contains("shared_setters!(token_3);"), "a card operation's `token` is the third field");
}
