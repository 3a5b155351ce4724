"""The parse pump's child process: parse a file there, stream ready-to-bind rows back by pipe.

Why a process for big files: a parser thread competes with the event loop (and the SQLite
writer) for the GIL, which showed as 50-90 ms UI stalls and halved throughput on 2 cores.
In a child process the parsing runs truly in parallel and the parent only unmarshals chunks.

Wire format: each message is `marshal.dumps(tuple)` — rows are tuples of str/int/None only,
which marshal handles ~2x faster than pickle and, unlike pickle, it cannot run code.
Chunks are small (CHUNK rows) so unmarshalling one holds the parent's GIL ~1 ms at most.
The pipe's OS buffer gives back-pressure: the child blocks when the parent falls behind, so
memory stays bounded whatever the file size.
"""

from __future__ import annotations

import marshal
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.records import RecordError, SourceRecord
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.worker_lifetime import die_with_parent

CHUNK = 500


@dataclass
class Chunk:
    """A slice of parser output with the progress reached after it."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    bytes_read: int = 0
    records_read: int = 0


def _child_main(path: str, fmt: str, conn: Connection, chunk: int) -> None:
    die_with_parent()  # a killed import must not leave its parser running
    # Imported here so the parent's module import stays light.
    from catalynx_desktop.sources.detect import Format, open_parser
    from catalynx_desktop.storage.source_records_store import to_row

    try:
        parser = open_parser(Path(path), Format(fmt))
        rows: list[tuple[Any, ...]] = []
        errors: list[tuple[str, int, str, str]] = []
        for item in parser:
            if type(item) is SourceRecord:
                rows.append(to_row(item))
            else:
                errors.append((item.file, item.record_number, item.reason, item.raw))  # type: ignore[union-attr]
            if len(rows) + len(errors) >= chunk:
                conn.send_bytes(
                    marshal.dumps(("chunk", rows, errors, parser.bytes_read, parser.records_read))
                )
                rows, errors = [], []
        conn.send_bytes(marshal.dumps(("chunk", rows, errors, parser.bytes_read, parser.records_read)))
        conn.send_bytes(marshal.dumps(("end",)))
    except FormatError as error:
        conn.send_bytes(marshal.dumps(("format_error", str(error.path), error.reason)))
    except BaseException as error:  # reported to the parent, which raises it there
        conn.send_bytes(marshal.dumps(("error", f"{type(error).__name__}: {error}")))
    finally:
        conn.close()


class ParseProcessError(RuntimeError):
    """The parser process failed in a way that is not a per-record error (a bug or a crash)."""


def chunks_from_process(path: Path, fmt: str, *, chunk: int = CHUNK) -> Iterator[Chunk]:
    """Yield Chunks parsed by a spawned child. Closing the generator terminates the child."""
    context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt/threads
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main, args=(str(path), fmt, sender, chunk), name="catalynx-import-parser", daemon=True
    )
    process.start()
    sender.close()  # so recv sees EOF if the child dies
    try:
        while True:
            try:
                message = marshal.loads(receiver.recv_bytes())
            except EOFError:
                raise ParseProcessError(
                    f"the parser process for {path.name} stopped unexpectedly (exit code {process.exitcode})"
                ) from None
            kind = message[0]
            if kind == "chunk":
                _, rows, errors, bytes_read, records_read = message
                yield Chunk(rows, [], [RecordError(*e) for e in errors], bytes_read, records_read)
            elif kind == "end":
                return
            elif kind == "format_error":
                raise FormatError(message[1], message[2])
            else:
                raise ParseProcessError(f"parsing {path.name} failed: {message[1]}")
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()  # a cancelled import: the child holds no state worth keeping
        process.join(timeout=5)
