//! `cargo xtask codegen [STEM ...] [--check]`: specs/<stem>.yaml → generated/<stem>/.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use codegen::{Diagnostics, GeneratedCrate, GeneratedFile, Settings};

use crate::fs_swap::{self, io_error};

#[derive(Debug, Default)]
pub struct Options {
    /// The specs to generate, by stem; empty means all of them.
    pub stems: Vec<String>,
    /// Compare with what is on disk instead of writing.
    pub check: bool,
}

/// Entries of a crate's directory that belong to other tools: never compared, never removed.
/// (`Cargo.lock` is compared when the generator emits one.)
const NOT_OURS: [&str; 2] = ["target", "Cargo.lock"];

const HINT: &str = "run `cargo xtask codegen` and commit the result";

pub fn run(root: &Path, options: &Options) -> ExitCode {
    ExitCode::from(generate(root, options))
}

/// The command, returning its exit code: for commands that regenerate crates as one step.
pub(crate) fn generate(root: &Path, options: &Options) -> u8 {
    run_with(root, options, codegen::generate)
}

/// The command with the generator passed in, so tests can stand in for it. Returns the exit code.
fn run_with<G>(root: &Path, options: &Options, generate: G) -> u8
where
    G: Fn(&str, &str, &Settings) -> Result<GeneratedCrate, Diagnostics> + Sync,
{
    let start = Instant::now();
    let available = match list_specs(root) {
        Ok(stems) => stems,
        Err(e) => return fail(&e),
    };
    let unknown: Vec<&str> = options
        .stems
        .iter()
        .filter(|s| !available.contains(s))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "error: no spec named `{}` in specs/ (available: {})",
            unknown.join("`, `"),
            available.join(", ")
        );
        return 2;
    }
    match orphan_settings(root, &available) {
        Ok(orphans) if !orphans.is_empty() => {
            return fail(&format!("{}: settings for no spec (specs/<stem>.toml goes beside specs/<stem>.yaml)", orphans.join(", ")));
        }
        Ok(_) => {}
        Err(e) => return fail(&e),
    }
    let selected = if options.stems.is_empty() {
        &available
    } else {
        &options.stems
    };

    // Generate everything before touching the disk.
    let results = generate_all(root, selected, &generate);
    let mut crates = Vec::new();
    let mut failed = 0;
    for (stem, result) in selected.iter().zip(results) {
        match result {
            Ok(generated) => crates.push((stem, generated)),
            Err(message) => {
                eprintln!("{message}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        let what = if options.check {
            "nothing checked"
        } else {
            "nothing written"
        };
        return fail(&format!(
            "{failed} of {} specs failed to generate; {what}",
            selected.len()
        ));
    }

    let generated_dir = root.join("generated");
    let stale = match stale_crates(&generated_dir, &available) {
        Ok(stale) => stale,
        Err(e) => return fail(&e),
    };
    let outcome = if options.check {
        check(&generated_dir, &crates, &stale)
    } else {
        write(&generated_dir, &crates, &stale, options.stems.is_empty()).map(|()| true)
    };
    let up_to_date = match outcome {
        Ok(up_to_date) => up_to_date,
        Err(e) => return fail(&e),
    };
    let verb = if options.check {
        "checked"
    } else {
        "generated"
    };
    let n = crates.len();
    println!(
        "{verb} {n} crate{} in {:.2} s",
        plural(n),
        start.elapsed().as_secs_f64()
    );
    if up_to_date {
        0
    } else {
        fail(&format!("generated/ is out of date; {HINT}"))
    }
}

/// Stems of `specs/*.yaml`, sorted.
pub(crate) fn list_specs(root: &Path) -> Result<Vec<String>, String> {
    let specs = root.join("specs");
    let entries = fs::read_dir(&specs).map_err(|e| io_error("read", &specs, e))?;
    let mut stems = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read", &specs, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".yaml") {
            if !stem.is_empty() && !stem.starts_with('.') && entry.path().is_file() {
                stems.push(stem.to_owned());
            }
        }
    }
    stems.sort();
    Ok(stems)
}

/// The settings of `specs/<stem>.yaml`: `specs/<stem>.toml` when there is one, else the
/// defaults. An error is the text to print.
pub(crate) fn read_settings(root: &Path, stem: &str) -> Result<Settings, String> {
    let file_name = format!("specs/{stem}.toml");
    let path = root.join(&file_name);
    match fs::read_to_string(&path) {
        Ok(text) => Settings::parse(stem, &text, &file_name).map_err(|d| d.to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Settings::new(stem)),
        Err(e) => Err(io_error("read", &path, e)),
    }
}

/// Settings files in specs/ with no spec beside them: a renamed spec left its settings behind.
fn orphan_settings(root: &Path, available: &[String]) -> Result<Vec<String>, String> {
    let specs = root.join("specs");
    let entries = fs::read_dir(&specs).map_err(|e| io_error("read", &specs, e))?;
    let mut orphans = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read", &specs, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".toml") {
            if !available.iter().any(|s| s == stem) {
                orphans.push(format!("specs/{name}"));
            }
        }
    }
    orphans.sort();
    Ok(orphans)
}

/// Runs the generator on each spec, in parallel; an error is the text to print.
fn generate_all<G>(
    root: &Path,
    stems: &[String],
    generate: &G,
) -> Vec<Result<GeneratedCrate, String>>
where
    G: Fn(&str, &str, &Settings) -> Result<GeneratedCrate, Diagnostics> + Sync,
{
    thread::scope(|scope| {
        let handles: Vec<_> = stems
            .iter()
            .map(|stem| {
                scope.spawn(move || {
                    let file_name = format!("specs/{stem}.yaml");
                    let path = root.join(&file_name);
                    let text = fs::read_to_string(&path).map_err(|e| io_error("read", &path, e))?;
                    let settings = read_settings(root, stem)?;
                    generate(&text, &file_name, &settings).map_err(|d| d.to_string())
                })
            })
            .collect();
        let joined = handles.into_iter().zip(stems);
        joined
            .map(|(handle, stem)| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(format!("specs/{stem}.yaml: the generator panicked")))
            })
            .collect()
    })
}

/// Directories under generated/ whose spec is gone. Hidden entries (our temporaries) are skipped.
fn stale_crates(generated_dir: &Path, available: &[String]) -> Result<Vec<String>, String> {
    let entries = match fs::read_dir(generated_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read", generated_dir, e)),
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read", generated_dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !name.starts_with('.') && !available.contains(&name) {
            stale.push(name);
        }
    }
    stale.sort();
    Ok(stale)
}

/// Reports how generated/ differs from what the generator emits; `Ok(true)` if it does not.
fn check(
    generated_dir: &Path,
    crates: &[(&String, GeneratedCrate)],
    stale: &[String],
) -> Result<bool, String> {
    let mut up_to_date = stale.is_empty();
    for (stem, generated) in crates {
        let differences = compare(&generated_dir.join(stem), &generated.files)?;
        if differences.is_empty() {
            println!("{stem}: up to date");
            continue;
        }
        up_to_date = false;
        let n = differences.len();
        println!(
            "{stem}: {n} file{} differ{} from generated/{stem}/",
            plural(n),
            if n == 1 { "s" } else { "" }
        );
        for d in &differences {
            let label = match d.change {
                Change::Changed => "changed",
                Change::Missing => "missing",
                Change::Extra => "extra",
            };
            println!("  {label:<8} {}", d.path);
        }
    }
    for name in stale {
        println!("{name}: generated/{name}/ has no spec (specs/{name}.yaml is gone)");
    }
    Ok(up_to_date)
}

/// Brings generated/ in line, swapping in only the crates that differ.
fn write(
    generated_dir: &Path,
    crates: &[(&String, GeneratedCrate)],
    stale: &[String],
    all: bool,
) -> Result<(), String> {
    for (stem, generated) in crates {
        let dir = generated_dir.join(stem);
        let existed = dir.is_dir();
        let differences = compare(&dir, &generated.files)?;
        if differences.is_empty() {
            println!("{stem}: unchanged");
            continue;
        }
        let emitted: BTreeSet<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
        let keep: Vec<&str> = NOT_OURS
            .iter()
            .copied()
            .filter(|n| !emitted.contains(n))
            .collect();
        fs_swap::replace_dir(&dir, &generated.files, &keep).map_err(|e| format!("{stem}: {e}"))?;
        if existed {
            println!("{stem}: {}", summarize(&differences));
        } else {
            let n = generated.files.len();
            println!("{stem}: created ({n} file{})", plural(n));
        }
    }
    for name in stale {
        let dir = generated_dir.join(name);
        if all {
            fs::remove_dir_all(&dir).map_err(|e| io_error("remove", &dir, e))?;
            println!("{name}: removed generated/{name}/ (specs/{name}.yaml is gone)");
        } else {
            println!(
                "note: generated/{name}/ has no spec (specs/{name}.yaml is gone); \
                 `cargo xtask codegen` with no stems removes it"
            );
        }
    }
    Ok(())
}

/// `3 files changed (src/lib.rs, src/types.rs), 1 added (src/new.rs), 1 removed (old.rs)`
fn summarize(differences: &[Difference]) -> String {
    let paths = |change: Change| -> Vec<&str> {
        differences
            .iter()
            .filter(|d| d.change == change)
            .map(|d| d.path.as_str())
            .collect()
    };
    let mut parts = Vec::new();
    for (change, verb) in [
        (Change::Changed, "changed"),
        (Change::Missing, "added"),
        (Change::Extra, "removed"),
    ] {
        let paths = paths(change);
        if !paths.is_empty() {
            let n = paths.len();
            let noun = if parts.is_empty() {
                format!(" file{}", plural(n))
            } else {
                String::new()
            };
            parts.push(format!("{n}{noun} {verb} ({})", paths.join(", ")));
        }
    }
    parts.join(", ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// On disk, with other contents.
    Changed,
    /// Emitted, not on disk.
    Missing,
    /// On disk, not emitted.
    Extra,
}

#[derive(Debug, PartialEq, Eq)]
struct Difference {
    path: String,
    change: Change,
}

/// How the crate directory `dir` differs from `files`: emitted files in emitted order, then
/// extra files in path order. A top-level `target/` is ignored, and so is an extra `Cargo.lock`.
fn compare(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Difference>, String> {
    let on_disk = list_files(dir)?;
    let mut differences = Vec::new();
    for file in files {
        let change = if !on_disk.contains(&file.path) {
            Some(Change::Missing)
        } else {
            let path = dir.join(fs_swap::relative_path(&file.path)?);
            let bytes = fs::read(&path).map_err(|e| io_error("read", &path, e))?;
            (bytes != file.contents.as_bytes()).then_some(Change::Changed)
        };
        if let Some(change) = change {
            differences.push(Difference {
                path: file.path.clone(),
                change,
            });
        }
    }
    let emitted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for path in on_disk {
        if !emitted.contains(path.as_str()) && !NOT_OURS.contains(&path.as_str()) {
            differences.push(Difference {
                path,
                change: Change::Extra,
            });
        }
    }
    Ok(differences)
}

/// Every non-directory under `dir` as a `/`-separated relative path, skipping a top-level
/// `target/`. A missing `dir` has no files.
fn list_files(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut files = BTreeSet::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound && prefix.is_empty() => break,
            Err(e) => return Err(io_error("read", &path, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_error("read", &path, e))?;
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let is_dir = entry
                .file_type()
                .map_err(|e| io_error("read", &entry.path(), e))?
                .is_dir();
            if is_dir && rel != "target" {
                pending.push((entry.path(), format!("{rel}/")));
            } else if !is_dir {
                files.insert(rel);
            }
        }
    }
    Ok(files)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::Diagnostic;
    use std::time::SystemTime;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    fn diff(path: &str, change: Change) -> Difference {
        Difference {
            path: path.into(),
            change,
        }
    }

    fn put(root: &Path, path: &str, contents: &str) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    /// A stand-in generator: the spec's text, line by line, is `path=contents`; `fail` fails.
    fn fake(
        text: &str,
        file_name: &str,
        settings: &Settings,
    ) -> Result<GeneratedCrate, Diagnostics> {
        if text.trim() == "fail" {
            return Err(Diagnostics::single(Diagnostic::new(
                file_name, "#", "bad spec",
            )));
        }
        let mut files = vec![file(
            "Cargo.toml",
            &format!("name = \"{}-client\"\n", settings.stem),
        )];
        for line in text.lines() {
            let (path, contents) = line.split_once('=').unwrap();
            files.push(file(path, contents));
        }
        Ok(GeneratedCrate { files })
    }

    fn opts(stems: &[&str], check: bool) -> Options {
        Options {
            stems: stems.iter().map(|s| s.to_string()).collect(),
            check,
        }
    }

    fn mtime(path: &Path) -> SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn compare_names_changed_missing_and_extra_files() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "same.rs", "same");
        put(dir.path(), "src/changed.rs", "old");
        put(dir.path(), "src/extra.rs", "x");
        put(dir.path(), "Cargo.lock", "lock");
        put(dir.path(), "target/debug/out", "cache");
        let files = [
            file("same.rs", "same"),
            file("src/changed.rs", "new"),
            file("src/missing.rs", "m"),
        ];
        assert_eq!(
            compare(dir.path(), &files).unwrap(),
            [
                diff("src/changed.rs", Change::Changed),
                diff("src/missing.rs", Change::Missing),
                diff("src/extra.rs", Change::Extra),
            ]
        );
    }

    #[test]
    fn compare_is_empty_when_identical_and_everything_is_missing_without_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "a/b.rs", "b");
        assert_eq!(compare(dir.path(), &[file("a/b.rs", "b")]).unwrap(), []);
        let absent = dir.path().join("absent");
        assert_eq!(
            compare(&absent, &[file("a/b.rs", "b")]).unwrap(),
            [diff("a/b.rs", Change::Missing)]
        );
    }

    #[test]
    fn compare_checks_an_emitted_cargo_lock() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "Cargo.lock", "old");
        let files = [file("Cargo.lock", "new")];
        assert_eq!(
            compare(dir.path(), &files).unwrap(),
            [diff("Cargo.lock", Change::Changed)]
        );
    }

    #[test]
    fn summary_lists_changed_added_and_removed_files() {
        let differences = [
            diff("src/lib.rs", Change::Changed),
            diff("src/types.rs", Change::Changed),
            diff("src/new.rs", Change::Missing),
            diff("README.md", Change::Extra),
        ];
        assert_eq!(
            summarize(&differences),
            "2 files changed (src/lib.rs, src/types.rs), 1 added (src/new.rs), 1 removed (README.md)"
        );
        assert_eq!(summarize(&differences[2..3]), "1 file added (src/new.rs)");
    }

    #[test]
    fn write_then_check_then_identical_rewrite_keeps_mtimes() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "specs/alpha.yaml", "src/lib.rs=alpha\n");
        put(
            root.path(),
            "specs/beta.yaml",
            "src/lib.rs=beta\nREADME.md=readme\n",
        );

        assert_eq!(
            run_with(root.path(), &opts(&[], true), fake),
            1,
            "nothing generated yet"
        );
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 0);
        let lib = root.path().join("generated/beta/src/lib.rs");
        assert_eq!(fs::read_to_string(&lib).unwrap(), "beta");
        assert_eq!(run_with(root.path(), &opts(&[], true), fake), 0);

        let before = mtime(&lib);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 0);
        assert_eq!(mtime(&lib), before, "an identical crate is not rewritten");
        let mut names: Vec<_> = fs::read_dir(root.path().join("generated"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["alpha", "beta"], "no temporaries are left behind");
    }

    #[test]
    fn drift_is_reported_and_repaired() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "specs/alpha.yaml", "src/lib.rs=alpha\n");
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 0);
        put(root.path(), "generated/alpha/src/lib.rs", "edited by hand");
        put(root.path(), "generated/alpha/src/stray.rs", "stray");
        put(root.path(), "generated/alpha/target/debug/out", "cache");
        assert_eq!(run_with(root.path(), &opts(&[], true), fake), 1);
        assert_eq!(run_with(root.path(), &opts(&["alpha"], false), fake), 0);
        assert_eq!(run_with(root.path(), &opts(&[], true), fake), 0);
        let crate_dir = root.path().join("generated/alpha");
        assert_eq!(
            fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap(),
            "alpha"
        );
        assert!(!crate_dir.join("src/stray.rs").exists());
        assert!(
            crate_dir.join("target/debug/out").exists(),
            "target/ survives the swap"
        );
    }

    #[test]
    fn a_failing_spec_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "specs/alpha.yaml", "src/lib.rs=alpha\n");
        put(root.path(), "specs/beta.yaml", "fail\n");
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 1);
        assert!(!root.path().join("generated").exists());
        // The real generator, whatever its state, refuses a document that is not OpenAPI.
        assert_eq!(
            run_with(root.path(), &opts(&["beta"], false), codegen::generate),
            1
        );
        assert!(!root.path().join("generated").exists());
    }

    #[test]
    fn unknown_stems_are_a_usage_error() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "specs/alpha.yaml", "src/lib.rs=alpha\n");
        assert_eq!(run_with(root.path(), &opts(&["nope"], false), fake), 2);
        assert!(!root.path().join("generated").exists());
    }

    #[test]
    fn stale_crates_are_drift_and_removed_only_by_a_full_run() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "specs/alpha.yaml", "src/lib.rs=alpha\n");
        put(root.path(), "specs/old.yaml", "src/lib.rs=old\n");
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 0);
        fs::remove_file(root.path().join("specs/old.yaml")).unwrap();

        assert_eq!(run_with(root.path(), &opts(&["alpha"], true), fake), 1);
        assert_eq!(run_with(root.path(), &opts(&["alpha"], false), fake), 0);
        assert!(
            root.path().join("generated/old").exists(),
            "kept when stems are named"
        );
        assert_eq!(run_with(root.path(), &opts(&[], false), fake), 0);
        assert!(
            !root.path().join("generated/old").exists(),
            "removed by a full run"
        );
        assert_eq!(run_with(root.path(), &opts(&[], true), fake), 0);
    }
}
