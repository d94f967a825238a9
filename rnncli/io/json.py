"""JSON -> the sequences X: `[[...], ...]`, `{"sequence": [[...], ...]}`, a flat
`[1, 2, 3]` (one feature), several as `{"sequences": [...]}` or `{"sequences":
{"id": ..., ...}}`, or a table with named columns as pandas writes it: records
`[{"a": 1, "b": 2}, ...]` or columns `{"a": {"0": 1, ...}, "b": {...}}`. A well-formed
input is read at C speed; anything else is read again,
value by value, to name the line and column of what is wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.column_choice import ColumnChoice
from rnncli.io.input_batch import Batch, Sequence
from rnncli.io.json_values import (
    QUICK_JSON,
    QUICK_REFUSED,
    JsonPlace,
    json_kind,
    json_number,
    json_row,
    load_json,
    quick_matrix,
)
from rnncli.io.named_table import chosen_columns, named_table
from rnncli.message_words import counted


def read_json(text: str, source: str, choice: ColumnChoice | None = None) -> Batch:
    """The sequences of JSON `text`; `source` names it in messages; `choice` picks the
    columns (by name in a table, by number in a matrix)."""
    batch = quick_json_batch(text, source)
    if batch is None:
        batch = careful_json_batch(text, source, choice)
    elif choice is not None:
        batch = batch._replace(sequences=[chosen_columns(s, choice) for s in batch.sequences])
    return batch


def careful_json_batch(text: str, source: str, choice: ColumnChoice | None = None) -> Batch:
    """The sequences of a JSON input, each value checked in Python: every error names
    the line and column of what is wrong."""
    document = load_json(text, source)
    place = JsonPlace(text, source)
    table = _pandas_table(document, place, choice)
    if table is not None:
        return Batch([table], batched=False)
    if isinstance(document, dict) and "sequences" in document:
        if set(document) != {"sequences"}:
            extra = sorted(set(document) - {"sequences"})[0]
            raise place.error((), f'unknown key {extra!r} beside "sequences"')
        batch = _json_batch(document["sequences"], place)
        return batch._replace(sequences=[chosen_columns(s, choice) for s in batch.sequences])
    path: tuple[int | str, ...] = ()
    if isinstance(document, dict):
        if set(document) != {"sequence"}:
            extra = sorted(set(document) - {"sequence"})
            problem = f"unknown key {extra[0]!r}" if extra else 'no key "sequence"'
            raise place.error((), f'{problem}; expected {{"sequence": [[...], ...]}}')
        document, path = document["sequence"], ("sequence",)
    X = np.array(_json_steps(document, path, place), dtype=np.float64)
    return Batch([chosen_columns(Sequence(X=X, source=source), choice)], batched=False)


def _pandas_table(document: Any, place: JsonPlace, choice: ColumnChoice | None) -> Sequence | None:
    """pandas' orient="records" (a list of objects, one per step, with the same keys) or
    orient="columns" (an object of columns, each an object from index to value, the
    steps in the order of the first column's index); None for any other form."""
    if type(document) is list and document and all(type(row) is dict for row in document):
        names = tuple(document[0])
        for t, row in enumerate(document):
            if tuple(row) != names:
                message = f"step {t + 1} has the keys {list(row)}, step 1 has {list(names)}"
                raise place.error((t,), message)
        return named_table(
            names,
            len(document),
            lambda t, k: document[t][names[k]],
            place.source,
            lambda t, k, message: place.error((t, names[k]), message),
            choice,
        )
    columns = list(document.values()) if type(document) is dict else []
    if columns and all(type(column) is dict for column in columns) and "sequences" not in document:
        names = tuple(document)
        index = tuple(columns[0])
        for name, column in zip(names, columns, strict=True):
            if tuple(column) != index:
                message = f"column {name!r} has another index than column {names[0]!r}"
                raise place.error((name,), message)
        return named_table(
            names,
            len(index),
            lambda t, k: columns[k][index[t]],
            place.source,
            lambda t, k, message: place.error((names[k], index[t]), message),
            choice,
        )
    return None


def quick_json_batch(text: str, source: str) -> Batch | None:
    """The sequences of a well-formed JSON input, read at C speed, or None for anything
    else, which the careful reader then reads again to say what is wrong and where.

    Here every number is read by float() inside the json module (so `-0` stays -0.0 and
    no integer has a digit limit); a value that is not a finite number, a ragged or
    empty sequence, a duplicate key or an unknown key all give None.
    """
    try:
        document = QUICK_JSON.decode(text)
    except QUICK_REFUSED:
        return None
    if type(document) is dict and set(document) == {"sequences"}:
        items = _sequence_items(document["sequences"])
        if items is None:
            return None
        batch: list[Sequence] = []
        for key, steps in items:
            X = quick_matrix(steps)
            if X is None or (batch and X.shape[1] != batch[0].features):
                return None
            batch.append(Sequence(X, source, id=key))
        return Batch(batch, batched=True) if batch else None
    if type(document) is dict and set(document) == {"sequence"}:
        document = document["sequence"]
    X = quick_matrix(document)
    return None if X is None else Batch([Sequence(X, source)], batched=False)


def _sequence_items(sequences: Any) -> list[tuple[str | int, Any]] | None:
    """The (id, sequence) pairs of a "sequences" value: an object's keys, or 1, 2, ...
    for a list; None for anything else."""
    if isinstance(sequences, dict):
        return list(sequences.items())
    if isinstance(sequences, list):
        return list(enumerate(sequences, start=1))
    return None


def _json_batch(sequences: Any, place: JsonPlace) -> Batch:
    """{"sequences": [seq, ...]} (ids 1, 2, ...) or {"sequences": {"id": seq, ...}}."""
    at: tuple[int | str, ...] = ("sequences",)
    items = _sequence_items(sequences)
    if items is None:
        raise place.error(
            at, f"expected a list or an object of sequences, got {json_kind(sequences)}"
        )
    if not items:
        raise place.error(at, "holds no sequences")
    batch: list[Sequence] = []
    for key, document in items:
        path = (*at, key if isinstance(key, str) else key - 1)
        X = np.array(_json_steps(document, path, place), dtype=np.float64)
        if batch and X.shape[1] != batch[0].X.shape[1]:
            width, first = counted(X.shape[1], "feature"), batch[0].X.shape[1]
            raise place.error(path, f"sequence {key!r} has {width}, the first has {first}")
        batch.append(Sequence(X=X, source=place.source, id=key))
    return Batch(batch, batched=True)


def _json_steps(document: Any, path: tuple[int | str, ...], place: JsonPlace) -> list[list[float]]:
    """The rows of one sequence: a list of steps, each a list of numbers (or a number)."""
    if not isinstance(document, list):
        raise place.error(path, f"expected a list of steps, got {json_kind(document)}")
    if not document:
        raise place.error(path, "the sequence is empty; expected at least one step")
    if not isinstance(document[0], list):
        # A flat list: a sequence of scalars, one feature (I = 1).
        return [
            [json_number(v, (*path, t), place, f"step {t + 1}")] for t, v in enumerate(document)
        ]
    rows: list[list[float]] = []
    for t, step in enumerate(document):
        row = json_row(step, (*path, t), place, t + 1)
        if rows and len(row) != len(rows[0]):
            message = f"step {t + 1} has {counted(len(row), 'value')}, step 1 has {len(rows[0])}"
            raise place.error((*path, t), message)
        rows.append(row)
    return rows
