"""The committed JSON Schemas are generated from schema/*.yaml and accept exactly what the validator accepts."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ladobench.cli import main
from ladobench.core.json_schema import generate
from ladobench.core.paths import AUTHORITIES_DIR, SCHEMA_DIR

GENERATED = generate()
REAL_FILES = sorted(AUTHORITIES_DIR.glob("*/*.yaml"))  # authority.yaml and the returns; groups.yaml sits above


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(GENERATED[name]))


def _kent() -> dict:
    return yaml.safe_load((AUTHORITIES_DIR / "kent" / "2023-24.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_file_equals_fresh_output(name):
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8") if (SCHEMA_DIR / name).exists() else ""
    assert committed == GENERATED[name], (
        f"schema/{name} is out of date with schema/*.yaml: run `python build.py schema` and commit the result")


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_output_is_a_deterministic_draft_2020_12_schema(name):
    doc = json.loads(GENERATED[name])
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert GENERATED[name] == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert generate()[name] == GENERATED[name]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_files_validate(path):
    name = "authority.schema.json" if path.name == "authority.yaml" else "return.schema.json"
    errors = [e.message for e in _validator(name).iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []


def test_a_negative_count_fails():
    data = _kent()
    data["funnel"]["referrals"] = -1
    assert not _validator("return.schema.json").is_valid(data)


def test_an_unknown_key_fails_at_every_level():
    v = _validator("return.schema.json")
    for mutate in (lambda d: d.update(extra=1), lambda d: d["funnel"].update(refferals=3),
                   lambda d: d["breakdowns"]["sector"][0]["rows"][0].update(cout=3),
                   lambda d: d["breakdowns"].update(harm_categry=[])):
        data = _kent()
        mutate(data)
        assert not v.is_valid(data)


def test_numbers_take_only_the_symbols_allowed_in_returns():
    v = _validator("return.schema.json")
    for value, ok in (("[x]", True), ("[z]", True), ("[c]", True), ("[low]", False), ("[u]", False),
                      (12, True), (1.5, False), ("12", False)):
        data = _kent()
        data["funnel"]["referrals"] = value
        assert v.is_valid(data) is ok, value
    data = _kent()
    data["timeliness"]["decision_within_1_working_day"] = 101
    assert not v.is_valid(data)


def test_required_fields_and_enums():
    v = _validator("return.schema.json")
    data = _kent()
    del data["funnel"]["concluded"]
    assert not v.is_valid(data)
    data = _kent()
    data["breakdowns"]["sector"][0]["base"] = "everyone"
    assert not v.is_valid(data)


def test_crosswalk_codes_are_checked_per_taxonomy():
    v = _validator("authority.schema.json")
    data = yaml.safe_load((AUTHORITIES_DIR / "kent" / "authority.yaml").read_text(encoding="utf-8"))
    assert v.is_valid(data)
    data["crosswalk"]["harm_category"][0]["code"] = "education"  # a sector code, not a harm category
    assert not v.is_valid(data)


def test_descriptions_come_from_the_definitions():
    doc = json.loads(GENERATED["return.schema.json"])
    funnel = doc["$defs"]["funnel"]["properties"]["initial_contacts"]
    assert funnel["title"] == "Initial contacts"
    assert funnel["description"].startswith("Approaches to the LADO service")


def test_check_option_reports_up_to_date(capsys):
    assert main(["schema", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_write_regenerates_stale_files(tmp_path: Path):
    from ladobench.core.json_schema import write

    (tmp_path / "return.schema.json").write_text("{}\n", encoding="utf-8")
    assert {p.name for p in write(tmp_path, check=True)} == set(GENERATED)
    assert not (tmp_path / "authority.schema.json").exists()  # check writes nothing
    write(tmp_path)
    assert write(tmp_path, check=True) == []
