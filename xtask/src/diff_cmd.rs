//! `cargo xtask diff [STEM ...] [--base REV] [--format text|markdown|json] [--fail-on LEVEL]`:
//! what changed in specs/ since a git revision, for wire clients and for Rust users of the
//! generated crates. `cargo xtask diff OLD NEW` compares two spec files instead (a vendor's
//! spec before and after an upgrade), with the same report and rules.
//!
//! The comparison is `codegen::diff`; this file finds the two revisions of each spec (the base
//! through the `git` binary, read-only: `rev-parse`, `merge-base`, `ls-tree`, `show`; the new
//! one in the working tree), prints the report on stdout, and decides the exit code.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use codegen::diff::{self, Level, ReportHeader, Revision, SettingsText, SpecDiff};

/// The branch whose merge base is the default base revision.
const MAIN_BRANCH: &str = "main";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Markdown,
    Json,
    /// GitHub Actions annotations (`::error file=...,line=...::...`).
    Github,
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The specs to compare, by stem; empty means all of them.
    pub stems: Vec<String>,
    /// The base revision; `None` means the merge base with `main` (or `HEAD` on `main`).
    pub base: Option<String>,
    pub format: Format,
    /// Exit 1 when a change is at least this bad.
    pub fail_on: Option<Level>,
    /// Two spec files to compare, instead of specs/ at two revisions.
    pub files: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Accepted changes (default in git mode: `specs/.diff-accept.yaml` when it exists).
    pub accept: Option<std::path::PathBuf>,
    /// Write each changed crate's suggested version into its settings, and regenerate it.
    pub apply_bump: bool,
    /// Fail when a changed crate's settings lag behind its suggested version.
    pub require_bump: bool,
}

/// An argument that names a spec file rather than a stem of specs/.
pub(crate) fn is_spec_file(arg: &str) -> bool {
    [".yaml", ".yml", ".json"].iter().any(|ext| arg.to_ascii_lowercase().ends_with(ext))
}

#[cfg(test)]
impl Options {
    /// Parses the arguments after `diff`, as the command line does.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        use clap::Parser;
        let line = ["cargo xtask", "diff"].into_iter().map(String::from).chain(args.iter().cloned());
        match crate::cli::Cli::try_parse_from(line).map_err(|e| e.to_string())?.command {
            crate::cli::Command::Diff(args) => args.try_into(),
            _ => unreachable!("the line starts with `diff`"),
        }
    }
}

pub fn run(root: &Path, options: &Options) -> ExitCode {
    let outcome = execute(root, options);
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
}

/// What the command prints and how it exits.
#[derive(Debug, Default)]
struct Outcome {
    code: u8,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn error(code: u8, message: &str) -> Outcome {
        Outcome {
            code,
            stdout: String::new(),
            stderr: format!("error: {message}\n"),
        }
    }
}

/// The base revision: the commit to read, and how to name it.
struct Base {
    commit: String,
    /// How the user knows it: the revision they gave, or `main`'s merge base by its short id.
    name: String,
    /// For the report's title: `main (1a2b3c4)`.
    title: String,
}

/// One of two files compared by path, read as `cargo xtask generate` reads a spec: what the
/// generator leaves out is listed as not compared, instead of refusing the pair.
fn two_files<'a>(text: &'a str, file: &'a str) -> Revision<'a> {
    Revision { lenient: true, ..Revision::new(text, file) }
}

/// `diff OLD NEW`: two files, either version of OpenAPI, JSON or YAML.
fn execute_files(old: &Path, new: &Path, options: &Options) -> Outcome {
    let read = |path: &Path| fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()));
    let (old_text, new_text) = match (read(old), read(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(message), _) | (_, Err(message)) => return Outcome::error(2, &message),
    };
    let (old_file, new_file) = (old.display().to_string(), new.display().to_string());
    // The crate's stem, as `cargo xtask generate` would name it.
    let stem: String = new
        .file_stem()
        .map(|s| s.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect())
        .unwrap_or_else(|| "spec".into());
    let mut outcome = Outcome::default();
    let mut diffs = Vec::new();
    let mut failed = 0;
    match diff::compare(Some(two_files(&old_text, &old_file)), Some(two_files(&new_text, &new_file)), &stem) {
        Ok(spec_diff) => diffs.push(spec_diff),
        Err(diagnostics) => {
            outcome.stderr.push_str(&format!("{diagnostics}\n"));
            failed += 1;
        }
    }
    let header = ReportHeader { base: old_file, target: new_file };
    finish(outcome, &mut diffs, failed, &header, options)
}

fn execute(root: &Path, options: &Options) -> Outcome {
    if let Some((old, new)) = &options.files {
        return execute_files(old, new, options);
    }
    let default_accept = root.join("specs/.diff-accept.yaml");
    if options.accept.is_none() && default_accept.is_file() {
        let options = Options { accept: Some(default_accept), ..options.clone() };
        return execute_specs(root, &options);
    }
    execute_specs(root, options)
}

fn execute_specs(root: &Path, options: &Options) -> Outcome {
    let base = match resolve_base(root, options.base.as_deref()) {
        Ok(base) => base,
        Err(message) => return Outcome::error(2, &message),
    };
    let old_stems = match specs_at(root, &base.commit) {
        Ok(stems) => stems,
        Err(message) => return Outcome::error(1, &message),
    };
    let new_stems = match specs_in_tree(root) {
        Ok(stems) => stems,
        Err(message) => return Outcome::error(1, &message),
    };
    let mut all: Vec<String> = old_stems.iter().chain(&new_stems).cloned().collect();
    all.sort();
    all.dedup();
    let unknown: Vec<&str> = options
        .stems
        .iter()
        .filter(|s| !all.contains(s))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let message = format!(
            "no spec named `{}` in specs/ at {} or in the working tree (available: {})",
            unknown.join("`, `"),
            base.name,
            all.join(", ")
        );
        return Outcome::error(2, &message);
    }
    let selected: Vec<&String> = all
        .iter()
        .filter(|s| options.stems.is_empty() || options.stems.contains(s))
        .collect();

    let mut outcome = Outcome::default();
    let mut diffs: Vec<SpecDiff> = Vec::new();
    let mut failed = 0;
    for stem in selected {
        let relative = format!("specs/{stem}.yaml");
        let old_file = format!("{}:{relative}", base.name);
        let old_text = if old_stems.contains(stem) {
            match git(root, &["show", &format!("{}:./{relative}", base.commit)]) {
                Ok(text) => Some(text),
                Err(message) => {
                    outcome
                        .stderr
                        .push_str(&format!("error: reading {old_file}: {message}\n"));
                    failed += 1;
                    continue;
                }
            }
        } else {
            None
        };
        let new_text = if new_stems.contains(stem) {
            match fs::read_to_string(root.join(&relative)) {
                Ok(text) => Some(text),
                Err(e) => {
                    outcome
                        .stderr
                        .push_str(&format!("error: reading {relative}: {e}\n"));
                    failed += 1;
                    continue;
                }
            }
        } else {
            None
        };
        // The settings beside the spec, at each revision.
        let settings_relative = format!("specs/{stem}.toml");
        let old_settings_file = format!("{}:{settings_relative}", base.name);
        let old_settings = match settings_at(root, &base.commit, &settings_relative) {
            Ok(text) => text,
            Err(message) => {
                outcome.stderr.push_str(&format!("error: reading {old_settings_file}: {message}\n"));
                failed += 1;
                continue;
            }
        };
        let new_settings = match fs::read_to_string(root.join(&settings_relative)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                outcome.stderr.push_str(&format!("error: reading {settings_relative}: {e}\n"));
                failed += 1;
                continue;
            }
        };
        let old = old_text.as_deref().map(|text| Revision {
            text,
            file: &old_file,
            settings: old_settings.as_deref().map(|text| SettingsText { text, file: &old_settings_file }),
            // `specs/` is generated strictly: a spec the generator would refuse is refused here.
            lenient: false,
        });
        let new = new_text.as_deref().map(|text| Revision {
            text,
            file: &relative,
            settings: new_settings.as_deref().map(|text| SettingsText { text, file: &settings_relative }),
            // `specs/` is generated strictly: a spec the generator would refuse is refused here.
            lenient: false,
        });
        match diff::compare(old, new, stem) {
            Ok(mut spec_diff) => {
                if spec_diff.crate_version.is_none() {
                    spec_diff.crate_version = crate_version(root, stem);
                }
                diffs.push(spec_diff);
            }
            Err(diagnostics) => {
                outcome.stderr.push_str(&format!("{diagnostics}\n"));
                failed += 1;
            }
        }
    }

    let header = ReportHeader {
        base: base.title.clone(),
        target: "the working tree".into(),
    };
    let mut outcome = finish(outcome, &mut diffs, failed, &header, options);
    if options.require_bump {
        for diff in diffs.iter().filter(|d| d.bump_missing()) {
            outcome.stderr.push_str(&format!(
                "error: specs/{}.toml: version {} is below the suggested {} ({} bump); run `cargo xtask diff --apply-bump`\n",
                diff.stem,
                diff.target_version.as_deref().or(diff.crate_version.as_deref()).unwrap_or("unset"),
                diff.next_version().unwrap_or_default(),
                diff.bump.as_str()
            ));
            outcome.code = 1;
        }
    }
    if options.apply_bump && failed == 0 {
        match apply_bumps(root, &diffs) {
            Ok(messages) => outcome.stderr.push_str(&messages),
            Err(message) => {
                outcome.stderr.push_str(&format!("error: {message}\n"));
                outcome.code = 1;
            }
        }
    }
    outcome
}

/// Applies the accepted changes, renders the report and decides the exit code: 1 when a
/// spec could not be compared or a change is at least as bad as `--fail-on`.
fn finish(mut outcome: Outcome, diffs: &mut [SpecDiff], failed: usize, header: &ReportHeader, options: &Options) -> Outcome {
    if let Some(path) = &options.accept {
        let file = path.display().to_string();
        let accepted = match fs::read_to_string(path).map_err(|e| format!("reading {file}: {e}")).and_then(|text| diff::parse_accepted(&text, &file)) {
            Ok(accepted) => accepted,
            Err(message) => return Outcome::error(2, &message),
        };
        for stale in diff::apply_accepted(diffs, &accepted) {
            outcome.stderr.push_str(&format!(
                "warning: {file}: the accepted `{}` at {} matches no change; remove it\n",
                stale.rule, stale.pointer
            ));
        }
    }
    let diffs: &[SpecDiff] = diffs;
    outcome.stdout = match options.format {
        Format::Text => diff::render_text(diffs, header),
        Format::Markdown => diff::render_markdown(diffs, header),
        Format::Json => diff::render_json(diffs, header),
        Format::Github => diff::render_github(diffs),
    };
    if failed > 0 {
        let what = if failed == 1 { "spec" } else { "specs" };
        outcome.stderr.push_str(&format!(
            "error: {failed} {what} could not be compared; fix the errors above\n"
        ));
        outcome.code = 1;
    } else if let Some(level) = options.fail_on {
        if diff::any_at_least(diffs, level) {
            let count: usize = diffs
                .iter()
                .flat_map(|d| &d.changes)
                .filter(|c| c.level >= level)
                .count();
            let at_least = if level == Level::Breaking {
                "breaking"
            } else {
                "warning or breaking"
            };
            outcome.stderr.push_str(&format!(
                "error: {count} {at_least} change{} (--fail-on {})\n",
                if count == 1 { "" } else { "s" },
                level.as_str()
            ));
            outcome.code = 1;
        }
    }
    outcome
}

/// `--apply-bump`: writes each changed crate's next version into `[crate] version` of its
/// settings (created when missing; the rest of the file is kept as written), then
/// regenerates those crates. A version already at or past the next one is left alone, so
/// running it twice bumps once. Returns what it did, for stderr.
fn apply_bumps(root: &Path, diffs: &[SpecDiff]) -> Result<String, String> {
    let mut messages = String::new();
    let mut bumped = Vec::new();
    for diff in diffs {
        let Some(next) = diff.next_version() else { continue };
        if diff.bump == codegen::diff::Bump::None {
            continue;
        }
        let relative = format!("specs/{}.toml", diff.stem);
        let path = root.join(&relative);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("reading {relative}: {e}")),
        };
        let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{relative}: {e}"))?;
        let current = doc.get("crate").and_then(|t| t.get("version")).and_then(|v| v.as_str()).map(str::to_string);
        let wanted = semver::Version::parse(&next).map_err(|e| format!("{next}: {e}"))?;
        if let Some(current) = current.as_deref().and_then(|c| semver::Version::parse(c).ok()) {
            if current >= wanted {
                messages.push_str(&format!("{relative}: version {current} already includes the {} bump\n", diff.bump.as_str()));
                continue;
            }
        }
        doc["crate"]["version"] = toml_edit::value(next.clone());
        fs::write(&path, doc.to_string()).map_err(|e| format!("writing {relative}: {e}"))?;
        let from = current.or_else(|| diff.crate_version.clone()).unwrap_or_else(|| "0.1.0".into());
        messages.push_str(&format!("{relative}: version {from} -> {next} ({} bump)\n", diff.bump.as_str()));
        bumped.push(diff.stem.clone());
    }
    if !bumped.is_empty() {
        let options = crate::codegen_cmd::Options { stems: bumped, check: false };
        if crate::codegen_cmd::generate(root, &options) != 0 {
            return Err("regenerating the bumped crates failed (see above)".into());
        }
    }
    Ok(messages)
}

/// Runs a read-only git command in `root`, returning its stdout.
///
/// `GIT_DIR` and friends are ignored: the repository is the one that holds the workspace
/// (they are set, pointing elsewhere, when this runs inside a git hook of another checkout).
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_PREFIX")
        .output()
        .map_err(|e| format!("cannot run `git`: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(if stderr.is_empty() {
            format!("`git {}` failed", args.join(" "))
        } else {
            stderr
        });
    }
    String::from_utf8(output.stdout).map_err(|_| {
        format!(
            "`git {}` printed something that is not UTF-8",
            args.join(" ")
        )
    })
}

fn resolve_base(root: &Path, base: Option<&str>) -> Result<Base, String> {
    git(root, &["rev-parse", "--git-dir"])
        .map_err(|e| format!("{} is not in a git repository ({e})", root.display()))?;
    match base {
        Some(revision) => {
            if revision.starts_with('-') {
                return Err(format!("base revision `{revision}` does not exist"));
            }
            let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")])
                .map_err(|_| format!("base revision `{revision}` does not exist; give a branch, tag or commit that git knows"))?;
            let commit = commit.trim().to_string();
            let title = format!("{revision} ({})", short(&commit));
            Ok(Base {
                commit,
                name: revision.to_string(),
                title,
            })
        }
        None => {
            let head = git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).map_err(
                |_| "the repository has no commits yet; nothing to compare with".to_string(),
            )?;
            let head = head.trim().to_string();
            let branch = git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).unwrap_or_default();
            if branch.trim() == MAIN_BRANCH {
                let title = format!("HEAD ({})", short(&head));
                return Ok(Base {
                    commit: head,
                    name: "HEAD".into(),
                    title,
                });
            }
            let merge_base = [MAIN_BRANCH.to_string(), format!("origin/{MAIN_BRANCH}")]
                .iter()
                .find_map(|main| {
                    git(root, &["merge-base", "HEAD", main])
                        .ok()
                        .map(|c| (main.clone(), c.trim().to_string()))
                });
            match merge_base {
                Some((main, commit)) => {
                    let title = format!("the merge base with {main} ({})", short(&commit));
                    Ok(Base { name: short(&commit).to_string(), commit, title })
                }
                None => Err(format!("cannot find the merge base of HEAD with `{MAIN_BRANCH}`; pass `--base <revision>`")),
            }
        }
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The stems of `specs/*.yaml` at a commit.
fn specs_at(root: &Path, commit: &str) -> Result<Vec<String>, String> {
    let listing = git(root, &["ls-tree", "--name-only", commit, "--", "specs/"])?;
    let mut stems: Vec<String> = listing
        .lines()
        .filter_map(|line| line.strip_prefix("specs/")?.strip_suffix(".yaml"))
        .filter(|stem| !stem.is_empty() && !stem.starts_with('.') && !stem.contains('/'))
        .map(str::to_string)
        .collect();
    stems.sort();
    Ok(stems)
}

/// The text of `relative` at a commit, or `None` when the commit does not have it.
fn settings_at(root: &Path, commit: &str, relative: &str) -> Result<Option<String>, String> {
    let listing = git(root, &["ls-tree", "--name-only", commit, "--", relative])?;
    if listing.trim().is_empty() {
        return Ok(None);
    }
    git(root, &["show", &format!("{commit}:./{relative}")]).map(Some)
}

/// The stems of `specs/*.yaml` in the working tree (none when there is no `specs/`).
fn specs_in_tree(root: &Path) -> Result<Vec<String>, String> {
    if !root.join("specs").is_dir() {
        return Ok(Vec::new());
    }
    crate::codegen_cmd::list_specs(root)
}

/// `version` from `generated/<stem>/Cargo.toml`, for the suggested next version.
fn crate_version(root: &Path, stem: &str) -> Option<String> {
    let manifest = fs::read_to_string(root.join("generated").join(stem).join("Cargo.toml")).ok()?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line
                .strip_prefix("version")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
            {
                return Some(value.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const SPEC: &str = "\
openapi: 3.0.3
info:
  title: Items
  version: \"1.0\"
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - name: limit
          in: query
          schema:
            type: integer
      responses:
        \"200\":
          description: The items
          content:
            application/json:
              schema:
                $ref: \"#/components/schemas/Item\"
components:
  schemas:
    Item:
      type: object
      properties:
        id:
          type: string
";

    /// A throwaway repository on `main` with `specs/items.yaml` committed.
    struct Repo {
        dir: tempfile::TempDir,
    }

    impl Repo {
        fn new() -> Repo {
            let repo = Repo {
                dir: tempfile::tempdir().expect("temp dir"),
            };
            repo.git(&["init", "-q", "-b", "main"]);
            repo.write("specs/items.yaml", SPEC);
            repo.write(
                "generated/items/Cargo.toml",
                "[package]\nname = \"items-client\"\nversion = \"0.3.1\"\n",
            );
            repo.commit("initial");
            repo
        }

        fn root(&self) -> PathBuf {
            self.dir.path().to_path_buf()
        }

        fn git(&self, args: &[&str]) {
            let status = Command::new("git")
                .args([
                    "-c",
                    "user.name=Test",
                    "-c",
                    "user.email=test@example.com",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .current_dir(self.dir.path())
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        }

        fn write(&self, path: &str, text: &str) {
            let path = self.dir.path().join(path);
            fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }

        fn commit(&self, message: &str) {
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "-m", message]);
        }

        fn run(&self, args: &[&str]) -> Outcome {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let options = Options::parse(&args).expect("valid arguments");
            execute(&self.root(), &options)
        }
    }

    #[test]
    fn compares_two_spec_files() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/diff/openapi-3-1");
        let (old, new) = (fixtures.join("old.yaml").display().to_string(), fixtures.join("new.yaml").display().to_string());
        let options = Options::parse(&args(&[&old, &new, "--fail-on", "breaking"])).unwrap();
        assert_eq!(options.files.as_ref().map(|(o, _)| o.display().to_string()), Some(old.clone()));
        let outcome = execute(Path::new("/nonexistent"), &options);
        assert_eq!(outcome.code, 1, "a breaking change with --fail-on breaking: {}", outcome.stderr);
        assert!(outcome.stdout.contains(&format!("API changes from {old} to {new}")), "{}", outcome.stdout);
        assert!(outcome.stdout.contains("response-property-became-required"), "{}", outcome.stdout);
        let github = execute(Path::new("/nonexistent"), &Options::parse(&args(&[&old, &new, "--format", "github"])).unwrap());
        assert_eq!(
            github.stdout.lines().next().unwrap_or_default(),
            format!("::error file={},line=19,title=response-property-became-required::`GetWidgetResponse`: property `name`: optional, nullable → required | Rust: field `GetWidgetResponse::name`: `Option<String>` → `String`", new.replace(':', "%3A").replace(',', "%2C"))
        );
        let same = execute(Path::new("/nonexistent"), &Options::parse(&args(&[&old, &old])).unwrap());
        assert_eq!(same.code, 0, "{}", same.stderr);

        assert!(Options::parse(&args(&[&old])).unwrap_err().contains("two spec files"));
        assert!(Options::parse(&args(&[&old, &new, "--base", "main"])).is_err());
        let missing = execute(Path::new("/"), &Options::parse(&args(&["a.yaml", "b.yaml"])).unwrap());
        assert_eq!(missing.code, 2);
        assert!(missing.stderr.contains("reading a.yaml"), "{}", missing.stderr);

        // Two files are read as `generate` reads them: a part the generator cannot express
        // is left out and listed, and the rest compared (in git mode it refuses the spec).
        let dir = std::env::temp_dir().join(format!("xtask-two-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = std::fs::read_to_string(&old).unwrap();
        let broken = dir.join("broken.yaml");
        let path_schema = "schema: {type: string}";
        assert!(text.contains(path_schema), "the fixture has a parameter schema to break");
        std::fs::write(&broken, text.replacen(path_schema, "schema: {$ref: '#/components/schemas/Missing'}", 1)).unwrap();
        let lenient = execute(Path::new("/nonexistent"), &Options::parse(&args(&[&old, &broken.display().to_string()])).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(lenient.code, 0, "{}", lenient.stderr);
        assert!(lenient.stdout.contains("not compared, left out by the generator:") && lenient.stdout.contains("points at nothing"), "{}", lenient.stdout);
    }

    #[test]
    fn accepted_changes_pass_the_gate_and_stale_ones_are_reported() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/diff/openapi-3-1");
        let (old, new) = (fixtures.join("old.yaml").display().to_string(), fixtures.join("new.yaml").display().to_string());
        let dir = std::env::temp_dir().join(format!("xtask-accept-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let accept = dir.join("accept.yaml");
        fs::write(
            &accept,
            "- rule: response-property-became-required\n  pointer: \"#/paths/~1widgets~1{id}/get/responses/200/content/application~1json/schema/properties/name\"\n  reason: the vendor always sends it now\n  who: alice\n- rule: operation-removed\n  pointer: \"#/paths/~1gone/get\"\n  reason: gone for good\n  who: bob\n",
        )
        .unwrap();
        let accept_arg = accept.display().to_string();
        let outcome = execute(Path::new("/nonexistent"), &Options::parse(&args(&[&old, &new, "--fail-on", "breaking", "--accept", &accept_arg])).unwrap());
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        assert!(outcome.stdout.contains("(accepted by alice: the vendor always sends it now)"), "{}", outcome.stdout);
        assert!(outcome.stdout.contains("0 breaking"), "{}", outcome.stdout);
        assert!(outcome.stderr.contains("the accepted `operation-removed` at #/paths/~1gone/get matches no change"), "{}", outcome.stderr);

        fs::write(&accept, "- rule: no-such-rule\n  pointer: \"#/x\"\n  reason: r\n  who: w\n").unwrap();
        let bad = execute(Path::new("/nonexistent"), &Options::parse(&args(&[&old, &new, "--accept", &accept_arg])).unwrap());
        assert_eq!(bad.code, 2);
        assert!(bad.stderr.contains("no rule `no-such-rule`"), "{}", bad.stderr);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn parses_options() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = Options::parse(&args(&[
            "--base",
            "v1",
            "--format=markdown",
            "--fail-on",
            "breaking",
            "items",
            "items",
        ]))
        .unwrap();
        assert_eq!(
            (o.base.as_deref(), o.format, o.fail_on, o.stems),
            (
                Some("v1"),
                Format::Markdown,
                Some(Level::Breaking),
                vec!["items".to_string()]
            )
        );
        assert!(Options::parse(&args(&["--format", "yaml"])).is_err());
        assert!(Options::parse(&args(&["--fail-on", "sometimes"])).is_err());
        assert!(Options::parse(&args(&["--base"])).is_err());
        assert!(Options::parse(&args(&["--frobnicate"])).is_err());
    }

    #[test]
    fn unchanged_specs_report_nothing() {
        let repo = Repo::new();
        let out = repo.run(&["--fail-on", "breaking"]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout
                .contains("items-client (specs/items.yaml): no changes"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.starts_with("API changes from HEAD ("),
            "{}",
            out.stdout
        );
    }

    #[test]
    fn a_missing_base_revision_is_a_clear_error() {
        let repo = Repo::new();
        let out = repo.run(&["--base", "no-such-branch"]);
        assert_eq!(out.code, 2);
        assert!(
            out.stderr
                .contains("base revision `no-such-branch` does not exist"),
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
        let out = repo.run(&["--base=--output=x"]);
        assert_eq!(out.code, 2, "{out:?}");
    }

    #[test]
    fn outside_a_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = execute(dir.path(), &Options::default());
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.contains("not in a git repository"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn breaking_changes_fail_only_when_asked() {
        let repo = Repo::new();
        repo.write(
            "specs/items.yaml",
            &SPEC.replace("operationId: listItems", "operationId: getItems"),
        );
        let out = repo.run(&[]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout.contains("operation-id-renamed"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("suggested bump: major (0.3.1 → 0.4.0)"),
            "{}",
            out.stdout
        );
        let out = repo.run(&["--fail-on", "breaking"]);
        assert_eq!(out.code, 1);
        assert!(
            out.stderr
                .contains("1 breaking change (--fail-on breaking)"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn specs_diff_accept_yaml_is_read_by_default() {
        let repo = Repo::new();
        repo.write("specs/items.yaml", &SPEC.replace("operationId: listItems", "operationId: getItems"));
        let pointer = repo
            .run(&["--format", "json"])
            .stdout
            .split("\"pointer\":")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .expect("the change's pointer in the JSON report")
            .to_string();
        repo.write(
            "specs/.diff-accept.yaml",
            &format!("- rule: operation-id-renamed\n  pointer: \"{pointer}\"\n  reason: the vendor renamed it\n  who: carol\n"),
        );
        let out = repo.run(&["--fail-on", "breaking"]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains("(accepted by carol: the vendor renamed it)"), "{}", out.stdout);
        assert!(out.stdout.contains("suggested bump: major"), "the bump still tells users: {}", out.stdout);
    }

    #[test]
    fn additions_pass_fail_on_breaking() {
        let repo = Repo::new();
        let with_name = SPEC.replace(
            "        id:\n          type: string\n",
            "        id:\n          type: string\n        name:\n          type: string\n",
        );
        repo.write("specs/items.yaml", &with_name);
        let out = repo.run(&["--fail-on", "breaking", "--format", "json"]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout.starts_with('{'),
            "JSON on stdout: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("\"rule\": \"response-property-added\""),
            "{}",
            out.stdout
        );
        assert!(
            // Not breaking for review, but a new public field is major by Cargo's rules.
            out.stdout.contains("\"next_version\": \"0.4.0\""),
            "{}",
            out.stdout
        );
    }

    #[test]
    fn a_spec_that_fails_to_parse_gets_a_located_diagnostic() {
        let repo = Repo::new();
        repo.write(
            "specs/items.yaml",
            &SPEC.replace(
                "$ref: \"#/components/schemas/Item\"",
                "$ref: \"#/components/schemas/Missing\"",
            ),
        );
        let out = repo.run(&[]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.stderr.contains("specs/items.yaml:19:15: error:"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("could not be compared"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn a_spec_broken_at_the_base_names_the_revision() {
        let repo = Repo::new();
        repo.write("specs/items.yaml", "openapi: [3.0.3\n");
        repo.commit("break it");
        repo.write("specs/items.yaml", SPEC);
        let out = repo.run(&["--base", "HEAD"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.stderr.contains("HEAD:specs/items.yaml:"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn new_and_removed_specs_are_reported_as_such() {
        let repo = Repo::new();
        repo.write("specs/more.yaml", SPEC);
        fs::remove_file(repo.root().join("specs/items.yaml")).expect("remove");
        let out = repo.run(&["--format", "markdown"]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains("`spec-removed`"), "{}", out.stdout);
        assert!(out.stdout.contains("`spec-added`"), "{}", out.stdout);
        let out = repo.run(&["more", "--fail-on", "breaking"]);
        assert_eq!(out.code, 0, "only the new spec: {out:?}");
        let out = repo.run(&["nothing"]);
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains("no spec named `nothing`"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn the_default_base_is_the_merge_base_with_main() {
        let repo = Repo::new();
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write(
            "specs/items.yaml",
            &SPEC.replace("operationId: listItems", "operationId: getItems"),
        );
        repo.commit("rename on the branch");
        // Committed on the branch, so only a base before the branch sees the change.
        let out = repo.run(&[]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout
                .starts_with("API changes from the merge base with main ("),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("operation-id-renamed"),
            "{}",
            out.stdout
        );
        let out = repo.run(&["--base", "HEAD"]);
        assert!(out.stdout.contains("no changes"), "{}", out.stdout);
    }

    #[test]
    fn a_change_of_settings_is_judged_like_a_change_of_the_spec() {
        let repo = Repo::new();
        repo.write("specs/items.toml", "[crate]\nversion = \"1.4.0\"\n");
        repo.commit("settings");
        // A rename in the settings renames in Rust, and nothing changes on the wire.
        repo.write("specs/items.toml", "[crate]\nversion = \"1.4.0\"\n\n[rename.operations]\nlistItems = \"items\"\n");
        let out = repo.run(&["--format", "json"]);
        assert_eq!(out.code, 0, "{out:?}");
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        let spec = &report["specs"][0];
        assert_eq!(spec["crate_version"], "1.4.0", "the base revision's settings give the version: {spec}");
        assert_eq!(spec["next_version"], "2.0.0", "{spec}");
        let changes = spec["changes"].as_array().expect("changes");
        assert!(!changes.is_empty(), "{spec}");
        assert_eq!(changes.len(), 1, "{spec}");
        assert_eq!((&changes[0]["rule"], &changes[0]["wire"], &changes[0]["rust"]), (&"operation-rust-renamed".into(), &"info".into(), &"breaking".into()));
        assert!(changes[0]["rust_effect"].as_str().unwrap().contains("`Client::list_items()` → `Client::items()`"), "{spec}");
        // A filter that leaves an operation out removes it.
        let two = SPEC.replace("components:", "  /health:\n    get:\n      operationId: health\n      responses:\n        \"204\":\n          description: Up\ncomponents:");
        repo.write("specs/items.yaml", &two);
        repo.write("specs/items.toml", "[crate]\nversion = \"1.4.0\"\n");
        repo.commit("two operations");
        repo.write("specs/items.toml", "[crate]\nversion = \"1.4.0\"\n[operations]\nexclude = { ids = [\"health\"] }\n");
        let out = repo.run(&["--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        let rules: Vec<&str> = report["specs"][0]["changes"].as_array().unwrap().iter().map(|c| c["rule"].as_str().unwrap()).collect();
        assert_eq!(rules, ["operation-removed"], "{}", out.stdout);
        // Filtering out every operation is refused, with the settings file's line.
        repo.write("specs/items.toml", "[operations]\ninclude = { tags = [\"none\"] }\n");
        let out = repo.run(&[]);
        assert!(out.stderr.contains("specs/items.toml:1:2: error: these filters leave no operation"), "{out:?}");
    }

    #[test]
    fn apply_bump_writes_the_next_version_once() {
        let repo = Repo::new();
        repo.write("specs/items.toml", "# Items.\n[crate]\ndescription = \"Items\" # kept\nversion = \"0.3.1\"\n");
        repo.commit("settings");
        // A breaking change: the parameter's type changes.
        repo.write("specs/items.yaml", &SPEC.replace("type: integer", "type: string"));
        let unbumped = repo.run(&["--require-bump"]);
        assert_eq!(unbumped.code, 1, "{unbumped:?}");
        assert!(unbumped.stderr.contains("specs/items.toml: version 0.3.1 is below the suggested 0.4.0 (major bump)"), "{unbumped:?}");
        assert!(unbumped.stdout.contains("the settings still say 0.3.1: `cargo xtask diff --apply-bump`"), "{}", unbumped.stdout);
        let out = repo.run(&["--apply-bump"]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stderr.contains("specs/items.toml: version 0.3.1 -> 0.4.0 (major bump)"), "{out:?}");
        let settings = fs::read_to_string(repo.root().join("specs/items.toml")).unwrap();
        assert_eq!(settings, "# Items.\n[crate]\ndescription = \"Items\" # kept\nversion = \"0.4.0\"\n");
        let manifest = fs::read_to_string(repo.root().join("generated/items/Cargo.toml")).unwrap();
        assert!(manifest.contains("version = \"0.4.0\""), "the crate is regenerated:\n{manifest}");
        // Asked again, the version already includes the bump.
        let bumped = repo.run(&["--require-bump"]);
        assert_eq!(bumped.code, 0, "{bumped:?}");
        assert!(bumped.stdout.contains("(0.3.1 → 0.4.0; the settings say 0.4.0)"), "{}", bumped.stdout);
        let again = repo.run(&["--apply-bump"]);
        assert!(again.stderr.contains("version 0.4.0 already includes the major bump"), "{again:?}");
        assert_eq!(fs::read_to_string(repo.root().join("specs/items.toml")).unwrap(), settings);
        // Two files have no settings to write.
        let args: Vec<String> = ["a.yaml", "b.yaml", "--apply-bump"].iter().map(|s| s.to_string()).collect();
        assert!(Options::parse(&args).unwrap_err().contains("--apply-bump"));
    }
}
