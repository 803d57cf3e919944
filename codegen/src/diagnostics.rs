//! Refusals as data: where in which file, and what to change.

use std::fmt;

/// One located problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file as the user named it.
    pub file: String,
    /// A JSON pointer into the document, such as `#/paths/~1tokens/get`.
    pub pointer: String,
    /// 1-based line and column, when the document's text has them.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// A sentence saying what is wrong and what to change.
    pub message: String,
    pub severity: Severity,
}

/// An error refuses the spec (or, generating leniently, leaves a part out); a warning says
/// what the generator did about something odd in it, and never stops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pointer: pointer.into(),
            line: None,
            column: None,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}: {}\n  at {}", self.message, self.pointer)
    }
}

/// All the problems found in one spec; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn single(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
