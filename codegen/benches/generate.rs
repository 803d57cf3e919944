//! Generation time: `codegen::generate` on each spec in `specs/` and on the largest corpus spec
//! (GitHub's REST API, about 1,100 operations), when the corpus cache holds it.
//!
//! ```sh
//! cargo xtask corpus fetch          # once: fills .corpus-cache/ (not committed)
//! cargo bench -p codegen --bench generate
//! ```
//!
//! The corpus cache is `<workspace>/.corpus-cache` or `$CORPUS_CACHE`. The specs in `specs/`
//! go through `codegen::generate`, corpus specs through `codegen::generate_lenient` (what
//! `cargo xtask generate` and `corpus check` run). A corpus spec that is absent, or that the
//! generator refuses, is skipped with a note: a refusal takes no time worth measuring.
//! `CORPUS_BENCH=name,name` benches those corpus specs instead of `github`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::Settings;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen lives one level below the workspace root")
        .to_path_buf()
}

fn corpus_cache() -> PathBuf {
    std::env::var_os("CORPUS_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".corpus-cache"))
}

/// One spec to bench.
struct Spec {
    label: String,
    /// The file name diagnostics give.
    file: String,
    stem: String,
    text: String,
    /// A real-world spec: generated leniently.
    corpus: bool,
}

fn generate(spec: &Spec, settings: &Settings) -> Result<codegen::GeneratedCrate, codegen::Diagnostics> {
    if spec.corpus {
        codegen::generate_lenient(black_box(&spec.text), &spec.file, settings).map(|(g, _)| g)
    } else {
        codegen::generate(black_box(&spec.text), &spec.file, settings)
    }
}

fn specs() -> Vec<Spec> {
    let mut specs = Vec::new();
    let dir = workspace_root().join("specs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        specs.push(Spec {
            label: format!("specs/{stem}"),
            file: format!("specs/{stem}.yaml"),
            stem,
            text,
            corpus: false,
        });
    }

    let wanted = std::env::var("CORPUS_BENCH").unwrap_or_else(|_| "github".into());
    let cache = corpus_cache();
    for name in wanted.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let found = ["json", "yaml", "yml"]
            .iter()
            .map(|ext| cache.join(format!("{name}.{ext}")))
            .find(|p| p.is_file());
        match found {
            Some(path) => {
                let file = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                specs.push(Spec {
                    label: format!("corpus/{name}"),
                    file,
                    stem: name.replace('_', "-"),
                    text,
                    corpus: true,
                });
            }
            None => eprintln!(
                "note: corpus spec `{name}` is not in {}; run `cargo xtask corpus fetch` to bench it",
                cache.display()
            ),
        }
    }
    specs
}

fn bench_generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    for spec in specs() {
        let settings = Settings::new(spec.stem.clone());
        if let Err(diagnostics) = generate(&spec, &settings) {
            let first = diagnostics.0.first().map(|d| d.to_string()).unwrap_or_default();
            eprintln!(
                "note: skipping {}: the generator refuses it ({} diagnostics; first: {first})",
                spec.label,
                diagnostics.0.len()
            );
            continue;
        }
        // Large specs take long per iteration: fewer samples, same confidence in the median.
        if spec.text.len() > 1_000_000 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(30));
        } else {
            group.sample_size(30);
            group.measurement_time(Duration::from_secs(5));
        }
        group.throughput(Throughput::Bytes(spec.text.len() as u64));
        group.bench_function(&spec.label, |b| b.iter(|| generate(&spec, &settings)));
    }
    group.finish();
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
