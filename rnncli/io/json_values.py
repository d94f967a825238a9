"""What both JSON readers share: the quick decoder and the careful one (a key given
twice, NaN, Infinity or a number too large for a float refused, each at its line and
column), the checks on each step and number, and the place of a value in the text."""

from __future__ import annotations

import json
import math
import re
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

from rnncli.errors import RnnCliError, line_column, located
from rnncli.io.input_batch import Float64Array
from rnncli.message_words import shown


class _NonFinite(ValueError):
    """NaN, Infinity (JSON's non-standard constants) or a number too large for a float."""


class DuplicateKey(ValueError):
    """A key given twice in one JSON object (json.loads would keep the last)."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    """Every JSON number as a float (no int() with its digit limit); refuse what overflows."""
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


# The quick readers' decoder: every number read by float() inside the json module.
QUICK_JSON = json.JSONDecoder(
    parse_int=float, parse_constant=_refuse_constant, object_pairs_hook=unique_keys
)

#: What the quick decoder raises for any input it does not take (DuplicateKey and
#: _NonFinite are ValueErrors): the careful reader then says what is wrong, and where.
QUICK_REFUSED = (ValueError, RecursionError)


def load_json(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_finite_float,
            object_pairs_hook=unique_keys,
        )
    except DuplicateKey as error:
        key = json.dumps(str(error))
        line, column = line_column(text, text.rfind(key))
        message = f"the key {key} appears twice; give each key once"
        raise RnnCliError(located(source, message, line + line_offset, column)) from None
    except _NonFinite as error:
        line, column = line_column(text, text.find(str(error)))
        message = f"{shown(str(error))} is not a finite number; every value must be one"
        raise RnnCliError(located(source, message, line + line_offset, column)) from None
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg}"
        raise RnnCliError(
            located(source, message, error.lineno + line_offset, error.colno)
        ) from None
    except RecursionError:
        raise RnnCliError(f"{source}: not a sequence: nested too deeply") from None


def quick_matrix(steps: Any) -> Float64Array | None:
    """A list of steps (lists of floats, or floats for one feature) as T x I, or None."""
    if type(steps) is not list or not steps:
        return None
    if type(steps[0]) is list:
        if set(map(type, steps)) != {list} or set(map(type, chain(*steps))) != {float}:
            return None
        try:
            X = np.array(steps, dtype=np.float64)  # a ragged list of steps raises
        except ValueError:
            return None
        if X.ndim != 2 or X.shape[1] == 0:
            return None
    elif set(map(type, steps)) == {float}:
        X = np.array(steps, dtype=np.float64)[:, np.newaxis]
    else:
        return None
    return X if np.isfinite(X).all() else None


class JsonPlace(NamedTuple):
    """JSON text, and how to name the place of a value in it."""

    text: str
    source: str
    line_offset: int = 0  # lines before `text` in the file (JSON Lines)

    def error(self, at: tuple[int | str, ...], message: str) -> RnnCliError:
        line, column = _json_location(self.text, at)
        return RnnCliError(located(self.source, message, line + self.line_offset, column))


def json_row(values: Any, at: tuple[int | str, ...], place: JsonPlace, step: int) -> list[float]:
    """One step x_t: a list of numbers."""
    if not isinstance(values, list):
        raise place.error(at, f"step {step}: expected a list of numbers, got {json_kind(values)}")
    if not values:
        raise place.error(at, f"step {step} is empty")
    return [
        json_number(v, (*at, i), place, f"step {step}, feature {i + 1}")
        for i, v in enumerate(values)
    ]


def json_number(value: Any, at: tuple[int | str, ...], place: JsonPlace, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise place.error(at, f"{where}: expected a number, got {json_kind(value)}")
    return float(value)


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([\[\]{},:])|([^\s\[\]{},:"]+))')


def _json_location(text: str, target: tuple[int | str, ...]) -> tuple[int, int]:
    """Line and column of the value at `target` (keys and indices) in valid JSON `text`."""
    frames: list[list[Any]] = []  # [kind, index or key, expecting a key]
    position = 0
    wanted = list(target)
    while (match := _TOKEN.match(text, position)) and match.end() > position:
        position = match.end()
        string, punctuation, _literal = match.groups()
        start = match.start(match.lastindex or 0)
        if punctuation in ("]", "}"):
            frames.pop()
            continue
        if punctuation == ",":
            if frames[-1][0] == "[":
                frames[-1][1] += 1
            else:
                frames[-1][2] = True
            continue
        if punctuation == ":":
            frames[-1][2] = False
            continue
        if string is not None and frames and frames[-1][0] == "{" and frames[-1][2]:
            frames[-1][1] = json.loads(string)
            continue
        if [frame[1] for frame in frames] == wanted:
            return line_column(text, start)
        if punctuation == "[":
            frames.append(["[", 0, False])
        elif punctuation == "{":
            frames.append(["{", None, True])
    return 1, 1
