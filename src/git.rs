//! The few git questions volte asks, through the `git` command: where the
//! repository is, whether a revision exists, which files changed since it, and
//! what a file held at it. Nothing here touches the working tree.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;

/// A git repository seen from a folder inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    pub root: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot run git ({e}); --since and `volte diff` need git installed"
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Usage(format!(
            "git {} failed: {}",
            args.join(" "),
            stderr.trim()
        )));
    }
    Ok(output.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

impl Repo {
    /// The repository that holds `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, Error> {
        let root = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            Error::Usage(format!(
                "{}: not inside a git repository; --since and `volte diff` compare with a git revision",
                dir.display()
            ))
        })?;
        Ok(Repo {
            root: PathBuf::from(text(root)),
        })
    }

    /// The full commit id of `rev`, or a clear error when the repository lacks it.
    pub fn resolve(&self, rev: &str) -> Result<String, Error> {
        let spec = format!("{rev}^{{commit}}");
        git(&self.root, &["rev-parse", "--verify", "--quiet", &spec])
            .map(text)
            .map_err(|_| {
                let fetch = match rev.strip_prefix("origin/") {
                    Some(branch) => format!("git fetch --depth=1 origin {branch}:refs/remotes/origin/{branch}"),
                    None => format!("git fetch --depth=1 origin {rev}"),
                };
                Error::Usage(format!(
                    "`{rev}` is not a commit of this repository (in a shallow CI clone, fetch it first: {fetch})"
                ))
            })
    }

    /// The revision `volte diff` compares with by default: the merge base with
    /// the default branch, else HEAD.
    pub fn default_base(&self) -> Result<String, Error> {
        let mut candidates = Vec::new();
        if let Ok(head) = git(
            &self.root,
            &["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"],
        ) {
            candidates.push(text(head).trim_start_matches("refs/remotes/").to_string());
        }
        candidates.extend(["origin/main", "origin/master", "main", "master"].map(String::from));
        let mut known = None;
        for branch in candidates {
            if self.resolve(&branch).is_err() {
                continue;
            }
            known.get_or_insert(branch.clone());
            if let Ok(base) = git(&self.root, &["merge-base", "HEAD", &branch]) {
                let base = text(base);
                if !base.is_empty() {
                    return Ok(base);
                }
            }
        }
        match known {
            // The branch is there but its history is not: a shallow clone.
            Some(branch) => Err(Error::Usage(format!(
                "no merge base between HEAD and {branch} (a shallow clone?): name the revision, e.g. `volte diff {branch}`, or fetch more history"
            ))),
            None => self.resolve("HEAD"),
        }
    }

    /// Paths (relative to the root) of the files added or changed since `rev`,
    /// in commits or in the working tree, untracked files included.
    pub fn changed_since(&self, rev: &str) -> Result<Vec<String>, Error> {
        let mut paths: Vec<String> =
            split_nul(git(&self.root, &["diff", "--name-only", "-z", rev, "--"])?);
        paths.extend(split_nul(git(
            &self.root,
            &["ls-files", "--others", "--exclude-standard", "-z"],
        )?));
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Files under `folder` (relative to the root) at `rev`.
    pub fn files_at(&self, rev: &str, folder: &str) -> Result<Vec<String>, Error> {
        let folder = if folder.is_empty() { "." } else { folder };
        Ok(split_nul(git(
            &self.root,
            &["ls-tree", "-r", "-z", "--name-only", rev, "--", folder],
        )?))
    }

    /// The contents of `paths` at `rev`, read through one `git cat-file --batch`.
    pub fn read_at(&self, rev: &str, paths: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Usage(format!("cannot run git ({e})")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| Error::Usage("git cat-file: no stdin".into()))?;
        let requests: String = paths.iter().map(|p| format!("{rev}:{p}\n")).collect();
        // Write from a thread so a large answer cannot block on a full pipe.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(requests.as_bytes());
        });
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::Usage("git cat-file: no stdout".into()))?;
        let mut reader = BufReader::new(stdout);
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|e| Error::Usage(format!("git cat-file: {e}")))?;
            let size: usize = header
                .split_whitespace()
                .nth(2)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| Error::Usage(format!("git cat-file: no `{path}` at {rev}")))?;
            let mut body = vec![0; size + 1];
            reader
                .read_exact(&mut body)
                .map_err(|e| Error::Usage(format!("git cat-file: {e}")))?;
            body.pop(); // the newline after each object
            out.push(body);
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(out)
    }

    /// `path` relative to the repository root, with `/` separators.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let absolute = std::fs::canonicalize(path).ok()?;
        let root = std::fs::canonicalize(&self.root).ok()?;
        let rel = absolute.strip_prefix(root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }
}

fn split_nul(bytes: Vec<u8>) -> Vec<String> {
    bytes
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}
