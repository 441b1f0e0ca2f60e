"""Damage a catalog file as disks do: for the damaged-catalog tests (close every connection first)."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from pathlib import Path


def _page_size(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA page_size").fetchone()[0])


def _index_leaf_offset(path: Path, index: str = "images_by_root") -> int:
    """File offset of the first leaf page of ``index`` (its root is an interior page)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()
    size = _page_size(path)
    data = path.read_bytes()
    page = data[(root - 1) * size : root * size]
    assert page[0] == 2, "index root is not an interior page: seed a bigger catalog"
    cell = int.from_bytes(page[12:14], "big")
    child = int.from_bytes(page[cell : cell + 4], "big")
    return (child - 1) * size


def overwrite_4k_mid_file(path: Path) -> None:
    size = path.stat().st_size
    page = _page_size(path)
    with path.open("r+b") as fh:
        fh.seek(size // 2 // page * page)
        fh.write(random.Random(19).randbytes(4096))


def garbage_index_page(path: Path, index: str = "images_by_root") -> None:
    offset = _index_leaf_offset(path, index)
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(random.Random(20).randbytes(_page_size(path)))


def flip_index_key(path: Path, index: str = "images_by_root", key: bytes = b".jpg") -> None:
    """One byte of one key of an index leaf (the last byte of ``key``, as found last in the leaf):
    the b-tree stays valid, the index is wrong."""
    offset = _index_leaf_offset(path, index)
    data = bytearray(path.read_bytes())
    leaf = data[offset : offset + _page_size(path)]
    at = leaf.rfind(key)
    assert at > 0
    data[offset + at + len(key) - 1] = ord("x")
    path.write_bytes(bytes(data))
