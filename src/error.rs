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
    #[error("{}: duplicate article id `{id}` (also used by {})", path.display(), first.display())]
    DuplicateId {
        path: PathBuf,
        first: PathBuf,
        id: String,
    },
    /// A file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The command line or the setup is wrong (missing folder, unknown name).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
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

/// A YAML syntax or shape error, located in `path`. serde-saphyr's own message
/// already carries a snippet of the offending lines; keep it, and put the
/// file:line:column first where editors and CI logs look for it.
pub fn yaml_error(path: &Path, error: &serde_saphyr::Error) -> Error {
    let (line, column) = error
        .location()
        .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    Error::Rule {
        path: path.to_path_buf(),
        line,
        column,
        message: error.to_string(),
    }
}
