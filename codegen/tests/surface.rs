//! The API surface of every generated crate, pinned by one snapshot per spec
//! (`snapshots/surface__<stem>.snap`), so that a pull request that changes a client's API
//! shows the change as a few readable lines beside the spec's diff.
//!
//! To accept a changed surface: `INSTA_UPDATE=always cargo test -p codegen --test surface`
//! (or `cargo insta review`), then read every changed `.snap` file.
//!
//! `surface_mirrors_the_generated_code` checks the listing against the committed crates in
//! `generated/`, parsed with `syn`: every public method, field, type and variant, with its
//! signature, is listed, and nothing else is.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use codegen::Settings;
use quote::ToTokens;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every spec in `specs/`, by stem, sorted.
fn spec_stems() -> Vec<String> {
    let dir = workspace_root().join("specs");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    stems.sort();
    assert!(!stems.is_empty(), "no specs in {}", dir.display());
    stems
}

fn surface(stem: &str) -> String {
    let path = workspace_root().join("specs").join(format!("{stem}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file = format!("specs/{stem}.yaml");
    match codegen::lower_spec(&text, &file, &Settings::new(stem.to_string())) {
        Ok(api) => codegen::surface::render(&api),
        Err(diagnostics) => panic!("{file} should lower, but:\n{diagnostics}"),
    }
}

#[test]
fn surface_snapshots() {
    // Check every spec before failing, so that one run writes every changed snapshot.
    let mut failed = Vec::new();
    for stem in spec_stems() {
        let text = surface(&stem);
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!("API surface of generated/{stem}, from specs/{stem}.yaml"));
        settings.set_omit_expression(true);
        let result = catch_unwind(AssertUnwindSafe(|| settings.bind(|| insta::assert_snapshot!(stem.as_str(), text))));
        if result.is_err() {
            failed.push(stem);
        }
    }
    assert!(failed.is_empty(), "the API surface changed for {failed:?}: review the snapshots");
}

/// A snapshot left behind by a removed or renamed spec would never be checked again.
#[test]
fn every_surface_snapshot_has_a_spec() {
    let stems: BTreeSet<String> = spec_stems().into_iter().collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_prefix("surface__").and_then(|n| n.strip_suffix(".snap")) {
            assert!(stems.contains(stem), "tests/snapshots/{name} has no specs/{stem}.yaml: delete it");
        }
    }
}

#[test]
fn surface_mirrors_the_generated_code() {
    for stem in spec_stems() {
        let read = |file: &str| {
            let path = workspace_root().join("generated").join(&stem).join("src").join(file);
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        };
        let hint = format!("generated/{stem}/src (run `cargo xtask codegen` if the crate is stale)");
        assert_mirrors(&hint, &surface(&stem), read);
    }
}

/// The fixtures exercise what the four specs do not (boxes, maps, unions, several success
/// bodies, every kind of authentication): their crates are generated in memory.
#[test]
fn surface_mirrors_the_code_generated_from_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/constructs");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixtures in {}", dir.display());
    for path in fixtures {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let settings = Settings::new(name.replace('_', "-"));
        let file = format!("{name}.yaml");
        let api = codegen::lower_spec(&text, &file, &settings).unwrap_or_else(|d| panic!("{file} should lower, but:\n{d}"));
        let generated = codegen::generate(&text, &file, &settings).unwrap_or_else(|d| panic!("{file} should generate, but:\n{d}"));
        let read = |source: &str| {
            let wanted = format!("src/{source}");
            match generated.files.iter().find(|f| f.path == wanted) {
                Some(f) => f.contents.clone(),
                None => panic!("{file}: no generated {wanted}"),
            }
        };
        assert_mirrors(&format!("the crate generated from fixture {file}"), &codegen::surface::render(&api), read);
    }
}

fn assert_mirrors(what: &str, surface: &str, read: impl Fn(&str) -> String) {
    let listed = listed_items(surface);
    let generated = generated_items(read);
    let missing: Vec<&String> = generated.difference(&listed).collect();
    let extra: Vec<&String> = listed.difference(&generated).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the surface does not match {what}\n\
         in the code but not in the surface:\n  {}\n\
         in the surface but not in the code:\n  {}",
        join(&missing),
        join(&extra),
    );
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
}

/// The surface's lines without their notes, their kinds and any whitespace: the form that
/// [`generated_items`] writes too.
fn listed_items(surface: &str) -> BTreeSet<String> {
    surface
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with("crate "))
        .map(|line| {
            let signature = line.split("  # ").next().unwrap_or(line);
            let (kind, rest) = signature.split_once(' ').unwrap_or((signature, ""));
            let kind = match kind {
                // A string enum and a union are both Rust enums; the test cannot tell them
                // apart by shape alone, so the kind is compared only as "a type".
                "struct" | "enum" | "union" => "type",
                other => other,
            };
            format!("{kind} {}", squeeze(rest))
        })
        .collect()
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The public items of a generated crate's `src/{lib,operations,errors,types}.rs`, which
/// `read` returns, parsed with `syn`.
fn generated_items(read: impl Fn(&str) -> String) -> BTreeSet<String> {
    let parse = |file: &str| -> syn::File { syn::parse_file(&read(file)).unwrap_or_else(|e| panic!("parsing {file}: {e}")) };
    let lib = parse("lib.rs");
    let mut operations = parse("operations.rs");
    expand_impl_macros(&mut operations);
    let errors = parse("errors.rs");
    let types = parse("types.rs");
    let type_names: BTreeSet<String> = types.items.iter().filter_map(item_name).collect();
    let ty = |ty: &dyn ToTokens| normalize(ty, &type_names, "types::");
    // In `operations.rs` a bare name is the module's own (builders, success enums); the
    // crate's types are written `types::X` there.
    let operation_names: BTreeSet<String> = operations.items.iter().filter_map(item_name).collect();
    let op_ty = |ty: &dyn ToTokens| normalize(ty, &operation_names, "operations::");
    let mut items = BTreeSet::new();

    for item in &lib.items {
        match item {
            syn::Item::Mod(m) if is_pub(&m.vis) => {
                items.insert(format!("mod {}", m.ident));
            }
            syn::Item::Use(u) if is_pub(&u.vis) => {
                for path in use_paths(&u.tree, String::new()) {
                    items.insert(format!("use {path}"));
                }
            }
            _ => {}
        }
    }
    for (owner, kind) in [("Client", "client"), ("ClientBuilder", "builder")] {
        for f in pub_fns(&lib, owner) {
            items.insert(format!("{kind} {owner}::{}", signature(f, &ty)));
        }
    }

    for f in pub_fns(&operations, "crate::Client") {
        items.insert(format!("method Client::{}", signature(f, &op_ty)));
    }
    for item in &operations.items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                for f in pub_fns(&operations, &s.ident.to_string()) {
                    items.insert(format!("op operations::{}::{}", s.ident, signature(f, &op_ty)));
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => variants(&mut items, "response", &format!("operations::{}", e.ident), e, &op_ty),
            _ => {}
        }
    }

    for item in &errors.items {
        if let syn::Item::Enum(e) = item {
            let name = format!("errors::{}", e.ident);
            if e.variants.is_empty() {
                items.insert(format!("error {name}"));
            }
            variants(&mut items, "error", &name, e, &ty);
        }
    }

    // String enums are `crate::string_enum! { pub enum X { A = "a", ... } }` invocations:
    // the enum inside is what users get, plus the `Unknown(String)` variant the macro adds.
    let string_enums: Vec<syn::Item> = types
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "string_enum") => {
                let mut e: syn::ItemEnum = m.mac.parse_body().expect("a string_enum! body is an enum");
                for variant in &mut e.variants {
                    variant.discriminant = None;
                }
                e.variants.push(syn::parse_quote!(Unknown(String)));
                Some(syn::Item::Enum(e))
            }
            _ => None,
        })
        .collect();
    for item in types.items.iter().chain(&string_enums) {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let name = format!("types::{}", s.ident);
                let default = if derives(&s.attrs, "Default") { ":Default" } else { "" };
                items.insert(format!("type {name}{default}"));
                for field in s.fields.iter().filter(|f| is_pub(&f.vis)) {
                    let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                    items.insert(format!("field {name}.{ident}:{}", ty(&field.ty)));
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let name = format!("types::{}", e.ident);
                items.insert(format!("type {name}"));
                variants(&mut items, "variant", &name, e, &ty);
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                items.insert(format!("type types::{}={}", t.ident, ty(&t.ty)));
            }
            _ => {}
        }
    }
    items
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "string_enum") => {
            m.mac.parse_body::<syn::ItemEnum>().ok().map(|e| e.ident.to_string())
        }
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        let _ = a.parse_nested_meta(|meta| {
            found |= meta.path.is_ident(name);
            Ok(())
        });
        found
    })
}

/// The `pub fn`s of the inherent `impl` blocks whose self type prints as `owner`.
/// Expands the calls of a `macro_rules!` defined in `file` whose arms `(@ name) => { items }`
/// give associated items (`shared_setters!(a, b)` in an `impl`), so that the setters the
/// builders share are read as each builder's own.
fn expand_impl_macros(file: &mut syn::File) {
    use proc_macro2::TokenTree;
    let mut arms: std::collections::BTreeMap<(String, String), Vec<syn::ImplItem>> = Default::default();
    for item in &file.items {
        let syn::Item::Macro(m) = item else { continue };
        let (Some(true), Some(name)) = (m.mac.path.get_ident().map(|i| i == "macro_rules"), &m.ident) else { continue };
        let tokens: Vec<TokenTree> = m.mac.tokens.clone().into_iter().collect();
        // `(matcher) => { body } ;`, rule after rule.
        for rule in tokens.chunks(5) {
            let [TokenTree::Group(matcher), _, _, TokenTree::Group(body), ..] = rule else { continue };
            let words: Vec<String> = matcher.stream().into_iter().map(|t| t.to_string()).collect();
            if let [at, arm] = words.as_slice() {
                if at == "@" {
                    let body = body.stream();
                    let block: syn::ItemImpl = syn::parse_quote!(impl Arm { #body });
                    arms.insert((name.to_string(), arm.clone()), block.items);
                }
            }
        }
    }
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else { continue };
        block.items = std::mem::take(&mut block.items)
            .into_iter()
            .flat_map(|item| match &item {
                syn::ImplItem::Macro(call) => {
                    let name = call.mac.path.to_token_stream().to_string();
                    let called = call
                        .mac
                        .parse_body_with(syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated)
                        .expect("a list of arms");
                    called
                        .iter()
                        .map(|arm| arms.get(&(name.clone(), arm.to_string())).cloned().unwrap_or_else(|| panic!("{name}!: no arm {arm}")))
                        .collect::<Vec<_>>()
                        .concat()
                }
                _ => vec![item],
            })
            .collect();
    }
}

fn pub_fns<'a>(file: &'a syn::File, owner: &str) -> Vec<&'a syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if i.trait_.is_none() && squeeze(&i.self_ty.to_token_stream().to_string()) == owner => Some(i),
            _ => None,
        })
        .flat_map(|i| &i.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
            _ => None,
        })
        .collect()
}

/// `name(arg types)`, `.await` for an `async fn`, and `->T` unless `T` is `Self`.
fn signature(f: &syn::ImplItemFn, ty: &dyn Fn(&dyn ToTokens) -> String) -> String {
    let args: Vec<String> = f
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(typed) => Some(ty(&typed.ty)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let awaited = if f.sig.asyncness.is_some() { ".await" } else { "" };
    let output = match &f.sig.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, t) if squeeze(&t.to_token_stream().to_string()) == "Self" => String::new(),
        syn::ReturnType::Type(_, t) => format!("->{}", ty(t)),
    };
    format!("{}({}){awaited}{output}", f.sig.ident, args.join(","))
}

fn variants(items: &mut BTreeSet<String>, kind: &str, owner: &str, e: &syn::ItemEnum, ty: &dyn Fn(&dyn ToTokens) -> String) {
    for v in &e.variants {
        let payload = match &v.fields {
            syn::Fields::Unnamed(fields) => {
                format!("({})", fields.unnamed.iter().map(|f| ty(&f.ty)).collect::<Vec<_>>().join(","))
            }
            syn::Fields::Named(_) => panic!("{owner}::{} has named fields, which the surface cannot list", v.ident),
            syn::Fields::Unit => String::new(),
        };
        items.insert(format!("{kind} {owner}::{}{payload}", v.ident));
    }
}

/// The paths a `pub use` tree brings in: `runtime::error::{BuildError, Error}` → two.
fn use_paths(tree: &syn::UseTree, prefix: String) -> Vec<String> {
    match tree {
        syn::UseTree::Path(p) => use_paths(&p.tree, format!("{prefix}{}::", p.ident)),
        syn::UseTree::Name(n) => vec![format!("{prefix}{}", n.ident)],
        syn::UseTree::Rename(r) => vec![format!("{prefix}{}as{}", r.ident, r.rename)],
        syn::UseTree::Glob(_) => vec![format!("{prefix}*")],
        syn::UseTree::Group(g) => g.items.iter().flat_map(|t| use_paths(t, prefix.clone())).collect(),
    }
}

/// A type as the surface spells it: `::std::convert::Into<crate::types::Token>` becomes
/// `Into<types::Token>`, and a bare name from `types.rs` becomes `types::Name`.
fn normalize(tokens: &dyn ToTokens, local_names: &BTreeSet<String>, prefix: &str) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::new();
    let mut previous = "";
    for token in text.split_whitespace() {
        if previous != "::" && local_names.contains(token) {
            out.push_str(prefix);
        }
        out.push_str(token);
        previous = token;
    }
    let mut out = out.replace("crate::", "");
    for (from, to) in [
        ("::std::convert::", ""),
        ("::std::iter::", ""),
        ("::std::collections::", ""),
        ("::std::time::", ""),
        ("::chrono::", ""),
        ("::futures::", ""),
        ("::serde_json::", "serde_json::"),
        ("::reqwest::", "reqwest::"),
    ] {
        out = out.replace(from, to);
    }
    // rustfmt-style trailing commas in generic argument lists.
    out.replace(",>", ">")
}
