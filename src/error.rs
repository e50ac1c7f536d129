//! Errors a caller can branch on. Every one names the file, and the line where
//! there is one: these are the messages a user sees before exit code 2.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule or lexicon file is malformed.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Rule {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// An article cannot be read as an article.
    #[error("{}:{line}: {message}", path.display())]
    Article {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Two articles claim the same id.
    #[error("{}:{line}: duplicate article id `{id}` (also used by {})", path.display(), first.display())]
    DuplicateId {
        path: PathBuf,
        line: usize,
        first: PathBuf,
        id: String,
    },
    /// A file or folder could not be read.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The command line or the setup is wrong (missing folder, unknown name).
    #[error("{0}")]
    Usage(String),
    /// A file that is not an article (binary, empty): the corpus passes over
    /// it and says so; a command given only that file reports it.
    #[error("{0}")]
    Skipped(crate::corpus::Skipped),
    /// Several errors found in one pass over the corpus, in path order.
    #[error("{}", several(.0))]
    Several(Vec<Error>),
}

/// One error per line; main prints the first after its own `error: `.
fn several(errors: &[Error]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "{}\nerror: {} errors in the corpus; nothing was checked",
        lines.join("\nerror: "),
        errors.len()
    )
}

impl Error {
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    pub fn rule(
        path: &Path,
        location: &serde_saphyr::Location,
        message: impl Into<String>,
    ) -> Self {
        Error::Rule {
            path: path.to_path_buf(),
            line: location.line().max(1),
            column: location.column().max(1),
            message: message.into(),
        }
    }
}

/// A YAML syntax or shape error, located in `path`: the message, then
/// serde-saphyr's snippet of the offending lines, named after the file.
pub fn yaml_error(path: &Path, error: &serde_saphyr::Error) -> Error {
    let (line, column) = error
        .location()
        .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    let name = path.display().to_string();
    let rendered = error.render_with_options(serde_saphyr::render_options! {
        source_name: Some(name.as_str()),
    });
    let mut message = yaml_message(&rendered);
    if let Some(hint) = did_you_mean(&message) {
        let first_end = message.find('\n').unwrap_or(message.len());
        message.insert_str(first_end, &hint);
    }
    if message.starts_with("expected sequence") {
        let first_end = message.find('\n').unwrap_or(message.len());
        message.insert_str(
            first_end,
            " (write a list: `[a, b]`, or one `- item` per line)",
        );
    }
    if (line, column) == (1, 1) && message.starts_with("expected mapping") {
        // The file's top level is not a map: say what it should be.
        let first_end = message.find('\n').unwrap_or(message.len());
        message.insert_str(
            first_end,
            " (a rule file is a map with `settings`, `entities` and `propositions` keys)",
        );
    }
    Error::Rule {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// The rendered message without its own "error: line L column C:" prefix
/// (volte puts file:line:column first), snippet lines kept.
pub fn yaml_message(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => rest,
        _ => first,
    };
    let mut message = first.to_string();
    for line in lines {
        message.push('\n');
        message.push_str(line);
    }
    message
}

/// For serde's "unknown field `suports`, expected one of `id`, `supports`, …":
/// " (did you mean `supports`?)".
fn did_you_mean(message: &str) -> Option<String> {
    let first = message.lines().next()?;
    let rest = first.split("unknown field `").nth(1)?;
    let (field, expected) = rest.split_once('`')?;
    let list = expected.split("expected one of ").nth(1)?;
    let names: Vec<&str> = list.split(", ").map(|n| n.trim_matches('`')).collect();
    crate::suggest::closest(field, names).map(|n| format!(" (did you mean `{n}`?)"))
}

/// The line of `text` at `line` with a caret under `column`, the way rustc
/// shows it, for errors found after parsing (an unknown entity, a bad regex).
pub fn snippet(path: &Path, text: &str, line: u64, column: u64) -> Option<String> {
    let source = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    snippet_of_line(path, source, line, column)
}

/// [`snippet`] given the line itself, for callers that show many snippets
/// of one file and keep its lines.
pub fn snippet_of_line(path: &Path, source: &str, line: u64, column: u64) -> Option<String> {
    let width = line.to_string().len();
    let pad = " ".repeat(width);
    let caret = " ".repeat(
        usize::try_from(column)
            .ok()?
            .saturating_sub(1)
            .min(source.chars().count()),
    );
    Some(format!(
        "{pad}--> {}:{line}:{column}\n{pad} |\n{line} | {source}\n{pad} | {caret}^",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_get_a_suggestion() {
        let m = "unknown field `suports`, expected one of id, claim, supports, opposes";
        assert_eq!(
            did_you_mean(m).as_deref(),
            Some(" (did you mean `supports`?)")
        );
        let m = "unknown field `suports`, expected one of `id`, `supports`";
        assert_eq!(
            did_you_mean(m).as_deref(),
            Some(" (did you mean `supports`?)")
        );
        assert_eq!(did_you_mean("something else"), None);
    }

    #[test]
    fn snippets_point_at_the_column() {
        let s = snippet(Path::new("r.yaml"), "a: 1\nb: [x]\n", 2, 5).unwrap();
        assert!(s.ends_with("2 | b: [x]\n  |     ^"), "{s}");
    }
}
