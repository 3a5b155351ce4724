"""Step inputs that point at the run context or at earlier steps' results.

A string input that is exactly "$context.a.b" or "$steps.<name>.output.x.y" (or
"$steps.<name>.counts.k") is replaced by that value, keeping its type; dicts, lists and
tuples are resolved recursively; anything else is passed through. Path parts index dicts by
key, sequences by integer position, and other objects (dataclasses) by attribute.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

CONTEXT_PREFIX = "$context"
STEPS_PREFIX = "$steps"
_STEP_FIELDS = ("output", "counts")


class InputReferenceError(LookupError):
    """A reference that names something that does not exist (message says which part)."""


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and (
        value == CONTEXT_PREFIX
        or value.startswith(CONTEXT_PREFIX + ".")
        or value.startswith(STEPS_PREFIX + ".")
    )


def iter_references(value: Any) -> Iterator[str]:
    if is_reference(value):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from iter_references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_references(item)


def referenced_step(reference: str) -> str | None:
    """The step a "$steps.<name>...." reference depends on (None for context references)."""
    if not reference.startswith(STEPS_PREFIX + "."):
        return None
    parts = reference.split(".")
    if len(parts) < 3 or parts[2] not in _STEP_FIELDS:
        raise InputReferenceError(
            f"{reference!r}: expected $steps.<name>.output[...] or $steps.<name>.counts[...]"
        )
    return parts[1]


def _walk(value: Any, path: Sequence[str], reference: str) -> Any:
    for depth, part in enumerate(path):
        where = ".".join(path[: depth + 1])
        if isinstance(value, Mapping):
            if part not in value:
                raise InputReferenceError(f"{reference!r}: no key {part!r} (at {where})")
            value = value[part]
        elif isinstance(value, Sequence) and not isinstance(value, str):
            try:
                value = value[int(part)]
            except (ValueError, IndexError):
                raise InputReferenceError(f"{reference!r}: no index {part!r} (at {where})") from None
        elif hasattr(value, part) and not part.startswith("_"):
            value = getattr(value, part)
        else:
            raise InputReferenceError(f"{reference!r}: cannot look up {part!r} (at {where})")
    return value


def resolve(value: Any, context: Mapping[str, Any], steps: Mapping[str, Mapping[str, Any]]) -> Any:
    """Resolve references in `value`. `steps` maps step name -> {"output": ..., "counts": ...}."""
    if is_reference(value):
        parts = value.split(".")
        if parts[0] == CONTEXT_PREFIX:
            return _walk(context, parts[1:], value)
        name = referenced_step(value)
        assert name is not None
        if name not in steps:
            raise InputReferenceError(f"{value!r}: step {name!r} has no result")
        return _walk(steps[name], parts[2:], value)
    if isinstance(value, Mapping):
        return {key: resolve(item, context, steps) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, context, steps) for item in value]
    if isinstance(value, tuple):
        return tuple(resolve(item, context, steps) for item in value)
    return value
