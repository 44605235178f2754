"""Crosswalk entries: every local label maps to a code, once per taxonomy."""
import shutil

from ladobench.core.paths import AUTHORITIES_DIR
from ladobench.returns.validate import validate


def _copy(tmp_path, old, new):
    root = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES_DIR, root)
    path = root / "kent" / "authority.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_a_label_without_a_code_is_reported_where_it_is(tmp_path):
    root = _copy(tmp_path, "    - {local: Sexual abuse, code: sexual}", "    - {local: Sexual abuse}")
    problems = [p for p in validate(root).errors if p.rule == "missing_required"]
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "authorities/kent/authority.yaml" and p.path == "crosswalk.harm_category[3].code"
    assert p.line == 37 and "Sexual abuse" in p.format()


def test_a_label_listed_twice_is_a_duplicate_not_a_silent_override(tmp_path):
    root = _copy(tmp_path, "    - {local: Emotional abuse, code: emotional}", "    - {local: Emotional abuse, code: emotional}\n    - {local: Emotional abuse, code: neglect}")
    problems = [p for p in validate(root).errors if p.rule == "label_duplicate"]
    assert [p.path for p in problems] == ["crosswalk.harm_category[5].local"]
    assert "first at line 38" in problems[0].format()
