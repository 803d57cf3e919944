//! The personal access tokens a caller can see at four vendors, in one table, with the
//! policies a security team cares about: expired, expiring soon, unused for months, never
//! expiring. Built on the four generated clients: every page through `.stream()`, all
//! vendors at once, and a vendor that fails (auth, throttling, outage) reported without
//! hiding the others.
//!
//! `main.rs` is the command line; everything it does is here so that tests can drive it
//! against the clients' typed mocks.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{anyhow, Context};
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

/// The four vendors, in the order the table lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Codecatalyst,
    Workmail,
    Sailpoint,
    Launchdarkly,
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vendor::Codecatalyst => "codecatalyst",
            Vendor::Workmail => "workmail",
            Vendor::Sailpoint => "sailpoint",
            Vendor::Launchdarkly => "launchdarkly",
        })
    }
}

// ---------------------------------------------------------------------------------------
// Configuration

/// How to reach each vendor; a vendor without a section is skipped. Read from a TOML file
/// (`--config`), then completed from the environment (see [`Config::load`]). Deliberately
/// not `Debug`: it holds credentials.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub codecatalyst: Option<CodeCatalystConfig>,
    pub workmail: Option<WorkMailConfig>,
    pub sailpoint: Option<SailPointConfig>,
    pub launchdarkly: Option<LaunchDarklyConfig>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeCatalystConfig {
    /// A CodeCatalyst personal access token.
    pub token: String,
    pub base_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkMailConfig {
    pub organization_id: String,
    /// Only this user's tokens; all the organization's by default.
    pub user_id: Option<String>,
    pub region: Option<String>,
    /// Literal credentials; by default they come from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub base_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SailPointConfig {
    pub tenant: Option<String>,
    /// A personal access token's id and secret, exchanged for an access token.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Or an access token of your own.
    pub access_token: Option<String>,
    pub base_url: Option<String>,
    pub token_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchDarklyConfig {
    pub api_key: String,
    pub base_url: Option<String>,
}

impl Config {
    /// The file's configuration (none when `path` is `None`), with each vendor the file does
    /// not configure taken from the environment when its variables are set:
    /// `CODECATALYST_TOKEN`; `WORKMAIL_ORGANIZATION_ID` (with the standard AWS variables);
    /// `SAIL_CLIENT_ID` and `SAIL_CLIENT_SECRET` (with `SAIL_TENANT`); `LD_API_KEY`. Each
    /// vendor also reads `<PREFIX>_BASE_URL` (`CODECATALYST_`, `WORKMAIL_`, `SAIL_`, `LD_`).
    pub fn load(path: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("{} is not a valid configuration", path.display()))?
            }
            None => Config::default(),
        };
        config.complete_from_env(env);
        Ok(config)
    }

    fn complete_from_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        if self.codecatalyst.is_none() {
            self.codecatalyst = env("CODECATALYST_TOKEN").map(|token| CodeCatalystConfig { token, base_url: env("CODECATALYST_BASE_URL") });
        }
        if self.workmail.is_none() {
            self.workmail = env("WORKMAIL_ORGANIZATION_ID").map(|organization_id| WorkMailConfig {
                organization_id,
                user_id: env("WORKMAIL_USER_ID"),
                region: env("AWS_REGION"),
                base_url: env("WORKMAIL_BASE_URL"),
                ..WorkMailConfig::default()
            });
        }
        if self.sailpoint.is_none() {
            let (client_id, client_secret, access_token) = (env("SAIL_CLIENT_ID"), env("SAIL_CLIENT_SECRET"), env("SAIL_ACCESS_TOKEN"));
            if (client_id.is_some() && client_secret.is_some()) || access_token.is_some() {
                self.sailpoint = Some(SailPointConfig {
                    tenant: env("SAIL_TENANT"),
                    client_id,
                    client_secret,
                    access_token,
                    base_url: env("SAIL_BASE_URL"),
                    token_url: env("SAIL_TOKEN_URL"),
                });
            }
        }
        if self.launchdarkly.is_none() {
            self.launchdarkly = env("LD_API_KEY").map(|api_key| LaunchDarklyConfig { api_key, base_url: env("LD_BASE_URL") });
        }
    }

    /// Keeps only these vendors (all configured ones when empty).
    pub fn only(&mut self, vendors: &[Vendor]) {
        if vendors.is_empty() {
            return;
        }
        if !vendors.contains(&Vendor::Codecatalyst) {
            self.codecatalyst = None;
        }
        if !vendors.contains(&Vendor::Workmail) {
            self.workmail = None;
        }
        if !vendors.contains(&Vendor::Sailpoint) {
            self.sailpoint = None;
        }
        if !vendors.contains(&Vendor::Launchdarkly) {
            self.launchdarkly = None;
        }
    }

    pub fn vendors(&self) -> Vec<Vendor> {
        let mut out = Vec::new();
        if self.codecatalyst.is_some() {
            out.push(Vendor::Codecatalyst);
        }
        if self.workmail.is_some() {
            out.push(Vendor::Workmail);
        }
        if self.sailpoint.is_some() {
            out.push(Vendor::Sailpoint);
        }
        if self.launchdarkly.is_some() {
            out.push(Vendor::Launchdarkly);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// The inventory

/// One token, whatever its vendor. Never holds the token's secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenRow {
    pub vendor: Vendor,
    pub id: String,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
    /// The policies this token breaks.
    pub flags: Vec<Flag>,
}

/// What the clients are, once built.
pub struct Clients {
    codecatalyst: Option<codecatalyst_client::Client>,
    workmail: Option<(workmail_client::Client, String, Option<String>)>,
    sailpoint: Option<sailpoint_client::Client>,
    launchdarkly: Option<launchdarkly_client::Client>,
}

impl Clients {
    pub fn build(config: &Config) -> anyhow::Result<Clients> {
        let codecatalyst = config.codecatalyst.as_ref().map(|c| {
            let mut builder = codecatalyst_client::Client::builder().bearer_token(c.token.clone());
            if let Some(url) = &c.base_url {
                builder = builder.base_url(url.clone());
            }
            builder.build().map_err(|e| anyhow!("codecatalyst: {e}"))
        });
        let workmail = config.workmail.as_ref().map(|c| {
            let mut builder = workmail_client::Client::builder();
            if let Some(region) = &c.region {
                builder = builder.region(region.clone());
            }
            builder = match (&c.access_key_id, &c.secret_access_key) {
                (Some(id), Some(secret)) => builder.aws_credentials(id.clone(), secret.clone()),
                _ => builder.aws_credentials_from_env(),
            };
            if let Some(url) = &c.base_url {
                builder = builder.base_url(url.clone());
            }
            builder.build().map(|client| (client, c.organization_id.clone(), c.user_id.clone())).map_err(|e| anyhow!("workmail: {e}"))
        });
        let sailpoint = config.sailpoint.as_ref().map(|c| {
            let mut builder = sailpoint_client::Client::builder();
            match (&c.client_id, &c.client_secret, &c.access_token) {
                (Some(id), Some(secret), _) => builder = builder.client_credentials(id.clone(), secret.clone()),
                (_, _, Some(token)) => builder = builder.bearer_token(token.clone()),
                _ => return Err(anyhow!("sailpoint: set client_id and client_secret (a personal access token), or access_token")),
            }
            if let Some(tenant) = &c.tenant {
                builder = builder.tenant(tenant.clone());
            }
            if let Some(url) = &c.base_url {
                builder = builder.base_url(url.clone());
            }
            if let Some(url) = &c.token_url {
                builder = builder.token_url(url.clone());
            }
            builder.build().map_err(|e| anyhow!("sailpoint: {e}"))
        });
        let launchdarkly = config.launchdarkly.as_ref().map(|c| {
            let mut builder = launchdarkly_client::Client::builder().api_key(c.api_key.clone());
            if let Some(url) = &c.base_url {
                builder = builder.base_url(url.clone());
            }
            builder.build().map_err(|e| anyhow!("launchdarkly: {e}"))
        });
        Ok(Clients {
            codecatalyst: codecatalyst.transpose()?,
            workmail: workmail.transpose()?,
            sailpoint: sailpoint.transpose()?,
            launchdarkly: launchdarkly.transpose()?,
        })
    }
}

/// What listing one vendor gave.
pub struct Listing {
    pub vendor: Vendor,
    pub result: Result<Vec<TokenRow>, String>,
}

/// Lists every configured vendor at once; `progress` hears of each page as it arrives.
pub async fn collect(clients: &Clients, progress: &(dyn Fn(Vendor, usize) + Sync)) -> Vec<Listing> {
    let listings = futures::future::join4(
        vendor(Vendor::Codecatalyst, clients.codecatalyst.as_ref(), |c| list_codecatalyst(c, progress)),
        vendor(Vendor::Workmail, clients.workmail.as_ref(), |c| list_workmail(c, progress)),
        vendor(Vendor::Sailpoint, clients.sailpoint.as_ref(), |c| list_sailpoint(c, progress)),
        vendor(Vendor::Launchdarkly, clients.launchdarkly.as_ref(), |c| list_launchdarkly(c, progress)),
    )
    .await;
    [listings.0, listings.1, listings.2, listings.3].into_iter().flatten().collect()
}

async fn vendor<'a, C, F>(vendor: Vendor, client: Option<&'a C>, list: impl FnOnce(&'a C) -> F) -> Option<Listing>
where
    F: std::future::Future<Output = Result<Vec<TokenRow>, String>>,
{
    let client = client?;
    Some(Listing { vendor, result: list(client).await })
}

async fn list_codecatalyst(client: &codecatalyst_client::Client, progress: &(dyn Fn(Vendor, usize) + Sync)) -> Result<Vec<TokenRow>, String> {
    let rows = client
        .list_access_tokens()
        .stream()
        .map_ok(|token| TokenRow {
            vendor: Vendor::Codecatalyst,
            id: token.id,
            name: Some(token.name),
            // CodeCatalyst lists the caller's own tokens and says no more about them.
            owner: Some("(caller)".into()),
            created: None,
            last_used: None,
            expires: token.expires_time,
            scopes: Vec::new(),
            flags: Vec::new(),
        })
        .inspect_ok(|_| progress(Vendor::Codecatalyst, 1))
        .try_collect()
        .await;
    rows.map_err(|e| e.to_string())
}

async fn list_workmail(
    (client, organization, user): &(workmail_client::Client, String, Option<String>),
    progress: &(dyn Fn(Vendor, usize) + Sync),
) -> Result<Vec<TokenRow>, String> {
    let mut request = client.list_personal_access_tokens().organization_id(organization.clone());
    if let Some(user) = user {
        request = request.user_id(user.clone());
    }
    let rows = request
        .stream()
        .map_ok(|token| TokenRow {
            vendor: Vendor::Workmail,
            id: token.personal_access_token_id.unwrap_or_default(),
            name: token.name,
            owner: token.user_id,
            created: token.date_created,
            last_used: token.date_last_used,
            expires: token.expires_time,
            scopes: token.scopes.unwrap_or_default(),
            flags: Vec::new(),
        })
        .inspect_ok(|_| progress(Vendor::Workmail, 1))
        .try_collect()
        .await;
    rows.map_err(|e| e.to_string())
}

async fn list_sailpoint(client: &sailpoint_client::Client, progress: &(dyn Fn(Vendor, usize) + Sync)) -> Result<Vec<TokenRow>, String> {
    // SailPoint returns every token in one response: there is no page to stream.
    let tokens = client.list_personal_access_tokens().send().await.map_err(|e| e.to_string())?.into_inner();
    progress(Vendor::Sailpoint, tokens.len());
    Ok(tokens
        .into_iter()
        .map(|token| TokenRow {
            vendor: Vendor::Sailpoint,
            id: token.id,
            name: Some(token.name),
            owner: token.owner.name.or(token.owner.id),
            created: Some(token.created),
            last_used: token.last_used,
            expires: token.expiration_date,
            scopes: token.scope.unwrap_or_default(),
            flags: Vec::new(),
        })
        .collect())
}

async fn list_launchdarkly(client: &launchdarkly_client::Client, progress: &(dyn Fn(Vendor, usize) + Sync)) -> Result<Vec<TokenRow>, String> {
    let rows = client
        .get_tokens()
        .show_all(true)
        .limit(100)
        .stream()
        .map_ok(|token| TokenRow {
            vendor: Vendor::Launchdarkly,
            id: token.id,
            name: token.name,
            owner: token.member.map(|m| m.email).or(Some(token.member_id)),
            created: Some(token.creation_date),
            last_used: token.last_used,
            // LaunchDarkly access tokens do not expire.
            expires: None,
            scopes: token.role.into_iter().chain(token.custom_role_ids.unwrap_or_default()).collect(),
            flags: Vec::new(),
        })
        .inspect_ok(|_| progress(Vendor::Launchdarkly, 1))
        .try_collect()
        .await;
    rows.map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// Policies

/// A policy a token can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    Expired,
    ExpiringSoon,
    Unused,
    NeverExpires,
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flag::Expired => "expired",
            Flag::ExpiringSoon => "expiring-soon",
            Flag::Unused => "unused",
            Flag::NeverExpires => "never-expires",
        })
    }
}

/// Which policies to check; a token breaking any of them is flagged.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    pub expired: bool,
    pub expiring_within: Option<Duration>,
    pub unused_for: Option<Duration>,
    pub never_expires: bool,
}

impl Policies {
    pub fn flags(&self, row: &TokenRow, now: DateTime<Utc>) -> Vec<Flag> {
        let mut flags = Vec::new();
        match row.expires {
            Some(expires) if self.expired && expires <= now => flags.push(Flag::Expired),
            Some(expires) if self.expiring_within.is_some_and(|within| expires > now && expires <= now + within) => {
                flags.push(Flag::ExpiringSoon)
            }
            None if self.never_expires => flags.push(Flag::NeverExpires),
            _ => {}
        }
        if let Some(unused_for) = self.unused_for {
            // A token never used counts from its creation; one without either is unknown.
            if row.last_used.or(row.created).is_some_and(|since| since <= now - unused_for) {
                flags.push(Flag::Unused);
            }
        }
        flags
    }
}

// ---------------------------------------------------------------------------------------
// Output

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

fn date(value: Option<DateTime<Utc>>) -> String {
    value.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into())
}

pub fn render(rows: &[TokenRow], format: Format) -> anyhow::Result<String> {
    match format {
        Format::Json => Ok(serde_json::to_string_pretty(rows)? + "\n"),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["vendor", "id", "name", "owner", "created", "last_used", "expires", "scopes", "flags"])?;
            for row in rows {
                writer.write_record(cells(row))?;
            }
            Ok(String::from_utf8(writer.into_inner().map_err(|e| anyhow!("{e}"))?)?)
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(["Vendor", "Id", "Name", "Owner", "Created", "Last used", "Expires", "Scopes", "Flags"]);
            for row in rows {
                table.add_row(cells(row));
            }
            Ok(format!("{table}\n"))
        }
    }
}

fn cells(row: &TokenRow) -> [String; 9] {
    [
        row.vendor.to_string(),
        row.id.clone(),
        row.name.clone().unwrap_or_default(),
        row.owner.clone().unwrap_or_default(),
        date(row.created),
        date(row.last_used),
        date(row.expires),
        row.scopes.join(" "),
        row.flags.iter().map(Flag::to_string).collect::<Vec<_>>().join(" "),
    ]
}

// ---------------------------------------------------------------------------------------
// Revocation

/// Deletes one token at its vendor.
pub async fn revoke(clients: &Clients, row: &TokenRow) -> Result<(), String> {
    match row.vendor {
        Vendor::Codecatalyst => match &clients.codecatalyst {
            Some(c) => c.delete_access_token().id(row.id.clone()).send().await.map(drop).map_err(|e| e.to_string()),
            None => Err("not configured".into()),
        },
        Vendor::Workmail => match &clients.workmail {
            Some((c, organization, _)) => c
                .delete_personal_access_token()
                .organization_id(organization.clone())
                .personal_access_token_id(row.id.clone())
                .send()
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            None => Err("not configured".into()),
        },
        Vendor::Sailpoint => match &clients.sailpoint {
            Some(c) => c.delete_personal_access_token().id(row.id.clone()).send().await.map(drop).map_err(|e| e.to_string()),
            None => Err("not configured".into()),
        },
        Vendor::Launchdarkly => match &clients.launchdarkly {
            Some(c) => c.delete_token().id(row.id.clone()).send().await.map(drop).map_err(|e| e.to_string()),
            None => Err("not configured".into()),
        },
    }
}

// ---------------------------------------------------------------------------------------
// The whole run

/// What a run is asked to do (the command line, parsed).
#[derive(Debug, Clone)]
pub struct Run {
    pub policies: Policies,
    pub format: Format,
    pub revoke: bool,
    pub yes: bool,
}

/// Exit statuses, for cron and CI.
pub const OK: i32 = 0;
pub const POLICY_BROKEN: i32 = 1;
pub const VENDOR_FAILED: i32 = 3;

/// What a run printed and how it ends.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// Lists, flags, prints and (with `revoke`) deletes. A vendor that fails is reported on
/// standard error and the others still print; the status is [`VENDOR_FAILED`] then (the
/// inventory is incomplete), else [`POLICY_BROKEN`] when any token is flagged, else [`OK`].
pub async fn run(clients: &Clients, run: &Run, now: DateTime<Utc>, progress: &(dyn Fn(Vendor, usize) + Sync)) -> anyhow::Result<Outcome> {
    let mut stderr = String::new();
    let mut rows = Vec::new();
    let mut failed = false;
    for listing in collect(clients, progress).await {
        match listing.result {
            Ok(found) => rows.extend(found),
            Err(why) => {
                failed = true;
                stderr.push_str(&format!("error: {}: could not list tokens: {why}\n", listing.vendor));
            }
        }
    }
    for row in &mut rows {
        row.flags = run.policies.flags(row, now);
    }
    rows.sort_by(|a, b| (a.vendor, &a.owner, &a.name, &a.id).cmp(&(b.vendor, &b.owner, &b.name, &b.id)));
    let stdout = render(&rows, run.format)?;
    let flagged: Vec<&TokenRow> = rows.iter().filter(|r| !r.flags.is_empty()).collect();
    let mut revoke_failed = false;
    if run.revoke {
        for row in &flagged {
            let what = format!("{} token {} ({})", row.vendor, row.id, row.name.as_deref().unwrap_or("unnamed"));
            if !run.yes {
                stderr.push_str(&format!("would revoke {what}; run again with --yes to revoke\n"));
                continue;
            }
            match revoke(clients, row).await {
                Ok(()) => stderr.push_str(&format!("revoked {what}\n")),
                Err(why) => {
                    revoke_failed = true;
                    stderr.push_str(&format!("error: could not revoke {what}: {why}\n"));
                }
            }
        }
    }
    let mut summary: BTreeMap<Vendor, usize> = BTreeMap::new();
    for row in &rows {
        *summary.entry(row.vendor).or_default() += 1;
    }
    let counts: Vec<String> = summary.iter().map(|(v, n)| format!("{v} {n}")).collect();
    stderr.push_str(&format!("{} token(s) ({}); {} flagged\n", rows.len(), counts.join(", "), flagged.len()));
    let status = if failed || revoke_failed {
        VENDOR_FAILED
    } else if !flagged.is_empty() {
        POLICY_BROKEN
    } else {
        OK
    };
    Ok(Outcome { stdout, stderr, status })
}
