//! The human report's propositions as the last `volte check` rendered them,
//! so that a re-check judges and renders only the propositions whose claims
//! changed, and copies the others.
//!
//! `report.parts` in the cache folder holds, for each proposition, its text
//! and its counts under a BLAKE3 digest of everything the text is made from:
//! volte's build, the rulebook (the claims cache's key, which covers the rule
//! files, the lexicons and `--include-comments`), the conflict window, the
//! acknowledgements (and today's date when there are some, for expiry),
//! `fail_on`, colour, and, in corpus order, each article with claims on the
//! proposition: its shown path and the digest of its body in the claims
//! cache, which holds its metadata and all its claims (not its place in the
//! corpus, which moves when an article is added before it; see
//! `Run::part_digests`). So the digests are known before any kept body is
//! read, and the same digest means the same text.
//!
//! Layout: a first line naming the format, the texts one after the other,
//! then a JSON trailer (the entries: digest, where the text is, counts), then
//! the trailer's offset as 8 little-endian bytes. When some parts changed,
//! their texts and a new trailer are added to the end of the file (the kept
//! parts' texts stay where they are, the old trailer is left unused), under
//! a lock, so a re-check after one article is added writes the parts it
//! rendered, not the whole report again; a failed addition is cut off
//! again; a run that finds another adding to it (the lock taken) renders
//! every part and writes a file of its own, rather than wait for the other
//! run's report, which may be a while (`volte check | less`). Once the file would hold more unused bytes than used
//! ones, it is written anew to a temporary file and renamed into place. A file that
//! does not read back (a run killed while adding to it) is ignored with a
//! warning, and deleting it costs one full rendering.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Checks, Tally};
use crate::pipeline::Run;

/// The first line of the file; bumped whenever the layout or the meaning of
/// an entry changes.
const MAGIC: &[u8] = b"volte report parts 1\n";

/// What a proposition's text is made from, hashed.
pub type Digest = [u8; 32];

/// One proposition's part as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    #[serde(with = "crate::cache::hex")]
    digest: Digest,
    start: u64,
    len: u64,
    tally: Tally,
    /// The acknowledgements its contradictions use (indices in the file).
    used: Vec<usize>,
    /// Whether its text holds an escape byte (colour, or one from an
    /// article), which a plain standard output strips: then it is not
    /// handed over whole ([`Output::write_from`]). Assumed of an entry that
    /// does not say.
    #[serde(default = "yes")]
    escapes: bool,
}

fn yes() -> bool {
    true
}

/// Where the human report is written: a writer that may also be handed a
/// stretch of a file to write as it is. Standard output takes it straight
/// from the kernel (`std::io::copy`, which uses `copy_file_range`,
/// `sendfile` or `splice`), so a kept part's bytes need not pass through
/// volte.
pub trait Output: Write {
    /// Writes the next `len` bytes of `file` (an error when it holds fewer)
    /// and returns `true`, or returns `false` having written nothing: the
    /// bytes are then to go through [`Write`].
    fn write_from(&mut self, file: &mut File, len: u64) -> io::Result<bool> {
        let _ = (file, len);
        Ok(false)
    }
}

impl Output for Vec<u8> {}

impl Entry {
    /// The part's counts.
    pub fn tally(&self) -> Tally {
        self.tally.clone()
    }

    pub fn used(&self) -> &[usize] {
        &self.used
    }
}

/// The parts of the last run, read from the cache folder, and the file the
/// parts of this run go to.
#[derive(Debug)]
pub struct Parts {
    path: PathBuf,
    /// The file as found (shared by the workers that copy texts from it),
    /// and its entries, when it read back whole.
    old: Option<(Mutex<File>, Vec<Entry>)>,
    /// Its length when read.
    old_len: u64,
    /// Things the user should know (a corrupt file, a failed write).
    pub warnings: Vec<String>,
}

impl Parts {
    /// The parts kept in cache folder `dir`; none when there is no file yet,
    /// none with a warning when it does not read back.
    pub fn open(dir: &Path) -> Parts {
        let path = dir.join("report.parts");
        let mut parts = Parts {
            path,
            old: None,
            old_len: 0,
            warnings: Vec::new(),
        };
        match read_entries(&parts.path) {
            Ok(old) => {
                parts.old = old.map(|(file, entries, len)| {
                    parts.old_len = len;
                    (Mutex::new(file), entries)
                })
            }
            Err(e) => parts.warnings.push(format!(
                "{}: {e}; rendering every proposition",
                parts.path.display()
            )),
        }
        parts
    }

    /// The stored part with this digest.
    pub fn find(&self, digest: &Digest) -> Option<&Entry> {
        let (_, entries) = self.old.as_ref()?;
        entries.iter().find(|e| &e.digest == digest)
    }

    /// True when the file holds exactly these parts, in this order: nothing
    /// to write.
    pub fn holds(&self, digests: &[Digest]) -> bool {
        self.old.as_ref().is_some_and(|(_, entries)| {
            entries.len() == digests.len()
                && entries.iter().zip(digests).all(|(e, d)| &e.digest == d)
        })
    }

    /// Copies the text of a stored part to `out`, and to `writer` as this
    /// run's part with the same digest, a block at a time (or handed to
    /// `out` whole, when nothing else needs the bytes).
    pub fn copy(
        &self,
        entry: &Entry,
        out: &mut dyn Output,
        mut writer: Option<&mut Writer>,
    ) -> io::Result<()> {
        let Some((file, _)) = self.old.as_ref() else {
            return Err(io::Error::other("no parts file"));
        };
        if let Some(w) = writer.as_deref_mut() {
            if w.adds() {
                // Its text stays where it is.
                w.entries.push(entry.clone());
                writer = None;
            }
        }
        let mut file = file.lock().map_err(|_| io::Error::other("parts file"))?;
        file.seek(SeekFrom::Start(entry.start))?;
        if writer.is_none() && !entry.escapes {
            let handed = out
                .write_from(&mut file, entry.len)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::UnexpectedEof => {
                        io::Error::new(e.kind(), format!("reading {}: {e}", self.path.display()))
                    }
                    _ => e,
                })?;
            if handed {
                return Ok(());
            }
        }
        if let Some(w) = writer.as_deref_mut() {
            w.begin();
        }
        let mut left = entry.len;
        let mut block = vec![0u8; 1 << 16];
        while left > 0 {
            let n = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            file.read_exact(&mut block[..n]).map_err(|e| {
                io::Error::new(e.kind(), format!("reading {}: {e}", self.path.display()))
            })?;
            out.write_all(&block[..n])?;
            if let Some(w) = writer.as_deref_mut() {
                w.write(&block[..n]);
            }
            left -= n as u64;
        }
        if let Some(w) = writer {
            w.end(entry.digest, &entry.tally(), &entry.used);
        }
        Ok(())
    }

    /// Where this run's parts go: the end of the file found, while it
    /// holds more bytes in use than not, else a new file written beside it.
    pub fn writer(&mut self) -> Option<Writer> {
        let used: u64 = self
            .old
            .as_ref()
            .map_or(0, |(_, entries)| entries.iter().map(|e| e.len).sum());
        if self.old.is_some() && self.old_len < 2 * used {
            if let Ok(w) = Writer::add_to(&self.path, self.old_len) {
                return Some(w);
            }
        }
        match Writer::create(&self.path) {
            Ok(w) => Some(w),
            Err(e) => {
                self.warnings.push(format!(
                    "could not write the cache: {}: {e}",
                    self.path.display()
                ));
                None
            }
        }
    }

    /// Puts the new file in place of the old one.
    pub fn finish(&mut self, writer: Writer) {
        if let Err(e) = writer.finish() {
            self.warnings.push(format!(
                "could not write the cache: {}: {e}",
                self.path.display()
            ));
        }
    }
}

/// The entries of the file at `path`, with the file open for their texts;
/// `None` when there is no file.
fn read_entries(path: &Path) -> io::Result<Option<(File, Vec<Entry>, u64)>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // Not while another run adds to it (it holds the lock alone until its
    // trailer is written, which may be a while: its report goes out as it
    // is rendered): then this run renders every part, and writes a file
    // of its own. Where there are no locks, the file is read as it is.
    let locked = match file.try_lock_shared() {
        Ok(()) => true,
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(_)) => false,
    };
    let read = read_trailer(&mut file);
    if locked {
        let _ = file.unlock();
    }
    let (entries, len) = read?;
    Ok(Some((file, entries, len)))
}

/// The entries of a parts file open in `file`, and its length.
fn read_trailer(file: &mut File) -> io::Result<(Vec<Entry>, u64)> {
    let corrupt = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let len = file.metadata()?.len();
    if len < MAGIC.len() as u64 + 8 {
        return Err(corrupt("cut short"));
    }
    let mut magic = vec![0; MAGIC.len()];
    file.read_exact(&mut magic)?;
    if magic != MAGIC {
        return Err(corrupt("not a parts file of this volte"));
    }
    file.seek(SeekFrom::End(-8))?;
    let mut tail = [0u8; 8];
    file.read_exact(&mut tail)?;
    let trailer = u64::from_le_bytes(tail);
    if trailer < MAGIC.len() as u64 || trailer > len - 8 {
        return Err(corrupt("damaged (trailer out of place)"));
    }
    file.seek(SeekFrom::Start(trailer))?;
    let mut json = vec![0; usize::try_from(len - 8 - trailer).map_err(|_| corrupt("too big"))?];
    file.read_exact(&mut json)?;
    let entries: Vec<Entry> =
        serde_json::from_slice(&json).map_err(|e| corrupt(&format!("damaged ({e})")))?;
    if entries
        .iter()
        .any(|e| e.start < MAGIC.len() as u64 || e.start.saturating_add(e.len) > trailer)
    {
        return Err(corrupt("damaged (a part out of place)"));
    }
    Ok((entries, len))
}

/// This run's parts as they are rendered: texts straight to a temporary file,
/// entries kept for the trailer.
#[derive(Debug)]
pub struct Writer {
    /// Dropped unfinished (a failed run), it leaves the old file as it was.
    out: Out,
    /// Where the part being written starts, and where the next byte goes.
    start: u64,
    at: u64,
    /// An escape byte was written in the part ([`Entry::escapes`]).
    escapes: bool,
    entries: Vec<Entry>,
    /// A write failed: the file is not put in place.
    failed: bool,
}

/// Where a [`Writer`] writes.
#[derive(Debug)]
enum Out {
    /// A new file, renamed into place at the end (taken then).
    New(Option<crate::fsutil::Staged>),
    /// The end of the file found, `len` bytes long (and locked) when the
    /// writer was made; dropped unfinished, the bytes added are cut off.
    Add {
        out: io::BufWriter<File>,
        len: u64,
        done: bool,
    },
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Out::New(Some(out)) => out.write(bytes),
            Out::New(None) => Err(io::ErrorKind::BrokenPipe.into()),
            Out::Add { out, .. } => out.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::New(out) => out.as_mut().map_or(Ok(()), Write::flush),
            Out::Add { out, .. } => out.flush(),
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        if let Out::Add {
            out,
            len,
            done: false,
        } = self
        {
            let _ = out.flush();
            let _ = out.get_ref().set_len(*len);
        }
    }
}

impl Writer {
    /// Adds to the end of the file at `path`, found `len` bytes long: the
    /// lock is held until the writer is dropped, and the file must still be
    /// that long (no other run added to it meanwhile).
    fn add_to(path: &Path, len: u64) -> io::Result<Writer> {
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        // Another run adding to it goes on alone: this one writes a file of
        // its own instead.
        file.try_lock().map_err(io::Error::from)?;
        if file.metadata()?.len() != len {
            return Err(io::Error::other("changed by another run meanwhile"));
        }
        Ok(Writer {
            out: Out::Add {
                out: io::BufWriter::with_capacity(1 << 16, file),
                len,
                done: false,
            },
            start: len,
            at: len,
            escapes: false,
            entries: Vec::new(),
            failed: false,
        })
    }

    /// Whether it adds to the file found (the kept parts' texts stay).
    fn adds(&self) -> bool {
        matches!(self.out, Out::Add { .. })
    }

    fn create(path: &Path) -> io::Result<Writer> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut out = crate::fsutil::Staged::create(path).map_err(io::Error::other)?;
        out.write_all(MAGIC)?;
        Ok(Writer {
            out: Out::New(Some(out)),
            start: MAGIC.len() as u64,
            at: MAGIC.len() as u64,
            escapes: false,
            entries: Vec::new(),
            failed: false,
        })
    }

    /// Adds the next proposition's part.
    pub fn add(&mut self, digest: Digest, tally: &Tally, used: &[usize], text: &str) {
        self.begin();
        self.write(text.as_bytes());
        self.end(digest, tally, used);
    }

    pub fn begin(&mut self) {
        self.start = self.at;
        self.escapes = false;
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.escapes = self.escapes || memchr::memchr(0x1b, bytes).is_some();
        if self.out.write_all(bytes).is_err() {
            self.failed = true;
        }
        self.at += bytes.len() as u64;
    }

    pub fn end(&mut self, digest: Digest, tally: &Tally, used: &[usize]) {
        self.entries.push(Entry {
            digest,
            start: self.start,
            len: self.at - self.start,
            tally: tally.clone(),
            used: used.to_vec(),
            escapes: self.escapes,
        });
    }

    fn finish(mut self) -> io::Result<()> {
        let written = (|| {
            if self.failed {
                return Err(io::Error::other("a part could not be written"));
            }
            serde_json::to_writer(&mut self.out, &self.entries)?;
            self.out.write_all(&self.at.to_le_bytes())?;
            self.out.flush()
        })();
        written?;
        match &mut self.out {
            Out::Add { done, .. } => {
                *done = true;
                Ok(())
            }
            Out::New(out) => match out.take() {
                Some(out) => out.commit().map_err(io::Error::other),
                None => Ok(()),
            },
        }
    }
}

/// What every part of this run is made from besides its claims.
pub fn salt(run: &Run, checks: &Checks<'_>, plain: bool) -> blake3::Hasher {
    let mut h = blake3::Hasher::new();
    let mut put = |field: &str| {
        h.update(&(field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    };
    put(env!("CARGO_PKG_VERSION"));
    put(std::str::from_utf8(MAGIC).unwrap_or_default());
    // A rebuilt volte may render differently under the same version.
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    put(&build);
    put(run.cache_key.as_deref().unwrap_or_default());
    put(&run.window_days.to_string());
    put(if plain { "plain" } else { "colour" });
    put(&format!("{:?}", checks.fail_on));
    let acks = checks
        .acknowledgements
        .map(|a| a.entries.as_slice())
        .unwrap_or_default();
    put(&format!("{acks:?}"));
    if !acks.is_empty() {
        put(&format!("{:?}", checks.today));
    }
    h
}

/// The digest of every proposition's part, side by side; `None` for a
/// run without a cache.
pub fn digests(run: &Run, checks: &Checks<'_>, plain: bool) -> Option<Vec<Digest>> {
    run.part_digests(&salt(run, checks, plain))
}
