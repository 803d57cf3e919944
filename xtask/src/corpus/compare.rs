//! `cargo xtask corpus compare [--cache DIR] [--only NAME,...] [--runs N] [--progenitor PATH]
//! [--ploidy PATH] [--build-runs N] [--no-build]`: this generator against progenitor's
//! `cargo progenitor` (and, with `--ploidy`, against `ploidy`) on the same specs, in the same
//! run.
//!
//! For each cached spec, every generator runs as a command-line program (this one as
//! `xtask generate`, which is this very executable: build it with `--release`), `--runs` times
//! each, the tools taking turns, and the median wall-clock time is kept; each output directory
//! is removed before each run, outside the timing. One more run of each, under GNU time
//! (`/usr/bin/time`), gives its peak memory (maximum resident set size). Then the `.rs` lines
//! each emitted are counted, and when this generator and progenitor both made a crate, every
//! crate made for that spec (ploidy's too) is built with `cargo build` (debug,
//! `CARGO_INCREMENTAL=0`) in one target directory shared by all of them,
//! `target/corpus-compare/target/`: once to build the dependencies, then `--build-runs` times
//! after touching the crate's sources, the tools taking turns; each of those builds is timed
//! and, under GNU time, its peak memory recorded (the largest process of the build: rustc
//! compiling the crate). The fastest build is reported, with the range.
//!
//! progenitor runs as `cargo progenitor --interface builder`: a builder per operation, like this
//! generator's, with its support code in the `progenitor-client` crate, a dependency.
//! (`--include-client true`, which would inline that code as this generator inlines its
//! runtime, emits references to `progenitor_client::` that do not compile in 0.15.1.) ploidy
//! runs as `ploidy generate rust`; its support code is the `ploidy-util` crate. Lines are given
//! for all `.rs` files and, for this generator, also without the runtime it copies into
//! `src/runtime/`.
//!
//! Outputs go to `target/corpus-compare/{ours,progenitor,ploidy}/<name>/`, logs to
//! `target/corpus-compare/logs/`, the report to `target/corpus-compare/report.md`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use super::{
    cached_specs, cargo, cell, count_operations, markdown_table, standalone_manifest, thousands,
    CachedSpec, Common,
};
use crate::fs_swap::io_error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    pub common: Common,
    /// Generation runs per tool and spec; the median is reported.
    pub runs: usize,
    /// The `cargo-progenitor` executable.
    pub progenitor: String,
    /// The `ploidy` executable; ploidy is compared only when this is given.
    pub ploidy: Option<String>,
    /// Timed builds per crate; the fastest is reported, with the range.
    pub build_runs: usize,
    /// Compare generation and lines only.
    pub no_build: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            common: Common::default(),
            runs: 5,
            progenitor: "cargo-progenitor".into(),
            ploidy: None,
            build_runs: 1,
            no_build: false,
        }
    }
}

/// How long one generator or build may take before it is given up on.
const TIME_LIMIT: Duration = Duration::from_secs(1200);

/// The generators compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Ours,
    Progenitor,
    Ploidy,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Ours => "ours",
            Tool::Progenitor => "progenitor",
            Tool::Ploidy => "ploidy",
        }
    }
}

/// One timed run: wall clock, and the peak resident set in KiB when GNU time measured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Measure {
    took: Duration,
    peak_kib: Option<u64>,
}

/// One tool's result on one spec.
#[derive(Debug, Clone, Default)]
struct Side {
    /// Why it produced no crate: the first lines of what it said.
    failure: Option<String>,
    /// Median wall-clock generation time.
    gen: Option<Duration>,
    /// Peak memory of one more generation run, in KiB.
    gen_peak_kib: Option<u64>,
    /// `.rs` lines: all, and without the inlined support code.
    lines: Option<(usize, usize)>,
    /// The timed builds of the crate alone, or why it did not compile.
    build: Option<Result<Vec<Measure>, String>>,
}

impl Side {
    /// The fastest timed build, and the slowest.
    fn build_range(&self) -> Option<(Duration, Duration)> {
        match &self.build {
            Some(Ok(runs)) if !runs.is_empty() => {
                let min = runs.iter().map(|m| m.took).min()?;
                let max = runs.iter().map(|m| m.took).max()?;
                Some((min, max))
            }
            _ => None,
        }
    }

    /// The highest peak memory of the timed builds, in KiB.
    fn build_peak_kib(&self) -> Option<u64> {
        match &self.build {
            Some(Ok(runs)) => runs.iter().filter_map(|m| m.peak_kib).max(),
            _ => None,
        }
    }
}

/// What every spec's comparison shares.
struct Context<'a> {
    root: &'a Path,
    base: PathBuf,
    options: &'a CompareOptions,
    ours_exe: PathBuf,
    /// GNU time, when it is installed: peak memory is measured with it.
    time: Option<PathBuf>,
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
    if !runs_ok(Command::new(&options.progenitor).args(["progenitor", "--help"])) {
        eprintln!(
            "error: `{} progenitor --help` does not run; install it with \
             `cargo install cargo-progenitor --version 0.15.1 --locked`, or pass --progenitor PATH",
            options.progenitor
        );
        return ExitCode::FAILURE;
    }
    if let Some(ploidy) = &options.ploidy {
        if !runs_ok(Command::new(ploidy).args(["generate", "rust", "--help"])) {
            eprintln!(
                "error: `{ploidy} generate rust --help` does not run; install it with \
                 `cargo install ploidy --locked`, or pass the right --ploidy PATH"
            );
            return ExitCode::FAILURE;
        }
    }
    let time = gnu_time();
    if time.is_none() {
        eprintln!("warning: GNU time (/usr/bin/time) is not installed, so no peak memory is measured");
    }
    let context = Context {
        root,
        base: root.join("target").join("corpus-compare"),
        options,
        ours_exe,
        time,
    };
    let mut rows = Vec::new();
    for spec in &specs {
        println!("{}:", spec.name);
        rows.push(compare_one(&context, spec));
    }
    let report = report(&rows, options, context.time.is_some());
    println!("\n{report}");
    let path = context.base.join("report.md");
    if let Err(e) = fs::write(&path, &report) {
        eprintln!("warning: {}", io_error("write", &path, e));
    }
    println!("report in {}", path.display());
    ExitCode::SUCCESS
}

/// Whether `command` runs and succeeds, its output discarded.
fn runs_ok(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// `/usr/bin/time` if it is GNU time (which has `-f` and `-o`).
fn gnu_time() -> Option<PathBuf> {
    let time = PathBuf::from("/usr/bin/time");
    let output = Command::new(&time)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.contains("GNU").then_some(time)
}

struct Row {
    name: String,
    operations: Option<usize>,
    /// Operations our (lenient) generation left out.
    ours_left_out: Option<usize>,
    ours: Side,
    progenitor: Side,
    /// `None` when ploidy is not compared.
    ploidy: Option<Side>,
}

/// One tool's generation of one spec.
struct Job {
    tool: Tool,
    out: PathBuf,
    command: Command,
    log: PathBuf,
    times: Vec<Duration>,
    side: Side,
}

fn compare_one(context: &Context, spec: &CachedSpec) -> Row {
    let options = context.options;
    let text = fs::read_to_string(&spec.path).unwrap_or_default();
    let stem = crate::generate_cmd::sanitize(&spec.name);
    let logs = context.base.join("logs");
    let _ = fs::create_dir_all(&logs);
    let out = |tool: Tool| context.base.join(tool.name()).join(&spec.name);

    let mut ours = Command::new(&context.ours_exe);
    ours.arg("generate")
        .arg(&spec.path)
        .arg("--out")
        .arg(out(Tool::Ours))
        .arg("--name")
        .arg(&stem);
    let mut progenitor = Command::new(&options.progenitor);
    progenitor
        .arg("progenitor")
        .arg("--input")
        .arg(&spec.path)
        .arg("--output")
        .arg(out(Tool::Progenitor))
        .arg("--name")
        .arg(format!("{stem}-progenitor"))
        .arg("--version")
        .arg("0.1.0")
        .args(["--interface", "builder"]);
    let mut commands = vec![(Tool::Ours, ours), (Tool::Progenitor, progenitor)];
    if let Some(ploidy_exe) = &options.ploidy {
        let mut ploidy = Command::new(ploidy_exe);
        ploidy
            .args(["generate", "rust"])
            .arg(&spec.path)
            .arg("--output")
            .arg(out(Tool::Ploidy))
            .arg("--name")
            .arg(format!("{stem}-ploidy"));
        commands.push((Tool::Ploidy, ploidy));
    }
    let mut jobs: Vec<Job> = commands
        .into_iter()
        .map(|(tool, command)| Job {
            tool,
            out: out(tool),
            command,
            log: logs.join(format!("{}.{}.log", spec.name, tool.name())),
            times: Vec::new(),
            side: Side::default(),
        })
        .collect();

    // Generation: the tools take turns, so that a change in the machine's load hits all alike.
    for _ in 0..options.runs.max(1) {
        for job in jobs.iter_mut().filter(|job| job.side.failure.is_none()) {
            let _ = fs::remove_dir_all(&job.out);
            match run_logged(&mut job.command, &job.log) {
                Ok(took) => job.times.push(took),
                Err(failure) => job.side.failure = Some(failure),
            }
        }
    }
    for job in &mut jobs {
        if job.side.failure.is_none() {
            job.times.sort();
            job.side.gen = Some(job.times[job.times.len() / 2]);
            if let Some(time) = &context.time {
                let _ = fs::remove_dir_all(&job.out);
                job.side.gen_peak_kib = measured(&job.command, time, &job.log)
                    .ok()
                    .and_then(|m| m.peak_kib);
            }
            let support = match job.tool {
                Tool::Ours => Some("src/runtime/"),
                Tool::Progenitor => Some("src/progenitor_client.rs"),
                Tool::Ploidy => None,
            };
            job.side.lines = Some(rust_lines_on_disk(&job.out, support));
        }
        println!("  {:<11} {}", format!("{}:", job.tool.name()), describe_generation(&job.side));
    }

    // Builds, when this generator and progenitor both made a crate: the dependencies first, then
    // the timed builds of the crates alone, the tools taking turns.
    let both = jobs.iter().take(2).all(|job| job.side.failure.is_none());
    if both && !options.no_build {
        let target = context.base.join("target");
        let mut prepared = Vec::new();
        for (i, job) in jobs.iter_mut().enumerate() {
            if job.side.failure.is_some() {
                continue;
            }
            let log = logs.join(format!("{}.{}.build.log", spec.name, job.tool.name()));
            match prepare_build(context.root, &target, &job.out, job.tool == Tool::Ours, &log) {
                Ok(manifest) => {
                    job.side.build = Some(Ok(Vec::new()));
                    prepared.push((i, manifest, log));
                }
                Err(e) => job.side.build = Some(Err(e)),
            }
        }
        for _ in 0..options.build_runs.max(1) {
            for (i, manifest, log) in &prepared {
                let job = &mut jobs[*i];
                let Some(Ok(runs)) = &mut job.side.build else { continue };
                match timed_rebuild(context, &target, &job.out, manifest, log) {
                    Ok(measure) => runs.push(measure),
                    Err(e) => job.side.build = Some(Err(e)),
                }
                println!(
                    "  {:<11} {}",
                    format!("{} build:", job.tool.name()),
                    describe_build(&job.side.build)
                );
            }
        }
    }

    let ours_left_out = match super::check::generate_timed(&text, &spec.path.display().to_string(), &stem, false) {
        (super::check::Generation::Generated(_, left_out), _) => Some(super::check::left_out(&left_out).operations),
        _ => None,
    };
    let mut sides = jobs.into_iter().map(|job| job.side);
    let ours = sides.next().unwrap_or_default();
    let progenitor = sides.next().unwrap_or_default();
    let ploidy = sides.next();
    Row {
        name: spec.name.clone(),
        operations: count_operations(&text, &spec.path),
        ours_left_out,
        ours,
        progenitor,
        ploidy,
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

/// Runs `command` under GNU time `time` (when given), output in `log`: its wall-clock time and
/// peak memory.
fn measured(command: &Command, time: &Path, log: &Path) -> Result<Measure, String> {
    let peak_file = log.with_extension("peak");
    let _ = fs::remove_file(&peak_file);
    let mut wrapped = under_time(command, time, &peak_file);
    let took = run_logged(&mut wrapped, log)?;
    let peak_kib = fs::read_to_string(&peak_file).ok().and_then(|t| parse_peak(&t));
    Ok(Measure { took, peak_kib })
}

/// `command` run by GNU time, which writes the maximum resident set size (KiB) to `out`.
fn under_time(command: &Command, time: &Path, out: &Path) -> Command {
    let mut wrapped = Command::new(time);
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(out)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// The peak from GNU time's `-f %M` output: its last line (a failed command's status line
/// comes first).
fn parse_peak(text: &str) -> Option<u64> {
    text.lines().rev().map(str::trim).find(|l| !l.is_empty())?.parse().ok()
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
fn rust_lines_on_disk(dir: &Path, support: Option<&str>) -> (usize, usize) {
    let mut files = Vec::new();
    collect_rs(dir, dir, &mut files);
    let mut all = 0;
    let mut own = 0;
    for (relative, path) in files {
        let n = fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0);
        all += n;
        if !support.is_some_and(|support| relative.starts_with(support)) {
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

/// `cargo build` (debug, not incremental) of the crate whose manifest is `manifest`, in the
/// target directory `target`.
fn build_command(target: &Path, manifest: &Path) -> Command {
    let mut command = Command::new(cargo());
    command
        .args(["build", "--quiet", "--message-format", "short", "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0");
    command
}

/// Makes the crate in `dir` a workspace of its own (with this repository's lockfile if
/// `with_lock`) and builds it once, which builds its dependencies; its manifest.
fn prepare_build(root: &Path, target: &Path, dir: &Path, with_lock: bool, log: &Path) -> Result<PathBuf, String> {
    let manifest = dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| io_error("read", &manifest, e))?;
    fs::write(&manifest, standalone_manifest(&text)).map_err(|e| io_error("write", &manifest, e))?;
    if with_lock {
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| io_error("copy", &lock, e))?;
    }
    run_logged(&mut build_command(target, &manifest), log)?;
    Ok(manifest)
}

/// Touches the crate's sources and builds it again: the crate's own compile time, and its peak
/// memory under GNU time.
fn timed_rebuild(context: &Context, target: &Path, dir: &Path, manifest: &Path, log: &Path) -> Result<Measure, String> {
    let mut sources = Vec::new();
    collect_rs(dir, dir, &mut sources);
    for (_, path) in &sources {
        touch(path).map_err(|e| io_error("touch", path, e))?;
    }
    let mut command = build_command(target, manifest);
    match &context.time {
        Some(time) => measured(&command, time, log),
        None => run_logged(&mut command, log).map(|took| Measure { took, peak_kib: None }),
    }
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
        (None, Some(took)) => {
            let peak = side.gen_peak_kib.map(|p| format!(", peak {}", memory(p))).unwrap_or_default();
            format!("{:.3} s (median){peak}", took.as_secs_f64())
        }
        (None, None) => "-".into(),
    }
}

fn describe_build(build: &Option<Result<Vec<Measure>, String>>) -> String {
    match build {
        Some(Ok(runs)) => match runs.last() {
            Some(m) => {
                let peak = m.peak_kib.map(|p| format!(", peak {}", memory(p))).unwrap_or_default();
                format!("{:.1} s{peak}", m.took.as_secs_f64())
            }
            None => "-".into(),
        },
        Some(Err(e)) => format!("failed: {e}"),
        None => "-".into(),
    }
}

/// KiB as MiB, or GiB from 1 GiB on.
fn memory(kib: u64) -> String {
    if kib >= 1024 * 1024 {
        format!("{:.2} GiB", kib as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", kib as f64 / 1024.0)
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

fn gen_cell(side: &Side) -> String {
    match (&side.failure, side.gen) {
        (Some(_), _) => "no crate".to_string(),
        (None, Some(t)) => format!("{:.3} s", t.as_secs_f64()),
        _ => "-".into(),
    }
}

/// The fastest build, with the range when there were several.
fn build_cell(side: &Side) -> String {
    match (&side.build, side.build_range()) {
        (Some(Err(_)), _) => "FAILED".into(),
        (_, Some((min, max))) if matches!(&side.build, Some(Ok(runs)) if runs.len() > 1) => {
            format!("{:.1} s ({:.1}–{:.1})", min.as_secs_f64(), min.as_secs_f64(), max.as_secs_f64())
        }
        (_, Some((min, _))) => format!("{:.1} s", min.as_secs_f64()),
        _ => "-".into(),
    }
}

fn peak_cell(kib: Option<u64>) -> String {
    kib.map(memory).unwrap_or_else(|| "-".into())
}

/// Generation speed-up of ours over `other` (its time / ours).
fn speedup(ours: &Side, other: &Side) -> Option<f64> {
    ratio(other.gen?.as_secs_f64(), ours.gen?.as_secs_f64())
}

/// Ours / `other`: all lines, and ours without the runtime.
fn line_ratio(ours: &Side, other: &Side) -> Option<(f64, f64)> {
    let (o, p) = (ours.lines?, other.lines?);
    ratio(o.0 as f64, p.0 as f64).zip(ratio(o.1 as f64, p.0 as f64))
}

/// Ours / `other`: the fastest builds.
fn build_ratio(ours: &Side, other: &Side) -> Option<f64> {
    ratio(ours.build_range()?.0.as_secs_f64(), other.build_range()?.0.as_secs_f64())
}

/// Ours / `other`: the build's peak memory.
fn build_peak_ratio(ours: &Side, other: &Side) -> Option<f64> {
    ratio(ours.build_peak_kib()? as f64, other.build_peak_kib()? as f64)
}

fn report(rows: &[Row], options: &CompareOptions, with_memory: bool) -> String {
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
    let mut peak_ratios = Vec::new();
    let mut notes = Vec::new();
    let lines_cell = |side: &Side| {
        side.lines
            .map(|(all, own)| format!("{} ({})", thousands(all), thousands(own)))
            .unwrap_or_else(|| "-".into())
    };
    let all_lines_cell = |side: &Side| side.lines.map(|(all, _)| thousands(all)).unwrap_or_else(|| "-".into());
    let dash = || "-".to_string();
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut sides = vec![("ours", &row.ours), ("progenitor", &row.progenitor)];
            sides.extend(row.ploidy.as_ref().map(|side| ("ploidy", side)));
            for (who, side) in sides {
                if let Some(failure) = &side.failure {
                    notes.push(format!("- {}: {who} made no crate: {}", row.name, failure));
                }
                if let Some(Err(e)) = &side.build {
                    notes.push(format!("- {}: {who}'s crate did not build: {e}", row.name));
                }
            }
            let speedup = speedup(&row.ours, &row.progenitor);
            let lines = line_ratio(&row.ours, &row.progenitor);
            let build = build_ratio(&row.ours, &row.progenitor);
            speedups.extend(speedup);
            if let Some((all, own)) = lines {
                line_ratios.push(all);
                own_line_ratios.push(own);
            }
            build_ratios.extend(build);
            peak_ratios.extend(build_peak_ratio(&row.ours, &row.progenitor));
            vec![
                row.name.clone(),
                row.operations.map(thousands).unwrap_or_else(|| "?".into()),
                row.ours_left_out.map(thousands).unwrap_or_else(dash),
                gen_cell(&row.ours),
                gen_cell(&row.progenitor),
                speedup.map(|s| format!("{s:.1}×")).unwrap_or_else(dash),
                lines_cell(&row.ours),
                all_lines_cell(&row.progenitor),
                lines
                    .map(|(all, own)| format!("{all:.2} ({own:.2})"))
                    .unwrap_or_else(dash),
                build_cell(&row.ours),
                build_cell(&row.progenitor),
                build.map(|b| format!("{b:.2}")).unwrap_or_else(dash),
            ]
        })
        .collect();
    let profile = if cfg!(debug_assertions) { "DEBUG (not comparable)" } else { "release" };
    let ploidy_note = if options.ploidy.is_some() { "; ploidy: `ploidy generate rust`" } else { "" };
    let mut out = format!(
        "Generation: median wall-clock time of {} runs of each command-line tool, the tools taking \
         turns (xtask generate: {profile} build; progenitor: `cargo progenitor --interface \
         builder`, which also runs rustfmt{ploidy_note}). Lines: `.rs` lines; ours in \
         parentheses without the runtime copied into `src/runtime/` (progenitor's support code is \
         the `progenitor-client` crate, ploidy's `ploidy-util`, neither counted); ratio = ours / \
         progenitor, all (without runtime). Build: `cargo build` (debug, CARGO_INCREMENTAL=0) of \
         the crate alone after touching its sources, dependencies already built, one shared \
         target directory; the fastest of {} builds, the tools taking turns, with the range; \
         ratio = ours / progenitor, fastest builds.\n\n",
        options.runs,
        options.build_runs
    );
    out += &markdown_table(&header, &table_rows);

    let mut ploidy_speedups = Vec::new();
    let mut ploidy_line_ratios = Vec::new();
    let mut ploidy_build_ratios = Vec::new();
    let mut ploidy_peak_ratios = Vec::new();
    if options.ploidy.is_some() {
        let header = [
            "spec",
            "gen: ours",
            "gen: ploidy",
            "speed-up",
            "lines: ours (no runtime)",
            "lines: ploidy",
            "lines ratio",
            "build: ours",
            "build: ploidy",
            "build ratio",
        ];
        let table_rows: Vec<Vec<String>> = rows
            .iter()
            .filter_map(|row| {
                let ploidy = row.ploidy.as_ref()?;
                let speedup = speedup(&row.ours, ploidy);
                let lines = line_ratio(&row.ours, ploidy);
                let build = build_ratio(&row.ours, ploidy);
                ploidy_speedups.extend(speedup);
                ploidy_line_ratios.extend(lines.map(|(all, _)| all));
                ploidy_build_ratios.extend(build);
                ploidy_peak_ratios.extend(build_peak_ratio(&row.ours, ploidy));
                Some(vec![
                    row.name.clone(),
                    gen_cell(&row.ours),
                    gen_cell(ploidy),
                    speedup.map(|s| format!("{s:.1}×")).unwrap_or_else(dash),
                    lines_cell(&row.ours),
                    all_lines_cell(ploidy),
                    lines
                        .map(|(all, own)| format!("{all:.2} ({own:.2})"))
                        .unwrap_or_else(dash),
                    build_cell(&row.ours),
                    build_cell(ploidy),
                    build.map(|b| format!("{b:.2}")).unwrap_or_else(dash),
                ])
            })
            .collect();
        out += "\nAgainst ploidy (ratios = ours / ploidy; speed-up = ploidy's time / ours):\n\n";
        out += &markdown_table(&header, &table_rows);
    }

    if with_memory {
        let mut header = vec!["spec", "gen peak: ours", "gen peak: progenitor"];
        if options.ploidy.is_some() {
            header.push("gen peak: ploidy");
        }
        header.extend(["build peak: ours", "build peak: progenitor"]);
        if options.ploidy.is_some() {
            header.push("build peak: ploidy");
        }
        let table_rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                let mut cells = vec![
                    row.name.clone(),
                    peak_cell(row.ours.gen_peak_kib),
                    peak_cell(row.progenitor.gen_peak_kib),
                ];
                if let Some(ploidy) = &row.ploidy {
                    cells.push(peak_cell(ploidy.gen_peak_kib));
                }
                cells.push(peak_cell(row.ours.build_peak_kib()));
                cells.push(peak_cell(row.progenitor.build_peak_kib()));
                if let Some(ploidy) = &row.ploidy {
                    cells.push(peak_cell(ploidy.build_peak_kib()));
                }
                cells
            })
            .collect();
        out += "\nPeak memory (GNU time's maximum resident set size: of the generator; of the \
                build's largest process, rustc compiling the crate, highest of the timed builds):\n\n";
        out += &markdown_table(&header, &table_rows);
    }

    let summary = |values: &[f64], what: &str, target: &str| match geometric_mean(values) {
        Some(mean) => format!("- {what}: geometric mean {mean:.2} over {} specs ({target})\n", values.len()),
        None => format!("- {what}: no spec that both generated\n"),
    };
    out += "\nOn the specs both generate:\n\n";
    out += &summary(&speedups, "generation speed-up (progenitor time / ours)", "target ≥ 10");
    out += &summary(&line_ratios, "lines, ours (with runtime) / progenitor", "target ≤ 0.5");
    out += &summary(&own_line_ratios, "lines, ours (without runtime) / progenitor", "target ≤ 0.5");
    if !options.no_build {
        out += &summary(&build_ratios, "compile time, ours / progenitor", "target ≤ 0.5");
        if with_memory {
            out += &summary(&peak_ratios, "build peak memory, ours / progenitor", "target < 1");
        }
    }
    if options.ploidy.is_some() {
        out += &summary(&ploidy_speedups, "generation speed-up (ploidy time / ours)", "target > 1");
        out += &summary(&ploidy_line_ratios, "lines, ours (with runtime) / ploidy", "no target");
        if !options.no_build {
            out += &summary(&ploidy_build_ratios, "compile time, ours / ploidy", "no target");
            if with_memory {
                out += &summary(&ploidy_peak_ratios, "build peak memory, ours / ploidy", "target < 1");
            }
        }
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
        assert_eq!(rust_lines_on_disk(dir.path(), Some("src/runtime/")), (3, 2));
        assert_eq!(rust_lines_on_disk(dir.path(), None), (3, 3));
    }

    #[test]
    fn peaks_are_read_from_the_last_line_of_gnu_time() {
        assert_eq!(parse_peak("245640\n"), Some(245640));
        assert_eq!(parse_peak("Command exited with non-zero status 1\n7396\n\n"), Some(7396));
        assert_eq!(parse_peak(""), None);
        assert_eq!(memory(245640), "240 MiB");
        assert_eq!(memory(2 * 1024 * 1024 + 512 * 1024), "2.50 GiB");
    }

    #[test]
    fn the_fastest_build_is_reported_with_the_range_and_the_highest_peak() {
        let measure = |s: u64, peak| Measure {
            took: Duration::from_secs(s),
            peak_kib: Some(peak),
        };
        let side = Side {
            build: Some(Ok(vec![measure(12, 100), measure(10, 300), measure(11, 200)])),
            ..Side::default()
        };
        assert_eq!(side.build_range(), Some((Duration::from_secs(10), Duration::from_secs(12))));
        assert_eq!(side.build_peak_kib(), Some(300));
        assert_eq!(build_cell(&side), "10.0 s (10.0–12.0)");
        let once = Side {
            build: Some(Ok(vec![measure(3, 1)])),
            ..Side::default()
        };
        assert_eq!(build_cell(&once), "3.0 s");
        assert_eq!(build_ratio(&once, &side), Some(0.3));
        let failed = Side {
            build: Some(Err("x".into())),
            ..Side::default()
        };
        assert_eq!(build_cell(&failed), "FAILED");
        assert_eq!(failed.build_range(), None);
    }

    #[test]
    fn commands_run_under_time_keep_their_arguments_and_environment() {
        let mut command = Command::new("cargo");
        command.args(["build", "--quiet"]).env("CARGO_INCREMENTAL", "0");
        let wrapped = under_time(&command, Path::new("/usr/bin/time"), Path::new("/tmp/p"));
        assert_eq!(wrapped.get_program(), "/usr/bin/time");
        let args: Vec<_> = wrapped.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["-f", "%M", "-o", "/tmp/p", "cargo", "build", "--quiet"]);
        let envs: Vec<_> = wrapped.get_envs().collect();
        assert_eq!(envs, [(std::ffi::OsStr::new("CARGO_INCREMENTAL"), Some(std::ffi::OsStr::new("0")))]);
    }
}
