"""Atomic, exclusive output folders and files, and bounded safe file names.

A command that writes a folder (``--out``) writes everything into a hidden temporary
sibling folder, marks it complete (a marker file written last), and only then moves
it into place. A run killed at any moment therefore leaves either the previous
complete output or none at the destination, never a mix of two runs. Concurrent runs
into one destination cannot mix either: each holds an exclusive lock
(:func:`fcntl.flock` on a hidden sibling lock file, released by the kernel when the
process dies) from the validation of ``--out``, before any input is read, to the end.

Replacing an existing folder uses Linux's ``renameat2(RENAME_EXCHANGE)`` (one atomic
swap) where available, else two renames (a kill between them leaves no output, and
the previous output in a hidden sibling that the next run removes).

Bottom layer: imports only :mod:`sigsurv.errors` and the standard library.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sigsurv.errors import OptionError

__all__ = [
    "COMPLETE_MARKER",
    "MAX_NAME_LENGTH",
    "OutputFolder",
    "atomic_output_file",
    "check_output_file",
    "check_output_folder",
    "is_complete_output",
    "output_folder",
    "safe_file_stem",
]

COMPLETE_MARKER = ".sigsurv-complete"
MAX_NAME_LENGTH = 80
_STAGING_SUFFIX = ".sigsurv-tmp"
_OLD_SUFFIX = ".sigsurv-old"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_file_stem(text: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """A file-name stem from an id or cohort name: ``[A-Za-z0-9_.-]``, bounded in length.

    Other characters become ``_``; leading dots and dashes are dropped (no hidden files,
    no option-like names); a name longer than ``max_length`` is cut and ends with 8 hex
    digits of the full text's SHA-256, so two long names stay distinct.

    Examples
    --------
    >>> safe_file_stem("GSE1992 / ER+")
    'GSE1992_ER_'
    >>> safe_file_stem("../../etc/passwd")
    '_.._etc_passwd'
    >>> len(safe_file_stem("x" * 1000)), safe_file_stem("x" * 1000)[-9:]
    (80, '-44f83544')
    """
    if max_length < 16:
        raise ValueError("max_length must be at least 16")
    stem = _UNSAFE.sub("_", text).lstrip(".-") or "_"
    if len(stem) > max_length:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        stem = f"{stem[: max_length - 9]}-{digest}"
    return stem


def is_complete_output(path: str | Path) -> bool:
    """True if ``path`` is a folder a sigsurv run finished writing (it holds the marker).

    Examples
    --------
    >>> import tempfile
    >>> is_complete_output(tempfile.mkdtemp())
    False
    """
    return (Path(path) / COMPLETE_MARKER).is_file()


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path("/")


def _check_writable_parent(path: Path, option: str) -> None:
    ancestor = _nearest_existing(path.parent)
    if not ancestor.is_dir():
        raise OptionError(
            f"{option} cannot be created: {ancestor} is a file, not a folder", found=str(path)
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OptionError(f"{option} cannot be written: no write permission on {ancestor}")


def check_output_folder(path: str | Path, *, force: bool = False, option: str = "--out") -> Path:
    """Validate an output folder before any input is read.

    It must not be a file; its parent must be writable (or creatable); an existing
    folder must be empty, or (with ``force``) a complete sigsurv output, which is then
    replaced. A non-empty folder that is not a sigsurv output is never replaced.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_folder(folder / "new") == (folder / "new").absolute()
    True
    >>> (folder / "file.txt").write_text("x")
    1
    >>> check_output_folder(folder)
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --out is a folder that is not empty ...
    """
    folder = Path(path).absolute()
    if folder.is_symlink() and not folder.exists():
        raise OptionError(f"{option} is a broken symbolic link", found=str(path))
    if folder.exists() and not folder.is_dir():
        raise OptionError(f"{option} is a file, not a folder", found=str(path))
    _check_writable_parent(folder, option)
    if folder.is_dir():
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            raise OptionError(f"{option} cannot be written: no permission", found=str(path))
        if any(folder.iterdir()):
            if not is_complete_output(folder):
                raise OptionError(
                    f"{option} is a folder that is not empty and not a sigsurv output "
                    f"({folder}); it is never replaced",
                    hint="choose a new or empty folder",
                )
            if not force:
                raise OptionError(
                    f"{option} already holds a sigsurv output ({folder})",
                    hint="add --force to replace it",
                )
    return folder


class OutputFolder:
    """A staging folder that becomes ``final`` on :meth:`publish` (see :func:`output_folder`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> final = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_folder(final) as out:
    ...     _ = (out.staging / "a.txt").write_text("a")
    ...     out.final_path(out.staging / "a.txt") == final / "a.txt"
    True
    >>> sorted(p.name for p in final.iterdir())
    ['.sigsurv-complete', 'a.txt']
    """

    def __init__(self, final: Path, staging: Path) -> None:
        self.final = final
        self.staging = staging

    def final_path(self, staged: str | Path) -> Path:
        """Where a file written under :attr:`staging` will be once published."""
        return self.final / Path(staged).relative_to(self.staging)

    def publish(self, record: dict[str, Any] | None = None) -> None:
        """Write the completion marker last, then move the staging folder into place."""
        marker = self.staging / COMPLETE_MARKER
        marker.write_text(json.dumps(record or {}, sort_keys=True) + "\n")
        _fsync_tree(self.staging)
        if self.final.is_dir():
            _replace_folder(self.staging, self.final)
        else:
            os.rename(self.staging, self.final)
        _fsync_dir(self.final.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError), open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(Path(root))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where not supported."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _replace_folder(staging: Path, final: Path) -> None:
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the previous output
        return
    old = _new_sibling(final, _OLD_SUFFIX)
    os.rename(final, old / "previous")
    os.rename(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _new_sibling(final: Path, suffix: str) -> Path:
    """A new hidden folder beside ``final``, with the permissions the umask gives (not 0700)."""
    while True:
        candidate = final.parent / f".{final.name}.{secrets.token_hex(4)}{suffix}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


@contextlib.contextmanager
def _exclusive_lock(final: Path, option: str) -> Iterator[None]:
    import fcntl

    lock_path = final.parent / f".{final.name}.sigsurv-lock"
    while True:
        handle = open(lock_path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OptionError(
                f"{option} is being written by another sigsurv run ({final})",
                hint="wait for it to finish or choose another folder",
            ) from None
        try:  # another run may have removed the file between our open and our lock
            same = os.fstat(handle.fileno()).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        handle.close()


def _remove_leftovers(final: Path) -> None:
    """Staging and old folders of killed runs (only called while holding the lock)."""
    for suffix in (_STAGING_SUFFIX, _OLD_SUFFIX):
        for leftover in final.parent.glob(f".{glob_escape(final.name)}.*{suffix}"):
            shutil.rmtree(leftover, ignore_errors=True)


def glob_escape(text: str) -> str:
    """Escape glob metacharacters in a literal file name.

    Examples
    --------
    >>> glob_escape("a[1]*")
    'a[[]1[]][*]'
    """
    return re.sub(r"([*?\[\]])", r"[\1]", text)


@contextlib.contextmanager
def output_folder(
    path: str | Path,
    *,
    force: bool = False,
    option: str = "--out",
    record: dict[str, Any] | None = None,
) -> Iterator[OutputFolder]:
    """Validate, lock and stage an output folder; publish it when the block succeeds.

    On entry: :func:`check_output_folder`, an exclusive lock (a second run into the same
    folder is refused with :class:`~sigsurv.errors.OptionError`), removal of the staging
    folders of killed runs and a new hidden staging folder beside ``path``. Write into
    ``.staging``. On normal exit the folder is marked complete and moved into place
    atomically; on an exception the staging folder is removed and ``path`` untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> final = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with output_folder(final) as out:
    ...     _ = (out.staging / "results.json").write_text("{}")
    >>> is_complete_output(final)
    True
    >>> with output_folder(final, force=True) as out:
    ...     raise RuntimeError("killed")
    Traceback (most recent call last):
    ...
    RuntimeError: killed
    >>> sorted(p.name for p in final.iterdir())  # the previous output is untouched
    ['.sigsurv-complete', 'results.json']
    """
    final = check_output_folder(path, force=force, option=option)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OptionError(
            f"{option} cannot be created: {error.strerror}", found=str(path)
        ) from None
    _probe_writable(final.parent, option, path)  # before the lock file is created
    with _exclusive_lock(final, option):
        check_output_folder(path, force=force, option=option)  # re-check under the lock
        _remove_leftovers(final)
        staging = _new_sibling(final, _STAGING_SUFFIX)
        folder = OutputFolder(final, staging)
        try:
            with _disk_full_is_an_input_error(option, final):
                yield folder
                folder.publish(record)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


#: Write errors that are the destination's, not sigsurv's: no space, file too large,
#: quota exceeded, read-only file system.
_STORAGE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


@contextlib.contextmanager
def _disk_full_is_an_input_error(option: str, final: Path) -> Iterator[None]:
    """A full disk (or a file-size limit) while writing is one line, exit 2, not a crash."""
    try:
        yield
    except OSError as error:
        if error.errno not in _STORAGE_ERRORS:
            raise
        kept = "the previous output is kept" if final.exists() else "nothing was written"
        raise OptionError(
            f"{option} could not be written ({final}): {os.strerror(error.errno)}; {kept}",
            hint="free some space or choose another location",
        ) from None


def _probe_writable(folder: Path, option: str, path: str | Path) -> None:
    """Create and remove a file in ``folder``: permissions alone do not tell (root,
    read-only mounts, full disks), and nothing (not even the lock) is created first."""
    try:
        descriptor, name = tempfile.mkstemp(prefix=".sigsurv-probe.", dir=folder)
    except OSError as error:
        raise OptionError(
            f"{option} cannot be written in {folder}: {error.strerror}", found=str(path)
        ) from None
    os.close(descriptor)
    with contextlib.suppress(OSError):
        os.unlink(name)


def check_output_file(path: str | Path, *, force: bool = False, option: str = "--out") -> Path:
    """Validate an output file before any input is read (not a folder, writable, new unless force).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_output_file(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    sigsurv.errors.OptionError: --out is a folder, not a file...
    """
    target = Path(path).absolute()
    if target.is_dir():
        raise OptionError(f"{option} is a folder, not a file", found=str(path))
    _check_writable_parent(target, option)
    if target.exists() or target.is_symlink():
        if not force:
            raise OptionError(
                f"{option} already exists ({target})", hint="add --force to replace it"
            )
        if not target.is_file():
            raise OptionError(f"{option} is not a regular file", found=str(path))
    return target


@contextlib.contextmanager
def atomic_output_file(
    path: str | Path, *, force: bool = False, option: str = "--out"
) -> Iterator[Path]:
    """Write a file under a temporary sibling name, then rename it into place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "scores.tsv"
    >>> with atomic_output_file(target) as staged:
    ...     _ = staged.write_text("sample\\tscore\\n")
    >>> target.read_text()
    'sample\\tscore\\n'
    """
    target = check_output_file(path, force=force, option=option)
    with _disk_full_is_an_input_error(option, target):
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f"{target.suffix}", dir=target.parent
        )
    os.close(descriptor)
    staged = Path(name)  # same suffix, so writers that dispatch on it still work
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staged, 0o666 & ~umask)  # mkstemp's 0600 would make the result private
    try:
        with _disk_full_is_an_input_error(option, target):
            yield staged
            with open(staged, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(staged, target)
    finally:
        if staged.exists():
            staged.unlink()
