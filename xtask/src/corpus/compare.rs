//! `cargo xtask corpus compare [--cache DIR] [--only NAME,...] [--runs N] [--progenitor PATH]
//! [--no-build]`: this generator against progenitor's `cargo progenitor` on the same specs, in
//! the same run.
//!
//! For each cached spec, both generators run as command-line programs (this one as
//! `xtask generate`, which is this very executable: build it with `--release`), `--runs` times
//! each, and the median wall-clock time is kept. Then the `.rs` lines each emitted are counted,
//! and each crate that both generated is built with `cargo build` in one shared target
//! directory: once to build the dependencies, then again after touching the crate's sources,
//! and that second build is the crate's compile time.
//!
//! progenitor runs as `cargo progenitor --interface builder`: a builder per operation, like this
//! generator's, with its support code in the `progenitor-client` crate, a dependency.
//! (`--include-client true`, which would inline that code as this generator inlines its
//! runtime, emits references to `progenitor_client::` that do not compile in 0.15.1.) Lines are
//! given for all `.rs` files and, for this generator, also without the runtime it copies into
//! `src/runtime/`, which is the like-for-like figure.
//!
//! Outputs go to `target/corpus-compare/{ours,progenitor}/<name>/`, the report to
//! `target/corpus-compare/report.md`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use super::{
    cached_specs, cargo, cell, count_operations, markdown_table, standalone_manifest, target_dir,
    thousands, CachedSpec, Common,
};
use crate::fs_swap::io_error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    pub common: Common,
    /// Generation runs per tool and spec; the median is reported.
    pub runs: usize,
    /// The `cargo-progenitor` executable.
    pub progenitor: String,
    /// Compare generation and lines only.
    pub no_build: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            common: Common::default(),
            runs: 5,
            progenitor: "cargo-progenitor".into(),
            no_build: false,
        }
    }
}

/// How long one generator or build may take before it is given up on.
const TIME_LIMIT: Duration = Duration::from_secs(1200);

/// One tool's result on one spec.
#[derive(Debug, Clone, Default)]
struct Side {
    /// Why it produced no crate: the first lines of what it said.
    failure: Option<String>,
    /// Median wall-clock generation time.
    gen: Option<Duration>,
    /// `.rs` lines: all, and without the inlined support code.
    lines: Option<(usize, usize)>,
    /// Compile time of the crate alone, or why it did not compile.
    build: Option<Result<Duration, String>>,
}

pub fn run(root: &Path, options: &CompareOptions) -> ExitCode {
    let cache = options.common.cache_dir(root);
    let specs = match cached_specs(&cache, &options.common.only) {
        Ok(specs) => specs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let ours_exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find this executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this xtask is a debug build, so its generation times are not comparable; \
             run `cargo run --release -p xtask -- corpus compare`"
        );
    }
    match Command::new(&options.progenitor)
        .arg("progenitor")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => {}
        _ => {
            eprintln!(
                "error: `{} progenitor --help` does not run; install it with \
                 `cargo install cargo-progenitor --version 0.15.1 --locked`, or pass --progenitor PATH",
                options.progenitor
            );
            return ExitCode::FAILURE;
        }
    }
    let base = root.join("target").join("corpus-compare");
    let mut rows = Vec::new();
    for spec in &specs {
        println!("{}:", spec.name);
        let row = compare_one(root, &base, spec, &ours_exe, options);
        rows.push(row);
    }
    let report = report(&rows, options);
    println!("\n{report}");
    let path = base.join("report.md");
    if let Err(e) = fs::write(&path, &report) {
        eprintln!("warning: {}", io_error("write", &path, e));
    }
    println!("report in {}", path.display());
    ExitCode::SUCCESS
}

struct Row {
    name: String,
    operations: Option<usize>,
    /// Operations our (lenient) generation left out.
    ours_left_out: Option<usize>,
    ours: Side,
    progenitor: Side,
}

fn compare_one(
    root: &Path,
    base: &Path,
    spec: &CachedSpec,
    ours_exe: &Path,
    options: &CompareOptions,
) -> Row {
    let text = fs::read_to_string(&spec.path).unwrap_or_default();
    let stem = crate::generate_cmd::sanitize(&spec.name);
    let ours_dir = base.join("ours").join(&spec.name);
    let progenitor_dir = base.join("progenitor").join(&spec.name);
    let logs = base.join("logs");
    let _ = fs::create_dir_all(&logs);

    let mut ours_cmd = Command::new(ours_exe);
    ours_cmd
        .arg("generate")
        .arg(&spec.path)
        .arg("--out")
        .arg(&ours_dir)
        .arg("--name")
        .arg(&stem);
    let mut ours = time_generation(
        &mut ours_cmd,
        options.runs,
        &logs.join(format!("{}.ours.log", spec.name)),
    );
    println!("  ours:       {}", describe_generation(&ours));

    let mut progenitor_cmd = Command::new(&options.progenitor);
    progenitor_cmd
        .arg("progenitor")
        .arg("--input")
        .arg(&spec.path)
        .arg("--output")
        .arg(&progenitor_dir)
        .arg("--name")
        .arg(format!("{stem}-progenitor"))
        .arg("--version")
        .arg("0.1.0")
        .args(["--interface", "builder"]);
    let mut progenitor = time_generation(
        &mut progenitor_cmd,
        options.runs,
        &logs.join(format!("{}.progenitor.log", spec.name)),
    );
    println!("  progenitor: {}", describe_generation(&progenitor));

    if ours.failure.is_none() {
        ours.lines = Some(rust_lines_on_disk(&ours_dir, "src/runtime/"));
    }
    if progenitor.failure.is_none() {
        progenitor.lines = Some(rust_lines_on_disk(&progenitor_dir, "src/progenitor_client.rs"));
    }
    let both = ours.failure.is_none() && progenitor.failure.is_none();
    if both && !options.no_build {
        ours.build = Some(build_time(root, &ours_dir, true, &logs.join(format!("{}.ours.build.log", spec.name))));
        println!("  ours build: {}", describe_build(&ours.build));
        progenitor.build = Some(build_time(
            root,
            &progenitor_dir,
            false,
            &logs.join(format!("{}.progenitor.build.log", spec.name)),
        ));
        println!("  progenitor build: {}", describe_build(&progenitor.build));
    }
    let ours_left_out = match super::check::generate_timed(&text, &spec.path.display().to_string(), &stem, false) {
        (super::check::Generation::Generated(_, left_out), _) => Some(super::check::left_out(&left_out).operations),
        _ => None,
    };
    Row {
        name: spec.name.clone(),
        operations: count_operations(&text, &spec.path),
        ours_left_out,
        ours,
        progenitor,
    }
}

/// Runs `command` `runs` times; the median wall-clock time, or the first failure.
fn time_generation(command: &mut Command, runs: usize, log: &Path) -> Side {
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        match run_logged(command, log) {
            Ok(took) => times.push(took),
            Err(failure) => {
                return Side {
                    failure: Some(failure),
                    ..Side::default()
                }
            }
        }
    }
    times.sort();
    Side {
        gen: Some(times[times.len() / 2]),
        ..Side::default()
    }
}

/// Runs `command` with its output in `log`; its wall-clock time, or the gist of its output.
fn run_logged(command: &mut Command, log: &Path) -> Result<Duration, String> {
    let file = fs::File::create(log).map_err(|e| io_error("create", log, e))?;
    let err = file.try_clone().map_err(|e| io_error("open", log, e))?;
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave up after {} s", TIME_LIMIT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for {:?}: {e}", command.get_program())),
        }
    };
    let took = start.elapsed();
    if status.success() {
        Ok(took)
    } else {
        let output = fs::read_to_string(log).unwrap_or_default();
        Err(gist(&output, &status.to_string()))
    }
}

/// The telling line of a failed tool's output: a panic message, or the first error.
fn gist(output: &str, status: &str) -> String {
    let lines: Vec<&str> = output.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at")) {
        let message = lines.get(i + 1).copied().unwrap_or_default();
        return format!("panicked: {message}");
    }
    if let Some(line) = lines
        .iter()
        .find(|l| l.contains("error:") || l.starts_with("Error"))
    {
        return line.to_string();
    }
    lines
        .first()
        .map(|l| l.to_string())
        .unwrap_or_else(|| format!("failed ({status})"))
}

/// `.rs` lines under `dir`: all of them, and all but those under the `support` path.
fn rust_lines_on_disk(dir: &Path, support: &str) -> (usize, usize) {
    let mut files = Vec::new();
    collect_rs(dir, dir, &mut files);
    let mut all = 0;
    let mut own = 0;
    for (relative, path) in files {
        let n = fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0);
        all += n;
        if !relative.starts_with(support) {
            own += n;
        }
    }
    (all, own)
}

fn collect_rs(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            collect_rs(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, path));
        }
    }
}

/// `cargo build` of the crate in `dir`: once for its dependencies, then again after touching
/// its sources; the second build's time is the crate's own compile time.
fn build_time(root: &Path, dir: &Path, with_lock: bool, log: &Path) -> Result<Duration, String> {
    let manifest = dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| io_error("read", &manifest, e))?;
    fs::write(&manifest, standalone_manifest(&text)).map_err(|e| io_error("write", &manifest, e))?;
    if with_lock {
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| io_error("copy", &lock, e))?;
    }
    let build = || {
        let mut command = Command::new(cargo());
        command
            .args(["build", "--quiet", "--message-format", "short", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", target_dir(root));
        run_logged(&mut command, log)
    };
    build()?;
    let mut sources = Vec::new();
    collect_rs(dir, dir, &mut sources);
    for (_, path) in &sources {
        touch(path).map_err(|e| io_error("touch", path, e))?;
    }
    build()
}

fn touch(path: &Path) -> std::io::Result<()> {
    fs::File::options()
        .append(true)
        .open(path)?
        .set_modified(std::time::SystemTime::now())
}

fn describe_generation(side: &Side) -> String {
    match (&side.failure, side.gen) {
        (Some(failure), _) => format!("no crate: {failure}"),
        (None, Some(took)) => format!("{:.3} s (median)", took.as_secs_f64()),
        (None, None) => "-".into(),
    }
}

fn describe_build(build: &Option<Result<Duration, String>>) -> String {
    match build {
        Some(Ok(took)) => format!("{:.1} s", took.as_secs_f64()),
        Some(Err(e)) => format!("failed: {e}"),
        None => "-".into(),
    }
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

fn report(rows: &[Row], options: &CompareOptions) -> String {
    let header = [
        "spec",
        "ops",
        "ops left out by ours",
        "gen: ours",
        "gen: progenitor",
        "speed-up",
        "lines: ours (no runtime)",
        "lines: progenitor",
        "lines ratio",
        "build: ours",
        "build: progenitor",
        "build ratio",
    ];
    let mut speedups = Vec::new();
    let mut line_ratios = Vec::new();
    let mut own_line_ratios = Vec::new();
    let mut build_ratios = Vec::new();
    let mut notes = Vec::new();
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let gen_cell = |side: &Side| match (&side.failure, side.gen) {
                (Some(_), _) => "no crate".to_string(),
                (None, Some(t)) => format!("{:.3} s", t.as_secs_f64()),
                _ => "-".into(),
            };
            let lines_cell = |side: &Side| {
                side.lines
                    .map(|(all, own)| format!("{} ({})", thousands(all), thousands(own)))
                    .unwrap_or_else(|| "-".into())
            };
            let build_cell = |side: &Side| match &side.build {
                Some(Ok(t)) => format!("{:.1} s", t.as_secs_f64()),
                Some(Err(_)) => "FAILED".into(),
                None => "-".into(),
            };
            for (who, side) in [("ours", &row.ours), ("progenitor", &row.progenitor)] {
                if let Some(failure) = &side.failure {
                    notes.push(format!("- {}: {who} made no crate: {}", row.name, failure));
                }
                if let Some(Err(e)) = &side.build {
                    notes.push(format!("- {}: {who}'s crate did not build: {e}", row.name));
                }
            }
            let speedup = match (row.ours.gen, row.progenitor.gen) {
                (Some(o), Some(p)) => ratio(p.as_secs_f64(), o.as_secs_f64()),
                _ => None,
            };
            let lines = match (row.ours.lines, row.progenitor.lines) {
                (Some(o), Some(p)) => ratio(o.0 as f64, p.0 as f64).zip(ratio(o.1 as f64, p.1 as f64)),
                _ => None,
            };
            let build = match (&row.ours.build, &row.progenitor.build) {
                (Some(Ok(o)), Some(Ok(p))) => ratio(o.as_secs_f64(), p.as_secs_f64()),
                _ => None,
            };
            speedups.extend(speedup);
            if let Some((all, own)) = lines {
                line_ratios.push(all);
                own_line_ratios.push(own);
            }
            build_ratios.extend(build);
            vec![
                row.name.clone(),
                row.operations.map(thousands).unwrap_or_else(|| "?".into()),
                row.ours_left_out.map(thousands).unwrap_or_else(|| "-".into()),
                gen_cell(&row.ours),
                gen_cell(&row.progenitor),
                speedup.map(|s| format!("{s:.1}×")).unwrap_or_else(|| "-".into()),
                lines_cell(&row.ours),
                row.progenitor
                    .lines
                    .map(|(all, _)| thousands(all))
                    .unwrap_or_else(|| "-".into()),
                lines
                    .map(|(all, own)| format!("{all:.2} ({own:.2})"))
                    .unwrap_or_else(|| "-".into()),
                build_cell(&row.ours),
                build_cell(&row.progenitor),
                build.map(|b| format!("{b:.2}")).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let profile = if cfg!(debug_assertions) { "DEBUG (not comparable)" } else { "release" };
    let mut out = format!(
        "Generation: median wall-clock time of {} runs of each command-line tool (xtask \
         generate: {profile} build; progenitor: `cargo progenitor --interface builder`, which \
         also runs rustfmt). Lines: `.rs` lines; ours in parentheses without the runtime copied \
         into `src/runtime/` (progenitor's is the `progenitor-client` crate, not counted); \
         ratio = ours / progenitor, all (without runtime). Build: `cargo build` (debug) of the \
         crate alone after touching its sources, dependencies already built, one shared target \
         directory; ratio = ours / progenitor.\n\n",
        options.runs
    );
    out += &markdown_table(&header, &table_rows);
    let summary = |values: &[f64], what: &str, target: &str| match geometric_mean(values) {
        Some(mean) => format!("- {what}: geometric mean {mean:.2} over {} specs ({target})\n", values.len()),
        None => format!("- {what}: no spec that both generated\n"),
    };
    out += "\nOn the specs both generate:\n\n";
    out += &summary(&speedups, "generation speed-up (progenitor time / ours)", "target ≥ 5");
    out += &summary(&line_ratios, "lines, ours (with runtime) / progenitor", "target ≤ 0.5");
    out += &summary(&own_line_ratios, "lines, ours (without runtime) / progenitor", "target ≤ 0.5");
    if !options.no_build {
        out += &summary(&build_ratios, "compile time, ours / progenitor", "target ≤ 0.5");
    }
    if !notes.is_empty() {
        out += "\nNo crate or no build:\n\n";
        for note in notes {
            out += &cell(&note).replace("\\|", "|");
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gist_of_a_failure_is_the_panic_or_the_first_error() {
        let panic = "TYPE SPACE\nthread 'main' panicked at src/x.rs:1:1:\nunexpected schema\nnote: run with RUST_BACKTRACE=1\n";
        assert_eq!(gist(panic, "exit 101"), "panicked: unexpected schema");
        assert_eq!(gist("a\nError: bad input\n", "exit 1"), "Error: bad input");
        assert_eq!(gist("", "exit status: 1"), "failed (exit status: 1)");
    }

    #[test]
    fn geometric_means_and_ratios() {
        assert_eq!(geometric_mean(&[]), None);
        let mean = geometric_mean(&[2.0, 8.0]).unwrap();
        assert!((mean - 4.0).abs() < 1e-9);
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
    }

    #[test]
    fn lines_on_disk_leave_out_support_code() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("src/runtime")).unwrap();
        fs::create_dir_all(dir.path().join("target")).unwrap();
        fs::write(dir.path().join("src/lib.rs"), "a\nb\n").unwrap();
        fs::write(dir.path().join("src/runtime/x.rs"), "c\n").unwrap();
        fs::write(dir.path().join("target/y.rs"), "d\n").unwrap();
        assert_eq!(rust_lines_on_disk(dir.path(), "src/runtime/"), (3, 2));
    }
}
