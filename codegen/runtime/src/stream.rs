//! Streaming responses: server-sent events (`text/event-stream`, as OpenAI's and Anthropic's
//! streaming endpoints send them) and JSON lines (`application/x-ndjson`,
//! `application/jsonl`), each decoded item by item as the bytes arrive.
//!
//! The body is read lazily, in whatever pieces the network delivers: an event split across
//! two reads is put back together, and several events in one read are each yielded.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::Stream;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::response::{RawResponse, Response};

/// A successful streaming response's items, decoded as `T` as they arrive.
pub fn events<T, E>(mut raw: RawResponse, framing: Framing) -> Result<Response<Events<T, E>>, Error<E>> {
    match raw.take_unread() {
        Some(response) => {
            let (status, headers) = (response.status().as_u16(), response.headers().clone());
            Ok(Response::new(status, headers, Events::new(response, framing, raw.attempts())))
        }
        // Read in full already (a request not sent as streaming): nothing to stream.
        None => Err(raw.unexpected()),
    }
}

/// How a streaming body is cut into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Server-sent events: each event's `data` lines, joined, are one item. A `data` of
    /// `[DONE]` (OpenAI's end marker) ends the stream.
    ServerSentEvents,
    /// One JSON value per line; blank lines are skipped.
    JsonLines,
}

/// The items of a streaming response, decoded as `T`. A transport failure or an item that
/// does not decode ends the stream with an error.
pub struct Events<T, E> {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    framing: Framing,
    buffer: BytesMut,
    /// Items cut from the buffer, not yet yielded.
    ready: VecDeque<Bytes>,
    /// The current server-sent event's `data` lines so far.
    data: Option<Vec<u8>>,
    status: u16,
    headers: HeaderMap,
    attempts: u32,
    done: bool,
    _item: PhantomData<fn() -> (T, E)>,
}

impl<T, E> Events<T, E> {
    pub fn new(response: reqwest::Response, framing: Framing, attempts: u32) -> Self {
        Events {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            // `chunk()` rather than reqwest's `stream` feature: one dependency feature less
            // for every generated crate.
            body: Box::pin(futures::stream::unfold(response, |mut response| async move {
                match response.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), response)),
                    Ok(None) => None,
                    Err(error) => Some((Err(error), response)),
                }
            })),
            framing,
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            data: None,
            attempts,
            done: false,
            _item: PhantomData,
        }
    }

    /// Cuts the complete lines out of the buffer; at the end of the body, the rest too.
    fn cut(&mut self, end: bool) {
        while let Some(newline) = self.buffer.iter().position(|&b| b == b'\n') {
            let line = self.buffer.split_to(newline + 1);
            self.line(trim_line_end(&line));
        }
        if end && !self.buffer.is_empty() {
            let line = self.buffer.split();
            self.line(trim_line_end(&line));
        }
        if end {
            // A final event without its blank line still counts.
            self.dispatch();
        }
    }

    fn line(&mut self, line: &[u8]) {
        match self.framing {
            Framing::JsonLines => {
                if !line.iter().all(u8::is_ascii_whitespace) {
                    self.ready.push_back(Bytes::copy_from_slice(line));
                }
            }
            Framing::ServerSentEvents => {
                if line.is_empty() {
                    self.dispatch();
                    return;
                }
                if line.starts_with(b":") {
                    return; // a comment (keep-alive)
                }
                let (field, value) = match line.iter().position(|&b| b == b':') {
                    Some(colon) => {
                        let value = &line[colon + 1..];
                        (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                    }
                    None => (line, &b""[..]),
                };
                // `event`, `id` and `retry` say nothing the decoded item does not.
                if field == b"data" {
                    let data = self.data.get_or_insert_with(Vec::new);
                    if !data.is_empty() {
                        data.push(b'\n');
                    }
                    data.extend_from_slice(value);
                }
            }
        }
    }

    fn dispatch(&mut self) {
        if let Some(data) = self.data.take() {
            self.ready.push_back(Bytes::from(data));
        }
    }

    fn decode(&self, item: Bytes) -> Result<T, Error<E>>
    where
        T: DeserializeOwned,
    {
        serde_json::from_slice(&item).map_err(|source| Error::Decode {
            status: self.status,
            headers: Box::new(self.headers.clone()),
            body: item,
            source,
            attempts: self.attempts,
        })
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl<T: DeserializeOwned, E> Stream for Events<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Events` is `Unpin`: its body stream is boxed, and nothing else is pinned.
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.pop_front() {
                if this.framing == Framing::ServerSentEvents && item.as_ref() == b"[DONE]" {
                    this.done = true;
                    this.ready.clear();
                    return Poll::Ready(None);
                }
                let decoded = this.decode(item);
                if decoded.is_err() {
                    this.done = true;
                }
                return Poll::Ready(Some(decoded));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    this.buffer.extend_from_slice(&chunk);
                    this.cut(false);
                }
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport {
                        source: error.without_url(),
                        attempts: this.attempts,
                    })));
                }
                Poll::Ready(None) => {
                    this.cut(true);
                    this.done = true;
                }
            }
        }
    }
}

impl<T, E> Unpin for Events<T, E> {}

impl<T, E> std::fmt::Debug for Events<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").field("framing", &self.framing).field("status", &self.status).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(framing: Framing, pieces: &[&str]) -> Vec<String> {
        let mut events: Events<serde_json::Value, ()> = Events {
            body: Box::pin(futures::stream::empty()),
            framing,
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            data: None,
            status: 200,
            headers: HeaderMap::new(),
            attempts: 1,
            done: false,
            _item: PhantomData,
        };
        for piece in pieces {
            events.buffer.extend_from_slice(piece.as_bytes());
            events.cut(false);
        }
        events.cut(true);
        events.ready.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect()
    }

    #[test]
    fn server_sent_events_are_cut_across_pieces() {
        let items = cut(
            Framing::ServerSentEvents,
            &[": keep-alive\n\nevent: delta\ndata: {\"a\"", ":1}\r\n\r\ndata: {\"b\":2}\ndata: {\"c\":3}\n\nid: 7\ndata:[DONE]"],
        );
        assert_eq!(items, [r#"{"a":1}"#, "{\"b\":2}\n{\"c\":3}", "[DONE]"]);
    }

    #[test]
    fn json_lines_skip_blank_lines_and_keep_the_last_without_newline() {
        let items = cut(Framing::JsonLines, &["{\"a\":1}\n\n{\"b\"", ":2}\r\n{\"c\":3}"]);
        assert_eq!(items, [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]);
    }
}
