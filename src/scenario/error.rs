//! Located scenario errors: file, line, column, field path, what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a scenario, located as precisely as known.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// File the offending value was written in.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path such as `dock[guantang].berths[0].count` (empty for file-level problems).
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// A problem with a whole file (missing, unreadable).
    pub fn file_level(file: &Path, field: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

/// Problems listed at most per check; the rest are counted. A hundred is more than anyone fixes before
/// running again.
pub const MAX_DIAGNOSTICS: usize = 100;

/// `out`, followed by a line saying how many more problems were found but not listed.
pub(crate) fn with_suppressed(mut out: Vec<Diagnostic>, suppressed: usize) -> Vec<Diagnostic> {
    if suppressed > 0
        && let Some(last) = out.last()
    {
        let file = last.file.clone();
        out.push(Diagnostic::file_level(
            &file,
            "",
            format!("... and {suppressed} more problems like these (only the first {MAX_DIAGNOSTICS} are listed)"),
        ));
    }
    out
}

/// Everything wrong with a scenario (all problems found, not just the first).
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// The problems, in file order where possible.
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    /// An error with one problem.
    pub fn single(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostics: vec![diagnostic],
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// A number as a message should show it: plainly when it is of everyday size (`0.25`, `20037.5`), in
/// scientific notation otherwise (`1e-300`, `6.34e12`), so an extreme input never prints 300 digits.
pub fn readable(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        let text = format!("{x:.3e}");
        // 1.000e10 -> 1e10, 2.500e-7 -> 2.5e-7
        match text.split_once('e') {
            Some((mantissa, exponent)) if mantissa.contains('.') => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
            _ => text,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn readable_numbers() {
        assert_eq!(super::readable(0.25), "0.25");
        assert_eq!(super::readable(1e-300), "1e-300");
        assert_eq!(super::readable(6.337e12), "6.337e12");
        assert_eq!(super::readable(1e10), "1e10");
        assert_eq!(super::readable(f64::INFINITY), "inf");
    }
}
