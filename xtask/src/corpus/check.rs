//! `cargo xtask corpus check [--cache DIR] [--only NAME,...] [--no-build] [--strict]`:
//! generates a crate from every cached spec into `target/corpus/<name>/`, runs `cargo check` on
//! each (errors and warnings counted; one shared target directory), and prints a table,
//! then the diagnostics and compile errors below it. The same report is written to
//! `target/corpus/report.md`, each spec's diagnostics to `target/corpus/<name>.diagnostics.txt`
//! and each crate's full `cargo check` output to `target/corpus/<name>.check.log`.
//!
//! Generation is lenient (`codegen::generate_lenient`): what the generator cannot express is
//! left out and counted (operations skipped, schemas kept as JSON values). With `--strict` it
//! uses `codegen::generate`, which refuses a spec with anything it cannot express, and a crate
//! that compiles with a warning fails: CI runs its corpus subset that way, so a regression on
//! a real spec, or a warning in generated code, fails the build.
//!
//! Exit status: 0 if every spec generated and every crate compiled, 1 otherwise, 2 for a usage
//! error.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use codegen::{Diagnostic, Diagnostics, GeneratedCrate, Settings};

use super::{
    cached_specs, cargo, cell, count_operations, markdown_table, rust_lines, standalone_manifest,
    target_dir, thousands, CachedSpec, Common,
};
use crate::fs_swap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    pub common: Common,
    /// Generate only; do not run `cargo check`.
    pub no_build: bool,
    /// Refuse a spec with anything the generator cannot express, instead of leaving it out.
    pub strict: bool,
}

/// How many diagnostics or compile errors of one spec are printed below the table; the rest
/// are in the log files.
const SHOWN: usize = 12;

/// The generator's answer for one spec.
pub enum Generation {
    /// A crate, and what was left out of it (always empty when strict).
    Generated(GeneratedCrate, Vec<Diagnostic>),
    Refused(Diagnostics),
    Panicked(String),
}

/// Runs the generator on its own thread (with the main thread's usual stack), so that a panic
/// is reported for that spec instead of ending the run. Returns the answer and the time taken.
pub fn generate_timed(text: &str, file_name: &str, stem: &str, strict: bool) -> (Generation, Duration) {
    let settings = Settings::new(stem.to_owned());
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, || {
                let start = Instant::now();
                let result = if strict {
                    codegen::generate(text, file_name, &settings).map(|g| (g, Vec::new()))
                } else {
                    codegen::generate_lenient(text, file_name, &settings)
                };
                (result, start.elapsed())
            })
            .expect("spawn the generator thread");
        match handle.join() {
            Ok((Ok((generated, left_out)), took)) => (Generation::Generated(generated, left_out), took),
            Ok((Err(diagnostics), took)) => (Generation::Refused(diagnostics), took),
            Err(panic) => (Generation::Panicked(panic_message(&*panic)), Duration::ZERO),
        }
    })
}

/// What lenient generation left out, from its diagnostics' pointers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    /// Distinct operations (`#/paths/<path>/<method>...`): skipped.
    pub operations: usize,
    /// Component schemas (`#/components/schemas/...`): kept as `serde_json::Value`.
    pub schemas: usize,
    /// Anything else (security schemes, servers, ...).
    pub other: usize,
}

pub fn left_out(diagnostics: &[Diagnostic]) -> LeftOut {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let mut operations = std::collections::BTreeSet::new();
    let mut out = LeftOut::default();
    // Warnings say what was worked around, not what was left out.
    for d in diagnostics.iter().filter(|d| d.is_error()) {
        let mut parts = d.pointer.trim_start_matches('#').trim_start_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("paths"), Some(path), Some(method)) if METHODS.contains(&method) => {
                operations.insert((path, method));
            }
            (Some("components"), Some("schemas"), _) => out.schemas += 1,
            _ => out.other += 1,
        }
    }
    out.operations = operations.len();
    out
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic with no message)".into())
}

/// What `cargo check` said about one crate.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BuildOutcome {
    pub ok: bool,
    /// Error lines (`--message-format short`), without cargo's closing summary.
    pub errors: Vec<String>,
    /// Warning lines: a generated crate must have none, and `--strict` fails on any.
    pub warnings: Vec<String>,
    pub seconds: f64,
}

/// Reads `cargo check --message-format short` output.
pub fn parse_build_output(output: &str, ok: bool, seconds: f64) -> BuildOutcome {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for line in output.lines() {
        let is_error = line.starts_with("error") || line.contains(": error");
        let summary = line.starts_with("error: could not compile")
            || line.starts_with("error: aborting")
            || line.starts_with("error: build failed");
        if is_error && !summary {
            errors.push(line.to_owned());
        } else if line.contains(": warning") && !line.starts_with("warning: `") {
            warnings.push(line.to_owned());
        }
    }
    if !ok && errors.is_empty() {
        errors.push("cargo check failed; see the log".into());
    }
    BuildOutcome {
        ok,
        errors,
        warnings,
        seconds,
    }
}

/// `cargo check` of the crate at `dir`, with the corpus's shared target directory.
pub fn cargo_check(root: &Path, dir: &Path, log: &Path) -> BuildOutcome {
    let start = Instant::now();
    let output = Command::new(cargo())
        // With the typed mocks too: they are generated code like the rest.
        .args(["check", "--quiet", "--features", "mock", "--message-format", "short", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir(root))
        .output();
    let seconds = start.elapsed().as_secs_f64();
    match output {
        Ok(output) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let _ = fs::write(log, &text);
            parse_build_output(&text, output.status.success(), seconds)
        }
        Err(e) => BuildOutcome {
            ok: false,
            errors: vec![format!("cannot run cargo: {e}")],
            warnings: Vec::new(),
            seconds,
        },
    }
}

/// Writes a generated crate to `dir` as a workspace of its own, with this repository's
/// `Cargo.lock` so it resolves the versions the runtime is tested with, without the network.
pub fn write_crate(root: &Path, dir: &Path, generated: &GeneratedCrate) -> Result<(), String> {
    let mut files = generated.files.clone();
    match files.iter_mut().find(|f| f.path == "Cargo.toml") {
        Some(manifest) => manifest.contents = standalone_manifest(&manifest.contents),
        None => return Err("the generator emitted no Cargo.toml".into()),
    }
    fs_swap::replace_dir(dir, &files, &["target"])?;
    if !files.iter().any(|f| f.path == "Cargo.lock") {
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, dir.join("Cargo.lock"))
            .map_err(|e| fs_swap::io_error("copy", &lock, e))?;
    }
    Ok(())
}

/// One row of the report.
struct Row {
    name: String,
    operations: Option<usize>,
    generation: GenerationSummary,
    /// What lenient generation left out: counts, and the diagnostics.
    left_out: LeftOut,
    left_out_diagnostics: Vec<String>,
    gen_seconds: f64,
    lines: Option<(usize, usize)>,
    build: Option<BuildOutcome>,
    /// Set when the crate could not be written.
    write_error: Option<String>,
}

enum GenerationSummary {
    Generated,
    Refused(Vec<String>),
    Panicked(String),
}

pub fn run(root: &Path, options: &CheckOptions) -> ExitCode {
    let started = Instant::now();
    let cache = options.common.cache_dir(root);
    let specs = match cached_specs(&cache, &options.common.only) {
        Ok(specs) => specs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let out_dir = root.join("target").join("corpus");
    if let Err(e) = fs::create_dir_all(&out_dir) {
        eprintln!("error: {}", fs_swap::io_error("create", &out_dir, e));
        return ExitCode::FAILURE;
    }
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let mode = if options.strict { "strict" } else { "lenient" };
    println!(
        "checking {} corpus spec{} from {} (generator: {profile} build, {mode})",
        specs.len(),
        if specs.len() == 1 { "" } else { "s" },
        cache.display()
    );

    let mut rows = Vec::new();
    for spec in &specs {
        let row = check_one(root, &out_dir, spec, !options.no_build, options.strict);
        println!("  {}", progress_line(&row));
        rows.push(row);
    }

    let report = report(&rows, &format!("{profile} build, {mode}"), options.no_build);
    println!("\n{report}");
    let report_path = out_dir.join("report.md");
    if let Err(e) = fs::write(&report_path, &report) {
        eprintln!("warning: {}", fs_swap::io_error("write", &report_path, e));
    }
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| !row_ok(r, options.strict))
        .map(|r| r.name.as_str())
        .collect();
    println!(
        "{} of {} specs ok in {:.1} s; report in {}",
        rows.len() - failed.len(),
        rows.len(),
        started.elapsed().as_secs_f64(),
        report_path.display()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

fn check_one(root: &Path, out_dir: &Path, spec: &CachedSpec, build: bool, strict: bool) -> Row {
    let file_name = spec
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.name.clone());
    let mut row = Row {
        name: spec.name.clone(),
        operations: None,
        generation: GenerationSummary::Panicked(String::new()),
        left_out: LeftOut::default(),
        left_out_diagnostics: Vec::new(),
        gen_seconds: 0.0,
        lines: None,
        build: None,
        write_error: None,
    };
    let text = match fs::read_to_string(&spec.path) {
        Ok(text) => text,
        Err(e) => {
            row.write_error = Some(fs_swap::io_error("read", &spec.path, e));
            return row;
        }
    };
    row.operations = count_operations(&text, &spec.path);
    let stem = crate::generate_cmd::sanitize(&spec.name);
    let dir: PathBuf = out_dir.join(&spec.name);
    let (generation, took) = generate_timed(&text, &file_name, &stem, strict);
    row.gen_seconds = took.as_secs_f64();
    let diagnostics_log = out_dir.join(format!("{}.diagnostics.txt", spec.name));
    let _ = fs::remove_file(&diagnostics_log);
    match generation {
        Generation::Generated(generated, left_out_diagnostics) => {
            row.generation = GenerationSummary::Generated;
            row.left_out = left_out(&left_out_diagnostics);
            row.left_out_diagnostics = left_out_diagnostics.iter().map(|d| d.to_string()).collect();
            if !row.left_out_diagnostics.is_empty() {
                let _ = fs::write(&diagnostics_log, row.left_out_diagnostics.join("\n") + "\n");
            }
            row.lines = Some(rust_lines(
                generated
                    .files
                    .iter()
                    .map(|f| (f.path.as_str(), f.contents.as_str())),
            ));
            match write_crate(root, &dir, &generated) {
                Ok(()) if build => {
                    let log = out_dir.join(format!("{}.check.log", spec.name));
                    row.build = Some(cargo_check(root, &dir, &log));
                }
                Ok(()) => {}
                Err(e) => row.write_error = Some(e),
            }
        }
        Generation::Refused(diagnostics) => {
            let all: Vec<String> = diagnostics.0.iter().map(|d| d.to_string()).collect();
            let _ = fs::write(&diagnostics_log, all.join("\n") + "\n");
            row.generation = GenerationSummary::Refused(all);
            let _ = fs::remove_dir_all(&dir);
        }
        Generation::Panicked(message) => {
            row.generation = GenerationSummary::Panicked(message);
            let _ = fs::remove_dir_all(&dir);
        }
    }
    row
}

/// With `strict`, a crate that compiles with warnings fails too: generated code must not
/// warn, whatever the spec.
fn row_ok(row: &Row, strict: bool) -> bool {
    matches!(row.generation, GenerationSummary::Generated)
        && row.write_error.is_none()
        && row.build.as_ref().is_none_or(|b| b.ok && (!strict || b.warnings.is_empty()))
}

fn progress_line(row: &Row) -> String {
    let what = match (&row.generation, &row.write_error, &row.build) {
        (_, Some(e), _) => format!("error: {e}"),
        (GenerationSummary::Refused(d), _, _) => format!("refused ({} diagnostics)", d.len()),
        (GenerationSummary::Panicked(m), _, _) => format!("generator panicked: {m}"),
        (GenerationSummary::Generated, _, Some(b)) if b.ok => {
            format!("generated{}, compiles ({:.1} s)", describe_left_out(row.left_out), b.seconds)
        }
        (GenerationSummary::Generated, _, Some(b)) => {
            format!("generated{}, {} compile errors", describe_left_out(row.left_out), b.errors.len())
        }
        (GenerationSummary::Generated, _, None) => format!("generated{}", describe_left_out(row.left_out)),
    };
    format!("{}: {what}", row.name)
}

/// ` (3 operations left out, 1 schema as JSON)`, or nothing.
fn describe_left_out(left_out: LeftOut) -> String {
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if left_out.operations > 0 {
        parts.push(format!("{} operation{} left out", left_out.operations, plural(left_out.operations)));
    }
    if left_out.schemas > 0 {
        parts.push(format!("{} schema{} as JSON", left_out.schemas, plural(left_out.schemas)));
    }
    if left_out.other > 0 {
        parts.push(format!("{} other part{} left out", left_out.other, plural(left_out.other)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn report(rows: &[Row], profile: &str, no_build: bool) -> String {
    let header = [
        "spec",
        "operations",
        "generated",
        "ops emitted",
        "left out: ops / schemas / other",
        "compiles",
        "gen s",
        "check s",
        "lines (without runtime)",
    ];
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let generated = match (&row.generation, &row.write_error) {
                (_, Some(_)) => "error".to_string(),
                (GenerationSummary::Generated, _) => "yes".into(),
                (GenerationSummary::Refused(d), _) => {
                    let first = d.first().map(|d| first_line_message(d)).unwrap_or_default();
                    let n = d.len();
                    cell(&format!(
                        "refused, {n} diagnostic{}: {}",
                        if n == 1 { "" } else { "s" },
                        shorten(&first, 90)
                    ))
                }
                (GenerationSummary::Panicked(m), _) => cell(&format!("PANIC: {}", shorten(m, 90))),
            };
            let compiles = match &row.build {
                Some(b) if b.ok && !b.warnings.is_empty() => format!("yes ({} warnings)", b.warnings.len()),
                Some(b) if b.ok => "yes".into(),
                Some(b) => format!("NO ({} errors)", b.errors.len()),
                None if no_build => "not checked".into(),
                None => "-".into(),
            };
            vec![
                row.name.clone(),
                row.operations.map(thousands).unwrap_or_else(|| "?".into()),
                generated,
                match (&row.generation, row.operations) {
                    (GenerationSummary::Generated, Some(n)) => {
                        thousands(n.saturating_sub(row.left_out.operations))
                    }
                    _ => "-".into(),
                },
                match row.generation {
                    GenerationSummary::Generated => format!(
                        "{} / {} / {}",
                        row.left_out.operations, row.left_out.schemas, row.left_out.other
                    ),
                    _ => "-".into(),
                },
                compiles,
                if matches!(row.generation, GenerationSummary::Panicked(_)) {
                    "-".into()
                } else {
                    format!("{:.3}", row.gen_seconds)
                },
                row.build
                    .as_ref()
                    .map(|b| format!("{:.1}", b.seconds))
                    .unwrap_or_else(|| "-".into()),
                row.lines
                    .map(|(all, own)| format!("{} ({})", thousands(all), thousands(own)))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut out = format!(
        "Generator: {profile}. `gen s`: one in-process generator call. `check s`: `cargo check` \
         of the crate, dependencies already built after the first crate. Lines: `.rs` lines, \
         and in parentheses without the runtime copied into `src/runtime/`.\n\n"
    );
    out += &markdown_table(&header, &table_rows);

    for row in rows {
        let mut details = Vec::new();
        if let Some(e) = &row.write_error {
            details.push(e.clone());
        }
        match &row.generation {
            GenerationSummary::Refused(diagnostics) => {
                details.extend(diagnostics.iter().take(SHOWN).cloned());
                if diagnostics.len() > SHOWN {
                    details.push(format!(
                        "... and {} more in target/corpus/{}.diagnostics.txt",
                        diagnostics.len() - SHOWN,
                        row.name
                    ));
                }
            }
            GenerationSummary::Panicked(message) => {
                details.push(format!("the generator panicked: {message}"))
            }
            GenerationSummary::Generated => {
                let left = &row.left_out_diagnostics;
                details.extend(left.iter().take(SHOWN).map(|d| d.replacen(": error: ", ": left out: ", 1)));
                if left.len() > SHOWN {
                    details.push(format!(
                        "... and {} more in target/corpus/{}.diagnostics.txt",
                        left.len() - SHOWN,
                        row.name
                    ));
                }
            }
        }
        if let Some(build) = row.build.as_ref().filter(|b| !b.ok || !b.warnings.is_empty()) {
            details.extend(build.errors.iter().chain(&build.warnings).take(SHOWN).cloned());
            if build.errors.len() > SHOWN {
                details.push(format!("... and {} more", build.errors.len() - SHOWN));
            }
            details.push(format!(
                "(full output: target/corpus/{}.check.log; crate: target/corpus/{}/)",
                row.name, row.name
            ));
        }
        if !details.is_empty() {
            out += &format!("\n### {}\n\n```text\n{}\n```\n", row.name, details.join("\n"));
        }
    }
    out
}

/// `file:1:2: error: message\n  at #/x` → `message (at #/x)`.
fn first_line_message(diagnostic: &str) -> String {
    let mut lines = diagnostic.lines();
    let first = lines.next().unwrap_or_default();
    let message = first.split_once("error: ").map(|(_, m)| m).unwrap_or(first);
    match lines.next().map(str::trim) {
        Some(at) if !at.is_empty() => format!("{message} ({at})"),
        _ => message.to_owned(),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_cargo_output_is_counted() {
        let output = "\
src/types.rs:10:5: error[E0412]: cannot find type `Foo` in this scope
src/lib.rs:1:1: warning: unused import: `x`
src/ops.rs:3:9: error: expected one of `,` or `}`
warning: `demo-client` (lib) generated 1 warning
error: could not compile `demo-client` (lib) due to 2 previous errors; 1 warning emitted
";
        let outcome = parse_build_output(output, false, 1.5);
        assert_eq!(outcome.errors.len(), 2, "{:?}", outcome.errors);
        assert_eq!(outcome.warnings, ["src/lib.rs:1:1: warning: unused import: `x`"]);
        assert!(!outcome.ok);
        let clean = parse_build_output("", true, 0.1);
        assert!(clean.ok && clean.errors.is_empty());
        let opaque = parse_build_output("something odd\n", false, 0.1);
        assert_eq!(opaque.errors.len(), 1);
    }

    #[test]
    fn what_was_left_out_is_counted_by_pointer() {
        let d = |pointer: &str| Diagnostic::new("s.json", pointer, "x");
        let counted = left_out(&[
            d("#/paths/~1a/get/parameters/0"),
            d("#/paths/~1a/get/requestBody"),
            d("#/paths/~1a/post"),
            d("#/components/schemas/Pet"),
            d("#/components/securitySchemes/key"),
        ]);
        assert_eq!(counted, LeftOut { operations: 2, schemas: 1, other: 1 });
        assert_eq!(describe_left_out(counted), " (2 operations left out, 1 schema as JSON, 1 other part left out)");
        assert_eq!(describe_left_out(LeftOut::default()), "");
    }

    #[test]
    fn diagnostics_are_summarized_on_one_line() {
        assert_eq!(
            first_line_message("s.yaml:3:4: error: bad thing\n  at #/paths/~1a"),
            "bad thing (at #/paths/~1a)"
        );
        assert_eq!(shorten("abcdef", 3), "abc…");
    }

    #[test]
    fn a_panicking_generator_is_reported_not_fatal() {
        let (generation, _) = generate_timed("", "empty.yaml", "x", false);
        assert!(matches!(generation, Generation::Refused(_)));
        let message = std::thread::spawn(|| std::panic::panic_any("boom".to_string()))
            .join()
            .map(|_| String::new())
            .unwrap_or_else(|p| panic_message(&*p));
        assert_eq!(message, "boom");
    }

    #[test]
    fn a_generated_crate_is_written_as_its_own_workspace() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("Cargo.lock"), "# lock\n").unwrap();
        let generated = GeneratedCrate {
            files: vec![
                codegen::GeneratedFile {
                    path: "Cargo.toml".into(),
                    contents: "[package]\nname = \"x\"\n".into(),
                },
                codegen::GeneratedFile {
                    path: "src/lib.rs".into(),
                    contents: "".into(),
                },
            ],
        };
        let dir = root.path().join("target/corpus/x");
        write_crate(root.path(), &dir, &generated).unwrap();
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.ends_with("[workspace]\n"), "{manifest}");
        assert_eq!(fs::read_to_string(dir.join("Cargo.lock")).unwrap(), "# lock\n");
    }
}
