//! Atomic writes: a file is written beside its destination under a temporary
//! name, then moved into place, so a reader never sees half a file and a crash
//! leaves the old one whole.
//!
//! Both are [`crate::fsutil`]'s, which also flushes the file to disk, names
//! temporary files apart across threads, and locks read-modify-writes.

use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::fsutil::write_atomic(path, bytes)
}

/// Like [`write`], but never replaces an existing file: `Ok(false)` when
/// `path` already exists (and nothing was written).
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<bool, Error> {
    crate::fsutil::create_new(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        assert!(create_new(&path, b"one").unwrap());
        assert!(!create_new(&path, b"two").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write(&path, b"three").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }
}
