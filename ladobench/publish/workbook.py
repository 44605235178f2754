"""The downloads workbook, laid out as the Government Analysis Function's guidance on releasing statistics in
spreadsheets asks: a cover sheet, a contents sheet, notes, a key to the symbols used, then one table per sheet,
each sheet titled in A1 with its table marked as an Excel table, no merged cells and no blank rows in a table."""
from __future__ import annotations

from ladobench.core.schema import load_schema
from ladobench.publish.package import as_at, spec
from ladobench.publish.xlsx import Sheet, write_workbook
from ladobench.publish.xlsx_sheet import HEADING

# The data sheets: (sheet name, table in schema/downloads.yaml, title).
DATA_SHEETS = (("Metrics", "metrics", "Table 1: Metrics by local authority and financial year"),
               ("Returns", "returns", "Table 2: Every figure of every validated return"))
SYMBOLS_USED = ("[x]", "[z]", "[c]", "[u]", "[r]")


def notes() -> list[dict]:
    """The notes the tables refer to, numbered as the guidance asks ([note 1] ...)."""
    pub = load_schema().publishing
    sup = pub["suppression"]
    return [
        {"Note number": "[note 1]", "Note text": (
            f"Disclosure control: counts of {sup['min_count']} to {sup['max_count']} describing children or individual "
            "staff, and any figure that would reveal one, are withheld. The cell is empty and the status column says [c]."
            if sup.get("enabled") else "Disclosure control is switched off for this build: small counts are published.")},
        {"Note number": "[note 2]", "Note text": (
            "Rates are per 10,000 children aged 0-17, ONS mid-2024 population estimates, for every year.")},
        {"Note number": "[note 3]", "Note text": (
            "Intervals are 95% and 99.8%: Wilson score for shares and percentages, Byar's (exact Poisson under "
            f"{load_schema().methodology.byar_min_count} events) for rates. A share whose base is under {pub['reliability']['min_base']} is marked [u].")},
        {"Note number": "[note 4]", "Note text": (
            "Authorities count some figures differently; the note column says where a value is not available, not "
            "comparable, or rests on a discrepancy the authority's report declares. metadata.json defines every metric.")},
        {"Note number": "[note 5]", "Note text": (
            "Area codes follow DfE's open data standards: new_la_code is the ONS code, old_la_code the DfE number, "
            "time_period 202324 is the financial year 2023-24.")},
    ]


def cover(periods: list[str]) -> Sheet:
    s, wb = spec(), spec()["workbook"]
    when = as_at(periods)
    period = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "none yet")
    lines = [
        s["description"].strip(),
        ("Period covered", HEADING), f"Financial years {period}.",
        ("As at", HEADING), f"Data as at {when.day} {when:%B %Y} (the end of the latest financial year)." if when else "No data yet.",
        ("Source", HEADING), *[src["title"] for src in s["sources"]],
        ("Licence", HEADING), s["licence"]["text"].strip(), s["licence"]["path"], s["licence"]["attribution"],
        ("Contact", HEADING), s["contact"].strip(),
        ("Revisions", HEADING), s["revisions"].strip(),
        ("This workbook", HEADING),
        "The Contents sheet links to every sheet. Each table starts under its sheet's title and notes, "
        "and is marked as an Excel table. Empty cells are explained by the status column and the Symbols sheet; "
        "notes are on the Notes sheet. The comparisons are in comparisons.csv.",
    ]
    return Sheet("Cover", title=wb["title"], lines=lines, widths={"A": 120})


def sheets(periods: list[str], data: dict[str, tuple[list[str], list | dict]]) -> dict[str, Sheet]:
    """Every sheet in order. data: {table name: (columns, rows or {column: values})}."""
    schema = load_schema()
    symbols = [{"Symbol": s, "Meaning": schema.symbols[s].meaning, "Definition": " ".join(schema.symbols[s].definition.split())}
               for s in SYMBOLS_USED]
    tables = {}
    for name, table, title in DATA_SHEETS:
        columns, rows = data[table]
        described = next(t for t in spec()["tables"] if t["name"] == table)["description"].strip()
        tables[name] = Sheet(name, columns, rows, title=title, lines=[
            "This worksheet contains one table. " + described,
            "An empty cell in value is explained by status ([x] not available, [z] not applicable, [c] confidential): "
            "see the Symbols and Notes sheets ([note 1] to [note 5]).",
            "Source: " + spec()["sources"][0]["title"] + ".",
        ])
    contents = [{"Sheet name": "Notes", "Content": "Notes the tables refer to"},
                {"Sheet name": "Symbols", "Content": "The GSS symbols used in this workbook"},
                *({"Sheet name": name, "Content": title} for name, _, title in DATA_SHEETS)]
    out = {"Cover": cover(periods)}
    out["Contents"] = Sheet("Contents", ["Sheet name", "Content"], contents, title="Contents",
                            lines=["This worksheet contains one table. Each sheet name links to its sheet."],
                            links="Sheet name", widths={"Sheet name": 16, "Content": 70})
    out["Notes"] = Sheet("Notes", ["Note number", "Note text"], notes(), title="Notes",
                         lines=["This worksheet contains one table."], widths={"Note number": 14, "Note text": 120})
    out["Symbols"] = Sheet("Symbols", ["Symbol", "Meaning", "Definition"], symbols, title="Symbols",
                           lines=["This worksheet contains one table: the Government Statistical Service symbols used."],
                           widths={"Symbol": 10, "Meaning": 20, "Definition": 100})
    return out | tables


def workbook(periods: list[str], data: dict[str, tuple[list[str], list | dict]]) -> bytes:
    """The workbook's bytes: the same data give the same bytes."""
    return write_workbook(sheets(periods, data), title=spec()["workbook"]["title"])
