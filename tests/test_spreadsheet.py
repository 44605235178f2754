"""The spreadsheet template: generated from schema/, lossless through import, errors located at Sheet!Cell."""

import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ladobench.cli import main
from ladobench.core.paths import AUTHORITIES_DIR
from ladobench.core.problems import InputError
from ladobench.core.schema import load_schema
from ladobench.spreadsheet.read import convert, import_workbook
from ladobench.spreadsheet.return_yaml import dump_return
from ladobench.spreadsheet.template import template

RETURNS = [("kent", "2023-24"), ("kent", "2022-23"), ("gloucestershire", "2022-23")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of authorities/, so imports never touch the real returns."""
    copy = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES_DIR, copy, ignore=shutil.ignore_patterns("*.xlsx"))
    return copy


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _cell_of(ws, column: int, value) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == value)


@pytest.mark.parametrize("slug,period", RETURNS)
def test_round_trip_is_lossless(root, tmp_path, capsys, slug, period):
    original = _load(AUTHORITIES_DIR / slug / f"{period}.yaml")
    xlsx = tmp_path / "return.xlsx"
    code, out, _ = _run(capsys, "--root", str(root), "template", "--authority", slug, "--period", period,
                        "--out", str(xlsx))
    assert code == 0 and "pre-filled" in out
    code, out, err = _run(capsys, "--root", str(root), "import", str(xlsx))
    assert (code, err) == (0, ""), err
    assert f"updated authorities/{slug}/{period}.yaml" in out
    written = root / slug / f"{period}.yaml"
    assert _load(written) == original
    # The committed header comment survives, and the file reads like the hand-written returns.
    first = (AUTHORITIES_DIR / slug / f"{period}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert written.read_text(encoding="utf-8").splitlines()[0] == first
    assert '"[x]"' in written.read_text(encoding="utf-8")


def test_two_template_runs_are_byte_identical(root, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    template(root, "kent", "2023-24", a)
    template(root, "kent", "2023-24", b)
    assert a.read_bytes() == b.read_bytes()
    props = load_workbook(a).properties
    assert props.created == props.modified and props.created.year == 2024


def _kent_workbook(root, tmp_path) -> Path:
    xlsx = tmp_path / "kent.xlsx"
    template(root, "kent", "2023-24", xlsx)
    return xlsx


def test_sheets_follow_the_schema(root, tmp_path):
    wb = load_workbook(_kent_workbook(root, tmp_path))
    schema = load_schema()
    assert wb.sheetnames[:7] == ["About", "Source", "Counting", "Funnel", "Timeliness", "Staffing", "Children"]
    for dim in schema.dimensions:
        assert dim.replace("_", " ").capitalize() in wb.sheetnames
    for name in ("Notes", "Discrepancies", "Other figures", "Narrative", "Themes", "Recommendations"):
        assert name in wb.sheetnames
    assert wb["Lists"].sheet_state == "hidden"
    funnel = wb["Funnel"]
    assert [funnel.cell(4, c).value for c in range(1, 5)] == ["Field", "Label", "Value", "Definition"]
    assert [funnel.cell(r, 1).value for r in range(5, 5 + len(schema.records["funnel"].fields))] == \
        schema.records["funnel"].keys
    assert "Enquiries" in funnel["B5"].value  # Kent's own word for the stage
    about = wb["About"]
    assert about["B5"].value == "kent" and about["B6"].value == "2023-24"


def test_label_cells_have_a_crosswalk_drop_down(root, tmp_path):
    wb = load_workbook(_kent_workbook(root, tmp_path))
    ws = wb["Harm category"]
    row = _cell_of(ws, 2, "Physical abuse")
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and f"B{row}" in dv.sqref]
    assert len(lists) == 1
    sheet, _, area = lists[0].formula1.partition("!")
    column = area.split(":")[0].strip("$").rstrip("0123456789$")
    labels = [c.value for c in wb[sheet][column][1:] if c.value]
    kent = _load(AUTHORITIES_DIR / "kent" / "authority.yaml")
    assert labels == [e["local"] for e in kent["crosswalk"]["harm_category"]]


def test_value_cells_take_numbers_or_symbols(root, tmp_path):
    wb = load_workbook(_kent_workbook(root, tmp_path))
    ws = wb["Funnel"]
    custom = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom" and "C5" in dv.sqref]
    assert len(custom) == 1
    assert 'C5="[x]"' in custom[0].formula1 and 'C5="[c]"' in custom[0].formula1 and "C5>=0" in custom[0].formula1
    assert "[x]" in custom[0].prompt
    booleans = [dv for dv in ws.data_validations.dataValidation if dv.formula1 == '"TRUE,FALSE"']
    assert booleans and "C13" in booleans[0].sqref


def test_definitions_are_cell_comments(root, tmp_path):
    wb = load_workbook(_kent_workbook(root, tmp_path))
    definition = load_schema().records["funnel"].get("initial_contacts").definition
    assert definition in wb["Funnel"]["C5"].comment.text
    sector = wb["Sector"]
    base_row = _cell_of(sector, 1, "Base")
    assert "funnel stage the table splits" in sector.cell(base_row, 2).comment.text


def test_structure_is_locked_and_value_cells_are_open(root, tmp_path):
    wb = load_workbook(_kent_workbook(root, tmp_path))
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    funnel = wb["Funnel"]
    assert funnel["C5"].protection.locked is False
    assert funnel["A5"].protection.locked and funnel["B5"].protection.locked
    assert wb["About"]["B5"].protection.locked  # the identity cannot be typed over


def _edit(xlsx: Path, out: Path, edits) -> Path:
    wb = load_workbook(xlsx)
    edits(wb)
    wb.save(out)
    return out


def test_typed_errors_name_the_sheet_and_cell(root, tmp_path, capsys):
    before = (root / "kent" / "2023-24.yaml").read_bytes()

    def edits(wb):
        wb["Funnel"]["C5"] = "abc"
        wb["Funnel"]["C6"] = -3
        ws = wb["Harm category"]
        ws.cell(_cell_of(ws, 2, "Sexual abuse"), 2).value = "Sexual exploitation"

    bad = _edit(_kent_workbook(root, tmp_path), tmp_path / "bad.xlsx", edits)
    code, out, err = _run(capsys, "--root", str(root), "import", str(bad))
    assert code == 1 and out == ""
    assert "Traceback" not in err
    row = _cell_of(load_workbook(bad)["Harm category"], 2, "Sexual exploitation")
    assert "Funnel!C5: found 'abc' — expected a whole number of 0 or more" in err
    assert "Funnel!C6: found -3 — expected a whole number of 0 or more" in err
    assert f"'Harm category'!B{row}: found the label 'Sexual exploitation'" in err
    assert "[label_not_in_crosswalk]" in err
    assert (root / "kent" / "2023-24.yaml").read_bytes() == before  # nothing written on failure
    assert not list((root / "kent").glob(".*"))  # and no temporary file left behind


def test_blank_template_imports_to_clear_missing_field_errors(root, tmp_path, capsys):
    xlsx = tmp_path / "blank.xlsx"
    code, out, _ = _run(capsys, "--root", str(root), "template", "--authority", "gloucestershire",
                        "--period", "2023-24", "--out", str(xlsx))
    assert code == 0 and "blank" in out
    code, _, err = _run(capsys, "--root", str(root), "import", str(xlsx))
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith("error: ") and line.endswith("[missing_required]") for line in lines)
    assert any(line.startswith("error: Source!C5: found no 'title'") for line in lines)
    assert any(line.startswith("error: Funnel!C5: found no 'initial_contacts'") for line in lines)
    assert not (root / "gloucestershire" / "2023-24.yaml").exists()


def test_a_new_year_is_created_from_a_filled_in_blank(root, tmp_path, capsys):
    xlsx = tmp_path / "new.xlsx"
    template(root, "gloucestershire", "2023-24", xlsx)

    def edits(wb):
        wb["Source"]["C5"] = "Allegations against adults who work with children, 2023-24"
        for row, value in zip(range(5, 14), [1000, "[x]", 300, 600, 420, 180, None, None, True]):
            wb["Funnel"].cell(row, 3).value = value
        wb["Notes"]["B5"], wb["Notes"]["C5"] = "funnel.referrals", "Not counted separately."
        ws = wb["Harm category"]
        ws["B6"] = "initial_contacts"
        ws.cell(_cell_of(ws, 1, "Complete"), 2).value = False
        first = _cell_of(ws, 1, "#") + 1
        ws.cell(first, 2).value, ws.cell(first, 3).value = "Neglect", 200

    filled = _edit(xlsx, tmp_path / "filled.xlsx", edits)
    code, out, err = _run(capsys, "--root", str(root), "import", str(filled))
    assert (code, err) == (0, ""), err
    assert "created authorities/gloucestershire/2023-24.yaml" in out
    data = _load(root / "gloucestershire" / "2023-24.yaml")
    assert data["funnel"]["referrals"] == "[x]" and data["funnel"]["contacts_include_referrals"] is True
    assert data["breakdowns"] == {"harm_category": [
        {"base": "initial_contacts", "complete": False, "rows": [{"label": "Neglect", "count": 200}]}]}
    assert data["notes"] == {"funnel.referrals": "Not counted separately."}


def test_dry_run_writes_nothing(root, tmp_path, capsys):
    (root / "kent" / "2023-24.yaml").unlink()
    xlsx = tmp_path / "k.xlsx"
    shutil.copy(AUTHORITIES_DIR / "kent" / "2023-24.yaml", root / "kent" / "2023-24.yaml")
    template(root, "kent", "2023-24", xlsx)
    (root / "kent" / "2023-24.yaml").unlink()
    code, out, _ = _run(capsys, "--root", str(root), "import", "--dry-run", str(xlsx))
    assert code == 0 and "not written" in out
    assert not (root / "kent" / "2023-24.yaml").exists()


def test_bad_files_and_identities_are_refused(root, tmp_path, capsys):
    not_xlsx = tmp_path / "figures.xlsx"
    not_xlsx.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = _run(capsys, "--root", str(root), "import", str(not_xlsx))
    assert code == 1 and "not an Excel workbook" in err and "Traceback" not in err and "[workbook_unreadable]" in err
    code, _, err = _run(capsys, "--root", str(root), "template", "--authority", "kentt", "--period", "2023-24")
    assert code == 1 and "Did you mean kent" in err
    code, _, err = _run(capsys, "--root", str(root), "template", "--authority", "kent", "--period", "2023-25")
    assert code == 1 and "[period_invalid]" in err
    code, _, err = _run(capsys, "--root", str(root), "template", "--authority", "lancashire", "--period", "2023-24")
    assert code == 1 and "python build.py new lancashire" in err
    foreign = _edit(_kent_workbook(root, tmp_path), tmp_path / "foreign.xlsx", lambda wb: wb.remove(wb["About"]))
    code, _, err = _run(capsys, "--root", str(root), "import", str(foreign))
    assert code == 1 and "no About sheet" in err and "[workbook_not_template]" in err


def test_duplicate_and_half_filled_notes_are_located(root, tmp_path):
    def edits(wb):
        notes = wb["Notes"]
        row = _cell_of(notes, 2, "funnel.referrals")
        notes.cell(row + 1, 2).value = "funnel.referrals"  # overwrite the next note's field
        blank = next(r for r in range(5, notes.max_row + 1) if notes.cell(r, 2).value is None)
        notes.cell(blank, 3).value = "A note about nothing"

    bad = _edit(_kent_workbook(root, tmp_path), tmp_path / "notes.xlsx", edits)
    with pytest.raises(InputError) as caught:
        import_workbook(bad, root)
    rules = {p.rule: p.file for p in caught.value.problems}
    assert rules.keys() == {"note_duplicate", "missing_required"}
    assert all(where.startswith("Notes!") for where in rules.values())


def test_cells_are_read_as_the_return_means_them():
    assert convert(0.26, "percent", "0%") == 26  # typed as 26% in Excel
    assert convert("12", "count") == 12  # a number in a text-formatted cell
    assert convert(12.0, "count") == 12
    assert convert(" [x] ", "count") == "[x]"
    assert convert("abc", "count") == "abc"  # left for the validator to name
    assert convert(False, "text", labels=["FALSE"]) == "FALSE"  # Excel's yes/no turned back into the label
    assert convert("yes", "boolean") is True
    assert convert("a, b;c", {"list": "rule"}) == ["a", "b", "c"]
    assert convert("   ", "text") is None
    assert convert("line one\r\nline two\n", "markdown") == "line one\nline two\n"
    assert convert(2023, "text") == "2023"


def test_yaml_writer_round_trips_awkward_text():
    symbols = load_schema().return_symbols
    data = {"source": {"title": "yes", "note": "2024-10-01"},
            "funnel": {"initial_contacts": "[x]", "referrals": 10, "contacts_include_referrals": False},
            "notes": {"funnel.referrals": "- starts with a dash: and has # a colon", "funnel.concluded": "a\n  b  \n"},
            "other_figures": [{"label": "x" * 200, "value": 1.5, "unit": "count"}, {"label": "'quoted'", "value": 0,
                                                                                 "unit": "count"}]}
    text = dump_return(data)
    assert yaml.safe_load(text) == data
    assert all(f'"{s}"' in dump_return({"funnel": {"referrals": s}}) for s in symbols)
    assert "\n\nfunnel:" in text  # sections separated by a blank line
