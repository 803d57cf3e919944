//! The typed mocks (`mock` feature) used the way a user of a generated crate would: code under
//! test talks to a `MockServer` through the real client, expectations are written with the
//! operations' own parameter and body types, and `verify()` says what went wrong.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::{FutureExt, TryStreamExt};
use serde_json::json;

fn fast() -> launchdarkly_client::RetryPolicy {
    launchdarkly_client::RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn ld_token(id: &str) -> launchdarkly_client::types::Token {
    serde_json::from_value(json!({
        "_id": id, "ownerId": "owner-1", "memberId": "member-1",
        "creationDate": 1_700_000_000_000_i64, "lastModified": 1_700_000_000_000_i64,
        "_links": {}, "name": format!("token {id}"),
    }))
    .unwrap()
}

fn ld_page(ids: &[&str], total: i64) -> launchdarkly_client::types::Tokens {
    launchdarkly_client::types::Tokens {
        items: Some(ids.iter().map(|id| ld_token(id)).collect()),
        links: None,
        total_count: Some(total),
    }
}

/// The code under test: every token name, through the paginated stream.
async fn all_token_names(client: &launchdarkly_client::Client) -> Result<Vec<String>, launchdarkly_client::Error<launchdarkly_client::errors::GetTokensError>> {
    let tokens: Vec<_> = client.get_tokens().limit(2).stream().try_collect().await?;
    Ok(tokens.into_iter().filter_map(|t| t.name).collect())
}

#[tokio::test]
async fn pages_are_served_in_turn_to_a_stream() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    server
        .get_tokens()
        .limit(2)
        .respond_pages(vec![ld_page(&["a", "b"], 5), ld_page(&["c", "d"], 5), ld_page(&["e"], 5)])
        .await;
    let client = server.client_builder().api_key("api-test").build().unwrap();
    let names = all_token_names(&client).await.unwrap();
    assert_eq!(names, ["token a", "token b", "token c", "token d", "token e"]);
    server.verify().await;
    let offsets: Vec<String> = server
        .received_requests()
        .await
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "offset").map(|(_, v)| v.into_owned()).unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

#[tokio::test]
async fn a_typed_body_is_matched_and_a_typed_success_returned() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    let wanted: launchdarkly_client::types::AccessTokenPost = serde_json::from_value(json!({"name": "ci", "role": "reader"})).unwrap();
    let mut created = ld_token("new");
    created.token = Some(launchdarkly_client::Secret::new("api-created-secret"));
    server.post_token().body(wanted).times(1).respond(created).await;

    let client = server.client_builder().api_key("api-test").build().unwrap();
    let token = client.post_token().name("ci").role("reader").send().await.unwrap().into_inner();
    assert_eq!(token.id, "new");
    assert_eq!(token.token.as_ref().map(|s| s.expose_secret()), Some("api-created-secret"));
    server.verify().await;
}

#[tokio::test]
async fn a_documented_error_goes_out_at_its_status_and_decodes_into_its_variant() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    let not_found: launchdarkly_client::types::NotFoundErrorRep = serde_json::from_value(json!({"code": "not_found", "message": "Unknown token"})).unwrap();
    server
        .delete_token()
        .id("tok-9")
        .respond_error(launchdarkly_client::errors::DeleteTokenError::NotFound(not_found.clone()))
        .await;
    let client = server.client_builder().api_key("api-test").build().unwrap();
    let error = client.delete_token().id("tok-9").send().await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.api_error(), Some(&launchdarkly_client::errors::DeleteTokenError::NotFound(not_found)));
    server.verify().await;
}

#[tokio::test]
async fn a_429_then_a_success_exercises_the_retry_policy() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    server.get_token().id("tok-1").times(1).respond_status(429).await;
    server.get_token().id("tok-1").respond(ld_token("tok-1")).await;
    let client = server.client_builder().api_key("api-test").retry(fast()).build().unwrap();
    let response = client.get_token().id("tok-1").send().await.unwrap();
    assert_eq!(response.id, "tok-1");
    assert_eq!(server.received_requests().await.len(), 2);
    server.verify().await;
}

#[tokio::test]
async fn verify_names_the_operation_and_what_differed() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    server.get_tokens().limit(5).respond(ld_page(&[], 0)).await;
    let client = server.client_builder().api_key("api-test").retry(launchdarkly_client::RetryPolicy::none()).build().unwrap();
    // The code under test asks for 10: nothing matches, and the server answers 404.
    let error = client.get_tokens().limit(10).send().await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    let failure = AssertUnwindSafe(server.verify()).catch_unwind().await.expect_err("verify must fail");
    let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("getTokens was expected at least once but answered 0 times"), "{message}");
    assert!(message.contains("query `limit`: expected `5`, got `10`"), "{message}");
}

#[tokio::test]
async fn verify_counts_times() {
    let server = launchdarkly_client::mock::MockServer::start().await;
    server.get_token().times(2).respond(ld_token("x")).await;
    let client = server.client_builder().api_key("api-test").build().unwrap();
    client.get_token().id("x").send().await.unwrap();
    let failure = AssertUnwindSafe(server.verify()).catch_unwind().await.expect_err("one call of two");
    let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("getToken was expected 2 times but answered 1 time"), "{message}");
}

#[tokio::test]
async fn aws_json_operations_match_on_their_typed_input_and_answer_with_error_codes() {
    use workmail_client::errors::ListPersonalAccessTokensError;
    use workmail_client::types::{EntityNotFoundException, ListPersonalAccessTokensRequest, ListPersonalAccessTokensResponse};

    let server = workmail_client::mock::MockServer::start().await;
    let page = |token: Option<&str>, ids: &[&str]| -> ListPersonalAccessTokensResponse {
        serde_json::from_value(json!({
            "NextToken": token,
            "PersonalAccessTokenSummaries": ids.iter().map(|id| json!({"PersonalAccessTokenId": id, "Name": id})).collect::<Vec<_>>(),
        }))
        .unwrap()
    };
    server
        .list_personal_access_tokens()
        .body_matching(|input: &ListPersonalAccessTokensRequest| input.organization_id == "m-0123456789abcdef0123456789abcdef")
        .respond_pages(vec![page(Some("t1"), &["a", "b"]), page(None, &["c"])])
        .await;
    let missing: EntityNotFoundException = serde_json::from_value(json!({"Message": "no such user"})).unwrap();
    server
        .list_personal_access_tokens()
        .body_matching(|input: &ListPersonalAccessTokensRequest| input.organization_id == "m-ffffffffffffffffffffffffffffffff")
        .respond_error(ListPersonalAccessTokensError::EntityNotFoundException(missing.clone()))
        .await;

    let client = server.client_builder().region("eu-west-1").aws_credentials("AKIDTEST", "secret").build().unwrap();
    let ids: Vec<String> = client
        .list_personal_access_tokens()
        .organization_id("m-0123456789abcdef0123456789abcdef")
        .stream()
        .map_ok(|summary| summary.personal_access_token_id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
    let error = client.list_personal_access_tokens().organization_id("m-ffffffffffffffffffffffffffffffff").send().await.unwrap_err();
    // Told apart by the code the mock sends (`__type`, `X-Amzn-ErrorType`), as from AWS.
    match error.api_error() {
        Some(ListPersonalAccessTokensError::EntityNotFoundException(e)) => {
            assert_eq!(e.message, missing.message);
            assert_eq!(e.type_.as_deref(), Some("EntityNotFoundException"));
        }
        other => panic!("{other:?}"),
    }
    server.verify().await;
    let received = server.received_requests().await;
    assert_eq!(received[0].headers["x-amz-target"], "WorkMailService.ListPersonalAccessTokens");
    assert!(received[0].headers.contains_key("authorization"), "the client still signs");
}

#[tokio::test]
async fn token_pagination_and_path_parameters_on_the_other_crates() {
    let server = codecatalyst_client::mock::MockServer::start().await;
    let page = |next: Option<&str>, ids: &[&str]| -> codecatalyst_client::types::ListAccessTokensResponse {
        serde_json::from_value(json!({"nextToken": next, "items": ids.iter().map(|id| json!({"id": id, "name": id})).collect::<Vec<_>>()})).unwrap()
    };
    server.list_access_tokens().respond_pages(vec![page(Some("n1"), &["a"]), page(None, &["b"])]).await;
    server.delete_access_token().id("a/b").respond().await;
    let client = server.client_builder().bearer_token("pat").build().unwrap();
    let names: Vec<String> = client.list_access_tokens().stream().map_ok(|t| t.name).try_collect().await.unwrap();
    assert_eq!(names, ["a", "b"]);
    client.delete_access_token().id("a/b").send().await.unwrap();
    server.verify().await;

    let sailpoint = sailpoint_client::mock::MockServer::start().await;
    sailpoint.delete_personal_access_token().id("pat-1").respond().await;
    let client = sailpoint.client_builder().bearer_token("jwt").build().unwrap();
    client.delete_personal_access_token().id("pat-1").send().await.unwrap();
    sailpoint.verify().await;
}

/// Array and object query parameters, which none of the four specs has, matched through the
/// runtime calls a generated setter makes for them (`params.yaml`'s snapshot shows those).
#[tokio::test]
async fn array_and_object_query_parameters_match_as_the_client_encodes_them() {
    use codegen_runtime::mock::{Answer, MockServer, PathPart};

    let server = MockServer::start().await;
    server
        .expect("listThings", http::Method::GET, vec![PathPart::Literal("/things")])
        .with(|request| {
            for field in ["id", "name"] {
                request.query("fields", field);
            }
            request.query_value("filter", &json!({"size": "large", "max": 3}), true);
            request.query_value("window", &json!({"from": 1, "to": 9}), false);
            Ok(())
        })
        .times(1)
        .respond(Answer::status(204))
        .await;
    let http = reqwest::Client::new();
    let get = |query: &'static str| {
        let url = format!("{}/things?{query}", server.uri());
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().status().as_u16() }
    };
    // A missing array item, or an object property with another value, is another request.
    assert_eq!(get("fields=id&filter%5Bsize%5D=large&filter%5Bmax%5D=3&from=1&to=9").await, 404);
    assert_eq!(get("fields=id&fields=name&filter%5Bsize%5D=small&filter%5Bmax%5D=3&from=1&to=9").await, 404);
    // The pairs in another order are the same request.
    assert_eq!(get("to=9&filter%5Bmax%5D=3&fields=id&from=1&filter%5Bsize%5D=large&fields=name").await, 204);
    server.verify().await;
}
