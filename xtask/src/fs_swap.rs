//! Replacing a directory with freshly written contents, all at once or not at all.
//!
//! The new tree is written into `.tmp-<name>-<pid>` beside the target; then the old directory
//! is renamed to `.old-<name>-<pid>`, the new one renamed into place, and the old one removed.
//! A failure before the new tree is in place restores the old directory and removes the
//! temporary one, so a reader sees either the old tree or the new one, never a mix.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::GeneratedFile;

/// Replaces `dir` with a directory holding exactly `files`. The top-level entries of the old
/// directory named in `keep` (such as `target`) are carried over into the new one.
pub fn replace_dir(dir: &Path, files: &[GeneratedFile], keep: &[&str]) -> Result<(), String> {
    let (parent, name) = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) => (parent, name.to_string_lossy()),
        _ => {
            return Err(format!(
                "cannot replace `{}`: it has no parent",
                dir.display()
            ))
        }
    };
    let pid = std::process::id();
    let tmp = parent.join(format!(".tmp-{name}-{pid}"));
    let old = parent.join(format!(".old-{name}-{pid}"));

    fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    remove_leftovers(parent, &name)?;
    if let Err(e) = write_tree(&tmp, files) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }

    let had_old = fs::symlink_metadata(dir).is_ok();
    if had_old {
        if let Err(e) = fs::rename(dir, &old) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(io_error("move aside", dir, e));
        }
    }
    if let Err(e) = fs::rename(&tmp, dir) {
        let mut message = io_error("move into place", &tmp, e);
        if had_old {
            if let Err(e) = fs::rename(&old, dir) {
                message += &format!(
                    "; restoring the previous contents also failed ({e}): they are in `{}`",
                    old.display()
                );
            }
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(message);
    }
    if !had_old {
        return Ok(());
    }

    // The new tree is in place; carry over what we were asked to keep, then drop the old tree.
    for entry in keep {
        let (from, to) = (old.join(entry), dir.join(entry));
        if fs::symlink_metadata(&from).is_ok() && fs::symlink_metadata(&to).is_err() {
            fs::rename(&from, &to).map_err(|e| {
                format!(
                    "{}; the previous contents are kept in `{}`",
                    io_error("carry over", &from, e),
                    old.display()
                )
            })?;
        }
    }
    fs::remove_dir_all(&old).map_err(|e| io_error("remove", &old, e))
}

/// Writes `files` into a new directory `root`.
fn write_tree(root: &Path, files: &[GeneratedFile]) -> Result<(), String> {
    fs::create_dir(root).map_err(|e| io_error("create", root, e))?;
    for file in files {
        let path = root.join(relative_path(&file.path)?);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
        }
        fs::write(&path, &file.contents).map_err(|e| io_error("write", &path, e))?;
    }
    Ok(())
}

/// Turns a generated file's `/`-separated path into a relative path that stays inside the
/// crate's directory, or explains why it cannot.
pub fn relative_path(path: &str) -> Result<PathBuf, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let bad = |part: &&str| {
        part.is_empty() || *part == "." || *part == ".." || part.contains(['\\', ':'])
    };
    if parts.iter().any(bad) {
        return Err(format!(
            "the generator emitted an unsafe file path `{path}`"
        ));
    }
    Ok(parts.iter().collect())
}

/// Removes `.tmp-<name>-<pid>` and `.old-<name>-<pid>` left by an interrupted run: a cargo
/// workspace glob such as `generated/*` would otherwise pick them up as duplicate packages.
fn remove_leftovers(parent: &Path, name: &str) -> Result<(), String> {
    let entries = fs::read_dir(parent).map_err(|e| io_error("read", parent, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read", parent, e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let pid = [".tmp-", ".old-"].iter().find_map(|kind| {
            file_name
                .strip_prefix(kind)?
                .strip_prefix(name)?
                .strip_prefix('-')
        });
        if pid.is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())) {
            let path = entry.path();
            match fs::remove_dir_all(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(io_error("remove", &path, e))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

pub fn io_error(action: &str, path: &Path, error: io::Error) -> String {
    format!("cannot {action} `{}`: {error}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    /// Every file under `dir`, with its contents, in path order.
    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.push((rel, fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn first_write_creates_the_directory_and_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("generated").join("demo");
        replace_dir(
            &dir,
            &[
                file("Cargo.toml", "[package]\n"),
                file("src/lib.rs", "// lib\n"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            tree(&dir),
            pairs(&[("Cargo.toml", "[package]\n"), ("src/lib.rs", "// lib\n")])
        );
        assert_eq!(names(&root.path().join("generated")), ["demo"]);
    }

    #[test]
    fn rewrite_replaces_changed_files_and_drops_removed_ones() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        replace_dir(
            &dir,
            &[
                file("a.rs", "old"),
                file("gone/b.rs", "b"),
                file("same.rs", "s"),
            ],
            &[],
        )
        .unwrap();
        replace_dir(
            &dir,
            &[
                file("a.rs", "new"),
                file("same.rs", "s"),
                file("src/c.rs", "c"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            tree(&dir),
            pairs(&[("a.rs", "new"), ("same.rs", "s"), ("src/c.rs", "c")])
        );
        assert!(!dir.join("gone").exists());
        assert_eq!(names(root.path()), ["demo"]);
    }

    #[test]
    fn kept_entries_are_carried_over() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        replace_dir(&dir, &[file("a.rs", "1")], &[]).unwrap();
        fs::create_dir_all(dir.join("target/debug")).unwrap();
        fs::write(dir.join("target/debug/out"), "cache").unwrap();
        replace_dir(&dir, &[file("a.rs", "2")], &["target", "Cargo.lock"]).unwrap();
        assert_eq!(
            tree(&dir),
            pairs(&[("a.rs", "2"), ("target/debug/out", "cache")])
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_contents_and_no_temporary_directory() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        replace_dir(&dir, &[file("a.rs", "old")], &[]).unwrap();
        // `x` is a file, so `x/y.rs` cannot be created.
        let err = replace_dir(
            &dir,
            &[file("a.rs", "new"), file("x", "1"), file("x/y.rs", "2")],
            &[],
        )
        .unwrap_err();
        assert!(err.starts_with("cannot create"), "{err}");
        assert_eq!(tree(&dir), pairs(&[("a.rs", "old")]));
        assert_eq!(names(root.path()), ["demo"]);
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_removed() {
        let root = tempfile::tempdir().unwrap();
        for leftover in [
            ".tmp-demo-1",
            ".old-demo-22/src",
            ".tmp-demo-x-3",
            ".old-demo-extra",
        ] {
            fs::create_dir_all(root.path().join(leftover)).unwrap();
        }
        replace_dir(&root.path().join("demo"), &[file("a.rs", "1")], &[]).unwrap();
        // Only this crate's own leftovers go: `demo-x` is another crate's.
        assert_eq!(
            names(root.path()),
            [".old-demo-extra", ".tmp-demo-x-3", "demo"]
        );
    }

    #[test]
    fn unsafe_paths_are_refused_before_anything_changes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        replace_dir(&dir, &[file("a.rs", "old")], &[]).unwrap();
        for path in [
            "../escape.rs",
            "/abs.rs",
            "src//x.rs",
            "src/./x.rs",
            "c:x.rs",
            "",
        ] {
            let err = replace_dir(&dir, &[file(path, "x")], &[]).unwrap_err();
            assert!(err.contains("unsafe file path"), "{path}: {err}");
        }
        assert_eq!(tree(&dir), pairs(&[("a.rs", "old")]));
        assert_eq!(names(root.path()), ["demo"]);
    }
}
