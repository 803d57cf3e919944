//! Where each node of a YAML or JSON document starts, by JSON pointer.
//!
//! serde and `openapiv3` forget positions, so diagnostics look them up here: a second, cheap
//! pass over the text with an event parser that keeps its marks.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// JSON pointer (`#/paths/~1tokens/get`) → where that node's key (or, for the root and
/// sequence items, the node itself) starts.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    positions: HashMap<String, Position>,
    /// Each entry's byte range, for documents whose parser reports errors by offset (TOML).
    spans: Vec<(String, std::ops::Range<usize>)>,
}

impl SourceMap {
    /// Indexes `text`. A document the event parser rejects yields an empty map: the real parse
    /// reports that error with its own position.
    pub fn index(text: &str) -> SourceMap {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return SourceMap::default();
        }
        SourceMap { positions: builder.positions, spans: Vec::new() }
    }

    /// A map of another format's entries: pointer → (where its key starts, its byte range).
    pub fn from_entries(entries: HashMap<String, (Position, std::ops::Range<usize>)>) -> SourceMap {
        let mut spans: Vec<(String, std::ops::Range<usize>)> = entries.iter().map(|(p, (_, span))| (p.clone(), span.clone())).collect();
        spans.sort_by(|a, b| a.0.cmp(&b.0));
        SourceMap { positions: entries.into_iter().map(|(p, (position, _))| (p, position)).collect(), spans }
    }

    /// The pointer of the smallest entry whose range holds byte `offset`.
    pub fn innermost(&self, offset: usize) -> Option<String> {
        self.spans
            .iter()
            .filter(|(_, span)| span.start <= offset && offset <= span.end)
            .min_by_key(|(_, span)| span.end - span.start)
            .map(|(pointer, _)| pointer.clone())
    }

    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        let mut pointer = pointer;
        loop {
            if let Some(position) = self.positions.get(pointer) {
                return Some(*position);
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => return None,
            }
        }
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    /// In a mapping: the pointer of the mapping, and the key whose value comes next.
    /// `locate_at_first_key` is set for mappings whose own position the parser reports late
    /// (block mappings are only known at their first `:`): the first key's position is used.
    Mapping { pointer: String, pending_key: Option<String>, locate_at_first_key: bool },
    /// In a sequence: the pointer of the sequence and the next item's index.
    Sequence { pointer: String, next: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    positions: HashMap<String, Position>,
}

impl Builder {
    /// Decides the pointer of the node that starts now, consuming a pending key if any.
    /// Returns `None` when the scalar is itself a mapping key.
    fn next_node(&mut self, event_is_scalar: Option<&str>, mark: Marker) -> Option<String> {
        let position = Position { line: mark.line(), column: mark.col() + 1 };
        match self.stack.last_mut() {
            None => {
                self.positions.entry("#".to_string()).or_insert(position);
                Some("#".to_string())
            }
            Some(Frame::Sequence { pointer, next }) => {
                let child = format!("{pointer}/{next}");
                *next += 1;
                self.positions.insert(child.clone(), position);
                Some(child)
            }
            Some(Frame::Mapping { pointer, pending_key, locate_at_first_key }) => match pending_key.take() {
                Some(key) => Some(format!("{pointer}/{}", escape_token(&key))),
                None => {
                    // A key: remember where it stands; its value is the next node.
                    let key = event_is_scalar.unwrap_or_default().to_string();
                    let child = format!("{pointer}/{}", escape_token(&key));
                    self.positions.insert(child, position);
                    if std::mem::take(locate_at_first_key) {
                        self.positions.insert(pointer.clone(), position);
                    }
                    *pending_key = Some(key);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.next_node(Some(&value), mark);
            }
            Event::Alias(_) => {
                self.next_node(Some(""), mark);
            }
            Event::MappingStart(..) => {
                // Mapping values are located at their key already; the root and sequence
                // items are located at the mapping's first key.
                let is_item = !matches!(self.stack.last(), Some(Frame::Mapping { .. }));
                let frame = match self.next_node(None, mark) {
                    Some(pointer) => Frame::Mapping { pointer, pending_key: None, locate_at_first_key: is_item },
                    // A complex (non-scalar) key: index nothing below it.
                    None => Frame::Mapping { pointer: "#/?".into(), pending_key: None, locate_at_first_key: false },
                };
                self.stack.push(frame);
            }
            Event::SequenceStart(..) => {
                let pointer = self.next_node(None, mark).unwrap_or_else(|| "#/?".into());
                self.stack.push(Frame::Sequence { pointer, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_items() {
        let text = "openapi: 3.0.3\npaths:\n  /a/b:\n    get:\n      parameters:\n        - name: x\n          in: query\n";
        let map = SourceMap::index(text);
        assert_eq!(map.locate("#/openapi"), Some(Position { line: 1, column: 1 }));
        assert_eq!(map.locate("#"), Some(Position { line: 1, column: 1 }));
        assert_eq!(map.locate("#/paths/~1a~1b/get"), Some(Position { line: 4, column: 5 }));
        assert_eq!(map.locate("#/paths/~1a~1b/get/parameters/0"), Some(Position { line: 6, column: 11 }));
        assert_eq!(map.locate("#/paths/~1a~1b/get/parameters/0/in"), Some(Position { line: 7, column: 11 }));
        // Falls back to the nearest ancestor.
        assert_eq!(map.locate("#/paths/~1a~1b/get/responses/200"), Some(Position { line: 4, column: 5 }));
    }

    #[test]
    fn indexes_json_too() {
        let map = SourceMap::index("{\n  \"info\": {\n    \"title\": \"x\"\n  }\n}");
        assert_eq!(map.locate("#/info/title"), Some(Position { line: 3, column: 5 }));
    }
}
