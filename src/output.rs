//! Writing output: every byte vrt writes to standard output or to an `--output` path goes
//! through [`Output::finish`], so every failure names its path.
//!
//! What `--output PATH` does, by what is at `PATH` (looked at without following a link):
//!
//! - nothing, or a regular file: the text goes to a temporary file created in the same
//!   folder with an unpredictable name and `O_EXCL` (so a planted file or link at any name
//!   is never written through), which is then renamed over `PATH`. A failed or interrupted
//!   run leaves `PATH` as it was and no temporary file. A replaced file keeps its
//!   permissions. With [`Clobber::Refuse`] an existing file is refused, atomically: the
//!   rename itself refuses, so two runs at once cannot both write.
//! - a character device (`/dev/null`, a terminal) or a FIFO: written in place; nothing is
//!   created, truncated or renamed. A FIFO is opened as the shell's `>` opens it, waiting
//!   for its reader.
//! - a symbolic link: followed only when it ends at a character device or a FIFO
//!   (`/dev/stdout`, `/proc/self/fd/1` on a pipe), which is written in place; a link to
//!   anything else (a regular file, a folder, nothing) is refused, so a link planted at the
//!   target cannot redirect the write.
//! - a folder, a block device or a socket: refused.
//!
//! A temporary file is registered while it exists, so that a signal handler can remove it
//! ([`remove_temporaries`]) before the process dies.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tempfile::NamedTempFile;

/// Whether an existing regular file at the output path may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clobber {
    /// Replace it (atomically).
    Replace,
    /// Refuse with an error of kind [`io::ErrorKind::AlreadyExists`] that tells to pass
    /// `--force`; the check is atomic with the write.
    Refuse,
}

/// Where a command's output goes, opened before the command does its work (so that an
/// unusable path fails at once, not after a long computation).
#[derive(Debug)]
pub struct Output {
    dest: Dest,
}

#[derive(Debug)]
enum Dest {
    Stdout,
    InPlace { file: File, path: PathBuf },
    Temp(Temp),
}

#[derive(Debug)]
struct Temp {
    /// `None` once finished (persisted or failed).
    file: Option<NamedTempFile>,
    path: PathBuf,
    clobber: Clobber,
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let mut pending = pending();
            pending.retain(|p| p != file.path());
            // Dropping the temporary file removes it.
            drop(file);
        }
    }
}

/// The temporary files that exist now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every temporary output file that exists now, and returns how many it removed.
/// For a signal handler: it waits for a rename in progress, and the lock it takes is never
/// released, so that no new temporary file appears while the process dies.
pub fn remove_temporaries() -> usize {
    let pending = pending();
    let removed = pending
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count();
    std::mem::forget(pending);
    removed
}

/// The temporary files that exist now (for tests of the signal handling).
pub fn temporaries() -> Vec<PathBuf> {
    pending().clone()
}

fn refuse(path: &Path, kind: io::ErrorKind, why: &str) -> io::Error {
    io::Error::new(kind, format!("`{}` {why}", path.display()))
}

/// Adds the path and what to do to an I/O error from writing `path`.
fn at(path: &Path, e: &io::Error) -> io::Error {
    let advice = match e.kind() {
        io::ErrorKind::NotFound => "; create its folder first, or choose another path",
        io::ErrorKind::PermissionDenied => "; choose a path you may write to",
        io::ErrorKind::StorageFull => "; free some space, or choose another file system",
        _ => "",
    };
    io::Error::new(e.kind(), format!("`{}`: {e}{advice}", path.display()))
}

impl Output {
    /// Standard output.
    pub const fn stdout() -> Self {
        Self { dest: Dest::Stdout }
    }

    /// Opens `path` for output (standard output for `None` or `-`), as the module
    /// documentation describes. The error names the path and says what to do.
    pub fn open(path: Option<&Path>, clobber: Clobber) -> io::Result<Self> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Self::stdout());
        };
        let dest = match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Dest::Temp(temp(path, clobber)?),
            Err(e) => return Err(at(path, &e)),
            Ok(meta) if meta.is_file() => {
                if clobber == Clobber::Refuse {
                    return Err(exists(path));
                }
                Dest::Temp(temp(path, clobber)?)
            }
            Ok(meta) if meta.is_symlink() => open_link(path)?,
            Ok(meta) if meta.is_dir() => {
                return Err(refuse(
                    path,
                    io::ErrorKind::IsADirectory,
                    "is a folder; give the path of a file in it",
                ));
            }
            Ok(meta) => special(path, &meta, false)?,
        };
        Ok(Self { dest })
    }

    /// Whether the output is standard output (which alone may be coloured).
    pub const fn is_stdout(&self) -> bool {
        matches!(self.dest, Dest::Stdout)
    }

    /// Writes `bytes` (the whole output) to the destination: `stdout`, the device or FIFO,
    /// or the temporary file, which then replaces the path.
    pub fn finish(self, bytes: &[u8], stdout: &mut dyn Write) -> io::Result<()> {
        match self.dest {
            Dest::Stdout => stdout.write_all(bytes),
            Dest::InPlace { mut file, path } => file
                .write_all(bytes)
                .and_then(|()| file.flush())
                .map_err(|e| at(&path, &e)),
            Dest::Temp(mut temp) => {
                let Some(mut file) = temp.file.take() else {
                    return Ok(());
                };
                let path = temp.path.clone();
                let written = file
                    .write_all(bytes)
                    .and_then(|()| file.as_file().sync_all())
                    .and_then(|()| match std::fs::symlink_metadata(&path) {
                        // Keep the permissions of the file being replaced.
                        Ok(meta) if meta.is_file() => {
                            file.as_file().set_permissions(meta.permissions())
                        }
                        _ => Ok(()),
                    });
                let mut pending = pending();
                let registered = file.path().to_path_buf();
                let result = match written {
                    Err(e) => {
                        // Removed while the registry is locked, as a signal would.
                        drop(file);
                        Err(at(&path, &e))
                    }
                    Ok(()) => {
                        let persisted = match temp.clobber {
                            Clobber::Replace => file.persist(&path),
                            Clobber::Refuse => file.persist_noclobber(&path),
                        };
                        // On failure the temporary file is dropped, which removes it.
                        persisted.map(drop).map_err(|e| {
                            if e.error.kind() == io::ErrorKind::AlreadyExists {
                                exists(&path)
                            } else {
                                at(&path, &e.error)
                            }
                        })
                    }
                };
                pending.retain(|p| *p != registered);
                result
            }
        }
    }
}

/// Writes `bytes` to `path` (standard output for `-`) as [`Output::open`] and
/// [`Output::finish`] do.
pub fn write(
    path: &Path,
    clobber: Clobber,
    bytes: &[u8],
    stdout: &mut dyn Write,
) -> io::Result<()> {
    Output::open(Some(path), clobber)?.finish(bytes, stdout)
}

fn exists(path: &Path) -> io::Error {
    refuse(
        path,
        io::ErrorKind::AlreadyExists,
        "exists; pass --force to overwrite it",
    )
}

/// A temporary file beside `path`, registered for removal on a signal.
fn temp(path: &Path, clobber: Clobber) -> io::Result<Temp> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.file_name().is_none() {
        return Err(refuse(
            path,
            io::ErrorKind::InvalidInput,
            "names no file; give the path of a file",
        ));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vrt-tmp-").suffix(".part").rand_bytes(12);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As `File::create` would: 0666 less the umask (the crate's default is 0600).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut pending = pending();
    let file = builder.tempfile_in(dir).map_err(|e| at(path, &e))?;
    pending.push(file.path().to_path_buf());
    Ok(Temp {
        file: Some(file),
        path: path.to_path_buf(),
        clobber,
    })
}

/// A symbolic link at the output path: written in place when it ends at a character
/// device or a FIFO, refused otherwise.
fn open_link(path: &Path) -> io::Result<Dest> {
    let target =
        std::fs::read_link(path).map_or_else(|_| "?".to_string(), |t| t.display().to_string());
    let refused = |what: &str| {
        refuse(
            path,
            io::ErrorKind::InvalidInput,
            &format!(
                "is a symbolic link to {what} `{target}`; vrt replaces no file through a link (a planted link would redirect it): give the path of the file itself, or `-` for standard output"
            ),
        )
    };
    match std::fs::metadata(path) {
        Err(_) => Err(refused("nothing at")),
        Ok(meta) if meta.is_file() => Err(refused("the file")),
        Ok(meta) if meta.is_dir() => Err(refused("the folder")),
        Ok(meta) => special(path, &meta, true),
    }
}

#[cfg(unix)]
fn special(path: &Path, meta: &std::fs::Metadata, via_link: bool) -> io::Result<Dest> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let kind = meta.file_type();
    let why = if kind.is_block_device() {
        "is a block device (a disk); vrt writes text: give the path of a file"
    } else if kind.is_socket() {
        "is a socket, which cannot be opened as a file: write to standard output (`-o -`) and pipe it to the program that listens"
    } else if kind.is_char_device() || kind.is_fifo() {
        ""
    } else {
        "is neither a file, a device nor a FIFO; give the path of a file"
    };
    if !why.is_empty() {
        return Err(refuse(path, io::ErrorKind::InvalidInput, why));
    }
    // Neither created nor truncated: a device or FIFO is written in place. The type is
    // checked again on the open file, in case the path was swapped since it was looked at.
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if !via_link {
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| at(path, &e))?;
    let opened = file.metadata().map_err(|e| at(path, &e))?.file_type();
    if !(opened.is_char_device() || opened.is_fifo()) {
        return Err(refuse(
            path,
            io::ErrorKind::InvalidInput,
            "changed while vrt opened it; nothing was written",
        ));
    }
    Ok(Dest::InPlace {
        file,
        path: path.to_path_buf(),
    })
}

#[cfg(not(unix))]
fn special(path: &Path, _: &std::fs::Metadata, _: bool) -> io::Result<Dest> {
    Err(refuse(
        path,
        io::ErrorKind::InvalidInput,
        "is not a regular file; give the path of a file",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("vrt-output-{name}-"))
            .tempdir()
            .unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn write_to(path: &Path, clobber: Clobber, bytes: &[u8]) -> io::Result<()> {
        write(path, clobber, bytes, &mut io::sink())
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let d = dir("replace");
        let path = d.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        write_to(&path, Clobber::Replace, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(d.path()), ["out.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("mode");
        let path = d.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_to(&path, Clobber::Replace, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_failed_write_names_the_path_and_leaves_nothing() {
        let d = dir("missing");
        let path = d.path().join("nested/out.txt");
        let e = write_to(&path, Clobber::Replace, b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let text = e.to_string();
        assert!(text.contains(&format!("`{}`", path.display())), "{text}");
        assert!(text.contains("create its folder first"), "{text}");
        assert!(!path.exists());
        assert!(temporaries().iter().all(|t| !t.starts_with(d.path())));
    }

    #[test]
    fn a_dropped_output_removes_its_temporary_and_unregisters_it() {
        let d = dir("dropped");
        let path = d.path().join("out.txt");
        let out = Output::open(Some(&path), Clobber::Replace).unwrap();
        let tmp: Vec<PathBuf> = temporaries()
            .into_iter()
            .filter(|t| t.starts_with(d.path()))
            .collect();
        assert_eq!(tmp.len(), 1, "registered while it exists");
        assert!(tmp[0].exists());
        let name = tmp[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".vrt-tmp-") && name.len() > 20, "{name}");
        drop(out);
        assert!(!tmp[0].exists());
        assert!(!temporaries().contains(&tmp[0]));
        assert!(names(d.path()).is_empty());
    }

    #[test]
    fn refusing_to_clobber_is_atomic() {
        // Both are opened before either writes, as two concurrent runs would be: the rename
        // itself refuses the second.
        let d = dir("noclobber");
        let path = d.path().join("new.yaml");
        let first = Output::open(Some(&path), Clobber::Refuse).unwrap();
        let second = Output::open(Some(&path), Clobber::Refuse).unwrap();
        first.finish(b"first", &mut io::sink()).unwrap();
        let e = second.finish(b"second", &mut io::sink()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(e.to_string().contains("exists; pass --force"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        assert_eq!(names(d.path()), ["new.yaml"]);
        let e = Output::open(Some(&path), Clobber::Refuse).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_refused_and_left_alone() {
        let d = dir("link");
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = d.path().join("out.md");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = write_to(&link, Clobber::Replace, b"hostile").unwrap_err();
        assert!(
            e.to_string().contains("is a symbolic link to the file"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        let dangling = d.path().join("dangling.md");
        std::os::unix::fs::symlink(d.path().join("nowhere"), &dangling).unwrap();
        let e = write_to(&dangling, Clobber::Replace, b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link to nothing at"), "{e}");
        assert!(!d.path().join("nowhere").exists());
        assert_eq!(names(d.path()), ["dangling.md", "out.md", "victim.txt"]);
    }

    #[test]
    fn a_folder_is_refused() {
        let d = dir("folder");
        let e = write_to(d.path(), Clobber::Replace, b"x").unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_character_device_is_written_in_place() {
        write_to(Path::new("/dev/null"), Clobber::Refuse, b"x").unwrap();
        let meta = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(std::os::unix::fs::FileTypeExt::is_char_device(
            &meta.file_type()
        ));
    }

    #[test]
    fn a_dash_is_standard_output() {
        let mut out = Vec::new();
        write(Path::new("-"), Clobber::Refuse, b"text", &mut out).unwrap();
        assert_eq!(out, b"text");
    }
}
