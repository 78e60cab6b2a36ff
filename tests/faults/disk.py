"""A real small filesystem (tmpfs) that a test fills up and frees again."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

CHUNK = b"\0" * 4096


class TinyDisk:
    """A tmpfs of `size` mounted at `path`: `fill()` takes every free block (the next write
    fails with ENOSPC, as on a full disk), `free()` gives them back."""

    def __init__(self, path: Path, size: str = "1m"):
        self.path = path
        self.filler = path / ".filler"
        path.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                                  str(path)], capture_output=True, text=True)
        if mounted.returncode != 0:
            problem = f"cannot mount a tmpfs to fill ({mounted.stderr.strip()}): needs root"
            if os.environ.get("SHOP_REQUIRE_FAULTS"):
                pytest.fail(problem)
            pytest.skip(problem)

    def fill(self) -> None:
        with open(self.filler, "ab", buffering=0) as handle:
            try:
                while True:
                    handle.write(CHUNK)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
        assert self.free_bytes() == 0

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def unmount(self) -> None:
        subprocess.run(["umount", "--lazy", str(self.path)], check=False, capture_output=True)


@pytest.fixture
def tiny_disk(tmp_path):
    disk = TinyDisk(tmp_path / "disk")
    yield disk
    disk.unmount()
