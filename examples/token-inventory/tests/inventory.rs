//! The inventory against the typed mocks of all four clients: several pages each, flags,
//! formats, a vendor that fails, revocation, and no secret in anything printed.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use token_inventory::{
    Clients, CodeCatalystConfig, Config, Format, LaunchDarklyConfig, Outcome, Policies, Run, SailPointConfig, WorkMailConfig,
    OK, POLICY_BROKEN, VENDOR_FAILED,
};

const ORG: &str = "m-0123456789abcdef0123456789abcdef";
const LD_SECRET: &str = "api-11111111-2222-3333-4444-555555555555";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

struct Servers {
    codecatalyst: codecatalyst_client::mock::MockServer,
    workmail: workmail_client::mock::MockServer,
    sailpoint: sailpoint_client::mock::MockServer,
    launchdarkly: launchdarkly_client::mock::MockServer,
}

impl Servers {
    async fn start() -> Servers {
        Servers {
            codecatalyst: codecatalyst_client::mock::MockServer::start().await,
            workmail: workmail_client::mock::MockServer::start().await,
            sailpoint: sailpoint_client::mock::MockServer::start().await,
            launchdarkly: launchdarkly_client::mock::MockServer::start().await,
        }
    }

    fn config(&self) -> Config {
        Config {
            codecatalyst: Some(CodeCatalystConfig { token: "cc-pat".into(), base_url: Some(self.codecatalyst.uri()) }),
            workmail: Some(WorkMailConfig {
                organization_id: ORG.into(),
                region: Some("eu-west-1".into()),
                access_key_id: Some("AKIDTEST".into()),
                secret_access_key: Some(AWS_SECRET.into()),
                base_url: Some(self.workmail.uri()),
                ..WorkMailConfig::default()
            }),
            sailpoint: Some(SailPointConfig {
                access_token: Some("sp-jwt".into()),
                // With the path the real server has: the mock matches after it.
                base_url: Some(format!("{}/v3", self.sailpoint.uri())),
                ..SailPointConfig::default()
            }),
            launchdarkly: Some(LaunchDarklyConfig { api_key: "api-reader".into(), base_url: Some(self.launchdarkly.uri()) }),
        }
    }

    /// Two pages at each vendor that has pages, and a list at SailPoint.
    async fn mount_listings(&self) {
        let cc_page = |next: Option<&str>, tokens: Value| -> codecatalyst_client::types::ListAccessTokensResponse {
            serde_json::from_value(json!({"nextToken": next, "items": tokens})).unwrap()
        };
        self.codecatalyst
            .list_access_tokens()
            .respond_pages(vec![
                cc_page(Some("p2"), json!([{"id": "cc-1", "name": "laptop", "expiresTime": "2026-05-01T00:00:00Z"}])),
                cc_page(None, json!([{"id": "cc-2", "name": "ci", "expiresTime": "2027-01-01T00:00:00Z"}])),
            ])
            .await;

        let wm_page = |next: Option<&str>, tokens: Value| -> workmail_client::types::ListPersonalAccessTokensResponse {
            serde_json::from_value(json!({"NextToken": next, "PersonalAccessTokenSummaries": tokens})).unwrap()
        };
        self.workmail
            .list_personal_access_tokens()
            .body_matching(|input: &workmail_client::types::ListPersonalAccessTokensRequest| input.organization_id == ORG)
            .respond_pages(vec![
                wm_page(
                    Some("t2"),
                    json!([{"PersonalAccessTokenId": "wm-1", "UserId": "alice", "Name": "mail sync", "DateCreated": 1_700_000_000,
                            "DateLastUsed": 1_777_000_000, "ExpiresTime": 1_781_000_000, "Scopes": ["mail:read"]}]),
                ),
                wm_page(None, json!([{"PersonalAccessTokenId": "wm-2", "UserId": "bob", "Name": "old", "DateCreated": 1_600_000_000,
                                      "ExpiresTime": 1_900_000_000}])),
            ])
            .await;

        let sp_tokens: Vec<sailpoint_client::types::GetPersonalAccessTokenResponse> = serde_json::from_value(json!([
            {"id": "sp-1", "name": "automation", "scope": ["sp:scopes:all"], "owner": {"type": "IDENTITY", "id": "id-7", "name": "carol"},
             "created": "2025-01-01T00:00:00.000Z", "lastUsed": "2026-05-30T00:00:00.000Z", "managed": false}
        ]))
        .unwrap();
        self.sailpoint.list_personal_access_tokens().respond(sp_tokens).await;

        let ld_page = |tokens: Value, total: i64| -> launchdarkly_client::types::Tokens {
            serde_json::from_value(json!({"items": tokens, "totalCount": total})).unwrap()
        };
        let ld_token = |id: &str, name: &str, created: i64, used: Option<i64>| {
            json!({"_id": id, "name": name, "ownerId": "o", "memberId": "m-1", "_member": {"_links": {}, "_id": "m-1", "role": "admin", "email": "dave@example.com"},
                   "creationDate": created, "lastModified": created, "lastUsed": used, "role": "reader", "_links": {},
                   // List responses carry only the last characters; this one carries a whole secret to prove none is printed.
                   "token": LD_SECRET})
        };
        // A full first page (the inventory asks for 100 at a time), then the last one.
        let mut first: Vec<Value> = (1..100).map(|n| ld_token(&format!("ld-fill-{n:03}"), "filler", 1_770_000_000_000, Some(1_780_000_000_000))).collect();
        first.insert(0, ld_token("ld-1", "deploy", 1_700_000_000_000, Some(1_780_000_000_000)));
        self.launchdarkly
            .get_tokens()
            .show_all(true)
            .limit(100)
            .respond_pages(vec![ld_page(Value::Array(first), 101), ld_page(json!([ld_token("ld-2", "forgotten", 1_600_000_000_000, None)]), 101)])
            .await;
    }

    async fn verify(&self) {
        self.codecatalyst.verify().await;
        self.workmail.verify().await;
        self.sailpoint.verify().await;
        self.launchdarkly.verify().await;
    }
}

async fn inventory(config: &Config, run: &Run) -> Outcome {
    let clients = Clients::build(config).unwrap();
    token_inventory::run(&clients, run, now(), &|_, _| {}).await.unwrap()
}

fn list(format: Format) -> Run {
    Run { policies: Policies::default(), format, revoke: false, yes: false }
}

fn assert_no_secret(outcome: &Outcome) {
    for text in [&outcome.stdout, &outcome.stderr] {
        for secret in [LD_SECRET, AWS_SECRET, "cc-pat", "sp-jwt", "api-reader"] {
            assert!(!text.contains(secret), "{secret} was printed:\n{text}");
        }
    }
}

#[tokio::test]
async fn every_page_of_every_vendor_lands_in_one_table() {
    let servers = Servers::start().await;
    servers.mount_listings().await;
    let outcome = inventory(&servers.config(), &list(Format::Table)).await;
    assert_eq!(outcome.status, OK, "{}", outcome.stderr);
    for id in ["cc-1", "cc-2", "wm-1", "wm-2", "sp-1", "ld-1", "ld-2"] {
        assert!(outcome.stdout.contains(id), "{id} missing:\n{}", outcome.stdout);
    }
    assert!(outcome.stdout.contains("dave@example.com") && outcome.stdout.contains("carol"), "{}", outcome.stdout);
    assert!(outcome.stderr.contains("106 token(s) (codecatalyst 2, workmail 2, sailpoint 1, launchdarkly 101)"), "{}", outcome.stderr);
    assert_no_secret(&outcome);
    servers.verify().await;
}

#[tokio::test]
async fn policies_flag_tokens_and_set_the_exit_status() {
    let servers = Servers::start().await;
    servers.mount_listings().await;
    let run = Run {
        policies: Policies {
            expired: true,
            expiring_within: Some(chrono::Duration::days(30)),
            unused_for: Some(chrono::Duration::days(90)),
            never_expires: true,
        },
        ..list(Format::Json)
    };
    let outcome = inventory(&servers.config(), &run).await;
    assert_eq!(outcome.status, POLICY_BROKEN, "{}", outcome.stderr);
    let rows: Vec<Value> = serde_json::from_str(&outcome.stdout).unwrap();
    let flags = |id: &str| -> Vec<String> {
        let row = rows.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} missing"));
        row["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(flags("cc-1"), ["expired"]);
    assert!(flags("cc-2").is_empty());
    assert_eq!(flags("wm-1"), ["expiring-soon"], "expires 2026-06-09");
    assert_eq!(flags("wm-2"), ["unused"], "never used, created 2020");
    assert_eq!(flags("sp-1"), ["never-expires"]);
    assert_eq!(flags("ld-1"), ["never-expires"]);
    assert_eq!(flags("ld-2"), ["never-expires", "unused"]);
    // cc-1, wm-1, wm-2, sp-1 and all 101 LaunchDarkly tokens (which never expire).
    assert!(outcome.stderr.contains("105 flagged"), "{}", outcome.stderr);
    assert_no_secret(&outcome);
}

#[tokio::test]
async fn a_failing_vendor_is_reported_and_the_others_still_print() {
    let servers = Servers::start().await;
    let denied: workmail_client::types::EntityNotFoundException = serde_json::from_value(json!({"Message": "no such organization"})).unwrap();
    servers
        .workmail
        .list_personal_access_tokens()
        .respond_error(workmail_client::errors::ListPersonalAccessTokensError::EntityNotFoundException(denied))
        .await;
    servers.mount_listings().await;
    let outcome = inventory(&servers.config(), &list(Format::Csv)).await;
    assert_eq!(outcome.status, VENDOR_FAILED);
    assert!(outcome.stderr.contains("error: workmail: could not list tokens"), "{}", outcome.stderr);
    let mut reader = csv::Reader::from_reader(outcome.stdout.as_bytes());
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).filter(|id| !id.starts_with("ld-fill")).collect();
    // Sorted by vendor, owner, name: CodeCatalyst's `ci` before `laptop`.
    assert_eq!(ids, ["cc-2", "cc-1", "sp-1", "ld-1", "ld-2"]);
    assert_no_secret(&outcome);
}

#[tokio::test]
async fn revoke_is_a_dry_run_unless_confirmed() {
    let servers = Servers::start().await;
    servers.mount_listings().await;
    let policies = Policies { expired: true, ..Policies::default() };
    let dry = inventory(&servers.config(), &Run { policies: policies.clone(), revoke: true, ..list(Format::Table) }).await;
    assert!(dry.stderr.contains("would revoke codecatalyst token cc-1 (laptop)"), "{}", dry.stderr);
    assert_eq!(dry.status, POLICY_BROKEN);
    assert_eq!(deletes(&servers.codecatalyst).await, 0);

    servers.mount_listings().await;
    servers.codecatalyst.delete_access_token().id("cc-1").times(1).respond().await;
    let done = inventory(&servers.config(), &Run { policies, revoke: true, yes: true, ..list(Format::Table) }).await;
    assert!(done.stderr.contains("revoked codecatalyst token cc-1 (laptop)"), "{}", done.stderr);
    assert_eq!(deletes(&servers.codecatalyst).await, 1);
    servers.codecatalyst.verify().await;
}

async fn deletes(server: &codecatalyst_client::mock::MockServer) -> usize {
    server.received_requests().await.iter().filter(|r| r.method.as_str() == "DELETE").count()
}

#[test]
fn the_environment_configures_vendors_and_the_file_wins() {
    let env = |name: &str| match name {
        "LD_API_KEY" => Some("from-env".to_owned()),
        "WORKMAIL_ORGANIZATION_ID" => Some(ORG.to_owned()),
        _ => None,
    };
    let config = Config::load(None, &env).unwrap();
    assert_eq!(config.vendors(), [token_inventory::Vendor::Workmail, token_inventory::Vendor::Launchdarkly]);

    let dir = std::env::temp_dir().join(format!("token-inventory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inventory.toml");
    std::fs::write(&file, "[launchdarkly]\napi_key = \"from-file\"\n").unwrap();
    let config = Config::load(Some(&file), &env).unwrap();
    assert_eq!(config.launchdarkly.as_ref().map(|c| c.api_key.as_str()), Some("from-file"));
    std::fs::write(&file, "[launchdarkly]\napi_key = \"x\"\ntypo = 1\n").unwrap();
    let error = Config::load(Some(&file), &env).err().expect("an unknown key is an error");
    assert!(format!("{error:#}").contains("typo"), "{error:#}");
}
