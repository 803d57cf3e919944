//! `cargo xtask corpus fetch [--cache DIR] [--only NAME,...]`: runs
//! `../shared/corpus/fetch-corpus.sh`, for all of its specs or, with `--only`, for a copy of the
//! script whose manifest keeps just the named entries (same packages, versions and hashes).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use super::Common;

/// The fetch script, beside the workspace: `<root>/../shared/corpus/fetch-corpus.sh`.
pub fn script_path(root: &Path) -> PathBuf {
    root.parent()
        .unwrap_or(root)
        .join("shared")
        .join("corpus")
        .join("fetch-corpus.sh")
}

pub fn run(root: &Path, common: &Common) -> ExitCode {
    let start = Instant::now();
    let script = script_path(root);
    let cache = common.cache_dir(root);
    let text = match fs::read_to_string(&script) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read the corpus fetch script `{}`: {e}", script.display());
            return ExitCode::FAILURE;
        }
    };
    let (to_run, temporary) = if common.only.is_empty() {
        (script.clone(), None)
    } else {
        let filtered = match filter_manifest(&text, &common.only) {
            Ok(filtered) => filtered,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        let tmp = std::env::temp_dir().join(format!("xtask-fetch-corpus-{}.sh", std::process::id()));
        if let Err(e) = fs::write(&tmp, filtered) {
            eprintln!("error: cannot write `{}`: {e}", tmp.display());
            return ExitCode::FAILURE;
        }
        (tmp.clone(), Some(tmp))
    };
    if let Err(e) = fs::create_dir_all(&cache) {
        eprintln!("error: cannot create `{}`: {e}", cache.display());
        return ExitCode::FAILURE;
    }
    let status = Command::new("bash").arg(&to_run).arg(&cache).status();
    if let Some(tmp) = temporary {
        let _ = fs::remove_file(tmp);
    }
    match status {
        Ok(status) if status.success() => {
            println!(
                "corpus in {} ({:.1} s)",
                cache.display(),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Ok(status) => {
            eprintln!("error: `{}` failed ({status})", script.display());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot run bash: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The entries of the script's `MANIFEST='...'` block: `name|registry|package|version|path|sha256`.
pub fn manifest_lines(script: &str) -> Result<Vec<&str>, String> {
    let mut lines = script.lines();
    if !lines.any(|l| l.trim() == "MANIFEST='") {
        return Err("the fetch script has no `MANIFEST='` block".into());
    }
    let mut entries = Vec::new();
    for line in lines {
        if line.trim() == "'" {
            return Ok(entries);
        }
        if !line.trim().is_empty() {
            entries.push(line);
        }
    }
    Err("the fetch script's `MANIFEST='` block is not closed".into())
}

fn entry_name(line: &str) -> &str {
    line.split('|').next().unwrap_or_default().trim()
}

/// The script with only the manifest entries named in `only`, or an error naming unknown ones.
pub fn filter_manifest(script: &str, only: &[String]) -> Result<String, String> {
    let entries = manifest_lines(script)?;
    let known: Vec<&str> = entries.iter().map(|l| entry_name(l)).collect();
    let unknown: Vec<&str> = only
        .iter()
        .map(String::as_str)
        .filter(|n| !known.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "no corpus spec named {} (the corpus: {})",
            unknown.join(", "),
            known.join(", ")
        ));
    }
    let mut out = String::new();
    let mut in_manifest = false;
    for line in script.lines() {
        let keep = if in_manifest && line.trim() == "'" {
            in_manifest = false;
            true
        } else if in_manifest {
            line.trim().is_empty() || only.iter().any(|n| n == entry_name(line))
        } else {
            in_manifest = line.trim() == "MANIFEST='";
            true
        };
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "#!/usr/bin/env bash\nMANIFEST='\na|npm|p|1|x.json|00\nb|crates|q|2|y.yaml|11\n\nc|pypi|r|3|z.json|22\n'\necho \"$MANIFEST\"\n";

    #[test]
    fn the_manifest_is_read_and_filtered() {
        assert_eq!(manifest_lines(SCRIPT).unwrap().len(), 3);
        let filtered = filter_manifest(SCRIPT, &["c".into(), "a".into()]).unwrap();
        assert_eq!(
            filtered,
            "#!/usr/bin/env bash\nMANIFEST='\na|npm|p|1|x.json|00\n\nc|pypi|r|3|z.json|22\n'\necho \"$MANIFEST\"\n"
        );
        let err = filter_manifest(SCRIPT, &["d".into()]).unwrap_err();
        assert!(err.contains("no corpus spec named d") && err.contains("a, b, c"), "{err}");
        assert!(manifest_lines("echo hi\n").is_err());
    }

    #[test]
    fn the_real_script_has_a_manifest_when_present() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let Ok(text) = fs::read_to_string(script_path(root)) else {
            return; // shared/ is beside the workspace in CI and on developer machines
        };
        let entries = manifest_lines(&text).unwrap();
        assert!(entries.iter().any(|l| l.starts_with("petstore-expanded|")));
        assert!(entries.iter().all(|l| l.split('|').count() == 6), "{entries:?}");
    }
}
