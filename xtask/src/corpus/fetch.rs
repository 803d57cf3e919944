//! `cargo xtask corpus fetch [--cache DIR] [--only NAME,...]`: copies each spec of the manifest
//! (`xtask/corpus.toml`) from its package into `CACHE/<name>.<json|yaml>` and checks its sha256.
//!
//! A spec already in the cache with the right hash is left alone. Each package is obtained
//! through its registry's client and unpacked once, in a temporary directory, however many
//! specs it holds; a package that `corpus sweep` already unpacked into `CACHE/packages/` is
//! used from there. A file with the wrong hash is not put in the cache.
//!
//! Exit status: 0 if every spec asked for is in the cache with its pinned hash; 1 if any is
//! not (the others are still fetched); 2 for a usage error (an unknown `--only` name).

use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::manifest::{Entry, Manifest};
use super::packages::{sha256_file, Packages};
use super::Common;
use crate::fs_swap::io_error;

pub fn run(root: &Path, common: &Common) -> ExitCode {
    let start = Instant::now();
    let manifest = match Manifest::embedded() {
        Ok(manifest) => manifest,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let entries = match manifest.select(&common.only) {
        Ok(entries) => entries,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let cache = common.cache_dir(root);
    if let Err(e) = fs::create_dir_all(&cache) {
        eprintln!("error: {}", io_error("create", &cache, e));
        return ExitCode::FAILURE;
    }
    let work = std::env::temp_dir().join(format!("xtask-corpus-fetch-{}", std::process::id()));
    let mut packages = Packages::new(work.clone(), Some(cache.join("packages")));
    let mut failed = Vec::new();
    for entry in &entries {
        if let Err(message) = fetch_one(&cache, entry, &mut packages) {
            eprintln!("{message}");
            failed.push(entry.name.as_str());
        }
    }
    let _ = fs::remove_dir_all(&work);
    if failed.is_empty() {
        println!("corpus in {} ({:.1} s)", cache.display(), start.elapsed().as_secs_f64());
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: {} of {} corpus specs not fetched: {}",
            failed.len(),
            entries.len(),
            failed.join(", ")
        );
        ExitCode::FAILURE
    }
}

/// Puts one spec in the cache, logging to stderr as it goes; the error is the line to print.
fn fetch_one(cache: &Path, entry: &Entry, packages: &mut Packages) -> Result<(), String> {
    let file_name = entry.file_name();
    let dest = cache.join(&file_name);
    if dest.is_file() && sha256_file(&dest).as_deref() == Ok(entry.sha256.as_str()) {
        eprintln!("ok (cached)  {file_name}");
        return Ok(());
    }
    let package = entry.package();
    let root = packages
        .root(&package)
        .map_err(|why| format!("FAIL         {}: could not obtain {package}: {why}", entry.name))?;
    let source = root.join(&entry.path);
    if !source.is_file() {
        return Err(format!("FAIL         {}: {} not in {package}", entry.name, entry.path));
    }
    let tmp = cache.join(format!(".{file_name}.tmp"));
    let fail = |message: String| format!("FAIL         {}: {message}", entry.name);
    fs::copy(&source, &tmp).map_err(|e| fail(io_error("copy", &source, e)))?;
    let got = sha256_file(&tmp).map_err(fail)?;
    if got != entry.sha256 {
        let _ = fs::remove_file(&tmp);
        return Err(format!(
            "HASH MISMATCH {file_name} ({got}), from {package}:{}; expected {} (not written)",
            entry.path, entry.sha256
        ));
    }
    fs::rename(&tmp, &dest).map_err(|e| fail(io_error("move into place", &tmp, e)))?;
    eprintln!("ok           {file_name}  <- {package}:{}", entry.path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::manifest::{Package, Registry};

    fn entry(sha256: &str) -> Entry {
        Entry {
            name: "demo".into(),
            registry: Registry::Npm,
            package: "p".into(),
            version: "1.0.0".into(),
            path: "specs/demo.yml".into(),
            sha256: sha256.into(),
        }
    }

    /// A package that is already unpacked, so nothing is downloaded.
    fn unpacked(dir: &Path) -> Packages {
        let reuse = dir.join("packages");
        fs::create_dir_all(reuse.join("npm-p-1.0.0/package/specs")).unwrap();
        fs::write(reuse.join("npm-p-1.0.0/package/specs/demo.yml"), "abc").unwrap();
        fs::write(reuse.join("npm-p-1.0.0.done"), "package\n").unwrap();
        Packages::new(dir.join("work"), Some(reuse))
    }

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn a_spec_is_copied_checked_and_then_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut packages = unpacked(dir.path());
        let cache = dir.path().join("cache");
        fs::create_dir_all(&cache).unwrap();
        fetch_one(&cache, &entry(ABC), &mut packages).unwrap();
        assert_eq!(fs::read_to_string(cache.join("demo.yaml")).unwrap(), "abc");
        // Cached with the right hash: the package is not needed any more.
        let mut none = Packages::new(dir.path().join("work"), None);
        fetch_one(&cache, &entry(ABC), &mut none).unwrap();
    }

    #[test]
    fn a_wrong_hash_or_a_missing_path_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut packages = unpacked(dir.path());
        let cache = dir.path().join("cache");
        fs::create_dir_all(&cache).unwrap();
        let err = fetch_one(&cache, &entry(&"0".repeat(64)), &mut packages).unwrap_err();
        assert!(err.starts_with("HASH MISMATCH demo.yaml (ba7816bf"), "{err}");
        assert!(fs::read_dir(&cache).unwrap().next().is_none(), "nothing left in the cache");
        let moved = Entry {
            path: "elsewhere.json".into(),
            ..entry(ABC)
        };
        let err = fetch_one(&cache, &moved, &mut packages).unwrap_err();
        assert_eq!(err, "FAIL         demo: elsewhere.json not in npm p@1.0.0");
        let package = Package {
            registry: Registry::Npm,
            name: "p".into(),
            version: "1.0.0".into(),
        };
        assert!(packages.root(&package).is_ok());
    }
}
