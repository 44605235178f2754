"""Tables as published files: CSV written by pandas (numbers rounded once, to 4 places) and JSON by json."""
from __future__ import annotations

import json
import math

import pandas as pd

# Text that a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
CSV_DECIMALS = 4
JSON_DECIMALS = 6


def _text_cell(value):
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, CSV_DECIMALS)
    return value


def _column(values) -> pd.Series | list:
    """A column as pandas should write it: whole numbers stay whole, floats are rounded once, text is made safe."""
    kinds = {type(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))}
    if kinds and kinds <= {int}:
        return pd.array(values, dtype="Int64")
    if kinds == {float}:  # (Python's round is correctly rounded; pandas' round scales by 10**4 first)
        return pd.Series([round(v, CSV_DECIMALS) if v is not None else None for v in values], dtype="float64")
    return pd.Series([_text_cell(v) for v in values], dtype=object)  # each cell as it is: 5 and 5.5, [c] and 155


def csv_text(data: pd.DataFrame | list[dict], columns: list[str]) -> str:
    """CSV of these columns (a column the data lacks is empty), one header row, \\n line ends."""
    if isinstance(data, pd.DataFrame):
        cells = {c: data[c].tolist() if c in data.columns else [None] * len(data) for c in columns}
    else:
        cells = {c: [row.get(c) for row in data] for c in columns}
    frame = pd.DataFrame({c: _column(values) for c, values in cells.items()}, columns=columns)
    return frame.to_csv(index=False, lineterminator="\n")


def clean(value):
    """A value as JSON publishes it: floats rounded to 6 places, NaN as null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, JSON_DECIMALS)
    return value


def json_records(data: pd.DataFrame | list[dict]) -> list[dict]:
    rows = data.to_dict("records") if isinstance(data, pd.DataFrame) else data
    return [{k: clean(v) for k, v in row.items()} for row in rows]


def json_text(data) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
