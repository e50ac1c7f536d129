//! Files that volte writes or reads whole, so that nothing is ever lost: every
//! write goes to a temporary file beside the target and is renamed into place
//! (a crash or Ctrl-C leaves the old file or the new one, never half of one),
//! an existing file is replaced only when asked, and a read-modify-write holds
//! a lock so two volte processes cannot lose each other's changes.
//!
//! The acknowledgements file, imported articles and the cache all write
//! through here; what is too big to hold whole is written a piece at a time
//! ([`Staged`]), then renamed into place the same way.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Error;

/// Temporary files of this process get distinct names, even across threads.
static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The folder of `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string())
}

/// A new hidden file beside `path`, with a name no other process or thread
/// is using.
fn create_temp(path: &Path) -> Result<(File, PathBuf), Error> {
    let dir = parent(path);
    let name = file_name(path);
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            // A stale file of an earlier process that had our pid.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&temp, e)),
        }
    }
}

/// Writes `bytes` to a new hidden file beside `path` and flushes it to disk
/// when `sync`: the first half of every write. The caller renames or links
/// it into place.
fn write_temp(path: &Path, bytes: &[u8], sync: bool) -> Result<PathBuf, Error> {
    let (mut file, temp) = create_temp(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) });
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(&temp);
        return Err(Error::io(&temp, e));
    }
    Ok(temp)
}

/// A file written a piece at a time beside `path`, for what is too big to
/// hold whole (the cache), and put in its place in one step by
/// [`Staged::commit`], without waiting for the disk. Dropped before that, it
/// is removed and `path` is as it was.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    temp: PathBuf,
    out: Option<std::io::BufWriter<File>>,
}

impl Staged {
    pub fn create(path: &Path) -> Result<Staged, Error> {
        let (file, temp) = create_temp(path)?;
        Ok(Staged {
            target: path.to_path_buf(),
            temp,
            out: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Puts the file written in place of `path`.
    pub fn commit(mut self) -> Result<(), Error> {
        if let Some(mut out) = self.out.take() {
            out.flush().map_err(|e| Error::io(&self.temp, e))?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

impl Write for Staged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            Some(out) => out.write(bytes),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Committed or not, no temporary file is left.
        drop(self.out.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Replaces `path` with `bytes` in one step: a temporary file beside it,
/// flushed, then renamed over it. Readers see the old content or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace(path, bytes, true)
}

/// [`write_atomic`] without waiting for the disk: for a file volte can
/// rebuild (the cache), where the wait would cost more than losing it to a
/// power cut. An interrupted process still leaves the old file whole.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace(path, bytes, false)
}

fn replace(path: &Path, bytes: &[u8], sync: bool) -> Result<(), Error> {
    let temp = write_temp(path, bytes, sync)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(path, e)
    })
}

/// Creates `path` with `bytes`, atomically, unless it exists: `Ok(false)`
/// then, and nothing is written. Two processes creating the same file at
/// once: one wins, the other gets `false`.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<bool, Error> {
    if path.exists() {
        return Ok(false);
    }
    let temp = write_temp(path, bytes, true)?;
    // A hard link never replaces an existing file, unlike a rename.
    let outcome = match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: check, then rename.
        Err(_) if !path.exists() => {
            return std::fs::rename(&temp, path).map(|()| true).map_err(|e| {
                let _ = std::fs::remove_file(&temp);
                Error::io(path, e)
            })
        }
        Err(_) => Ok(false),
    };
    let _ = std::fs::remove_file(&temp);
    outcome
}

/// Creates `path` with `bytes`, atomically; an existing file is an error
/// unless `force`, and then it is replaced atomically.
pub fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    if force {
        return write_atomic(path, bytes);
    }
    if create_new(path, bytes)? {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{}: already exists; pass --force to replace it",
            path.display()
        )))
    }
}

/// An exclusive lock on a file's read-modify-write, held until dropped. It
/// lives in a hidden file beside the target (`.NAME.lock`): the target itself
/// is replaced by each write, so a lock on it would not outlive the write.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Waits for, then takes, the lock of `path`.
pub fn lock(path: &Path) -> Result<Lock, Error> {
    let lock_path = parent(path).join(format!(".{}.lock", file_name(path)));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, e))?;
    file.lock().map_err(|e| Error::io(&lock_path, e))?;
    Ok(Lock { _file: file })
}

/// Reads `path` (`None` when it does not exist), lets `change` compute the new
/// text, and writes it atomically, all under the file's lock: two processes
/// updating the same file both see their change kept.
pub fn update(
    path: &Path,
    change: impl FnOnce(Option<String>) -> Result<String, Error>,
) -> Result<(), Error> {
    let _lock = lock(path)?;
    let current = match read_text(path) {
        Ok(text) => Some(text),
        Err(Error::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let new = change(current)?;
    write_atomic(path, new.as_bytes())
}

/// The most bytes a rule, lexicon or test-case file may hold: the bundled
/// rulebook is 50 KB, and a YAML parser fed 400 MB takes its time.
pub const MAX_RULE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a rule, lexicon or test-case file: UTF-8 (else the error names the
/// line where it breaks) and at most [`MAX_RULE_FILE_BYTES`]. Paths are shown
/// as the user should see them.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let shown = crate::corpus::display_path(path);
    // Looked at before opening: opening a named pipe waits for a writer.
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(&shown, e))?;
    if !metadata.is_file() {
        return Err(Error::Rule {
            path: shown,
            line: 1,
            column: 1,
            message: "not a regular file".into(),
        });
    }
    let size = metadata.len();
    let file = File::open(path).map_err(|e| Error::io(&shown, e))?;
    if size > MAX_RULE_FILE_BYTES {
        return Err(Error::Rule {
            path: shown,
            line: 1,
            column: 1,
            message: format!(
                "{:.1} MB, over the limit of {} MB for a rule file; split it",
                size as f64 / 1_048_576.0,
                MAX_RULE_FILE_BYTES / 1_048_576
            ),
        });
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_RULE_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| Error::io(&shown, e))?;
    text_from_bytes(&shown, bytes)
}

/// `bytes` as UTF-8, or an error naming the line and byte where it breaks.
pub fn text_from_bytes(shown: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    // French text is mostly not ASCII, where std's check slows down; simdutf8
    // checks it several times faster, and std's finds where it breaks.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just checked that `bytes` is valid UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..offset];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        Error::Article {
            path: shown.to_path_buf(),
            line,
            message: format!("not valid UTF-8 (byte {offset}); save the file as UTF-8"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("volte-fsutil-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn atomic_writes_replace_and_leave_no_temporary_file() {
        let dir = scratch("atomic");
        let path = dir.join("a.yaml");
        write_atomic(&path, b"one\n").unwrap();
        write_atomic(&path, b"two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        assert!(leftovers(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn new_files_never_replace_without_force() {
        let dir = scratch("new");
        let path = dir.join("article.md");
        write_new(&path, b"first\n", false).unwrap();
        let e = write_new(&path, b"second\n", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("already exists; pass --force"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
        write_new(&path, b"third\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "third\n");
        assert!(leftovers(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn concurrent_updates_keep_every_change() {
        let dir = scratch("update");
        let path = dir.join("list.txt");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        update(&path, |old| {
                            Ok(format!("{}{t}-{i}\n", old.unwrap_or_default()))
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 200);
        assert!(leftovers(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let e = text_from_bytes(Path::new("r.yaml"), b"a: 1\nb: \xe9t\xe9\n".to_vec())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "r.yaml:2: not valid UTF-8 (byte 8); save the file as UTF-8"
        );
    }
}
