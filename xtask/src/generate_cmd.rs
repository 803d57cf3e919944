//! `cargo xtask generate SPEC --out DIR [--name NAME] [--strict]`: any OpenAPI 3.0.x file,
//! JSON or YAML, to a client crate in DIR.
//!
//! By default the generation is lenient (`codegen::generate_lenient`): an operation the
//! generator cannot express is left out, and a schema it cannot express becomes
//! `serde_json::Value`, each reported as a warning. `--strict` refuses the spec instead, as
//! `cargo xtask codegen` does for `specs/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::Settings;

use crate::fs_swap::{self, io_error};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub spec: PathBuf,
    pub out: PathBuf,
    /// The crate's stem (`<name>-client`); defaults to the spec's file stem, sanitized.
    pub name: Option<String>,
    /// The generator settings file, if any.
    pub settings: Option<PathBuf>,
    /// Refuse the spec if any part of it cannot be generated.
    pub strict: bool,
}

/// What a crate directory that `generate` may replace looks like: its manifest carries this.
const GENERATED_MARK: &str = "@generated";

/// Entries of an existing output directory that are carried over: build output and lockfile.
const KEEP: [&str; 2] = ["target", "Cargo.lock"];

pub fn run(options: &Options) -> ExitCode {
    ExitCode::from(run_with(options))
}

fn run_with(options: &Options) -> u8 {
    let start = Instant::now();
    let stem = match &options.name {
        Some(name) => match crate_stem(name) {
            Ok(stem) => stem,
            Err(message) => {
                eprintln!("error: {message}");
                return 2;
            }
        },
        None => stem_from_path(&options.spec),
    };
    let text = match fs::read_to_string(&options.spec) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {}", io_error("read", &options.spec, e));
            return 1;
        }
    };
    if let Err(message) = may_replace(&options.out) {
        eprintln!("error: {message}");
        return 1;
    }
    let file_name = options.spec.display().to_string();
    let settings = match &options.settings {
        None => Settings::new(stem.clone()),
        Some(path) => {
            let parsed = fs::read_to_string(path)
                .map_err(|e| io_error("read", path, e))
                .and_then(|text| Settings::parse(stem.clone(), &text, &path.display().to_string()).map_err(|d| d.to_string()));
            match parsed {
                Ok(settings) => settings,
                Err(message) => {
                    eprintln!("{message}");
                    eprintln!("error: {}: refused; nothing written", path.display());
                    return 1;
                }
            }
        }
    };
    let result = if options.strict {
        codegen::generate(&text, &file_name, &settings).map(|g| (g, Vec::new()))
    } else {
        codegen::generate_lenient(&text, &file_name, &settings)
    };
    let (generated, left_out) = match result {
        Ok(generated) => generated,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            let n = diagnostics.0.len();
            eprintln!(
                "error: {file_name}: refused ({n} diagnostic{}); nothing written",
                if n == 1 { "" } else { "s" }
            );
            return 1;
        }
    };
    if let Err(message) = fs_swap::replace_dir(&options.out, &generated.files, &KEEP) {
        eprintln!("error: {message}");
        return 1;
    }
    // Lenient generation leaves out what it reports as an error: a warning to the user here.
    for diagnostic in &left_out {
        eprintln!("{}", diagnostic.to_string().replacen(": error: ", ": warning: ", 1));
    }
    let left_out: Vec<_> = left_out.into_iter().filter(|d| d.is_error()).collect();
    if !left_out.is_empty() {
        eprintln!(
            "warning: {} part{} of {file_name} left out (see above); --strict refuses such a spec",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" }
        );
    }
    let lines: usize = generated.files.iter().map(|f| f.contents.lines().count()).sum();
    println!(
        "{}: generated {} ({} files, {lines} lines) in {:.2} s",
        options.out.display(),
        settings.package(),
        generated.files.len(),
        start.elapsed().as_secs_f64()
    );
    0
}

/// The crate stem a spec file's name gives: `api.github.com.json` → `api-github-com`.
pub fn stem_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    sanitize(&stem)
}

/// Lowercase ASCII letters, digits and single hyphens, starting with a letter; `api` if nothing
/// is left.
pub fn sanitize(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        return "api".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "api-");
    }
    out
}

/// `--name`: the stem of `<stem>-client`; a trailing `-client` is accepted and dropped.
fn crate_stem(name: &str) -> Result<String, String> {
    let stem = name
        .strip_suffix("-client")
        .or_else(|| name.strip_suffix("_client"))
        .unwrap_or(name);
    let clean = sanitize(stem);
    if clean == stem.replace('_', "-") {
        Ok(clean)
    } else {
        Err(format!(
            "`{name}` is not a crate name this command makes; use lowercase letters, digits and \
             hyphens, starting with a letter (such as `{clean}`)"
        ))
    }
}

/// Refuses to replace a directory that holds something other than a generated crate, so a
/// mistyped `--out` cannot wipe out a project.
fn may_replace(out: &Path) -> Result<(), String> {
    let entries = match fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || out.is_file() => {
            return Err(format!("`{}` is a file, not a directory", out.display()))
        }
        Err(e) => return Err(io_error("read", out, e)),
    };
    if entries.count() == 0 {
        return Ok(());
    }
    let manifest = out.join("Cargo.toml");
    match fs::read_to_string(&manifest) {
        Ok(text) if text.lines().next().is_some_and(|l| l.contains(GENERATED_MARK)) => Ok(()),
        _ => Err(format!(
            "`{}` is not empty and is not a generated crate (its Cargo.toml has no `{GENERATED_MARK}` \
             header); choose an empty or new directory",
            out.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
openapi: 3.0.3
info: { title: Demo, version: '1' }
servers: [{ url: 'https://example.com' }]
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: object, properties: { id: { type: string } } }
";

    fn opts(spec: &Path, out: &Path, name: Option<&str>) -> Options {
        Options {
            spec: spec.to_path_buf(),
            out: out.to_path_buf(),
            name: name.map(str::to_owned),
            settings: None,
            strict: false,
        }
    }

    #[test]
    fn sanitize_makes_crate_stems() {
        assert_eq!(sanitize("api.github.com"), "api-github-com");
        assert_eq!(sanitize("Swagger Petstore_v3"), "swagger-petstore-v3");
        assert_eq!(sanitize("--x--"), "x");
        assert_eq!(sanitize("3scale"), "api-3scale");
        assert_eq!(sanitize("ünï"), "n");
        assert_eq!(sanitize("ü"), "api");
        assert_eq!(sanitize(""), "api");
    }

    #[test]
    fn names_are_checked_and_a_client_suffix_dropped() {
        assert_eq!(crate_stem("github").unwrap(), "github");
        assert_eq!(crate_stem("github-client").unwrap(), "github");
        assert_eq!(crate_stem("my_api").unwrap(), "my-api");
        assert!(crate_stem("My API").is_err());
        assert!(crate_stem("1st").is_err());
    }

    #[test]
    fn generates_json_and_yaml_specs_and_regenerates_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("demo.v1.yaml");
        fs::write(&yaml, SPEC).unwrap();
        let out = dir.path().join("out");
        assert_eq!(run_with(&opts(&yaml, &out, None)), 0);
        let manifest = fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"demo-v1-client\""), "{manifest}");
        assert!(out.join("src/lib.rs").is_file());

        // The same document as JSON, into the same directory, under another name.
        let value: serde_yaml::Value = serde_yaml::from_str(SPEC).unwrap();
        let json = dir.path().join("demo.json");
        fs::write(&json, serde_json::to_string(&value).unwrap()).unwrap();
        fs::create_dir_all(out.join("target")).unwrap();
        assert_eq!(run_with(&opts(&json, &out, Some("other-client"))), 0);
        let manifest = fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"other-client\""), "{manifest}");
        assert!(out.join("target").is_dir(), "target/ is kept");
    }

    #[test]
    fn what_cannot_be_generated_is_left_out_unless_strict() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("twice.yaml");
        // The second operation reuses the first one's operationId.
        let twice = SPEC.to_string()
            + "    delete:\n      operationId: getThing\n      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]\n      responses: { '204': { description: gone } }\n";
        fs::write(&spec, twice).unwrap();
        let out = dir.path().join("out");
        let strict = Options {
            strict: true,
            ..opts(&spec, &out, None)
        };
        assert_eq!(run_with(&strict), 1);
        assert!(!out.exists());
        assert_eq!(run_with(&opts(&spec, &out, None)), 0);
        assert!(out.join("src/lib.rs").is_file());
    }

    #[test]
    fn a_refused_spec_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("bad.yaml");
        fs::write(&spec, "openapi: 2.0\ninfo: {title: x, version: '1'}\npaths: {}\n").unwrap();
        let out = dir.path().join("out");
        assert_eq!(run_with(&opts(&spec, &out, None)), 1);
        assert!(!out.exists());
    }

    #[test]
    fn a_directory_that_is_not_a_generated_crate_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("demo.yaml");
        fs::write(&spec, SPEC).unwrap();
        let out = dir.path().join("project");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
        assert_eq!(run_with(&opts(&spec, &out, None)), 1);
        assert_eq!(
            fs::read_to_string(out.join("Cargo.toml")).unwrap(),
            "[package]\nname = \"mine\"\n"
        );
        assert_eq!(run_with(&opts(&spec, &out, Some("Bad Name"))), 2);
    }
}
