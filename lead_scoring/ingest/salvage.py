"""Read what DuckDB's readers refuse: the readable lines of a damaged gzip file (truncated, not
gzip, or followed by junk), and files Python reads line by line instead (see
`read_with_fallbacks`).

Only used for a file DuckDB's reader refused (an ordinary gzip file never comes here): the file
is decompressed in a stream, member after member (a multi-member gzip is one file), into a plain
copy holding every complete line that could be decompressed. What stopped the decompression,
the last good line and the start of the unreadable rest are returned for the quarantine.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lead_scoring.ingest.landing import compression, is_gzip

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
PIECE = 1 << 16
SHOWN_BYTES = 1000
BATCH = 50_000  # rows read in Python go to DuckDB this many at a time


@dataclass
class Salvage:
    copy: Path  # plain text: the complete lines decompressed, in order
    lines: int  # lines in `copy` (the last good line of the file)
    error: str | None  # why the rest is unreadable; None when the whole file decompressed
    rest: str  # the start of what could not be loaded (a cut-off line, or the junk), as text

    @property
    def damaged(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        where = f"after line {self.lines} (the last good line)" if self.lines else "from line 1"
        return f"damaged gzip file, unreadable {where}: {self.error}"


def salvage_gzip(path: Path, copy: Path) -> Salvage:
    lines = 0
    carry = b""  # decompressed bytes after the last newline written

    def emit(data: bytes, out) -> None:
        nonlocal carry, lines
        if not data:
            return
        data = carry + data
        cut = data.rfind(b"\n") + 1
        out.write(data[:cut])
        lines += data.count(b"\n", 0, cut)
        carry = data[cut:]

    error: str | None = None
    rest = b""
    with path.open("rb") as src, copy.open("wb") as out:
        pending = src.read(CHUNK)
        offset = 0  # bytes of the file before `pending`
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        in_member = False
        while True:
            if not pending:
                pending = src.read(CHUNK)
                if not pending:
                    break
            if not in_member:
                while len(pending) < 2 and (more := src.read(CHUNK)):
                    pending += more
                if pending[:2] != GZIP_MAGIC:
                    tail = pending + src.read(CHUNK)
                    if offset and not tail.strip(b"\0"):
                        pending = b""  # zero padding after the last member
                        continue
                    error = (
                        f"data after the end of the gzip stream, at byte {offset}"
                        if offset
                        else "not a gzip file"
                    )
                    rest = tail[:SHOWN_BYTES]
                    break
                in_member = True
            # small pieces, so that corrupt data loses at most one piece's lines
            piece, pending = pending[:PIECE], pending[PIECE:]
            try:
                emit(member.decompress(piece), out)
            except zlib.error as exc:
                error = f"corrupt gzip data near byte {offset} ({exc})"
                break
            if member.eof:
                offset += len(piece) - len(member.unused_data)
                pending = member.unused_data + pending
                member = zlib.decompressobj(zlib.MAX_WBITS | 16)
                in_member = False
            else:
                offset += len(piece)
        if error is None and in_member:
            error = "the gzip stream ends before its end (a truncated file)"
        if error is None:
            out.write(carry)  # the last line, complete though not ended by a newline
            lines += bool(carry)
        elif carry:
            rest = carry[:SHOWN_BYTES]
    return Salvage(copy, lines, error, rest.decode("utf-8", errors="replace"))


class LandedFile:
    """What a reader reads for a landed file: the file itself, or after `fall_back()` (when the
    reader refused a gzip file), the plain copy of its readable lines in `workdir`."""

    def __init__(self, path: Path, workdir: Path):
        self.path = path
        self.source = path
        self.compression = compression(path)
        self.workdir = workdir
        self.salvage: Salvage | None = None

    def fall_back(self) -> bool:
        """Switch to the salvaged copy; False when there is nothing to fall back to."""
        if self.salvage is not None or not is_gzip(self.path):
            return False
        self.salvage = salvage_gzip(self.path, self.workdir / "salvaged")
        self.source, self.compression = self.salvage.copy, "none"
        return True

    @property
    def damage(self) -> Salvage | None:
        return self.salvage if self.salvage is not None and self.salvage.damaged else None


def read_with_fallbacks(
    landed: LandedFile, with_duckdb: Callable[[], bool], with_python: Callable[[], None]
) -> None:
    """Read a landed file with DuckDB; fall back, for this file only, to the salvaged copy of a
    damaged gzip file, and to Python's line-by-line reader where DuckDB's reader refuses the
    whole file (a stray carriage return) or `with_duckdb` says its line numbers would be wrong.
    """
    python = False
    while True:
        try:
            if python:
                with_python()
                return
            if with_duckdb():
                return
            python = True
        except (duckdb.IOException, OSError, EOFError, zlib.error):
            if not landed.fall_back():
                raise
        except duckdb.InvalidInputException:
            if python:
                raise
            python = True


def opened(landed: LandedFile):
    """The file (or its salvaged copy) opened for reading bytes."""
    return gzip.open(landed.source, "rb") if landed.compression == "gzip" else landed.source.open("rb")


def physical_lines(landed: LandedFile, *, keep_cr: bool = False) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without the line break) of every line ended by `\\n` (or the end);
    a `\\r` before the `\\n` is part of the line break unless `keep_cr`."""
    with opened(landed) as src:
        for number, raw in enumerate(src, 1):
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            yield number, raw[:-1] if raw.endswith(b"\r") and not keep_cr else raw


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text of a line, and an error when it is not UTF-8 (the text then has U+FFFD)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return raw.decode("utf-8", errors="replace"), f"INVALID ENCODING: not UTF-8 ({exc.reason})"


def splits_at_lone_cr(landed: LandedFile, prefix_bytes: int = 1 << 16) -> bool:
    """Whether DuckDB's reader could end lines at a lone carriage return: it does when its
    sniffer finds `\\r` line endings at the start of the file (a lone `\\r` further on makes it
    refuse the file instead). Lines end at `\\n`, so such a file is read in Python. Only the
    first `prefix_bytes` are looked at, so an ordinary file costs next to nothing."""
    try:
        with opened(landed) as src:
            start = src.read(prefix_bytes)
    except (OSError, EOFError, zlib.error):
        return False  # a damaged gzip file: the reader refuses it, and the salvage follows
    return re.search(rb"\r(?!\n)", start[:-1]) is not None


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, types: list[str], rows: list[tuple], batch: int = BATCH
) -> None:
    """Insert rows collected in Python into a DuckDB table, one statement per batch."""
    select = ", ".join(f"unnest(?::{t}[])" for t in types)
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        con.execute(f"insert into {table} select {select}", [[r[i] for r in part] for i in range(len(types))])
