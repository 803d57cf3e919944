//! `cargo xtask standalone`: proves each generated crate builds on its own, the way a user
//! who copies it out of this repository would build it.
//!
//! Each crate is copied into a fresh directory outside the workspace, with the workspace's
//! `Cargo.lock` so that it resolves the same versions offline, and checked with warnings
//! denied, with and without its `mock` feature. All copies share one target directory, so the dependencies compile once.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

pub fn run(root: &Path) -> ExitCode {
    let started = Instant::now();
    let crates = match generated_crates(root) {
        Ok(crates) => crates,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let scratch = std::env::temp_dir().join(format!("xtask-standalone-{}", std::process::id()));
    let target = root.join("target").join("standalone");
    let mut failed = Vec::new();
    for crate_dir in &crates {
        let name = crate_dir.file_name().unwrap_or_default().to_string_lossy().to_string();
        match check_copy(root, crate_dir, &scratch.join(&name), &target) {
            Ok(()) => println!("{name}: builds on its own"),
            Err(message) => {
                eprintln!("{name}: {message}");
                failed.push(name);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!("checked {} crates in {:.1} s", crates.len(), started.elapsed().as_secs_f64());
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {} crate(s) do not build outside the workspace: {}", failed.len(), failed.join(", "));
        ExitCode::FAILURE
    }
}

fn generated_crates(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("generated");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut crates: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("Cargo.toml").is_file()).collect();
    crates.sort();
    Ok(crates)
}

fn check_copy(root: &Path, crate_dir: &Path, copy: &Path, target: &Path) -> Result<(), String> {
    copy_tree(crate_dir, copy).map_err(|e| format!("copying: {e}"))?;
    std::fs::copy(root.join("Cargo.lock"), copy.join("Cargo.lock")).map_err(|e| format!("copying Cargo.lock: {e}"))?;
    // As users build it, and with the typed mocks that tests turn on.
    for features in [&[][..], &["--features", "mock"][..]] {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["clippy", "--quiet", "--all-targets", "--offline"])
            .args(features)
            .args(["--", "-D", "warnings"])
            .current_dir(copy)
            .env("CARGO_TARGET_DIR", target)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("`cargo clippy {} -- -D warnings` failed in a standalone copy ({status})", features.join(" ")));
        }
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}
