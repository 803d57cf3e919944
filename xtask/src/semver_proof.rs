//! `cargo xtask semver-proof [--only RULE,...] [--write]`: checks the diff's Rust verdicts
//! against cargo-semver-checks (`cargo install cargo-semver-checks --locked`).
//!
//! For every fixture pair of the diff's tests (`codegen/tests/diff/<rule>/old.yaml` and
//! `new.yaml`, with their settings when they have some), both crates are generated at version
//! 1.0.0, written side by side under `target/semver-proof/<rule>/`, and
//! `cargo semver-checks check-release --release-type minor` is run on the new one with the old
//! one as baseline: it fails when the change needs a major version. That is compared with the
//! diff's own verdict for the pair (a major bump is suggested when some change breaks Rust
//! users). Each disagreement is listed with the lints semver-checks reported; `--write` puts the
//! table into `codegen/src/diff/RULES.md` between its markers. It builds two crates per pair, so
//! it is not part of CI: run it when the rules or the generator change, and commit the table.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use codegen::diff::{self, Bump, Revision, SettingsText};
use codegen::{GeneratedCrate, Settings};

#[derive(Debug, Default)]
pub struct Options {
    /// Fixture names to check; empty: all.
    pub only: Vec<String>,
    /// Write the table into RULES.md.
    pub write: bool,
}

const START: &str = "<!-- semver-proof:start -->";
const END: &str = "<!-- semver-proof:end -->";

/// One fixture pair's outcome.
struct Outcome {
    fixture: String,
    ours: Bump,
    /// The rules that made the diff suggest a major version.
    ours_breaking: Vec<String>,
    /// The lints that need a major version; `Err`: semver-checks could not run on the pair.
    theirs: Result<Vec<String>, String>,
}

impl Outcome {
    fn ours_major(&self) -> bool {
        self.ours == Bump::Major
    }
}

pub fn run(root: &Path, options: &Options) -> ExitCode {
    let started = Instant::now();
    if Command::new(crate::corpus::cargo()).args(["semver-checks", "--version"]).output().map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("error: cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked`");
        return ExitCode::from(2);
    }
    let fixtures_dir = root.join("codegen/tests/diff");
    let mut fixtures: Vec<String> = match std::fs::read_dir(&fixtures_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("old.yaml").is_file() && e.path().join("new.yaml").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| options.only.is_empty() || options.only.contains(name))
            .collect(),
        Err(e) => {
            eprintln!("error: reading {}: {e}", fixtures_dir.display());
            return ExitCode::FAILURE;
        }
    };
    fixtures.sort();
    let work = root.join("target/semver-proof");
    let mut outcomes = Vec::new();
    for fixture in &fixtures {
        let outcome = prove(root, &fixtures_dir.join(fixture), &work.join(fixture), fixture);
        let theirs = match &outcome.theirs {
            Ok(lints) if lints.is_empty() => "no major change".to_string(),
            Ok(lints) => format!("major: {}", lints.join(", ")),
            Err(e) => format!("not run: {e}"),
        };
        println!("{fixture}: ours {}, semver-checks {theirs}", outcome.ours.as_str());
        outcomes.push(outcome);
    }
    let table = table(&outcomes);
    println!("\n{table}");
    if options.write {
        let path = root.join("codegen/src/diff/RULES.md");
        let result = std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| {
            let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
                return Err(format!("no {START} … {END} markers"));
            };
            let updated = format!("{}{START}\n{table}{}", &text[..start], &text[end..]);
            std::fs::write(&path, updated).map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            eprintln!("error: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("{} pairs in {:.0} s", outcomes.len(), started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

fn generate(spec: &str, file: &str, settings_text: Option<&str>) -> Result<GeneratedCrate, String> {
    // Version 1.0.0 on both sides, so that `--release-type minor` asks "does this need a major?".
    let mut settings_text = settings_text.unwrap_or_default().to_string();
    if !settings_text.contains("[crate]") {
        settings_text.push_str("\n[crate]\nversion = \"1.0.0\"\n");
    }
    let settings = Settings::parse("fixture", &settings_text, "settings.toml").map_err(|d| d.to_string())?;
    codegen::generate(spec, file, &settings).map_err(|d| d.to_string())
}

fn write_crate(root: &Path, generated: &GeneratedCrate, dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
        let mut contents = file.contents.clone();
        if file.path == "Cargo.toml" {
            contents.push_str("\n[workspace]\n");
        }
        std::fs::write(&path, contents).map_err(|e| e.to_string())?;
    }
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(())
}

fn prove(root: &Path, fixture: &Path, work: &Path, name: &str) -> Outcome {
    let read = |file: &str| std::fs::read_to_string(fixture.join(file)).ok();
    let (old, new) = (read("old.yaml").unwrap_or_default(), read("new.yaml").unwrap_or_default());
    let (old_settings, new_settings) = (read("old.toml"), read("new.toml"));
    let old_settings_text = old_settings.as_deref().map(|text| SettingsText { text, file: "old.toml" });
    let new_settings_text = new_settings.as_deref().map(|text| SettingsText { text, file: "new.toml" });
    let compared = diff::compare(
        Some(Revision { settings: old_settings_text, ..Revision::new(&old, "old.yaml") }),
        Some(Revision { settings: new_settings_text, ..Revision::new(&new, "new.yaml") }),
        "fixture",
    );
    let (ours, ours_breaking) = match &compared {
        Ok(d) => {
            // What made it major: the Rust-breaking changes, else every change (a new field or
            // variant is major for Cargo at a lower review level).
            let breaking: Vec<String> = d.changes.iter().filter(|c| c.rust == diff::Level::Breaking).map(|c| c.rule.id().to_string()).collect();
            let why = if breaking.is_empty() { d.changes.iter().map(|c| c.rule.id().to_string()).collect() } else { breaking };
            (d.bump, why)
        }
        Err(e) => {
            return Outcome { fixture: name.to_string(), ours: Bump::None, ours_breaking: Vec::new(), theirs: Err(format!("the diff failed: {e}")) }
        }
    };
    let theirs = (|| {
        let old_crate = generate(&old, "old.yaml", old_settings.as_deref())?;
        let new_crate = generate(&new, "new.yaml", new_settings.as_deref())?;
        write_crate(root, &old_crate, &work.join("old"))?;
        write_crate(root, &new_crate, &work.join("new"))?;
        semver_checks(root, &work.join("old"), &work.join("new"))
    })();
    Outcome { fixture: name.to_string(), ours, ours_breaking, theirs }
}

/// The lints that need a major version, or an error when semver-checks did not run.
fn semver_checks(root: &Path, old: &Path, new: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(crate::corpus::cargo())
        .args(["semver-checks", "check-release", "--release-type", "minor", "--manifest-path"])
        .arg(new.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(old)
        .env("CARGO_TARGET_DIR", root.join("target/semver-proof/target"))
        .output()
        .map_err(|e| format!("running cargo semver-checks: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let lints: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("--- failure "))
        .filter_map(|rest| rest.split(':').next())
        .map(str::to_string)
        .collect();
    if output.status.success() || !lints.is_empty() {
        Ok(lints)
    } else {
        let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output").trim().to_string();
        Err(last)
    }
}

fn table(outcomes: &[Outcome]) -> String {
    let agree = outcomes.iter().filter(|o| matches!(&o.theirs, Ok(l) if l.is_empty() != o.ours_major())).count();
    let ran = outcomes.iter().filter(|o| o.theirs.is_ok()).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{ran} fixture pairs checked by cargo-semver-checks; {agree} agree with the diff's Rust verdict (a major bump exactly when semver-checks finds a change that needs one).\n"
    );
    let _ = writeln!(out, "| fixture | ours | cargo-semver-checks | agree |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    for o in outcomes {
        let (theirs, agrees) = match &o.theirs {
            Ok(lints) if lints.is_empty() => ("no major change".to_string(), if o.ours_major() { "no" } else { "yes" }),
            Ok(lints) => (format!("major: {}", lints.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")), if o.ours_major() { "yes" } else { "no" }),
            Err(e) => (format!("not run ({})", e.replace('|', "/")), "-"),
        };
        let ours = if o.ours_major() { format!("major ({})", o.ours_breaking.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")) } else { o.ours.as_str().to_string() };
        let _ = writeln!(out, "| `{}` | {ours} | {theirs} | {agrees} |", o.fixture);
    }
    out
}
