//! `codegen::diff`: one test per rule, each on a pair of small specs in
//! `tests/diff/<rule-id>/` (`old.yaml` and `new.yaml`; one of them is missing for a spec that
//! is added or removed; `old.toml` and `new.toml` are generator settings, for rules about a
//! change of settings), with a snapshot of the text report; plus a realistic LaunchDarkly
//! change reported in Markdown, the verdicts `cargo xtask diff --fail-on breaking` relies on,
//! and bad input.
//!
//! To accept changed reports: `INSTA_UPDATE=always cargo test -p codegen --test diff` (or
//! `cargo insta review`), then read every changed `.snap` file.

use std::path::{Path, PathBuf};

use codegen::diff::{self, Level, ReportHeader, Revision, Rule, SettingsText, SpecDiff};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

fn read(path: &Path) -> Option<String> {
    path.exists().then(|| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

/// Compares `tests/diff/<name>/old.yaml` with `new.yaml`.
fn compare_fixture(name: &str) -> SpecDiff {
    compare_named(name, "fixture", "old.yaml", "new.yaml")
}

/// Compares a fixture as the spec `stem`, naming the two files as given.
fn compare_named(name: &str, stem: &str, old_file: &str, new_file: &str) -> SpecDiff {
    let dir = fixtures().join(name);
    let (old, new) = (read(&dir.join("old.yaml")), read(&dir.join("new.yaml")));
    assert!(old.is_some() || new.is_some(), "tests/diff/{name} has neither old.yaml nor new.yaml");
    // Generator settings beside a spec, for rules about a change of settings.
    let (old_settings, new_settings) = (read(&dir.join("old.toml")), read(&dir.join("new.toml")));
    let old_settings = old_settings.as_deref().map(|text| SettingsText { text, file: "old.toml" });
    let new_settings = new_settings.as_deref().map(|text| SettingsText { text, file: "new.toml" });
    let old = old.as_deref().map(|text| Revision { settings: old_settings, ..Revision::new(text, old_file) });
    let new = new.as_deref().map(|text| Revision { settings: new_settings, ..Revision::new(text, new_file) });
    match diff::compare(old, new, stem) {
        Ok(diff) => diff,
        Err(diagnostics) => panic!("tests/diff/{name} should compare, but:\n{diagnostics}"),
    }
}

fn header() -> ReportHeader {
    ReportHeader { base: "old.yaml".into(), target: "new.yaml".into() }
}

fn snapshot(name: &str, report: &str, what: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_description(what);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, report));
}

/// `rule!(test, "rule-id")`: the fixture of that rule reports it, and its text report is
/// snapshotted as `diff__<rule-id>.snap`.
macro_rules! rule {
    ($test:ident, $rule:literal) => {
        #[test]
        fn $test() {
            let rule = Rule::from_id($rule).expect(concat!("no rule ", $rule));
            let mut diff = compare_fixture($rule);
            diff.crate_version = Some("0.1.0".into());
            assert!(
                diff.changes.iter().any(|c| c.rule == rule),
                "tests/diff/{} does not report {}:\n{}",
                $rule,
                $rule,
                diff::render_text(std::slice::from_ref(&diff), &header())
            );
            snapshot($rule, &diff::render_text(std::slice::from_ref(&diff), &header()), &format!("the text report of tests/diff/{}", $rule));
        }
    };
}

rule!(spec_added, "spec-added");
rule!(spec_removed, "spec-removed");
rule!(server_added, "server-added");
rule!(server_removed, "server-removed");
rule!(server_default_changed, "server-default-changed");
rule!(server_variable_added, "server-variable-added");
rule!(server_variable_removed, "server-variable-removed");
rule!(security_scheme_added, "security-scheme-added");
rule!(security_scheme_removed, "security-scheme-removed");
rule!(security_scheme_changed, "security-scheme-changed");
rule!(security_requirement_changed, "security-requirement-changed");
rule!(operation_added, "operation-added");
rule!(operation_removed, "operation-removed");
rule!(operation_id_renamed, "operation-id-renamed");
rule!(operation_moved, "operation-moved");
rule!(operation_deprecated, "operation-deprecated");
rule!(operation_pagination_added, "operation-pagination-added");
rule!(operation_pagination_removed, "operation-pagination-removed");
rule!(request_parameter_added, "request-parameter-added");
rule!(request_parameter_required_added, "request-parameter-required-added");
rule!(request_parameter_removed, "request-parameter-removed");
rule!(request_parameter_became_required, "request-parameter-became-required");
rule!(request_parameter_became_optional, "request-parameter-became-optional");
rule!(path_parameter_renamed, "path-parameter-renamed");
rule!(request_body_added, "request-body-added");
rule!(request_body_required_added, "request-body-required-added");
rule!(request_body_removed, "request-body-removed");
rule!(request_body_became_required, "request-body-became-required");
rule!(request_body_became_optional, "request-body-became-optional");
rule!(request_media_type_changed, "request-media-type-changed");
rule!(request_property_added, "request-property-added");
rule!(request_property_required_added, "request-property-required-added");
rule!(request_property_removed, "request-property-removed");
rule!(request_property_became_required, "request-property-became-required");
rule!(request_property_became_optional, "request-property-became-optional");
rule!(response_property_added, "response-property-added");
rule!(response_property_removed, "response-property-removed");
rule!(response_property_became_optional, "response-property-became-optional");
rule!(response_property_became_required, "response-property-became-required");
rule!(schema_added, "schema-added");
rule!(schema_removed, "schema-removed");
rule!(schema_renamed, "schema-renamed");
rule!(unused_schema_changed, "unused-schema-changed");
rule!(operation_reactivated, "operation-reactivated");
rule!(operation_sunset_announced, "operation-sunset-announced");
rule!(operation_sunset_changed, "operation-sunset-changed");
rule!(operation_removed_before_sunset, "operation-removed-before-sunset");
rule!(operation_removed_after_deprecation, "operation-removed-after-deprecation");
rule!(request_parameter_deprecated, "request-parameter-deprecated");
rule!(property_deprecated, "property-deprecated");
rule!(union_discriminator_changed, "union-discriminator-changed");
rule!(request_max_length_decreased, "request-max-length-decreased");
rule!(request_max_length_increased, "request-max-length-increased");
rule!(request_min_length_increased, "request-min-length-increased");
rule!(request_min_length_decreased, "request-min-length-decreased");
rule!(request_max_decreased, "request-max-decreased");
rule!(request_max_increased, "request-max-increased");
rule!(request_min_increased, "request-min-increased");
rule!(request_min_decreased, "request-min-decreased");
rule!(request_max_items_decreased, "request-max-items-decreased");
rule!(request_max_items_increased, "request-max-items-increased");
rule!(request_min_items_increased, "request-min-items-increased");
rule!(request_min_items_decreased, "request-min-items-decreased");
rule!(request_pattern_added, "request-pattern-added");
rule!(request_pattern_removed, "request-pattern-removed");
rule!(request_pattern_changed, "request-pattern-changed");
rule!(response_max_length_decreased, "response-max-length-decreased");
rule!(response_max_length_increased, "response-max-length-increased");
rule!(response_min_length_increased, "response-min-length-increased");
rule!(response_min_length_decreased, "response-min-length-decreased");
rule!(response_max_decreased, "response-max-decreased");
rule!(response_max_increased, "response-max-increased");
rule!(response_min_increased, "response-min-increased");
rule!(response_min_decreased, "response-min-decreased");
rule!(response_max_items_decreased, "response-max-items-decreased");
rule!(response_max_items_increased, "response-max-items-increased");
rule!(response_min_items_increased, "response-min-items-increased");
rule!(response_min_items_decreased, "response-min-items-decreased");
rule!(response_pattern_added, "response-pattern-added");
rule!(response_pattern_removed, "response-pattern-removed");
rule!(response_pattern_changed, "response-pattern-changed");
rule!(response_header_added, "response-header-added");
rule!(response_header_removed, "response-header-removed");
rule!(response_header_became_optional, "response-header-became-optional");
rule!(response_media_type_added, "response-media-type-added");
rule!(response_media_type_removed, "response-media-type-removed");
rule!(request_parameter_style_changed, "request-parameter-style-changed");
rule!(request_format_changed, "request-format-changed");
rule!(request_default_changed, "request-default-changed");
rule!(request_property_became_read_only, "request-property-became-read-only");
rule!(response_property_became_write_only, "response-property-became-write-only");
rule!(response_format_changed, "response-format-changed");
rule!(security_scheme_oauth_scope_removed, "security-scheme-oauth-scope-removed");
rule!(security_scheme_oauth_scope_added, "security-scheme-oauth-scope-added");
rule!(security_scheme_oauth_url_changed, "security-scheme-oauth-url-changed");
rule!(operation_rust_renamed, "operation-rust-renamed");
rule!(property_rust_renamed, "property-rust-renamed");
rule!(request_type_narrowed, "request-type-narrowed");
rule!(request_type_widened, "request-type-widened");
rule!(response_type_narrowed, "response-type-narrowed");
rule!(response_type_widened, "response-type-widened");
rule!(type_changed, "type-changed");
rule!(rust_type_changed, "rust-type-changed");
rule!(request_enum_value_added, "request-enum-value-added");
rule!(request_enum_value_removed, "request-enum-value-removed");
rule!(response_enum_value_added, "response-enum-value-added");
rule!(response_enum_value_removed, "response-enum-value-removed");
rule!(request_union_variant_added, "request-union-variant-added");
rule!(request_union_variant_removed, "request-union-variant-removed");
rule!(response_union_variant_added, "response-union-variant-added");
rule!(response_union_variant_removed, "response-union-variant-removed");
rule!(response_success_status_added, "response-success-status-added");
rule!(response_success_status_removed, "response-success-status-removed");
rule!(response_error_added, "response-error-added");
rule!(response_error_removed, "response-error-removed");
rule!(response_body_added, "response-body-added");
rule!(response_body_removed, "response-body-removed");

#[test]
fn every_rule_has_a_fixture_and_a_test() {
    let source = include_str!("diff.rs");
    for rule in Rule::ALL {
        let id = rule.id();
        assert!(fixtures().join(id).is_dir(), "no fixture tests/diff/{id}/");
        assert!(source.contains(&format!("\"{id}\");")), "no rule!(.., \"{id}\") test");
    }
}

/// The acceptance criteria of `cargo xtask diff --fail-on breaking`: what must fail it and
/// what must not.
#[test]
fn breaking_is_breaking_and_additions_are_not() {
    for id in ["operation-removed", "request-parameter-required-added", "request-type-narrowed", "operation-id-renamed"] {
        let diff = compare_fixture(id);
        assert!(diff::any_at_least(std::slice::from_ref(&diff), Level::Breaking), "{id} must be breaking");
        let change = diff.changes.iter().find(|c| c.rule.id() == id).expect("the rule fires");
        assert_eq!(change.level, Level::Breaking, "{id}");
    }
    let renamed = compare_fixture("operation-id-renamed");
    let change = renamed.changes.iter().find(|c| c.rule.id() == "operation-id-renamed").expect("fires");
    assert_eq!((change.wire, change.rust), (Level::Info, Level::Breaking), "a renamed operationId breaks Rust, not the wire");

    for id in ["request-property-added", "response-property-added", "request-enum-value-added", "response-enum-value-added", "request-parameter-added"] {
        let diff = compare_fixture(id);
        assert!(!diff::any_at_least(std::slice::from_ref(&diff), Level::Breaking), "{id} must not be breaking:\n{:#?}", diff.changes);
    }
}

/// GitHub 20 → 21: `fields` went from a list of strings to a string or a list. Old requests
/// are still good (wire: info); the setter's type changed (Rust: breaking).
#[test]
fn a_value_that_becomes_one_alternative_of_a_union_is_widened() {
    let diff = compare_fixture("request-type-widened-to-union");
    let rules: Vec<(&str, Level, Level)> = diff.changes.iter().map(|c| (c.rule.id(), c.wire, c.rust)).collect();
    assert_eq!(rules, [("request-type-widened", Level::Info, Level::Breaking)], "{:#?}", diff.changes);
}

/// A body schema that gains a `oneOf` (its object now one alternative) is one change, at the
/// schema, with the operation that uses it: old requests still fit (wire: info), and the
/// struct became an enum (Rust: breaking). It is not reported again at the operation.
#[test]
fn a_body_schema_that_becomes_a_union_is_reported_once_at_the_schema() {
    let diff = compare_fixture("body-schema-became-union");
    let [change] = diff.changes.as_slice() else { panic!("one change expected: {:#?}", diff.changes) };
    assert_eq!((change.rule.id(), change.wire, change.rust), ("request-type-widened", Level::Info, Level::Breaking));
    assert_eq!(change.new.as_ref().map(|l| l.pointer.as_str()), Some("#/components/schemas/TokenInput"));
    assert_eq!(change.used_by, ["createToken"]);
    snapshot("body-schema-became-union", &diff::render_text(std::slice::from_ref(&diff), &header()), "a body schema that became a oneOf");
}

/// A `$ref` replaced by an inline schema that adds an optional property and drops a
/// `required`: the Rust type's new name (Rust only) and each property change on its own,
/// compatible on the wire for the request; for the response, the property that may now be
/// missing breaks wire clients.
#[test]
fn a_ref_replaced_by_an_inline_schema_is_compared_property_by_property() {
    let diff = compare_fixture("ref-replaced-by-inline-schema");
    let mut found: Vec<(&str, Level, Level)> = diff.changes.iter().map(|c| (c.rule.id(), c.wire, c.rust)).collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("request-property-added", Level::Info, Level::Warning),
            ("request-property-became-optional", Level::Info, Level::Breaking),
            ("response-property-added", Level::Info, Level::Info),
            ("response-property-became-optional", Level::Breaking, Level::Breaking),
            ("rust-type-changed", Level::Info, Level::Breaking),
            ("rust-type-changed", Level::Info, Level::Breaking),
        ],
        "{:#?}",
        diff.changes
    );
    assert!(!diff.changes.iter().any(|c| c.rule == Rule::TypeChanged));
    snapshot("ref-replaced-by-inline-schema", &diff::render_text(std::slice::from_ref(&diff), &header()), "a $ref replaced by an inline schema");
}

/// An alternative is located under the keyword that lists it, also when `type` stands beside
/// the `oneOf` (GitHub's `repository-rule`), where it was once placed under `anyOf`.
#[test]
fn a_new_alternative_is_located_under_its_keyword() {
    let spec = |alternatives: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /rules:\n    get:\n      operationId: getRule\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Rule'}}\ncomponents:\n  schemas:\n    Rule:\n      type: object\n      oneOf: [{alternatives}]\n    A: {{type: object, properties: {{a: {{type: string}}}}}}\n    B: {{type: object, properties: {{b: {{type: string}}}}}}\n"
        )
    };
    let (old, new) = (spec("$ref: '#/components/schemas/A'"), spec("{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}"));
    let diff = diff::compare(Some(Revision::new(&old, "old.yaml")), Some(Revision::new(&new, "new.yaml")), "x").expect("compares");
    let added = diff.changes.iter().find(|c| c.rule.id() == "response-union-variant-added").expect("the new alternative is reported");
    assert_eq!(added.new.as_ref().map(|l| l.pointer.as_str()), Some("#/components/schemas/Rule/oneOf/1"));
}

/// A response given by `$ref`: its headers are read where the reference leads.
#[test]
fn headers_of_a_referenced_response_are_compared() {
    let diff = compare_fixture("response-header-added-through-ref");
    let found: Vec<(&str, Option<&str>)> = diff.changes.iter().map(|c| (c.rule.id(), c.new.as_ref().map(|l| l.pointer.as_str()))).collect();
    assert_eq!(found, [("response-header-added", Some("#/components/responses/ItemResponse/headers/ETag"))]);
}

#[test]
fn semver_bumps() {
    let bump = |id: &str| compare_fixture(id).bump.as_str();
    assert_eq!(bump("operation-removed"), "major");
    assert_eq!(bump("operation-added"), "minor");
    // Not breaking for review, but a new public field is major by Cargo's semver rules.
    assert_eq!(bump("response-property-added"), "major");
    assert_eq!(bump("request-parameter-added"), "minor");
    assert_eq!(bump("operation-moved"), "patch");
    let mut diff = compare_fixture("operation-removed");
    diff.crate_version = Some("0.1.0".into());
    assert_eq!(diff.next_version().as_deref(), Some("0.2.0"));
}

/// A realistic change, as a pull-request comment: LaunchDarkly adds an optional query
/// parameter to `getTokens` and a response field to `Token`.
#[test]
fn launchdarkly_markdown_report() {
    let mut diff = compare_named("launchdarkly", "launchdarkly", "main:specs/launchdarkly.yaml", "specs/launchdarkly.yaml");
    diff.crate_version = Some("0.1.0".into());
    let ids: Vec<&str> = diff.changes.iter().map(|c| c.rule.id()).collect();
    assert_eq!(ids, ["request-parameter-added", "response-property-added"]);
    assert_eq!(diff.bump.as_str(), "major", "Token gains a public field");
    let header = ReportHeader { base: "`main` (1a2b3c4)".into(), target: "this branch".into() };
    snapshot("launchdarkly-markdown", &diff::render_markdown(&[diff], &header), "the Markdown report of tests/diff/launchdarkly (an optional query parameter and a response property added)");
}

#[test]
fn json_report_carries_everything() {
    let mut diff = compare_fixture("request-parameter-required-added");
    diff.crate_version = Some("0.1.0".into());
    let text = diff::render_json(std::slice::from_ref(&diff), &header());
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["summary"]["breaking"], 1);
    let change = &value["specs"][0]["changes"][0];
    assert_eq!(change["rule"], "request-parameter-required-added");
    assert_eq!(change["level"], "breaking");
    assert_eq!(change["wire"], "breaking");
    assert_eq!(change["rust"], "breaking");
    assert_eq!(change["new"]["file"], "new.yaml");
    assert!(change["new"]["pointer"].as_str().is_some_and(|p| p.starts_with("#/paths/")));
    assert!(change["new"]["line"].as_u64().is_some());
    assert_eq!(value["specs"][0]["bump"], "major");
    assert_eq!(value["specs"][0]["next_version"], "0.2.0");
    snapshot("json", &text, "the JSON report of tests/diff/request-parameter-required-added");
}

#[test]
fn identical_specs_have_no_changes() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    for stem in ["codecatalyst", "launchdarkly", "sailpoint", "workmail"] {
        let text = std::fs::read_to_string(specs.join(format!("{stem}.yaml"))).expect("spec");
        let revision = Revision::new(&text, "spec.yaml");
        let diff = diff::compare(Some(revision), Some(revision), stem).expect("compares");
        assert!(diff.changes.is_empty(), "{stem}: {:#?}", diff.changes);
        assert_eq!(diff.bump.as_str(), "none");
    }
}

/// Any spec against any other: nothing panics, and every change is located.
#[test]
fn unrelated_specs_compare_without_panicking() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let stems = ["codecatalyst", "launchdarkly", "sailpoint", "workmail"];
    let texts: Vec<String> = stems.iter().map(|s| std::fs::read_to_string(specs.join(format!("{s}.yaml"))).expect("spec")).collect();
    for (i, old) in texts.iter().enumerate() {
        for (j, new) in texts.iter().enumerate() {
            let diff = diff::compare(Some(Revision::new(old, stems[i])), Some(Revision::new(new, stems[j])), "x")
                .expect("compares");
            for change in &diff.changes {
                let at = change.location().expect("every change is located");
                assert!(at.pointer.starts_with('#'), "{}", at.pointer);
            }
            let _ = diff::render_markdown(&[diff], &header());
        }
    }
}

#[test]
fn a_spec_that_fails_to_load_gives_located_diagnostics() {
    let good = std::fs::read_to_string(fixtures().join("operation-added/old.yaml")).expect("fixture");
    let broken = good.replace("operationId: getItem", "operationId: [getItem");
    let bad_ref = good.replace("#/components/schemas/Item", "#/components/schemas/Missing");
    let old = Revision::new(&good, "main:specs/x.yaml");

    let error = diff::compare(Some(old), Some(Revision::new(&broken, "specs/x.yaml")), "x").expect_err("broken YAML");
    assert_eq!(error.0.len(), 1);
    assert_eq!(error.0[0].file, "specs/x.yaml");
    assert!(error.0[0].line.is_some(), "{error}");

    let error = diff::compare(Some(old), Some(Revision::new(&bad_ref, "specs/x.yaml")), "x").expect_err("dangling $ref");
    assert!(error.0[0].line.is_some() && error.0[0].pointer.starts_with("#/paths/"), "{error}");

    // Leniently (two files compared by path), what the generator leaves out (here an
    // operation with a dangling `$ref`) is left out of the comparison too, as `cargo xtask
    // generate` would, and said, located.
    let old = Revision { lenient: true, ..Revision::new(&good, "main:specs/x.yaml") };
    let new = Revision { lenient: true, ..Revision::new(&bad_ref, "specs/x.yaml") };
    let diff = diff::compare(Some(old), Some(new), "x").expect("compared leniently");
    assert_eq!(diff.left_out.len(), 1, "{:?}", diff.left_out);
    let note = &diff.left_out[0];
    assert!(note.starts_with("specs/x.yaml:") && note.contains("points at nothing") && note.contains("(at #/paths/"), "{note}");
    let text = diff::render_text(std::slice::from_ref(&diff), &header());
    assert!(text.contains(&format!("not compared, left out by the generator: {note}")), "{text}");

    // Both revisions broken: both are reported, base first.
    let both = diff::compare(
        Some(Revision::new(&broken, "main:specs/x.yaml")),
        Some(Revision::new("openapi: 3.2.0\n", "specs/x.yaml")),
        "x",
    )
    .expect_err("both broken");
    let files: Vec<&str> = both.0.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["main:specs/x.yaml", "specs/x.yaml"]);
    snapshot("bad-input", &both.to_string(), "diagnostics when both revisions of a spec fail to load");
}

/// Every fixture's old spec against every fixture's new spec: odd pairs, no panics, and
/// the same report twice (deterministic).
#[test]
fn any_fixture_against_any_other() {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("tests/diff") {
        let dir = entry.expect("entry").path();
        for name in ["old.yaml", "new.yaml"] {
            if let Some(text) = read(&dir.join(name)) {
                texts.push(text);
            }
        }
    }
    texts.sort();
    texts.dedup();
    // A spread of pairs rather than all of them, to keep the test quick.
    for (i, old) in texts.iter().enumerate() {
        for (_, new) in texts.iter().enumerate().filter(|(j, _)| (i * 31 + j) % 13 == 0) {
            let compare = || diff::compare(Some(Revision::new(old, "old.yaml")), Some(Revision::new(new, "new.yaml")), "x");
            let (first, second) = (compare().expect("fixtures load"), compare().expect("fixtures load"));
            assert_eq!(first, second);
            let _ = diff::render_text(&[first], &header());
        }
    }
}

/// OpenAPI 3.1 specs are compared like 3.0 ones, through the same reading: a property that
/// was `type: [string, "null"]` and is now a required string is reported with its Rust
/// effect, and pointers and lines are the 3.1 text's.
#[test]
fn openapi_3_1_specs_are_compared_too() {
    let diff = compare_fixture("openapi-3-1");
    let report = diff::render_text(std::slice::from_ref(&diff), &header());
    assert!(!diff.changes.is_empty(), "{report}");
    assert!(report.contains("name"), "{report}");
    snapshot("openapi-3-1", &report, "the text report of tests/diff/openapi-3-1 (OpenAPI 3.1 on both sides)");
}
