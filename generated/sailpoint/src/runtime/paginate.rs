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

