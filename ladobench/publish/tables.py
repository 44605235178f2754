"""Tables as published files: CSV written by pandas (numbers rounded once, to 4 places) and JSON by json.

A whole number is written as an integer in every file (968, never 968.0): a column whose values
are all whole is written as pandas' nullable Int64, and in a column that mixes counts with
decimals (a numerator that is a mean caseload for one metric) each whole value is an integer.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

# Text that a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
CSV_DECIMALS = 4
JSON_DECIMALS = 6


def _rounded(value: float, decimals: int):
    """A float as a file publishes it: None for NaN, rounded once, a whole number as an integer."""
    if math.isnan(value):
        return None
    value = round(value, decimals)
    return int(value) if value.is_integer() else value


def _text_cell(value):
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value
    return _rounded(value, CSV_DECIMALS) if isinstance(value, float) else value


def _floats(values) -> pd.Series | np.ndarray:
    """A float column rounded once; Int64 when every value is whole, else whole values as Python ints."""
    # Python's round is correctly rounded; pandas' round scales by 10**4 first (879609302.5437499 -> ...5438).
    series = pd.Series([round(v, CSV_DECIMALS) if v is not None and v == v else None for v in values], dtype="float64")
    numbers = series.to_numpy()
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    given = ~np.isnan(numbers)
    if whole[given].all():
        return series.astype("Int64")
    if not whole.any():
        return series
    out = numbers.astype(object)
    out[whole] = [int(v) for v in numbers[whole]]
    out[~given] = None
    return out


def _column(values) -> pd.Series | np.ndarray:
    """A column as pandas should write it: whole numbers as integers, floats rounded once, text made safe."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds and kinds <= {int}:
        return pd.array(values, dtype="Int64")
    if kinds and kinds <= {int, float}:  # NaN is a float: counts with gaps are whole numbers too
        return _floats(values)
    if kinds == {str}:  # codes and names repeat: make each distinct text safe once
        safe = {v: _text_cell(v) for v in set(values)}
        return pd.Series([safe[v] for v in values], dtype=object)
    return pd.Series([_text_cell(v) for v in values], dtype=object)  # each cell as it is: 5 and 5.5, [c] and 155


def csv_text(data: pd.DataFrame | list[dict], columns: list[str], extra: dict[str, list] | None = None) -> str:
    """CSV of these columns (a column the data lacks is empty), one header row, \\n line ends.

    extra: columns given whole, {name: values}, that the data does not hold (the area codes).
    """
    extra = extra or {}
    if isinstance(data, pd.DataFrame):
        cells = {c: extra[c] if c in extra else data[c].tolist() if c in data.columns else [None] * len(data)
                 for c in columns}
    else:
        cells = {c: extra[c] if c in extra else [row.get(c) for row in data] for c in columns}
    frame = pd.DataFrame({c: _column(values) for c, values in cells.items()}, columns=columns)
    return frame.to_csv(index=False, lineterminator="\n")


def clean(value):
    """A value as JSON publishes it: floats rounded to 6 places, whole numbers as integers, NaN as null."""
    return _rounded(value, JSON_DECIMALS) if isinstance(value, float) else value


def json_records(data: pd.DataFrame | list[dict]) -> list[dict]:
    rows = data.to_dict("records") if isinstance(data, pd.DataFrame) else data
    return [{k: clean(v) for k, v in row.items()} for row in rows]


def json_text(data) -> str:
    """JSON with sorted keys; a list of records is one record a line (json's C encoder, and a diff shows the rows)."""
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return "[\n" + ",\n".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in data) + "\n]\n"
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
