"""Engine semantics with real asyncio and the in-memory RunStore: fast (sub-second waits)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from catalynx_desktop.domain.runs import RunStatus, StepStatus
from catalynx_desktop.workflows.engine import (
    Step,
    StepContext,
    Workflow,
    WorkflowDefinitionError,
    WorkflowEngine,
)
from catalynx_desktop.workflows.progress import ProgressSnapshot
from catalynx_desktop.workflows.runs import MemoryRunStore


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def sleeper(seconds: float, output: Any = None, log: list[tuple[str, str, float]] | None = None):
    async def step(ctx: StepContext) -> Any:
        if log is not None:
            log.append(("start", ctx.step, time.monotonic()))
        await asyncio.sleep(seconds)
        if log is not None:
            log.append(("end", ctx.step, time.monotonic()))
        return output

    return step


def test_dependencies_order_and_independent_steps_run_in_parallel() -> None:
    log: list[tuple[str, str, float]] = []
    wf = Workflow(
        "diamond",
        (
            Step("a", sleeper(0.02, log=log)),
            Step("b", sleeper(0.15, log=log), depends_on=("a",)),
            Step("c", sleeper(0.15, log=log), depends_on=("a",)),
            Step("d", sleeper(0.01, log=log), depends_on=("b", "c")),
        ),
    )

    async def main() -> Any:
        store = MemoryRunStore()
        started = time.monotonic()
        result = await WorkflowEngine(store).run(wf)
        return result, time.monotonic() - started, store

    result, elapsed, store = run(main())
    assert result.status == RunStatus.SUCCEEDED
    at = {(event, name): t for event, name, t in log}
    assert at[("end", "a")] <= min(at[("start", "b")], at[("start", "c")])
    assert max(at[("end", "b")], at[("end", "c")]) <= at[("start", "d")]
    # b and c ran together: each started before the other ended (timing-free, so a loaded
    # machine cannot fail it), and the whole run took about one of them, not both
    assert at[("start", "b")] < at[("end", "c")] and at[("start", "c")] < at[("end", "b")]
    assert elapsed < 0.02 + 0.15 + 0.15 + 0.01
    assert all(s.status == StepStatus.SUCCEEDED for s in store.runs[1].steps.values())


def test_every_run_and_step_is_persisted_before_and_after() -> None:
    store = MemoryRunStore()
    wf = Workflow("two", (Step("a", sleeper(0)), Step("b", sleeper(0), depends_on=("a",))))
    result = run(WorkflowEngine(store).run(wf, {"profile_id": 7}))
    assert [e[0] for e in store.events] == [
        "create",
        "run_started",
        "step_started",
        "step_finished",
        "step_started",
        "step_finished",
        "run_finished",
    ]
    record = store.runs[result.run_id]
    assert record.parameters == {"profile_id": 7}
    assert record.status == RunStatus.SUCCEEDED and record.duration_s is not None
    assert record.steps["b"].started_at >= record.steps["a"].finished_at


def test_step_timeout_fails_the_step_and_the_run() -> None:
    wf = Workflow(
        "t", (Step("slow", sleeper(5), timeout_s=0.05), Step("after", sleeper(0), depends_on=("slow",)))
    )
    started = time.monotonic()
    result = run(WorkflowEngine(MemoryRunStore()).run(wf))
    assert time.monotonic() - started < 1.0
    assert result.status == RunStatus.FAILED
    assert "timed out" in result.steps["slow"].error
    assert result.steps["after"].status == StepStatus.SKIPPED


def test_run_timeout_stops_running_steps() -> None:
    store = MemoryRunStore()
    wf = Workflow("t", (Step("a", sleeper(5)), Step("b", sleeper(5))), timeout_s=0.1)
    started = time.monotonic()
    result = run(WorkflowEngine(store).run(wf))
    assert time.monotonic() - started < 1.0
    assert result.status == RunStatus.FAILED and "run timed out" in result.error
    assert {s.status for s in store.runs[1].steps.values()} == {StepStatus.CANCELLED}


def test_retries_with_exponential_backoff_then_success() -> None:
    attempts: list[float] = []

    async def flaky(ctx: StepContext) -> str:
        attempts.append(time.monotonic())
        if ctx.attempt < 3:
            raise ConnectionError("network down")
        return "ok"

    store = MemoryRunStore()
    wf = Workflow("r", (Step("flaky", flaky, retries=3, backoff_s=0.05, backoff_factor=2.0),))
    result = run(WorkflowEngine(store).run(wf))
    assert result.status == RunStatus.SUCCEEDED and result.output("flaky") == "ok"
    assert len(attempts) == 3 and store.runs[1].steps["flaky"].attempt == 3
    assert attempts[1] - attempts[0] >= 0.045
    assert attempts[2] - attempts[1] >= 0.095  # doubled


def test_retries_exhausted_fails_with_the_last_error() -> None:
    async def broken(ctx: StepContext) -> None:
        raise ValueError(f"bad input {ctx.attempt}")

    wf = Workflow("r", (Step("x", broken, retries=2, backoff_s=0.001),))
    result = run(WorkflowEngine(MemoryRunStore()).run(wf))
    assert result.status == RunStatus.FAILED
    assert result.steps["x"].attempts == 3 and "bad input 3" in result.steps["x"].error


def test_optional_failure_makes_the_run_partial() -> None:
    async def broken(ctx: StepContext) -> None:
        raise RuntimeError("enrichment service down")

    wf = Workflow(
        "o",
        (
            Step("main", sleeper(0, output=1)),
            Step("enrich", broken, optional=True),
            Step("enrich_report", sleeper(0), depends_on=("enrich",), optional=True),
            Step("save", sleeper(0), depends_on=("main",)),
        ),
    )
    store = MemoryRunStore()
    result = run(WorkflowEngine(store).run(wf))
    assert result.status == RunStatus.PARTIAL
    assert result.steps["save"].status == StepStatus.SUCCEEDED
    assert result.steps["enrich"].status == StepStatus.FAILED
    assert result.steps["enrich_report"].status == StepStatus.SKIPPED
    assert store.runs[1].status == RunStatus.PARTIAL and "enrichment service down" in store.runs[1].error


def test_required_failure_cancels_parallel_steps_promptly() -> None:
    async def broken(ctx: StepContext) -> None:
        await asyncio.sleep(0.02)
        raise RuntimeError("boom")

    wf = Workflow(
        "f", (Step("long", sleeper(5)), Step("bad", broken), Step("after", sleeper(0), depends_on=("bad",)))
    )
    started = time.monotonic()
    result = run(WorkflowEngine(MemoryRunStore()).run(wf))
    assert time.monotonic() - started < 1.0
    assert result.status == RunStatus.FAILED and "boom" in result.error
    assert result.steps["long"].status == StepStatus.CANCELLED
    assert result.steps["after"].status == StepStatus.SKIPPED


def test_cancel_stops_chunked_steps_at_a_chunk_boundary() -> None:
    chunks: list[int] = []
    thread_chunks: list[int] = []

    async def chunked(ctx: StepContext) -> None:
        for i in range(1000):
            ctx.check_cancelled()
            chunks.append(i)
            ctx.progress(i, 1000)
            await asyncio.sleep(0.005)

    async def in_thread(ctx: StepContext) -> None:
        def work() -> None:  # a CPU loop in a worker thread: only the token can stop it
            for i in range(100_000):
                ctx.check_cancelled()
                thread_chunks.append(i)
                ctx.progress(i, 100_000)
                time.sleep(0.002)

        await asyncio.to_thread(work)

    store = MemoryRunStore()

    async def main() -> Any:
        engine = WorkflowEngine(store)
        handle = await engine.start(
            Workflow(
                "c",
                (
                    Step("chunked", chunked),
                    Step("thread", in_thread),
                    Step("later", sleeper(0), depends_on=("chunked",)),
                ),
            )
        )
        await asyncio.sleep(0.1)
        asked = time.monotonic()
        handle.cancel()
        result = await handle.wait()
        stopped = time.monotonic() - asked
        await asyncio.sleep(0.05)  # the thread notices the token at its next chunk
        return result, stopped, len(thread_chunks)

    result, stopped, thread_seen = run(main())
    assert stopped < 0.2
    assert result.status == RunStatus.CANCELLED and store.runs[1].status == RunStatus.CANCELLED
    assert store.runs[1].steps["chunked"].status == StepStatus.CANCELLED
    assert store.runs[1].steps["later"].status == StepStatus.CANCELLED
    assert 5 < len(chunks) < 100
    assert len(thread_chunks) == thread_seen < 1000  # the worker thread stopped too


@dataclass(frozen=True)
class Parsed:
    counts: dict[str, int]
    items: list[dict[str, str]]


def test_a_step_takes_its_dependencies_outputs_as_typed_arguments_and_sees_the_context() -> None:
    seen: dict[str, Any] = {}

    async def parse(ctx: StepContext) -> Parsed:
        return Parsed({"rows": 42}, [{"ein": "123"}, {"ein": "456"}])

    async def count(ctx: StepContext) -> int:
        return 7

    async def use(ctx: StepContext, parsed: Parsed, counted: int) -> None:
        seen.update(
            rows=parsed.counts["rows"],
            second_ein=parsed.items[1]["ein"],
            profile=ctx.context["profile_id"],
            nested={"list": [ctx.context["options"]["threshold"], "literal"]},
            whole=parsed.counts,
            counted=counted,
        )

    wf = Workflow(
        "typed",
        (
            Step("parse", parse),
            Step("count", count, depends_on=("parse",)),
            Step("use", use, depends_on=("count",), takes=("parse", "count")),
        ),
    )
    result = run(WorkflowEngine(MemoryRunStore()).run(wf, {"profile_id": 9, "options": {"threshold": 0.3}}))
    assert result.status == RunStatus.SUCCEEDED
    assert seen == {
        "rows": 42,
        "second_ein": "456",
        "profile": 9,
        "nested": {"list": [0.3, "literal"]},
        "whole": {"rows": 42},
        "counted": 7,
    }


def test_a_step_whose_function_cannot_take_what_it_declares_is_rejected_up_front() -> None:
    with pytest.raises(WorkflowDefinitionError, match="cannot take"):
        Workflow("w", (Step("a", sleeper(0)), Step("b", sleeper(0), depends_on=("a",), takes=("a",))))


def test_bad_definitions_are_rejected_up_front() -> None:
    noop = sleeper(0)
    with pytest.raises(WorkflowDefinitionError, match="cycle"):
        Workflow("w", (Step("a", noop, depends_on=("b",)), Step("b", noop, depends_on=("a",))))
    with pytest.raises(WorkflowDefinitionError, match="unknown"):
        Workflow("w", (Step("a", noop, depends_on=("zzz",)),))
    with pytest.raises(WorkflowDefinitionError, match="not one of its dependencies"):
        Workflow("w", (Step("a", noop), Step("b", noop, takes=("a",))))
    with pytest.raises(WorkflowDefinitionError, match="duplicate"):
        Workflow("w", (Step("a", noop), Step("a", noop)))


def test_progress_is_throttled_and_the_final_update_always_arrives() -> None:
    updates: list[tuple[float, ProgressSnapshot]] = []

    async def busy(ctx: StepContext) -> None:
        for i in range(600):
            ctx.set_counts(scored=i + 1)
            ctx.progress(i + 1, 600, f"chunk {i}")
            if i % 20 == 0:
                await asyncio.sleep(0.02)

    async def main() -> Any:
        engine = WorkflowEngine(MemoryRunStore())
        handle = await engine.start(Workflow("p", (Step("busy", busy),)))
        handle.subscribe(lambda snap: updates.append((time.monotonic(), snap)))
        return await handle.wait()

    result = run(main())
    assert result.status == RunStatus.SUCCEEDED
    final = updates[-1][1]
    assert final.final and final.status == "succeeded" and final.fraction == 1.0
    assert final.counts == {"scored": 600}
    assert sum(1 for _, s in updates if s.final) == 1
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(updates[:-1])]  # the final update may follow at once
    assert all(g >= 0.09 for g in gaps[1:]), gaps  # <= 10/s (the first may follow a late subscribe)
    elapsed = updates[-1][0] - updates[0][0]
    assert len(updates) <= elapsed * 10 + 3
    middle = [s for _, s in updates if not s.final and 0 < s.fraction < 1]
    assert middle and any(s.eta_s is not None for s in middle) and any(s.counts for s in middle)


def test_progress_from_a_worker_thread_reaches_subscribers_on_the_loop_thread() -> None:
    threads: set[int] = set()

    async def threaded(ctx: StepContext) -> None:
        def work() -> None:
            for i in range(50):
                ctx.progress(i, 50, "working")
                time.sleep(0.005)

        await asyncio.to_thread(work)

    async def main() -> int:
        loop_thread = threading.get_ident()
        handle = await WorkflowEngine(MemoryRunStore()).start(Workflow("p", (Step("t", threaded),)))
        handle.subscribe(lambda snap: threads.add(threading.get_ident()))
        await handle.wait()
        return loop_thread

    loop_thread = run(main())
    assert threads == {loop_thread}


def test_shutdown_marks_running_runs_interrupted() -> None:
    store = MemoryRunStore()

    async def main() -> None:
        engine = WorkflowEngine(store)
        seen = []
        engine.on_run_started(seen.append)
        handle = await engine.start(Workflow("s", (Step("long", sleeper(5)),)))
        assert seen == [handle] and engine.running() == [handle]
        await asyncio.sleep(0.02)
        await engine.shutdown()
        assert engine.running() == []

    run(main())
    assert store.runs[1].status == RunStatus.INTERRUPTED
    assert store.runs[1].steps["long"].status == StepStatus.INTERRUPTED


def test_a_timed_out_attempt_is_retried() -> None:
    async def slow_then_fast(ctx: StepContext) -> int:
        await asyncio.sleep(5 if ctx.attempt == 1 else 0)
        return ctx.attempt

    store = MemoryRunStore()
    wf = Workflow("t", (Step("s", slow_then_fast, timeout_s=0.05, retries=1, backoff_s=0.01),))
    started = time.monotonic()
    result = run(WorkflowEngine(store).run(wf))
    assert time.monotonic() - started < 1.0
    assert result.status == RunStatus.SUCCEEDED and result.output("s") == 2
    assert store.runs[1].steps["s"].attempt == 2 and store.runs[1].steps["s"].error == ""


def test_a_late_subscriber_gets_the_latest_state_and_unsubscribe_stops_updates() -> None:
    late: list[ProgressSnapshot] = []
    gone: list[ProgressSnapshot] = []

    async def step(ctx: StepContext) -> None:
        ctx.progress(1, 4, "a quarter")
        await asyncio.sleep(0.15)
        ctx.progress(3, 4, "three quarters")
        await asyncio.sleep(0.15)

    async def main() -> None:
        handle = await WorkflowEngine(MemoryRunStore()).start(Workflow("p", (Step("s", step),)))
        unsubscribe = handle.subscribe(gone.append)
        unsubscribe()
        await asyncio.sleep(0.05)
        handle.subscribe(late.append)
        await handle.wait()

    run(main())
    assert gone == []
    assert late[0].message == "a quarter" and late[0].fraction == pytest.approx(0.25)
    assert late[-1].final and late[-1].fraction == 1.0


@pytest.mark.parametrize("kind", ["environment", "bug", "format"])
def test_a_failed_step_records_the_message_the_user_reads(tmp_path, caplog, kind: str) -> None:
    """An environment failure (here SQLite's "database or disk is full", classified as the app's
    database layer does) is recorded, for the step and the run, as its message for the user:
    what the window's status line, the Workflows panel and the CLI show. So is a file we cannot
    read (FormatError). A bug keeps "step 'x' failed: TypeName: text" and its traceback in the log."""
    import logging
    import sqlite3

    from catalynx_desktop.sources.base import FormatError
    from catalynx_desktop.storage.errors import classify

    database = tmp_path / "catalynx.sqlite3"
    error: Exception
    if kind == "environment":
        error = classify(sqlite3.OperationalError("database or disk is full"), database)
    elif kind == "bug":
        error = classify(sqlite3.ProgrammingError("Incorrect number of bindings supplied"), database)
    else:
        error = FormatError(
            tmp_path / "extract.xml",
            "this XML file declares encoding 'x-foo', which Python "
            "cannot read; save it as UTF-8 and import it again",
        )

    async def failing(ctx: StepContext) -> None:
        raise error

    async def main() -> tuple[Any, list[ProgressSnapshot]]:
        seen: list[ProgressSnapshot] = []
        handle = await WorkflowEngine(store).start(Workflow("Import", (Step("import", failing),)))
        handle.subscribe(seen.append)
        return await handle.wait(), seen

    store = MemoryRunStore()
    caplog.set_level(logging.DEBUG, logger="catalynx_desktop.workflows")
    result, seen = run(main())
    assert result.status == RunStatus.FAILED
    recorded_run, recorded_step = store.runs[1], store.runs[1].steps["import"]
    assert recorded_run.status == RunStatus.FAILED and recorded_step.status == StepStatus.FAILED
    logged = [r for r in caplog.records if "attempt 1 failed" in r.getMessage()]
    assert len(logged) == 1
    if kind == "bug":
        shown = f"StorageError: {error}"
        assert "Internal error in the storage layer" in shown
        assert result.steps["import"].error == recorded_step.error == shown
        assert result.error == recorded_run.error == f"step 'import' failed: {shown}"
        assert not result.steps["import"].user_facing
        assert logged[0].exc_info is not None and logged[0].exc_info[1] is error  # the traceback is kept
    else:
        message = error.user_message  # type: ignore[attr-defined]
        if kind == "environment":
            assert message.startswith(f"The disk holding the data directory {tmp_path} is full")
        else:
            assert message.startswith("extract.xml: ") and "declares encoding 'x-foo'" in message
        assert result.steps["import"].error == recorded_step.error == message
        assert result.error == recorded_run.error == message
        assert result.steps["import"].user_facing
        assert "StorageError" not in result.error and "FormatError" not in result.error
        assert logged[0].exc_info is None  # expected: the message says it all, no traceback
    assert seen and seen[-1].final and seen[-1].message == result.error  # the CLI's / panel's last line
