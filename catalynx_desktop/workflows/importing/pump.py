"""The parse pump: parser output, grouped into batches, handed to the event loop with back-pressure.

The file is parsed into ready-to-bind row tuples — in a child process for big BMF / Grants.gov
files (parse_process.py: no GIL contention with the UI), in a thread for small files and user
lists — and a producer thread groups them into batches on a small bounded asyncio.Queue
(back-pressure keeps memory flat). The event loop only writes each batch, so parsing batch k+1
overlaps writing batch k.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from catalynx_desktop.domain.records import RecordError, SourceRecord
from catalynx_desktop.sources.base import Parser
from catalynx_desktop.sources.detect import Format
from catalynx_desktop.storage import source_records_store as store
from catalynx_desktop.workflows.importing.parse_process import CHUNK, Chunk, chunks_from_process

# Below this a thread parses: spawning a process (~0.3 s) would cost more than it saves.
PROCESS_MIN_BYTES = 4 * 1024 * 1024


@dataclass
class Batch:
    rows: list[store.Row]
    records: list[SourceRecord]  # kept only for user lists, which are matched while writing
    errors: list[RecordError]
    bytes_read: int
    records_read: int
    last: bool = False


@dataclass
class _Failure:
    error: BaseException


def chunks_in_thread(
    parser: Parser, keep_records: bool, stop: threading.Event, skip: int = 0
) -> Iterator[Chunk]:
    """Parse in the calling thread (small files, user lists): Chunks of CHUNK items, after
    leaving out the first `skip` items (already imported from a cached parse)."""
    chunk = Chunk()
    to_row = store.to_row
    for item in parser:
        if skip:
            skip -= 1
            continue
        if type(item) is SourceRecord:
            if keep_records:
                chunk.records.append(item)
            else:
                chunk.rows.append(to_row(item))
        else:
            chunk.errors.append(item)  # type: ignore[arg-type]
        if len(chunk.rows) + len(chunk.records) + len(chunk.errors) >= CHUNK:
            chunk.bytes_read, chunk.records_read = parser.bytes_read, parser.records_read
            yield chunk
            chunk = Chunk()
            if stop.is_set():
                return
    chunk.bytes_read, chunk.records_read = parser.bytes_read, parser.records_read
    yield chunk


def _put_until_stopped(
    queue: asyncio.Queue[Batch | _Failure], loop: asyncio.AbstractEventLoop, stop: threading.Event
) -> Callable[[Batch | _Failure], bool]:
    """put(item) for the producer thread: blocks while the queue is full, False once stopped."""

    def put(item: Batch | _Failure) -> bool:
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        while True:
            try:
                future.result(timeout=0.1)
                return True
            except FutureTimeout:
                if stop.is_set():
                    future.cancel()
                    return False

    return put


def _produce(
    chunks: Iterator[Chunk],
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[Batch | _Failure],
    stop: threading.Event,
    batch_size: int,
) -> None:
    """Producer thread: group parser chunks into batches and hand them to the loop.

    Blocks while the queue is full (back-pressure), gives up when `stop` is set.
    """
    put = _put_until_stopped(queue, loop, stop)
    try:
        batch = Batch([], [], [], 0, 0)
        for chunk in chunks:
            batch.rows += chunk.rows
            batch.records += chunk.records
            batch.errors += chunk.errors
            batch.bytes_read, batch.records_read = chunk.bytes_read, chunk.records_read
            if len(batch.rows) + len(batch.records) + len(batch.errors) >= batch_size:
                if not put(batch):
                    return
                batch = Batch([], [], [], batch.bytes_read, batch.records_read)
            if stop.is_set():
                return
        batch.last = True
        put(batch)
    except BaseException as error:  # delivered to the awaiting coroutine, which re-raises it
        put(_Failure(error))
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # stops a parser process early on cancel


def parse_batches(
    path: Path,
    found: Format,
    parser: Parser,
    user_list: bool,
    use_process: bool | None,
    batch_size: int,
    skip: int = 0,
) -> tuple[AsyncIterator[Batch], Callable[[], Awaitable[None]]]:
    """Batches parsed off the event loop (child process or thread, see the module docstring),
    and the coroutine that stops the parsing and waits for it. `skip`: leave out the first items
    (written already from a cached parse that failed midway; the thread parser does that)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Batch | _Failure] = asyncio.Queue(maxsize=2)
    stop = threading.Event()
    if use_process is None:
        use_process = not user_list and parser.bytes_total >= PROCESS_MIN_BYTES
    chunks = (
        chunks_from_process(path, found.value)
        if use_process and not user_list and not skip
        else chunks_in_thread(parser, user_list, stop, skip)
    )
    thread = threading.Thread(
        target=_produce,
        name="catalynx-import-parse",
        daemon=True,
        args=(chunks, loop, queue, stop, max(1, batch_size)),
    )
    thread.start()

    async def batches() -> AsyncIterator[Batch]:
        while True:
            item = await queue.get()
            if isinstance(item, _Failure):
                raise item.error
            yield item
            if item.last:
                return

    async def stop_parsing() -> None:
        stop.set()
        while not queue.empty():  # unblock a producer waiting on a full queue
            queue.get_nowait()
        await asyncio.to_thread(thread.join)

    return batches(), stop_parsing
