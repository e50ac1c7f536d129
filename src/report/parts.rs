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

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Checks, Tally};
use crate::pipeline::Run;

/// The first line of the file; bumped whenever the layout or the meaning of
/// an entry changes.
const MAGIC: &[u8] = b"volte report parts 2\n";

/// What a proposition's text, or a piece of it, is made from, hashed.
pub type Digest = [u8; 32];

/// A stretch of a proposition's text as stored: its heading, a run of
/// timeline entries, a run of contradiction groups, or its end. A piece's
/// digest covers what its text is made from, so a proposition judged again
/// copies the pieces an added article leaves as they were.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Piece {
    #[serde(rename = "d", with = "crate::cache::hex")]
    digest: Digest,
    #[serde(rename = "s")]
    start: u64,
    #[serde(rename = "n")]
    len: u64,
    #[serde(rename = "t", default, skip_serializing_if = "Tally::is_empty")]
    tally: Tally,
    /// The acknowledgements its contradictions use (indices in the file).
    #[serde(rename = "u", default, skip_serializing_if = "Vec::is_empty")]
    used: Vec<usize>,
    /// Whether its text holds an escape byte (colour, or one from an
    /// article), which a plain standard output strips: then it is not
    /// handed over whole ([`Output::write_from`]).
    #[serde(rename = "e", default, skip_serializing_if = "std::ops::Not::not")]
    escapes: bool,
}

impl Piece {
    /// The piece's counts.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    pub fn used(&self) -> &[usize] {
        &self.used
    }
}

/// One proposition's part as stored: its pieces, in order, and its ledger.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    #[serde(with = "crate::cache::hex")]
    digest: Digest,
    tally: Tally,
    used: Vec<usize>,
    pieces: Vec<Piece>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ledger: Option<Blob>,
    /// The digest of what every part of its run was made from besides
    /// its claims ([`salt`]): no piece of a part made with another can be
    /// found again.
    #[serde(with = "crate::cache::hex")]
    salted: Digest,
}

/// Bytes kept beside a part: the proposition's ledger as the report keeps
/// it (`human::Stand`s, one an article), under a key of the rulebook and
/// the proposition, and checked by their hash when read.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Blob {
    #[serde(with = "crate::cache::hex")]
    key: Digest,
    start: u64,
    len: u64,
    #[serde(with = "crate::cache::hex")]
    hash: Digest,
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
    /// The old entries by digest, and their pieces (entry, piece).
    by_digest: HashMap<Digest, usize>,
    pieces: HashMap<Digest, (u32, u32)>,
    /// The old entries by the key of their ledger.
    ledgers: HashMap<Digest, usize>,
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
            by_digest: HashMap::new(),
            pieces: HashMap::new(),
            ledgers: HashMap::new(),
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
        if let Some((_, entries)) = &parts.old {
            for (i, entry) in entries.iter().enumerate() {
                parts.by_digest.insert(entry.digest, i);
                if let Some(ledger) = &entry.ledger {
                    parts.ledgers.insert(ledger.key, i);
                }
                for (j, piece) in entry.pieces.iter().enumerate() {
                    parts.pieces.insert(piece.digest, (i as u32, j as u32));
                }
            }
        }
        parts
    }

    /// The stored part with this digest.
    pub fn find(&self, digest: &Digest) -> Option<&Entry> {
        let (_, entries) = self.old.as_ref()?;
        entries.get(*self.by_digest.get(digest)?)
    }

    /// The stored piece with this digest, of any part.
    pub fn find_piece(&self, digest: &Digest) -> Option<&Piece> {
        let (_, entries) = self.old.as_ref()?;
        let &(i, j) = self.pieces.get(digest)?;
        entries.get(i as usize)?.pieces.get(j as usize)
    }

    /// The ledger kept under `key`, when the file holds one beside a part
    /// made with the same `salted` ([`Writer::salted`]: else none of its
    /// pieces would be found again) and it reads back as it was written.
    pub fn ledger(&self, key: &Digest, salted: &Digest) -> Option<Vec<u8>> {
        let (file, entries) = self.old.as_ref()?;
        let entry = entries.get(*self.ledgers.get(key)?)?;
        if &entry.salted != salted {
            return None;
        }
        let blob = entry.ledger.as_ref()?;
        let bytes = read_blob(file, blob).ok()?;
        (blake3::hash(&bytes).as_bytes() == &blob.hash).then_some(bytes)
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
    /// run's part with the same digest.
    pub fn copy(
        &self,
        entry: &Entry,
        out: &mut dyn Output,
        mut writer: Option<&mut Writer>,
    ) -> io::Result<()> {
        if let Some(w) = writer.as_deref_mut() {
            if w.adds() {
                // Its text stays where it is.
                w.entries.push(entry.clone());
                writer = None;
            }
        }
        if let Some(w) = writer.as_deref_mut() {
            w.begin_part();
        }
        // Pieces that follow one another in the file are copied as one.
        let mut at = 0;
        while at < entry.pieces.len() {
            let first = &entry.pieces[at];
            let mut end = first.start + first.len;
            let mut escapes = first.escapes;
            let mut next = at + 1;
            while writer.is_none() && next < entry.pieces.len() && entry.pieces[next].start == end {
                end += entry.pieces[next].len;
                escapes |= entry.pieces[next].escapes;
                next += 1;
            }
            self.copy_bytes(
                first.start,
                end - first.start,
                escapes,
                out,
                writer.as_deref_mut(),
            )?;
            if let Some(w) = writer.as_deref_mut() {
                w.end_piece(first.digest, &first.tally, &first.used);
            }
            at = next;
        }
        if let Some(w) = writer {
            if let (Some(blob), Some((file, _))) = (&entry.ledger, &self.old) {
                w.add_ledger(blob.key, &read_blob(file, blob)?);
            }
            w.end_part(entry.digest, &entry.tally, &entry.used);
        }
        Ok(())
    }

    /// Copies the text of a stored piece to `out`, and to `writer` as a
    /// piece of the part it is writing.
    pub fn copy_piece(
        &self,
        piece: &Piece,
        out: &mut dyn Output,
        writer: Option<&mut Writer>,
    ) -> io::Result<()> {
        match writer {
            Some(w) if w.adds() => {
                // Its text stays where it is.
                w.keep_piece(piece);
                self.copy_bytes(piece.start, piece.len, piece.escapes, out, None)
            }
            Some(w) => {
                self.copy_bytes(piece.start, piece.len, piece.escapes, out, Some(&mut *w))?;
                w.end_piece(piece.digest, &piece.tally, &piece.used);
                Ok(())
            }
            None => self.copy_bytes(piece.start, piece.len, piece.escapes, out, None),
        }
    }

    /// Copies `len` bytes of the file found from `start` to `out`, and to
    /// `writer` as the piece it is writing, a block at a time (or hands
    /// them to `out` whole, when nothing else needs them).
    fn copy_bytes(
        &self,
        start: u64,
        len: u64,
        escapes: bool,
        out: &mut dyn Output,
        mut writer: Option<&mut Writer>,
    ) -> io::Result<()> {
        let Some((file, _)) = self.old.as_ref() else {
            return Err(io::Error::other("no parts file"));
        };
        let mut file = file.lock().map_err(|_| io::Error::other("parts file"))?;
        file.seek(SeekFrom::Start(start))?;
        if writer.is_none() && !escapes {
            let handed = out.write_from(&mut file, len).map_err(|e| match e.kind() {
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
            w.begin_piece();
        }
        let mut left = len;
        let mut block = vec![0u8; (1 << 16).min(len as usize)];
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
        Ok(())
    }

    /// Where this run's parts go: the end of the file found, while it
    /// holds more bytes in use than not, else a new file written beside it.
    pub fn writer(&mut self) -> Option<Writer> {
        let used: u64 = self.old.as_ref().map_or(0, |(_, entries)| {
            entries
                .iter()
                .map(|e| {
                    let pieces: u64 = e.pieces.iter().map(|p| p.len).sum();
                    pieces + e.ledger.as_ref().map_or(0, |b| b.len)
                })
                .sum()
        });
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

/// The bytes of a blob of the file found.
fn read_blob(file: &Mutex<File>, blob: &Blob) -> io::Result<Vec<u8>> {
    let mut file = file.lock().map_err(|_| io::Error::other("parts file"))?;
    file.seek(SeekFrom::Start(blob.start))?;
    let mut bytes = vec![0; usize::try_from(blob.len).map_err(io::Error::other)?];
    file.read_exact(&mut bytes)?;
    Ok(bytes)
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
        .flat_map(|e| {
            let ledger = e.ledger.as_ref().map(|b| (b.start, b.len));
            e.pieces.iter().map(|p| (p.start, p.len)).chain(ledger)
        })
        .any(|(start, len)| start < MAGIC.len() as u64 || start.saturating_add(len) > trailer)
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
    /// Where the piece being written starts, and where the next byte goes.
    start: u64,
    at: u64,
    /// An escape byte was written in the piece ([`Piece::escapes`]).
    escapes: bool,
    /// The pieces of the part being written, and its ledger.
    pieces: Vec<Piece>,
    ledger: Option<Blob>,
    /// What the parts are made from besides their claims, hashed
    /// ([`Entry::salted`]).
    pub salted: Digest,
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
            pieces: Vec::new(),
            ledger: None,
            salted: [0; 32],
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
            pieces: Vec::new(),
            ledger: None,
            salted: [0; 32],
            entries: Vec::new(),
            failed: false,
        })
    }

    /// Begins the next proposition's part.
    pub fn begin_part(&mut self) {
        self.pieces.clear();
        self.ledger = None;
    }

    /// Keeps `bytes` beside the part being written, under `key`.
    pub fn add_ledger(&mut self, key: Digest, bytes: &[u8]) {
        let start = self.at;
        self.write(bytes);
        self.ledger = Some(Blob {
            key,
            start,
            len: bytes.len() as u64,
            hash: *blake3::hash(bytes).as_bytes(),
        });
    }

    /// Adds a piece of the part, its text written now.
    pub fn add_piece(&mut self, digest: Digest, tally: &Tally, used: &[usize], text: &str) {
        self.begin_piece();
        self.write(text.as_bytes());
        self.end_piece(digest, tally, used);
    }

    /// Adds a piece of the part whose text stays where it is in the file
    /// being added to.
    fn keep_piece(&mut self, piece: &Piece) {
        debug_assert!(self.adds());
        self.pieces.push(piece.clone());
    }

    fn begin_piece(&mut self) {
        self.start = self.at;
        self.escapes = false;
    }

    fn write(&mut self, bytes: &[u8]) {
        self.escapes = self.escapes || memchr::memchr(0x1b, bytes).is_some();
        if self.out.write_all(bytes).is_err() {
            self.failed = true;
        }
        self.at += bytes.len() as u64;
    }

    fn end_piece(&mut self, digest: Digest, tally: &Tally, used: &[usize]) {
        self.pieces.push(Piece {
            digest,
            start: self.start,
            len: self.at - self.start,
            tally: tally.clone(),
            used: used.to_vec(),
            escapes: self.escapes,
        });
    }

    /// Ends the part begun, with its digest and counts.
    pub fn end_part(&mut self, digest: Digest, tally: &Tally, used: &[usize]) {
        self.entries.push(Entry {
            digest,
            tally: tally.clone(),
            used: used.to_vec(),
            pieces: std::mem::take(&mut self.pieces),
            ledger: self.ledger.take(),
            salted: self.salted,
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
