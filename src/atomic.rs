//! Atomic writes: a file is written beside its destination under a temporary
//! name, then moved into place, so a reader never sees half a file and a crash
//! leaves the old one whole.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let temp = write_temp(path, bytes)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(path, e)
    })
}

/// Like [`write`], but never replaces an existing file: `Ok(false)` when
/// `path` already exists (and nothing was written).
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<bool, Error> {
    if path.exists() {
        return Ok(false);
    }
    let temp = write_temp(path, bytes)?;
    // A hard link fails when the destination exists, so two runs adding the
    // same file cannot overwrite each other.
    let linked = std::fs::hard_link(&temp, path);
    let outcome = match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: check, then rename.
        Err(_) if !path.exists() => std::fs::rename(&temp, path)
            .map(|()| true)
            .map_err(|e| Error::io(path, e)),
        Err(_) => Ok(false),
    };
    let _ = std::fs::remove_file(&temp);
    outcome
}

fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes).map_err(|e| Error::io(&temp, e))?;
    Ok(temp)
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
