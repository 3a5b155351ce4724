"""The workflow engine: a DAG of named async steps run on the event loop, persisted as it goes.

- Steps declare dependencies; graphlib orders them and independent steps run concurrently.
- Each step has a timeout, retries with exponential backoff and an `optional` flag (its failure
  makes the run `partial` instead of `failed`); the run has an overall timeout.
- `RunHandle.cancel()` stops a run promptly: it sets the cancel token (long steps poll it at
  chunk boundaries, also from worker threads) and cancels the step tasks at their next await.
- A step receives the outputs of the steps it `takes` as typed arguments after its context
  (`Step("match", match, depends_on=("prepare",), takes=("prepare",))` calls
  `match(ctx, prepared)`); a step may only take what its dependencies produced, and its function
  must accept those arguments: both are checked when the workflow is declared.
- Every run and step is written to the RunStore before it starts and when it ends.
- Progress goes through a ThrottledReporter (<= 10 updates/s) to callbacks on the loop thread.
- A step that fails for an expected reason (a full disk, a read-only or damaged database: a
  StorageError of kind environment; a file in a format we cannot read) records the message
  written for the user, and so does the run, which is what the window's status line and the
  CLI show. Any other failure is a bug: "step 'x' failed: TypeName: text", with its traceback
  in the log (see describe_failure).

No Qt and no SQL here: the UI subscribes to progress; the SQLite store lives in storage/.

Usage (one engine per app, on the qasync loop):

    store = SqliteRunStore(db); await store.mark_interrupted_at_startup(); await store.prune(90)
    engine = WorkflowEngine(store)
    engine.on_run_started(panel.add_run)            # every run, whoever started it
    handle = await start_discover(engine, db, profile_id)   # or engine.start(workflow, context)
    unsubscribe = handle.subscribe(panel.show_progress)     # ProgressSnapshot, <= 10/s, loop thread
    handle.cancel()                                          # Cancel button
    result = await handle.wait()                             # RunResult
    await engine.shutdown()                                  # app closing: runs -> interrupted
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from graphlib import CycleError, TopologicalSorter
from typing import Any

from catalynx_desktop.domain.errors import ErrorKind, StorageError
from catalynx_desktop.domain.runs import RunStatus, StepStatus, utc_now
from catalynx_desktop.workflows.cancel import CancelToken, RunCancelled
from catalynx_desktop.workflows.progress import EtaEstimator, ProgressSnapshot, Subscriber, ThrottledReporter
from catalynx_desktop.workflows.runs import RunStore

log = logging.getLogger(__name__)

# async def run(ctx: StepContext, *outputs of the steps it takes) -> its own output (any value)
StepFn = Callable[..., Awaitable[Any]]


class WorkflowDefinitionError(ValueError):
    """The workflow itself is wrong (cycle, unknown dependency, taking a non-ancestor's output)."""


def describe_failure(error: BaseException) -> tuple[str, bool]:
    """(what a failed step or run records, whether that is a message for the user).

    Expected failures carry a message a person can act on: a StorageError of kind environment
    (storage/errors.py classifies SQLite and OS errors: "The disk holding the data directory ...
    is full ...") and any other exception with a `user_message` (a FormatError: the file is not
    one we read). That message is recorded as it is, without the class name. Everything else,
    a StorageError of kind bug included, is "TypeName: text" (the caller logs its traceback)."""
    if isinstance(error, StorageError):
        if error.kind is ErrorKind.ENVIRONMENT and error.user_message.strip():
            return error.user_message, True
        return f"{type(error).__name__}: {error}", False
    message = getattr(error, "user_message", None)
    if isinstance(message, str) and message.strip():
        return message, True
    return f"{type(error).__name__}: {error}", False


@dataclass(frozen=True)
class Step:
    name: str
    run: StepFn  # async def run(ctx: StepContext, *taken) -> output (passed to the steps that take it)
    depends_on: tuple[str, ...] = ()
    takes: tuple[str, ...] = ()  # steps whose outputs `run` receives, in this order, after ctx
    timeout_s: float | None = None  # per attempt
    retries: int = 0  # extra attempts after the first failure
    backoff_s: float = 0.5  # wait before retry n: backoff_s * backoff_factor ** (n - 1), capped
    backoff_factor: float = 2.0
    max_backoff_s: float = 30.0
    optional: bool = False
    weight: float = 1.0  # share of the run's progress bar

    def backoff(self, failed_attempt: int) -> float:
        return min(self.max_backoff_s, self.backoff_s * self.backoff_factor ** (failed_attempt - 1))


@dataclass(frozen=True)
class Workflow:
    name: str
    steps: tuple[Step, ...]
    timeout_s: float | None = None

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            raise WorkflowDefinitionError(f"{self.name}: duplicate step names")
        by_name = {s.name: s for s in self.steps}
        for step in self.steps:
            for dep in step.depends_on:
                if dep not in by_name:
                    raise WorkflowDefinitionError(
                        f"{self.name}: step {step.name!r} depends on unknown {dep!r}"
                    )
        try:
            order = tuple(TopologicalSorter({s.name: s.depends_on for s in self.steps}).static_order())
        except CycleError as error:
            raise WorkflowDefinitionError(f"{self.name}: dependency cycle {error.args[1]}") from None
        self._check_takes(by_name, order)
        object.__setattr__(self, "order", order)

    def _check_takes(self, by_name: Mapping[str, Step], order: tuple[str, ...]) -> None:
        """A step may only take outputs of steps guaranteed to have finished (its ancestors), and
        its function must accept them."""
        ancestors: dict[str, set[str]] = {}
        for name in order:
            ancestors[name] = set()
            for dep in by_name[name].depends_on:
                ancestors[name] |= {dep, *ancestors[dep]}
        for step in self.steps:
            for target in step.takes:
                if target not in ancestors[step.name]:
                    raise WorkflowDefinitionError(
                        f"{self.name}.{step.name}: takes the output of {target!r}, "
                        "which is not one of its dependencies"
                    )
            try:
                inspect.signature(step.run).bind(None, *step.takes)
            except TypeError as error:
                raise WorkflowDefinitionError(
                    f"{self.name}.{step.name}: its function cannot take ctx and the outputs of "
                    f"{', '.join(step.takes) or 'no step'}: {error}"
                ) from None
            except ValueError:  # no signature to check (some builtins): checked when it runs
                pass

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


@dataclass(frozen=True)
class StepOutcome:
    status: StepStatus
    output: Any = None
    error: str = ""
    attempts: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    user_facing: bool = False  # `error` is a message for the user (describe_failure), not a bug's


@dataclass(frozen=True)
class RunResult:
    run_id: int
    workflow: str
    status: RunStatus
    error: str
    duration_s: float
    counts: Mapping[str, int]
    steps: Mapping[str, StepOutcome]

    def output(self, step: str) -> Any:
        return self.steps[step].output


class StepContext:
    """What a step function sees besides the outputs it takes: the run context, cancel, progress."""

    def __init__(self, handle: RunHandle, step: Step, attempt: int) -> None:
        self._handle = handle
        self.step = step.name
        self.attempt = attempt
        self.counts: dict[str, int] = {}

    @property
    def run_id(self) -> int:
        return self._handle.run_id

    @property
    def context(self) -> Mapping[str, Any]:
        return self._handle.context

    @property
    def cancel_token(self) -> CancelToken:
        return self._handle.cancel_token

    @property
    def cancelled(self) -> bool:
        return self._handle.cancel_token.cancelled

    def check_cancelled(self) -> None:
        """Call at chunk boundaries: raises RunCancelled once the run was cancelled."""
        self._handle.cancel_token.raise_if_cancelled()

    def set_counts(self, **counts: int) -> None:
        """Counts stored with the step (and summed into the run), e.g. scored=..., created=..."""
        self.counts.update(counts)
        self._handle._report(self.step, None, "", dict(self.counts))

    def progress(self, done: float, total: float | None = None, message: str = "") -> None:
        """Report this step's progress (done of total, or a fraction if total is None).

        Safe to call from any thread; throttling happens downstream, so call it per chunk freely.
        """
        fraction = done / total if total else (1.0 if total == 0 else done)
        fraction = max(0.0, min(1.0, fraction))
        self._handle._report(self.step, fraction, message, dict(self.counts))


class RunHandle:
    """A started run: subscribe to its progress, cancel it, await its result."""

    def __init__(
        self,
        engine: WorkflowEngine,
        workflow: Workflow,
        run_id: int,
        context: Mapping[str, Any],
        loop: asyncio.AbstractEventLoop,
        reporter: ThrottledReporter,
    ) -> None:
        self._engine = engine
        self.workflow = workflow
        self.run_id = run_id
        self.context: Mapping[str, Any] = dict(context)
        self.cancel_token = CancelToken()
        self.status = RunStatus.PENDING
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._reporter = reporter
        self._eta = EtaEstimator()
        self._fractions: dict[str, float] = {s.name: 0.0 for s in workflow.steps}
        self._step_counts: dict[str, dict[str, int]] = {s.name: {} for s in workflow.steps}
        self._message = "Starting"
        self._last_step = ""
        self._step_tasks: set[asyncio.Task[StepOutcome]] = set()
        self._cancel_status = RunStatus.CANCELLED
        self._task: asyncio.Task[RunResult] | None = None

    # -- API for the UI / callers -----------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(ProgressSnapshot)` on the loop thread, <= 10/s, the final one always.

        Returns a function that unsubscribes.
        """
        return self._reporter.subscribe(callback)

    @property
    def progress(self) -> ProgressSnapshot | None:
        return self._reporter.latest

    def cancel(self, reason: str = "cancelled by user") -> None:
        """Stop the run promptly; it ends with status 'cancelled'. Idempotent; no-op once finished."""
        self._cancel(reason, RunStatus.CANCELLED)

    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def wait(self) -> RunResult:
        """The run's result. Cancelling the waiter does not cancel the run (use cancel())."""
        assert self._task is not None
        return await asyncio.shield(self._task)

    # -- internals --------------------------------------------------------------------------
    def _cancel(self, reason: str, status: RunStatus) -> None:
        if self.status.finished or self.cancel_token.cancelled:
            return
        self._cancel_status = status
        self.cancel_token.cancel(reason)
        for task in list(self._step_tasks):
            task.cancel()

    def _counts(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for counts in self._step_counts.values():
            for key, value in counts.items():
                merged[key] = merged.get(key, 0) + value
        return merged

    def _fraction(self) -> float:
        weights = {s.name: s.weight for s in self.workflow.steps}
        total = sum(weights.values()) or 1.0
        return sum(self._fractions[name] * weights[name] for name in weights) / total

    def _snapshot(self, *, final: bool = False, message: str | None = None) -> ProgressSnapshot:
        fraction = self._fraction()
        return ProgressSnapshot(
            run_id=self.run_id,
            workflow=self.workflow.name,
            status=self.status.value,
            fraction=fraction,
            message=message if message is not None else self._message,
            counts=self._counts(),
            eta_s=None if final else self._eta.eta(fraction),
            elapsed_s=self._eta.elapsed(),
            step=self._last_step,
            final=final,
        )

    def _report(self, step: str, fraction: float | None, message: str, counts: dict[str, int]) -> None:
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self._report, step, fraction, message, counts)
            return
        if self.status.finished:
            return
        if fraction is not None:
            self._fractions[step] = fraction
        self._step_counts[step] = counts
        if message:
            self._message = message
        self._last_step = step
        self._reporter.update(self._snapshot())


class WorkflowEngine:
    """Starts runs and keeps track of the ones in flight. One per application."""

    def __init__(self, store: RunStore, *, progress_interval: float = 0.1) -> None:
        self._store = store
        self._progress_interval = progress_interval
        self._runs: dict[int, RunHandle] = {}
        self._started_callbacks: list[Callable[[RunHandle], Any]] = []

    @property
    def store(self) -> RunStore:
        return self._store

    def running(self) -> list[RunHandle]:
        return [h for h in self._runs.values() if not h.done()]

    def get(self, run_id: int) -> RunHandle | None:
        """The handle of a run still in flight (finished runs: read them from the store)."""
        return self._runs.get(run_id)

    def on_run_started(self, callback: Callable[[RunHandle], Any]) -> Callable[[], None]:
        """Tell a panel about every run started (from anywhere) so it can subscribe/cancel."""
        self._started_callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._started_callbacks:
                self._started_callbacks.remove(callback)

        return unsubscribe

    async def start(self, workflow: Workflow, context: Mapping[str, Any] | None = None) -> RunHandle:
        """Persist the run (pending, with its steps) and start it; returns once it is recorded."""
        context = dict(context or {})
        parameters = json.loads(json.dumps(context, default=str))  # what the history table shows
        run_id = await self._store.create_run(workflow.name, parameters, [s.name for s in workflow.steps])
        loop = asyncio.get_running_loop()
        reporter = ThrottledReporter(loop, min_interval=self._progress_interval)
        handle = RunHandle(self, workflow, run_id, context, loop, reporter)
        self._runs[run_id] = handle
        handle._task = loop.create_task(self._drive(handle), name=f"workflow-{workflow.name}-{run_id}")
        for callback in list(self._started_callbacks):
            try:
                callback(handle)
            except Exception:
                log.exception("run-started callback failed")
        return handle

    async def run(self, workflow: Workflow, context: Mapping[str, Any] | None = None) -> RunResult:
        """Start and wait: convenience for CLI and tests."""
        return await (await self.start(workflow, context)).wait()

    async def shutdown(self, reason: str = "application closed") -> None:
        """Stop all runs as 'interrupted' (they can be re-run) and wait for them to record it."""
        handles = self.running()
        for handle in handles:
            handle._cancel(reason, RunStatus.INTERRUPTED)
        for handle in handles:
            await handle.wait()

    # -- the run ----------------------------------------------------------------------------
    async def _drive(self, handle: RunHandle) -> RunResult:
        workflow = handle.workflow
        started = utc_now()
        t0 = time.monotonic()
        outcomes: dict[str, StepOutcome] = {}
        status, error = RunStatus.FAILED, ""
        try:
            await self._store.run_started(handle.run_id, started)
            handle.status = RunStatus.RUNNING
            handle._reporter.update(handle._snapshot(message="Running"))
            try:
                async with asyncio.timeout(workflow.timeout_s):
                    status, error = await self._schedule(handle, outcomes)
            except TimeoutError:
                status, error = RunStatus.FAILED, f"run timed out after {workflow.timeout_s:g} s"
        except Exception as exc:  # the store failed, or a bug in the engine: still end the run
            error, expected = describe_failure(exc)
            if expected:  # e.g. the disk filled while recording the run: the message says it all
                log.info("workflow %s run %s failed: %s", workflow.name, handle.run_id, error)
            else:
                log.exception("workflow %s run %s failed", workflow.name, handle.run_id)
            status = RunStatus.FAILED
        finally:
            # Steps never reached get a final status too: nothing stays 'pending' forever.
            leftover = (
                StepStatus.CANCELLED
                if status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED)
                else StepStatus.SKIPPED
            )
            finished = utc_now()
            for step in workflow.steps:
                if step.name not in outcomes:
                    outcomes[step.name] = StepOutcome(leftover, error="not run")
                    await self._safe(
                        self._store.step_finished(
                            handle.run_id,
                            step.name,
                            leftover,
                            1,
                            None,
                            finished,
                            {},
                            "not run: " + (error or status),
                        )
                    )
            counts = handle._counts()
            await self._safe(
                self._store.run_finished(handle.run_id, status, started, finished, counts, error)
            )
            handle.status = status
            if status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
                handle._fractions = dict.fromkeys(handle._fractions, 1.0)
            message = {RunStatus.SUCCEEDED: "Finished", RunStatus.PARTIAL: "Finished with warnings"}.get(
                status, error or status.value.capitalize()
            )
            handle._reporter.finish(handle._snapshot(final=True, message=message))
            self._runs.pop(handle.run_id, None)  # finished runs live in the store, not here
        return RunResult(
            handle.run_id, workflow.name, status, error, time.monotonic() - t0, handle._counts(), outcomes
        )

    async def _safe(self, awaitable: Awaitable[Any]) -> None:
        try:
            await awaitable
        except Exception:
            log.exception("could not record workflow state")

    async def _schedule(self, handle: RunHandle, outcomes: dict[str, StepOutcome]) -> tuple[RunStatus, str]:
        workflow = handle.workflow
        sorter: TopologicalSorter[str] = TopologicalSorter({s.name: s.depends_on for s in workflow.steps})
        sorter.prepare()
        tasks: dict[asyncio.Task[StepOutcome], str] = {}
        failure = ""
        try:
            while sorter.is_active() and not failure:
                for name in sorter.get_ready():
                    step = workflow.step(name)
                    blocked = [d for d in step.depends_on if outcomes[d].status != StepStatus.SUCCEEDED]
                    if blocked or handle.cancel_token.cancelled:
                        why = (
                            "cancelled"
                            if handle.cancel_token.cancelled
                            else f"dependency {blocked[0]!r} failed"
                        )
                        status = StepStatus.CANCELLED if handle.cancel_token.cancelled else StepStatus.SKIPPED
                        outcomes[name] = StepOutcome(status, error=why)
                        await self._store.step_finished(
                            handle.run_id, name, status, 1, None, utc_now(), {}, why
                        )
                        if status == StepStatus.SKIPPED and not step.optional:
                            failure = f"step {name!r} could not run: {why}"
                        sorter.done(name)
                        continue
                    task = asyncio.get_running_loop().create_task(self._run_step(handle, step, outcomes))
                    tasks[task] = name
                    handle._step_tasks.add(task)
                if not tasks:
                    continue  # skipped steps released new ones; ask the sorter again
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    name = tasks.pop(task)
                    handle._step_tasks.discard(task)
                    outcome = task.result()
                    outcomes[name] = outcome
                    sorter.done(name)
                    if outcome.status == StepStatus.FAILED and not workflow.step(name).optional:
                        # The user's message as it is (the status line shows the run's error);
                        # a bug's says where it happened.
                        failure = (
                            outcome.error if outcome.user_facing else f"step {name!r} failed: {outcome.error}"
                        )
        finally:
            # Fail fast / run timeout / cancel: stop what is still running and let it record itself.
            for task in tasks:
                task.cancel()
            if tasks:
                results = await asyncio.gather(*tasks, return_exceptions=True)
                for task, result in zip(tasks, results, strict=True):
                    if isinstance(result, StepOutcome):
                        outcomes[tasks[task]] = result
                handle._step_tasks.clear()
        if handle.cancel_token.cancelled:
            return handle._cancel_status, handle.cancel_token.reason
        if failure:
            return RunStatus.FAILED, failure
        if any(o.status != StepStatus.SUCCEEDED for o in outcomes.values()):
            return RunStatus.PARTIAL, "; ".join(
                f"optional step {n!r} {o.status.value}: {o.error}"
                for n, o in outcomes.items()
                if o.status != StepStatus.SUCCEEDED
            )
        return RunStatus.SUCCEEDED, ""

    async def _run_step(
        self, handle: RunHandle, step: Step, outcomes: Mapping[str, StepOutcome]
    ) -> StepOutcome:
        """All attempts of one step. Never raises: the outcome says what happened."""
        taken = [outcomes[name].output for name in step.takes]  # ancestors: all succeeded
        attempt = 0
        error = ""
        user_facing = False
        started: datetime | None = None
        ctx: StepContext | None = None
        while True:
            attempt += 1
            started = utc_now()
            ctx = StepContext(handle, step, attempt)
            try:
                await self._store.step_started(handle.run_id, step.name, attempt, started)
                handle.cancel_token.raise_if_cancelled()
                async with asyncio.timeout(step.timeout_s):
                    output = await step.run(ctx, *taken)
                handle._fractions[step.name] = 1.0
                await self._finish_step(handle, step, StepStatus.SUCCEEDED, attempt, started, ctx.counts, "")
                return StepOutcome(StepStatus.SUCCEEDED, output, "", attempt, dict(ctx.counts))
            except (asyncio.CancelledError, RunCancelled):
                status = (
                    StepStatus.INTERRUPTED
                    if handle._cancel_status == RunStatus.INTERRUPTED
                    else StepStatus.CANCELLED
                )
                reason = handle.cancel_token.reason or "cancelled"
                return await self._finish_step(handle, step, status, attempt, started, ctx.counts, reason)
            except TimeoutError:
                error, user_facing = f"timed out after {step.timeout_s:g} s (attempt {attempt})", False
            except Exception as exc:
                error, user_facing = describe_failure(exc)
                # An expected failure's message says it all; a bug's traceback goes to the log.
                log.info(
                    "step %s.%s attempt %d failed: %s",
                    handle.workflow.name,
                    step.name,
                    attempt,
                    error,
                    exc_info=None if user_facing else exc,
                )
            if attempt > step.retries:
                return await self._finish_step(
                    handle,
                    step,
                    StepStatus.FAILED,
                    attempt,
                    started,
                    ctx.counts,
                    error,
                    user_facing=user_facing,
                )
            try:
                await asyncio.sleep(step.backoff(attempt))
            except asyncio.CancelledError:
                reason = handle.cancel_token.reason or "cancelled"
                return await self._finish_step(
                    handle, step, StepStatus.CANCELLED, attempt, started, ctx.counts, reason
                )

    async def _finish_step(
        self,
        handle: RunHandle,
        step: Step,
        status: StepStatus,
        attempt: int,
        started: datetime | None,
        counts: Mapping[str, int],
        error: str,
        *,
        user_facing: bool = False,
    ) -> StepOutcome:
        handle._step_counts[step.name] = dict(counts)
        if status != StepStatus.SUCCEEDED:
            handle._fractions[step.name] = (
                1.0 if status == StepStatus.FAILED and step.optional else handle._fractions[step.name]
            )
        await self._safe(
            self._store.step_finished(
                handle.run_id, step.name, status, attempt, started, utc_now(), dict(counts), error
            )
        )
        return StepOutcome(status, None, error, attempt, dict(counts), user_facing)
