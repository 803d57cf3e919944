//! Obtaining one exact version of a package from npm, PyPI or crates.io through the registry's
//! ordinary client, and unpacking it:
//!
//! - npm: `npm pack NAME@VERSION` downloads the published tarball; its top directory (usually
//!   `package/`) is the package's root.
//! - PyPI: `pip download --no-deps --only-binary=:all: NAME==VERSION` downloads the wheel; the
//!   wheel's root is the package's root.
//! - crates.io: cargo has no "download a crate" command, so a throwaway project with the crate
//!   as its only dependency is `cargo fetch`ed and the `.crate` cargo cached is unpacked; its
//!   `NAME-VERSION/` directory is the root.
//!
//! Archives are unpacked with the system's `tar` (`.tgz`, `.crate`) and `unzip` (`.whl`).
//! [`Packages`] unpacks each package once however many specs it holds.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use super::manifest::{Package, Registry};
use crate::fs_swap::io_error;

/// The sha256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, String> {
    let mut file = fs::File::open(path).map_err(|e| io_error("open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(|e| io_error("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A directory name for a package: `npm-_octokit_openapi-23.0.2`.
pub fn package_key(package: &Package) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' })
            .collect()
    };
    format!("{}-{}-{}", package.registry, clean(&package.name), clean(&package.version))
}

/// Packages unpacked during one run, each at most once (a failure is remembered too, so a
/// package that cannot be obtained is asked for once).
pub struct Packages {
    /// Where packages are unpacked for this run (a temporary directory).
    work: PathBuf,
    /// A directory of packages unpacked by earlier runs ([`unpack_into`]), used when it holds
    /// the package.
    reuse: Option<PathBuf>,
    roots: HashMap<Package, Result<PathBuf, String>>,
}

impl Packages {
    pub fn new(work: PathBuf, reuse: Option<PathBuf>) -> Packages {
        Packages {
            work,
            reuse,
            roots: HashMap::new(),
        }
    }

    /// The root directory of the unpacked package.
    pub fn root(&mut self, package: &Package) -> Result<PathBuf, String> {
        if let Some(root) = self.roots.get(package) {
            return root.clone();
        }
        let reused = self.reuse.as_deref().and_then(|dir| unpacked_root(dir, package));
        let root = match reused {
            Some(root) => Ok(root),
            None => unpack_into(&self.work, package, None),
        };
        self.roots.insert(package.clone(), root.clone());
        root
    }
}

/// The root of `package` if an earlier [`unpack_into`] of `dir` completed.
pub fn unpacked_root(dir: &Path, package: &Package) -> Option<PathBuf> {
    let key = package_key(package);
    let marker = fs::read_to_string(dir.join(format!("{key}.done"))).ok()?;
    let relative = marker.lines().next()?.trim();
    let root = if relative.is_empty() {
        dir.join(&key)
    } else {
        dir.join(&key).join(relative)
    };
    root.is_dir().then_some(root)
}

/// Unpacks `package` into `dir/<key>/` unless that was done before (`dir/<key>.done` records
/// the root's path inside it), and returns the package's root. With `archive_sha256`, the
/// downloaded archive must have that hash, or nothing is unpacked.
pub fn unpack_into(dir: &Path, package: &Package, archive_sha256: Option<&str>) -> Result<PathBuf, String> {
    if let Some(root) = unpacked_root(dir, package) {
        return Ok(root);
    }
    let key = package_key(package);
    let dest = dir.join(&key);
    let download = dir.join(format!("{key}.download"));
    let marker = dir.join(format!("{key}.done"));
    for stale in [&dest, &download] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| io_error("remove", stale, e))?;
        }
    }
    fs::create_dir_all(&download).map_err(|e| io_error("create", &download, e))?;
    let result = (|| {
        let archive = download_archive(package, &download)?;
        let got = sha256_file(&archive)?;
        if let Some(expected) = archive_sha256 {
            if got != expected {
                return Err(format!(
                    "the archive `{}` has sha256 {got}, not the pinned {expected}",
                    archive.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
        fs::create_dir_all(&dest).map_err(|e| io_error("create", &dest, e))?;
        extract(&archive, &dest)?;
        let relative = package_root(package.registry, &dest)?;
        fs::write(&marker, format!("{relative}\narchive sha256 {got}\n"))
            .map_err(|e| io_error("write", &marker, e))?;
        Ok(if relative.is_empty() { dest.clone() } else { dest.join(relative) })
    })();
    let _ = fs::remove_dir_all(&download);
    if result.is_err() {
        let _ = fs::remove_dir_all(&dest);
    }
    result
}

/// Downloads the package's archive into the empty directory `into` and returns its path.
fn download_archive(package: &Package, into: &Path) -> Result<PathBuf, String> {
    let Package { registry, name, version } = package;
    match registry {
        Registry::Npm => {
            let mut npm = Command::new("npm");
            npm.args(["pack", "--silent", &format!("{name}@{version}")]).current_dir(into);
            run(&mut npm, "npm pack")?;
            only_file(into, ".tgz")
        }
        Registry::Pypi => {
            let spec = format!("{name}=={version}");
            let args = ["download", "--quiet", "--no-deps", "--only-binary=:all:", "-d"];
            let mut pip = Command::new("pip");
            pip.args(args).arg(into).arg(&spec);
            match pip.output() {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let mut python = Command::new("python3");
                    python.args(["-m", "pip"]).args(args).arg(into).arg(&spec);
                    run(&mut python, "python3 -m pip download")?;
                }
                result => check_output(result, "pip download")?,
            }
            only_file(into, ".whl")
        }
        Registry::Crates => {
            let project = into.join("project");
            fs::create_dir_all(project.join("src")).map_err(|e| io_error("create", &project, e))?;
            fs::write(project.join("src/lib.rs"), "").map_err(|e| io_error("write", &project, e))?;
            let manifest = format!(
                "[package]\nname = \"corpus-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
                 publish = false\n\n[dependencies]\n{name} = \"={version}\"\n\n[workspace]\n"
            );
            let manifest_path = project.join("Cargo.toml");
            fs::write(&manifest_path, manifest).map_err(|e| io_error("write", &manifest_path, e))?;
            let mut cargo = Command::new(super::cargo());
            cargo.args(["fetch", "--quiet", "--manifest-path"]).arg(&manifest_path);
            run(&mut cargo, "cargo fetch")?;
            let file = format!("{name}-{version}.crate");
            let cache = cargo_home()?.join("registry").join("cache");
            let mut found = fs::read_dir(&cache)
                .map_err(|e| io_error("read", &cache, e))?
                .filter_map(Result::ok)
                .map(|index| index.path().join(&file))
                .filter(|path| path.is_file())
                .collect::<Vec<_>>();
            found.sort();
            found
                .into_iter()
                .next()
                .ok_or_else(|| format!("cargo fetch left no {file} in {}", cache.display()))
        }
    }
}

/// `$CARGO_HOME`, or `~/.cargo`.
fn cargo_home() -> Result<PathBuf, String> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(|home| PathBuf::from(home).join(".cargo"))
        .ok_or_else(|| "neither CARGO_HOME nor HOME is set".into())
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    check_output(command.output(), what)
}

/// Success, or the command's last lines of output as the reason.
fn check_output(output: std::io::Result<Output>, what: &str) -> Result<(), String> {
    let output = output.map_err(|e| format!("cannot run {what}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    Err(format!("{what} failed ({}): {tail}", output.status))
}

/// The one file in `dir` whose name ends in `suffix`.
fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf, String> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_error("read", dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!("no {suffix} file was downloaded")),
        n => Err(format!("{n} {suffix} files were downloaded, expected one")),
    }
}

/// Unpacks a `.tgz`, `.crate` or `.whl` into `dest`.
fn extract(archive: &Path, dest: &Path) -> Result<(), String> {
    let zip = archive.extension().is_some_and(|e| e == "whl" || e == "zip");
    let mut command = if zip {
        let mut unzip = Command::new("unzip");
        unzip.args(["-q", "-o"]).arg(archive).arg("-d").arg(dest);
        unzip
    } else {
        let mut tar = Command::new("tar");
        tar.arg("xzf").arg(archive).arg("-C").arg(dest);
        tar
    };
    let what = if zip { "unzip" } else { "tar" };
    run(&mut command, what)
}

/// The package's root inside the unpacked archive, relative to `dest` (empty for `dest`
/// itself): the archive's single top directory for npm and crates, the wheel's root for PyPI.
fn package_root(registry: Registry, dest: &Path) -> Result<String, String> {
    if registry == Registry::Pypi {
        return Ok(String::new());
    }
    let entries: Vec<PathBuf> = fs::read_dir(dest)
        .map_err(|e| io_error("read", dest, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [only] if only.is_dir() => Ok(only
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()),
        _ => Ok(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(registry: Registry, name: &str) -> Package {
        Package {
            registry,
            name: name.into(),
            version: "1.0.0".into(),
        }
    }

    #[test]
    fn files_are_hashed_as_sha256_hex() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        fs::write(&path, "abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(sha256_file(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn package_keys_are_plain_directory_names() {
        assert_eq!(package_key(&package(Registry::Npm, "@octokit/openapi")), "npm-_octokit_openapi-1.0.0");
        assert_eq!(package_key(&package(Registry::Crates, "openapiv3")), "crates-openapiv3-1.0.0");
    }

    #[test]
    fn an_earlier_unpack_is_found_by_its_marker() {
        let dir = tempfile::tempdir().unwrap();
        let npm = package(Registry::Npm, "p");
        assert_eq!(unpacked_root(dir.path(), &npm), None);
        fs::create_dir_all(dir.path().join("npm-p-1.0.0/package")).unwrap();
        assert_eq!(unpacked_root(dir.path(), &npm), None, "no marker: an interrupted unpack");
        fs::write(dir.path().join("npm-p-1.0.0.done"), "package\narchive sha256 00\n").unwrap();
        assert_eq!(unpacked_root(dir.path(), &npm), Some(dir.path().join("npm-p-1.0.0/package")));
        // Already there: nothing is downloaded.
        assert_eq!(unpack_into(dir.path(), &npm, Some("ff")).unwrap(), dir.path().join("npm-p-1.0.0/package"));
    }

    #[test]
    fn the_root_is_the_single_top_directory_except_for_wheels() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("package/api")).unwrap();
        assert_eq!(package_root(Registry::Npm, dir.path()).unwrap(), "package");
        assert_eq!(package_root(Registry::Pypi, dir.path()).unwrap(), "");
        fs::write(dir.path().join("README"), "").unwrap();
        assert_eq!(package_root(Registry::Crates, dir.path()).unwrap(), "");
    }

    #[test]
    fn a_tarball_is_unpacked_with_tar() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src/package");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("spec.json"), "{}").unwrap();
        let archive = dir.path().join("p.tgz");
        let status = Command::new("tar")
            .arg("czf")
            .arg(&archive)
            .arg("-C")
            .arg(dir.path().join("src"))
            .arg("package")
            .status()
            .unwrap();
        assert!(status.success());
        let dest = dir.path().join("out");
        fs::create_dir_all(&dest).unwrap();
        extract(&archive, &dest).unwrap();
        assert_eq!(package_root(Registry::Npm, &dest).unwrap(), "package");
        assert_eq!(fs::read_to_string(dest.join("package/spec.json")).unwrap(), "{}");
        assert!(only_file(dir.path(), ".tgz").is_ok());
        assert!(only_file(dir.path(), ".whl").unwrap_err().contains("no .whl"));
    }
}
