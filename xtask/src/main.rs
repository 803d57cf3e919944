//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).

mod cli;
mod codegen_cmd;
mod corpus;
mod diff_cmd;
mod fs_swap;
mod generate_cmd;
mod semver_proof;
mod standalone;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use cli::{Command, CorpusCommand};

/// Generating and diffing are allocation-bound (token trees, syn's syntax trees, JSON
/// values): a third of a generation's time went to the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let root = workspace_root();
    match cli.command {
        Command::Codegen(args) => codegen_cmd::run(&root, &args.into()),
        Command::Diff(args) => match diff_cmd::Options::try_from(args) {
            Ok(options) => diff_cmd::run(&root, &options),
            Err(message) => usage_error(&message),
        },
        Command::Standalone => standalone::run(&root),
        Command::Generate(args) => generate_cmd::run(&args.into()),
        Command::Corpus(CorpusCommand::Fetch(args)) => corpus::fetch(&root, &args.into()),
        Command::Corpus(CorpusCommand::Check(args)) => corpus::check(&root, &args.into()),
        Command::Corpus(CorpusCommand::Compare(args)) => corpus::compare(&root, &args.into()),
        Command::Corpus(CorpusCommand::Sweep(args)) => corpus::sweep(&root, &args.into()),
        Command::SemverProof(args) => semver_proof::run(&root, &semver_proof::Options { only: args.only, write: args.write }),
    }
}

/// A usage error found after clap's own checks, reported the way clap reports its own.
fn usage_error(message: &str) -> ExitCode {
    use clap::CommandFactory;
    cli::Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message).print().ok();
    ExitCode::from(2)
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
