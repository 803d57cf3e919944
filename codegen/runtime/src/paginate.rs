//! Pagination streams: every item of every page, fetched lazily, one page at a time.
//!
//! The generated `.stream()` methods say how to fetch a page and how to split one into its
//! items and where the next page starts; these functions do the walking, so both styles of
//! `x-pagination` share one tested loop.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use futures::stream::{self, Stream};

use super::error::Error;
use super::response::Response;

/// Pages that carry a token to the next page (AWS style: `nextToken` in, `nextToken` out).
///
/// `fetch(token)` sends the request for the page after `token` (`None`: the first page);
/// `split(page)` gives the page's items and the next token, absent or empty on the last
/// page. A token seen before ends the stream with an error instead of looping for ever.
pub fn by_token<P, T, E, F, Fut, S>(
    first_token: Option<String>,
    fetch: F,
    split: S,
) -> Pin<Box<impl Stream<Item = Result<T, Error<E>>>>>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<Response<P>, Error<E>>>,
    S: Fn(P) -> (Vec<T>, Option<String>),
{
    struct State<F, S, T> {
        fetch: F,
        split: S,
        next: Option<Option<String>>,
        seen: HashSet<String>,
        buffer: VecDeque<T>,
        /// A token came back that was used before: report it once this page is out.
        looping: bool,
    }
    let mut seen = HashSet::new();
    if let Some(token) = &first_token {
        seen.insert(token.clone());
    }
    let state = State {
        fetch,
        split,
        next: Some(first_token),
        seen,
        buffer: VecDeque::new(),
        looping: false,
    };
    // Boxed so that callers get an `Unpin` stream: `while let Some(x) = s.next().await`
    // works without pinning it first.
    Box::pin(stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            if std::mem::take(&mut state.looping) {
                return Some((Err(Error::repeated_page_token()), state));
            }
            let token = state.next.take()?;
            let page = match (state.fetch)(token).await {
                Ok(page) => page.into_inner(),
                Err(error) => return Some((Err(error), state)),
            };
            let (items, next) = (state.split)(page);
            state.buffer.extend(items);
            match next.filter(|token| !token.is_empty()) {
                None => {}
                Some(token) if !state.seen.insert(token.clone()) => state.looping = true,
                Some(token) => state.next = Some(Some(token)),
            }
        }
    }))
}

/// Whether a page links to a next one, by a JSON pointer into the page (`/_links/next`):
/// `Some(true)` when the link is there, `Some(false)` when its parent is there without it
/// (the page links, but not onwards), and `None` when the page has no links at all and so
/// says nothing either way.
pub fn has_next_link(page: &serde_json::Value, pointer: &str) -> Option<bool> {
    let present = |value: &serde_json::Value| !value.is_null();
    if page.pointer(pointer).is_some_and(present) {
        return Some(true);
    }
    let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
    page.pointer(parent)
        .filter(|links| links.is_object())
        .map(|_| false)
}

/// Pages addressed by offset and limit (`?offset=50&limit=25`).
///
/// `fetch(offset)` sends the request for the page at `offset`; `split(page)` gives its items
/// and, when the API says, the total number of items and whether a next page exists. The
/// walk ends on an empty page, on a page shorter than `limit`, once `total` items are behind
/// it, or on a page that says there is no next one. The last guard matters for servers that
/// ignore `offset` (older API versions) and would otherwise send the same page for ever.
pub fn by_offset<P, T, E, F, Fut, S>(
    start: i64,
    limit: Option<i64>,
    fetch: F,
    split: S,
) -> Pin<Box<impl Stream<Item = Result<T, Error<E>>>>>
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = Result<Response<P>, Error<E>>>,
    S: Fn(P) -> (Vec<T>, Option<i64>, Option<bool>),
{
    struct State<F, S, T> {
        fetch: F,
        split: S,
        next: Option<i64>,
        buffer: VecDeque<T>,
    }
    let state = State {
        fetch,
        split,
        next: Some(start),
        buffer: VecDeque::new(),
    };
    Box::pin(stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            let offset = state.next.take()?;
            let page = match (state.fetch)(offset).await {
                Ok(page) => page.into_inner(),
                Err(error) => return Some((Err(error), state)),
            };
            let (items, total, has_next) = (state.split)(page);
            let count = items.len() as i64;
            state.buffer.extend(items);
            let next = offset.saturating_add(count);
            let last = count == 0
                || limit.is_some_and(|limit| count < limit)
                || total.is_some_and(|total| next >= total)
                || has_next == Some(false);
            if !last {
                state.next = Some(next);
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use http::HeaderMap;
    use std::sync::{Arc, Mutex};

    type Page = (Vec<u32>, Option<String>);

    fn page<E>(body: Page) -> Result<Response<Page>, Error<E>> {
        Ok(Response::new(200, HeaderMap::new(), body))
    }

    fn run<T, E>(stream: impl Stream<Item = Result<T, Error<E>>>) -> Vec<Result<T, Error<E>>> {
        futures::executor::block_on(stream.collect())
    }

    #[test]
    fn token_pages_yield_every_item_once_in_order() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let items = run::<u32, ()>(by_token(
            None,
            move |token: Option<String>| {
                log.lock().unwrap().push(token.clone());
                let body = match token.as_deref() {
                    None => (vec![1, 2], Some("a".to_string())),
                    Some("a") => (vec![3], Some("b".to_string())),
                    _ => (vec![4], None),
                };
                std::future::ready(page(body))
            },
            |p: Page| p,
        ));
        let items: Vec<u32> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(
            *calls.lock().unwrap(),
            vec![None, Some("a".into()), Some("b".into())]
        );
    }

    #[test]
    fn an_empty_token_ends_the_walk() {
        let items = run::<u32, ()>(by_token(
            None,
            |_| std::future::ready(page((vec![7], Some(String::new())))),
            |p: Page| p,
        ));
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn a_repeated_token_is_an_error_not_a_loop() {
        let results = run::<u32, ()>(by_token(
            None,
            |token: Option<String>| {
                let body = match token.as_deref() {
                    None => (vec![1], Some("a".to_string())),
                    _ => (vec![2], Some("a".to_string())),
                };
                std::future::ready(page(body))
            },
            |p: Page| p,
        ));
        assert_eq!(results.len(), 3, "two items, then the error");
        assert!(matches!(results[2], Err(Error::Pagination { .. })));
    }

    #[test]
    fn offset_pages_stop_at_the_total() {
        let items = run::<u32, ()>(by_offset(
            0,
            Some(2),
            |offset: i64| {
                let all = [10u32, 11, 12, 13, 14];
                let slice = all
                    .iter()
                    .copied()
                    .skip(offset as usize)
                    .take(2)
                    .collect::<Vec<_>>();
                std::future::ready(Ok::<_, Error<()>>(Response::new(
                    200,
                    HeaderMap::new(),
                    (slice, Some(5i64)),
                )))
            },
            |(items, total): (Vec<u32>, Option<i64>)| (items, total, None),
        ));
        let items: Vec<u32> = items.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(items, vec![10, 11, 12, 13, 14]);
    }

    #[test]
    fn offset_pages_without_total_stop_on_an_empty_page() {
        let fetched = Arc::new(Mutex::new(0));
        let count = fetched.clone();
        let items = run::<u32, ()>(by_offset(
            0,
            None,
            move |offset: i64| {
                *count.lock().unwrap() += 1;
                let body = if offset < 4 {
                    vec![offset as u32, offset as u32 + 1]
                } else {
                    Vec::new()
                };
                std::future::ready(Ok::<_, Error<()>>(Response::new(
                    200,
                    HeaderMap::new(),
                    (body, None::<i64>),
                )))
            },
            |(items, total): (Vec<u32>, Option<i64>)| (items, total, None),
        ));
        assert_eq!(items.len(), 4);
        assert_eq!(*fetched.lock().unwrap(), 3);
    }

    #[test]
    fn next_links_are_read_from_their_parent() {
        let page = serde_json::json!({"_links": {"self": {}, "next": {"href": "/x"}}});
        assert_eq!(has_next_link(&page, "/_links/next"), Some(true));
        let page = serde_json::json!({"_links": {"self": {}}});
        assert_eq!(has_next_link(&page, "/_links/next"), Some(false));
        let page = serde_json::json!({"_links": {"next": null}});
        assert_eq!(has_next_link(&page, "/_links/next"), Some(false));
        let page = serde_json::json!({"items": []});
        assert_eq!(has_next_link(&page, "/_links/next"), None);
    }

    #[test]
    fn a_page_without_a_next_link_is_the_last() {
        // A server that ignores `offset` answers every request with the same full page.
        let fetched = Arc::new(Mutex::new(0));
        let count = fetched.clone();
        let items = run::<u32, ()>(by_offset(
            0,
            None,
            move |_offset: i64| {
                *count.lock().unwrap() += 1;
                std::future::ready(Ok::<_, Error<()>>(Response::new(
                    200,
                    HeaderMap::new(),
                    vec![1u32, 2, 3],
                )))
            },
            |items: Vec<u32>| (items, None, Some(false)),
        ));
        assert_eq!(items.len(), 3);
        assert_eq!(*fetched.lock().unwrap(), 1);
    }

    #[test]
    fn an_error_ends_the_stream_after_it_is_yielded() {
        let results = run::<u32, &str>(by_offset(
            0,
            None,
            |_| {
                std::future::ready(Err::<Response<(Vec<u32>, Option<i64>)>, _>(
                    Error::<&str>::Timeout { attempts: 1 },
                ))
            },
            |(items, total): (Vec<u32>, Option<i64>)| (items, total, None),
        ));
        assert_eq!(results.len(), 1);
    }
}
