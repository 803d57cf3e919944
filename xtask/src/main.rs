//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).

mod codegen_cmd;
mod fs_swap;
mod standalone;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [STEM ...] [--check]
      Generate generated/<stem>/ from specs/<stem>.yaml, for every spec or only those named.
      --check  write nothing; report every file that differs from what is on disk, exit 1 if any
  standalone
      Copy each generated crate out of the workspace and check that it builds there,
      clippy-clean with warnings denied.
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
        Some("standalone") if args.len() == 1 => standalone::run(&workspace_root()),
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
