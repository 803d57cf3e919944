//! Where each node of a YAML or JSON document starts, by JSON pointer.
//!
//! serde and `openapiv3` forget positions, so diagnostics look them up here: a second, cheap
//! pass over the text with an event parser that keeps its marks.

use std::collections::{HashMap, HashSet};

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

    /// Indexes only `pointers` and their ancestors: what a report that names a few hundred
    /// places of a 12 MB document needs, without a map of its million nodes. JSON is read by
    /// a scanner of its own, many times faster than the YAML event parser.
    pub fn index_only<'p>(text: &str, pointers: impl IntoIterator<Item = &'p str>) -> SourceMap {
        let mut wanted = HashSet::new();
        for pointer in pointers {
            let mut pointer = pointer;
            while wanted.insert(pointer.to_string()) {
                match pointer.rfind('/') {
                    Some(cut) => pointer = &pointer[..cut],
                    None => break,
                }
            }
        }
        if wanted.is_empty() {
            return SourceMap::default();
        }
        if text.trim_start().starts_with('{') {
            if let Some(positions) = json::positions(text, &wanted) {
                return SourceMap { positions, spans: Vec::new() };
            }
        }
        let mut builder = Builder { wanted: Some(wanted), ..Builder::default() };
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
    /// When set, only these pointers are kept, and the insides of any other node skipped.
    wanted: Option<HashSet<String>>,
    /// How deep inside a skipped node the parser is.
    skipping: usize,
}

impl Builder {
    fn keeps(&self, pointer: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(pointer))
    }

    fn record(&mut self, pointer: String, position: Position) {
        if self.keeps(&pointer) {
            self.positions.insert(pointer, position);
        }
    }

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
                self.record(child.clone(), position);
                Some(child)
            }
            Some(Frame::Mapping { pointer, pending_key, locate_at_first_key }) => match pending_key.take() {
                Some(key) => Some(format!("{pointer}/{}", escape_token(&key))),
                None => {
                    // A key: remember where it stands; its value is the next node.
                    let key = event_is_scalar.unwrap_or_default().to_string();
                    let child = format!("{pointer}/{}", escape_token(&key));
                    let first_key = std::mem::take(locate_at_first_key).then(|| pointer.clone());
                    *pending_key = Some(key);
                    self.record(child, position);
                    if let Some(pointer) = first_key {
                        self.record(pointer, position);
                    }
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.skipping > 0 {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => self.skipping += 1,
                Event::MappingEnd | Event::SequenceEnd => self.skipping -= 1,
                _ => {}
            }
            return;
        }
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
                    Some(pointer) if !self.keeps(&pointer) => {
                        self.skipping = 1;
                        return;
                    }
                    Some(pointer) => Frame::Mapping { pointer, pending_key: None, locate_at_first_key: is_item },
                    // A complex (non-scalar) key: index nothing below it.
                    None => Frame::Mapping { pointer: "#/?".into(), pending_key: None, locate_at_first_key: false },
                };
                self.stack.push(frame);
            }
            Event::SequenceStart(..) => {
                let pointer = self.next_node(None, mark).unwrap_or_else(|| "#/?".into());
                if !self.keeps(&pointer) {
                    self.skipping = 1;
                    return;
                }
                self.stack.push(Frame::Sequence { pointer, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Positions in a JSON text, found by a scanner that reads the keys only of the objects on the
/// way to a wanted pointer and steps over everything else.
mod json {
    use std::collections::{HashMap, HashSet};

    use super::{escape_token, Position};

    /// `None` when the text is not JSON as this scanner reads it (the caller falls back to
    /// the YAML parser).
    pub fn positions(text: &str, wanted: &HashSet<String>) -> Option<HashMap<String, Position>> {
        let mut scan = Scan { text, bytes: text.as_bytes(), at: 0, line: 1, line_start: 0, columns: (0, 0), wanted, out: HashMap::new() };
        scan.space();
        let root = scan.mark();
        let position = scan.position(root);
        scan.out.insert("#".to_string(), position);
        scan.value(Some("#".to_string()), true, 0)?;
        Some(scan.out)
    }

    /// Deeper than this is not a spec: given up, to keep the recursion bounded.
    const MAX_DEPTH: usize = 512;

    /// Where a node starts: its line, that line's first byte, and its own byte.
    #[derive(Clone, Copy)]
    struct Mark {
        line: usize,
        line_start: usize,
        at: usize,
    }

    struct Scan<'a> {
        text: &'a str,
        bytes: &'a [u8],
        at: usize,
        line: usize,
        line_start: usize,
        /// The last column counted: (byte, characters from its line's start). Marks are
        /// asked for in text order, so a one-line (minified) document is counted once.
        columns: (usize, usize),
        wanted: &'a HashSet<String>,
        out: HashMap<String, Position>,
    }

    impl Scan<'_> {
        fn mark(&self) -> Mark {
            Mark { line: self.line, line_start: self.line_start, at: self.at }
        }

        /// 1-based line and column (in characters, as the YAML parser counts them).
        fn position(&mut self, mark: Mark) -> Position {
            let (from, counted) = if self.columns.0 >= mark.line_start && self.columns.0 <= mark.at { self.columns } else { (mark.line_start, 0) };
            let column = counted + self.text.get(from..mark.at).map_or(0, |s| s.chars().count());
            self.columns = (mark.at, column);
            Position { line: mark.line, column: column + 1 }
        }

        fn record(&mut self, pointer: &str, mark: Mark) {
            let position = self.position(mark);
            self.out.insert(pointer.to_string(), position);
        }

        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.at).copied()
        }

        fn expect(&mut self, byte: u8) -> Option<()> {
            (self.peek()? == byte).then(|| self.at += 1)
        }

        fn space(&mut self) {
            while let Some(byte) = self.peek() {
                match byte {
                    b'\n' => {
                        self.at += 1;
                        self.line += 1;
                        self.line_start = self.at;
                    }
                    b' ' | b'\t' | b'\r' => self.at += 1,
                    _ => break,
                }
            }
        }

        /// A string at the cursor; decoded when `decode`.
        fn string(&mut self, decode: bool) -> Option<Option<String>> {
            let start = self.at;
            self.expect(b'"')?;
            let mut escaped = false;
            loop {
                match *self.bytes.get(self.at)? {
                    b'"' => break,
                    b'\\' => {
                        escaped = true;
                        self.at += 2;
                    }
                    b'\n' => return None,
                    _ => self.at += 1,
                }
            }
            self.at += 1;
            if !decode {
                return Some(None);
            }
            let raw = self.text.get(start..self.at)?;
            let decoded = if escaped { serde_json::from_str(raw).ok()? } else { raw[1..raw.len() - 1].to_string() };
            Some(Some(decoded))
        }

        /// Steps over an object's or array's opening bracket; whether it is empty (`close`
        /// follows, and is stepped over too).
        fn open(&mut self, close: u8) -> Option<bool> {
            self.at += 1;
            self.space();
            let empty = self.peek()? == close;
            if empty {
                self.at += 1;
            }
            Some(empty)
        }

        /// After a member or item: a `,` (another follows) or `close` (the end), stepped over.
        fn closed(&mut self, close: u8) -> Option<bool> {
            self.space();
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b',' => Some(false),
                _ if byte == close => Some(true),
                _ => None,
            }
        }

        /// The value at the cursor. `pointer` is set when the value is on the way to a wanted
        /// pointer; `item`: an object here is located at its first key, as the YAML index does.
        fn value(&mut self, pointer: Option<String>, item: bool, depth: usize) -> Option<()> {
            if depth > MAX_DEPTH {
                return None;
            }
            match self.peek()? {
                b'{' => {
                    if self.open(b'}')? {
                        return Some(());
                    }
                    let mut first = item;
                    loop {
                        self.space();
                        let key_mark = self.mark();
                        let key = self.string(pointer.is_some())?;
                        if std::mem::take(&mut first) {
                            if let Some(pointer) = &pointer {
                                self.record(pointer, key_mark);
                            }
                        }
                        let child = match (&pointer, key) {
                            (Some(pointer), Some(key)) => Some(format!("{pointer}/{}", escape_token(&key))).filter(|c| self.wanted.contains(c)),
                            _ => None,
                        };
                        if let Some(child) = &child {
                            self.record(child, key_mark);
                        }
                        self.space();
                        self.expect(b':')?;
                        self.space();
                        self.value(child, false, depth + 1)?;
                        if self.closed(b'}')? {
                            return Some(());
                        }
                    }
                }
                b'[' => {
                    if self.open(b']')? {
                        return Some(());
                    }
                    let mut index = 0usize;
                    loop {
                        self.space();
                        let child = pointer.as_ref().map(|p| format!("{p}/{index}")).filter(|c| self.wanted.contains(c));
                        if let Some(child) = &child {
                            let mark = self.mark();
                            self.record(child, mark);
                        }
                        self.value(child, true, depth + 1)?;
                        index += 1;
                        if self.closed(b']')? {
                            return Some(());
                        }
                    }
                }
                b'"' => self.string(false).map(|_| ()),
                _ => {
                    // A number, `true`, `false` or `null`.
                    let start = self.at;
                    while self.peek().is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')) {
                        self.at += 1;
                    }
                    (self.at > start).then_some(())
                }
            }
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

    /// Every pointer the full index knows is found at the same place when asked for alone,
    /// in YAML and in JSON (pretty and minified).
    #[test]
    fn indexing_only_some_pointers_finds_the_same_positions() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n        - {name: x, in: query}\n      tags: [a, \"b\"]\ncomponents:\n  schemas:\n    \"A~B\": {type: object}\n";
        let value: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap().replace("A~B", "A~B\\u00e9é");
        let minified = serde_json::to_string(&value).unwrap().replace("A~B", "A~B\\u00e9é");
        for text in [yaml.to_string(), pretty, minified] {
            let full = SourceMap::index(&text);
            assert!(full.positions.len() > 15, "{text}");
            for (pointer, position) in &full.positions {
                let only = SourceMap::index_only(&text, [pointer.as_str()]);
                assert_eq!(only.locate(pointer), Some(*position), "{pointer} in\n{text}");
            }
            if text.starts_with('{') {
                let wanted: HashSet<String> = full.positions.keys().cloned().collect();
                assert_eq!(json::positions(&text, &wanted).as_ref(), Some(&full.positions), "the JSON scanner reads {text}");
            }
            let all = SourceMap::index_only(&text, full.positions.keys().map(String::as_str));
            assert_eq!(all.positions, full.positions, "{text}");
            // An unknown pointer falls back to its nearest ancestor, as in the full index.
            let missing = "#/paths/~1a~1{id}/get/responses/200";
            assert_eq!(SourceMap::index_only(&text, [missing]).locate(missing), full.locate(missing));
        }
    }
}
