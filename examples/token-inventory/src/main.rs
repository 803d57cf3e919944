//! `token-inventory`: every personal access token the caller can see at CodeCatalyst,
//! WorkMail, SailPoint and LaunchDarkly, in one table, with policy checks for cron and CI.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use token_inventory::{Clients, Config, Format, Policies, Run, Vendor};

/// Lists the personal access tokens you can see at CodeCatalyst, WorkMail, SailPoint and
/// LaunchDarkly, and flags the ones that break your policies.
///
/// Vendors are configured in a TOML file (--config) or from the environment:
/// CODECATALYST_TOKEN; WORKMAIL_ORGANIZATION_ID with AWS_ACCESS_KEY_ID,
/// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION; SAIL_CLIENT_ID and
/// SAIL_CLIENT_SECRET (a SailPoint PAT; or SAIL_ACCESS_TOKEN) with SAIL_TENANT; LD_API_KEY.
/// Each also reads <PREFIX>_BASE_URL (CODECATALYST_, WORKMAIL_, SAIL_, LD_). A vendor that is not
/// configured is skipped.
///
/// Exit status: 0 when no token breaks a policy, 1 when one does, 3 when a vendor could
/// not be listed (or a revocation failed), 2 for a usage error.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// A TOML file with a [codecatalyst], [workmail], [sailpoint] and/or [launchdarkly] section.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only these vendors (repeatable; default: every configured one).
    #[arg(long = "vendor", value_enum, value_name = "VENDOR")]
    vendors: Vec<Vendor>,
    /// Flag tokens that have expired.
    #[arg(long)]
    expired: bool,
    /// Flag tokens that expire within DAYS days.
    #[arg(long, value_name = "DAYS")]
    expiring_within: Option<u32>,
    /// Flag tokens not used for DAYS days (a token never used counts from its creation).
    #[arg(long, value_name = "DAYS")]
    unused_for: Option<u32>,
    /// Flag tokens that never expire.
    #[arg(long)]
    never_expires: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Delete the flagged tokens (a dry run that says what it would delete, unless --yes).
    #[arg(long)]
    revoke: bool,
    /// With --revoke: really delete.
    #[arg(long, requires = "revoke")]
    yes: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = match Config::load(cli.config.as_deref(), &env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    config.only(&cli.vendors);
    if config.vendors().is_empty() {
        eprintln!("error: no vendor is configured; see --help for the environment variables and --config");
        return ExitCode::from(2);
    }
    let clients = match Clients::build(&config) {
        Ok(clients) => clients,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let days = |n: u32| chrono::Duration::days(i64::from(n));
    let run = Run {
        policies: Policies {
            expired: cli.expired,
            expiring_within: cli.expiring_within.map(days),
            unused_for: cli.unused_for.map(days),
            never_expires: cli.never_expires,
        },
        format: cli.format,
        revoke: cli.revoke,
        yes: cli.yes,
    };

    // A progress line on standard error while pages load (drawn only on a terminal).
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    let loaded = AtomicUsize::new(0);
    let progress = |vendor: Vendor, tokens: usize| {
        let total = loaded.fetch_add(tokens, Ordering::Relaxed) + tokens;
        bar.set_message(format!("loading tokens: {total} so far (last from {vendor})"));
    };
    let outcome = token_inventory::run(&clients, &run, chrono::Utc::now(), &progress).await;
    bar.finish_and_clear();
    match outcome {
        Ok(outcome) => {
            print!("{}", outcome.stdout);
            eprint!("{}", outcome.stderr);
            ExitCode::from(outcome.status as u8)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
