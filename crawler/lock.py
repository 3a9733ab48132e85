"""One crawl per database: an advisory lock file next to it (`policy.db.lock`) holding the owner's pid.

`fcntl.flock` is released by the kernel when its process dies, however it dies, so a lock can never outlive
a crawl killed with SIGKILL; the pid left in the file only tells the next crawl whom it took over from.
The file stays once a crawl has used it. Only a crawl that created it and then could not open the database
(a folder, a read-only disk as `--db`) removes it again, while still holding it; a crawl that locked a file
checks that the path still names that file, and starts over if it was removed meanwhile, so two processes
never hold two different inodes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)


class LockHeld(Exception):
    """Another live process holds the lock on this database."""

    def __init__(self, path: Path, pid: int | None) -> None:
        who = f"another crawl (pid {pid})" if pid else "another crawl"
        super().__init__(f"{who} holds the lock {path} on this database; wait for it to finish or stop it")
        self.path, self.pid = path, pid


class LockUnavailable(Exception):
    """The lock file cannot be created or opened (a read-only folder, a bad path)."""


def lock_path_for(db_path: str | Path) -> Path:
    """`data/policy.db` → `data/policy.db.lock` (`sqlite:///data/policy.db` too)."""
    text = str(db_path)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    return Path(f"{text}.lock")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


class CrawlLock:
    """`with CrawlLock(db): …` — raises LockHeld at once when another crawl is running on `db`."""

    def __init__(self, db_path: str | Path) -> None:
        # A SQLite file takes one crawl at a time; a database server (--db postgresql://…) takes any number of
        # distributed workers (crawler/frontier.py), so there is nothing to lock then.
        self.shared_server = isinstance(db_path, str) and "://" in db_path and not db_path.startswith("sqlite:")
        self.path = lock_path_for(db_path)
        self._fd: int | None = None
        self.created = False  # this lock made the file (it may remove it again: see release)
        self.took_over_from: int | None = None  # pid of a dead crawl whose lock this one took over

    def acquire(self) -> CrawlLock:
        if self.shared_server:
            return self
        for _attempt in range(5):
            fd, created = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                previous = _read_pid(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise LockHeld(self.path, previous) from None
                raise LockUnavailable(f"cannot lock {self.path}: {exc.strerror}") from exc
            if _names(self.path, fd):
                break
            os.close(fd)  # removed by a crawl that gave up while we waited: lock the file that is there now
        else:
            raise LockUnavailable(f"the lock file {self.path} keeps disappearing; is another program deleting it?")
        self.created = created
        previous = _read_pid(fd)
        if previous and previous != os.getpid():
            self.took_over_from = previous
            state = "is no longer running" if not pid_alive(previous) else "no longer holds it"
            logger.warning("taking over the stale lock %s: pid %d that held it %s", self.path, previous, state)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return self

    def _open(self) -> tuple[int, bool]:
        """The lock file's descriptor, and whether this call created the file."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
            except FileExistsError:
                return os.open(self.path, os.O_RDWR), False
        except FileNotFoundError:  # removed between the two opens: try again
            return self._open()
        except OSError as exc:
            if exc.errno == errno.EROFS:
                raise LockUnavailable(
                    f"{self.path.with_suffix('')} is on a read-only filesystem (a crawl writes the database and its "
                    "lock file beside it); mount it read-write, or copy the database to a writable folder and pass "
                    "that as --db") from exc
            raise LockUnavailable(f"cannot create the lock file {self.path}: {exc.strerror}; choose another --db") from exc

    def release(self, *, remove_if_created: bool = False) -> None:
        """Empty the file (a clean exit leaves no pid behind), then unlock. `remove_if_created`: a crawl that
        made the file and could do nothing (the database did not open) takes it away again, still locked."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            if remove_if_created and self.created:
                with contextlib.suppress(OSError):
                    self.path.unlink()
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _names(path: Path, fd: int) -> bool:
    """Whether `path` still names the file open as `fd` (not removed, not replaced)."""
    try:
        here, locked = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (locked.st_dev, locked.st_ino)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
