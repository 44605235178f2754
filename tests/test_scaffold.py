"""build.py new: a new authority folder that validates at once, and refusals that say what to do instead."""

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ladobench.cli import main
from ladobench.core.paths import AUTHORITIES_DIR, SITE_SRC
from ladobench.core.reference import close_slugs, load_reference
from ladobench.core.schema import load_schema
from ladobench.returns.validate import validate
from ladobench.spreadsheet.scaffold import authority_yaml, latest_period


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES_DIR, copy, ignore=shutil.ignore_patterns("*.xlsx"))
    return copy


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_creates_a_valid_authority_and_a_blank_template(root, capsys):
    slug = "bournemouth-christchurch-and-poole"  # a name with a comma, which YAML must not misread
    code, out, err = _run(capsys, "--root", str(root), "new", slug, "--period", "2024-25")
    assert (code, err) == (0, "")
    folder = root / slug
    assert f"created authorities/{slug}/authority.yaml" in out
    data = yaml.safe_load((folder / "authority.yaml").read_text(encoding="utf-8"))
    row = load_reference().loc[slug]
    assert (data["name"], data["ons_code"], data["dfe_number"], data["region"]) == \
        (row["name"], row["ons_code"], int(row["dfe_number"]), row["region_code"])
    assert data["crosswalk"] == {dim: [] for dim in load_schema().dimensions}
    assert "stages" not in data  # left commented out until the LADO names them
    dataset = validate(root, [folder])
    assert dataset.errors == [] and slug in dataset.authorities
    wb = load_workbook(folder / f"{slug}-2024-25.xlsx")
    assert wb["About"]["B5"].value == slug and wb["About"]["B6"].value == "2024-25"
    assert wb["Funnel"]["C5"].value is None


def test_the_file_guides_the_lado(root):
    text = authority_yaml("kent")
    for stage in load_schema().stages:
        assert f"#  {stage}:" in text  # removing the # leaves "  stage:", two spaces in
    assert "# Category of harm. Common codes: physical (Physical)," in text
    assert "not_recorded (Not recorded)." in text
    assert max(len(line) for line in text.splitlines()) <= 100


@pytest.mark.parametrize("slug", sorted(load_reference().index))
def test_every_reference_authority_scaffolds_its_own_identity(slug):
    data = yaml.safe_load(authority_yaml(slug))
    assert data["name"] == load_reference().loc[slug, "name"]


def test_stages_uncommented_and_a_crosswalk_filled_in_still_validate(root, capsys):
    assert _run(capsys, "--root", str(root), "new", "swindon", "--period", "2024-25")[0] == 0
    path = root / "swindon" / "authority.yaml"
    text = path.read_text(encoding="utf-8")
    # As the guide says: remove the # in front of stages: and of the stage's lines, and nothing else.
    text = text.replace("#stages:", "stages:").replace("#  referrals:", "  referrals:", 1)
    text = text.replace('#    term: ""\n#    note: ""\n#  below_threshold', '    term: Referrals\n#  below_threshold', 1)
    text = text.replace("  harm_category: []", "  harm_category:\n    - {local: Physical abuse, code: physical}")
    path.write_text(text, encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["stages"] == {"referrals": {"term": "Referrals"}}
    assert validate(root, [root / "swindon"]).errors == []


def test_template_out_puts_the_spreadsheet_where_asked(root, tmp_path, capsys):
    out = tmp_path / "elsewhere" / "blank.xlsx"
    code, _, _ = _run(capsys, "--root", str(root), "new", "lancashire", "--template-out", str(out))
    assert code == 0 and out.exists()
    assert not list((root / "lancashire").glob("*.xlsx"))


def test_an_unknown_slug_is_refused_with_close_matches(root, capsys):
    code, out, err = _run(capsys, "--root", str(root), "new", "brighton")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "found 'brighton'" in err and "Did you mean brighton-and-hove" in err
    assert not (root / "brighton").exists()
    assert close_slugs("Kent County") == ["kent"]
    assert "kingston-upon-hull" in close_slugs("hull")


def test_an_existing_folder_is_never_overwritten(root, capsys):
    before = {p: p.read_bytes() for p in (root / "kent").iterdir()}
    code, _, err = _run(capsys, "--root", str(root), "new", "kent")
    assert code == 1 and "already exists" in err and "authorities/kent" in err and "[authority_exists]" in err
    assert {p: p.read_bytes() for p in (root / "kent").iterdir()} == before


def test_a_bad_period_is_refused_before_anything_is_written(root, capsys):
    code, _, err = _run(capsys, "--root", str(root), "new", "swindon", "--period", "2024-2025")
    assert code == 1 and "[period_invalid]" in err
    assert not (root / "swindon").exists()


def test_blank_template_of_a_new_authority_fails_import_clearly(root, capsys):
    _run(capsys, "--root", str(root), "new", "swindon", "--period", "2024-25")
    code, _, err = _run(capsys, "--root", str(root), "import", str(root / "swindon" / "swindon-2024-25.xlsx"))
    assert code == 1 and "Traceback" not in err
    assert "Funnel!C5: found no 'initial_contacts'" in err
    assert not (root / "swindon" / "2024-25.yaml").exists()


def test_latest_period_is_the_last_financial_year_ended():
    assert latest_period(date(2025, 3, 31)) == "2023-24"
    assert latest_period(date(2025, 4, 1)) == "2024-25"
    assert latest_period(date(2000, 1, 15)) == "1998-99"


def test_the_guide_walks_through_every_command():
    guide = (SITE_SRC / "adding-an-authority.md").read_text(encoding="utf-8")
    steps = ["build.py new", "build.py validate", "build.py template", "build.py import", "build.py serve"]
    positions = [guide.index(step) for step in steps]
    assert positions == sorted(positions)
    assert guide.startswith("---\ntitle: Adding an authority\n")
    assert "[x]" in guide and "crosswalk" in guide
