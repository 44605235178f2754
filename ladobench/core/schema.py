"""schema/ as typed Python objects: the one place code learns fields, taxonomies, rules and metrics."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from statistics import NormalDist

import yaml

from ladobench.core.paths import SCHEMA_DIR

NUMERIC_TYPES = ("count", "percent", "fte", "number")
SCALAR_TYPES = NUMERIC_TYPES + ("boolean", "text", "markdown", "url", "month", "field_path", "rule", "code", "stage", "dimension")


@dataclass(frozen=True)
class Field:
    key: str
    type: object  # a type name, or {"list": T} / {"map": K, "of": T}
    required: bool = False
    label: str = ""
    definition: str = ""
    citation: str = ""
    base: str = ""
    title: str = ""

    @property
    def display(self) -> str:
        return self.label or self.title or self.key.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Record:
    name: str
    title: str
    definition: str
    fields: tuple[Field, ...]

    def get(self, key: str) -> Field | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Field]:
        by_key: dict[str, Field] = {}
        for f in self.fields:
            by_key.setdefault(f.key, f)  # the first field with the key, as a scan would find
        return by_key

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    definition: str = ""
    kcsie: bool = False

    @property
    def parent(self) -> str:
        return self.code.split(".")[0]

    @property
    def top_level(self) -> bool:
        return "." not in self.code


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    definition: str
    protected: bool
    codes: tuple[Code, ...]
    citation: str = ""

    def code(self, code: str) -> Code | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Code]:
        by_code: dict[str, Code] = {}
        for c in self.codes:
            by_code.setdefault(c.code, c)  # the first, as a scan would find
        return by_code

    @property
    def code_names(self) -> list[str]:
        return [c.code for c in self.codes]

    @property
    def top_codes(self) -> list[Code]:
        return [c for c in self.codes if c.top_level]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    checks: str
    fix: str
    # What the rule checks: "returns" (return and authority files: validate, build, import) or the
    # input of one other command ("workbook" for import, "template", "new", "site" for the build).
    applies_to: str = "returns"


@dataclass(frozen=True)
class Level:
    level: str  # "95", "99.8": the percentage, as the download columns and the pages name it
    z: float


@dataclass(frozen=True)
class Methodology:
    """schema/methodology.yaml: the numbers the statistical method is made of."""

    levels: tuple[Level, ...]
    byar_min_count: int
    min_areas_to_rank: int
    trend_min_points: int
    trend_recent_points: int
    trend_alpha: float
    jump_factor: float
    jump_min_count: int

    @property
    def z(self) -> dict[str, float]:
        return {lv.level: lv.z for lv in self.levels}

    @property
    def jump_words(self) -> str:
        """The year-on-year change validation warns about, as a past participle phrase."""
        f = self.jump_factor
        if f == 2:
            return "more than doubled or fallen by more than half"
        return f"grown to more than {f:g} times or fallen to less than 1/{f:g} of its size"

    def words(self) -> dict[str, str]:
        """The numbers rules.yaml's texts may name as {placeholders}."""
        return {"jump_words": self.jump_words, "jump_min_count": f"{self.jump_min_count:,}"}


def _methodology(raw: dict) -> Methodology:
    levels = tuple(Level(str(lv["level"]), float(lv["z"])) for lv in raw["intervals"]["levels"])
    for lv in levels:  # a z that is not its level's would publish intervals the page mislabels
        if abs(NormalDist().inv_cdf(0.5 + float(lv.level) / 200) - lv.z) > 1e-9:
            raise ValueError(f"schema/methodology.yaml: z = {lv.z} is not the two-sided critical value for {lv.level}%")
    if sorted(lv.level for lv in levels) != ["95", "99.8"]:
        raise ValueError("schema/methodology.yaml: the interval levels are 95 and 99.8 (the pages and downloads name them)")
    trend, yoy = raw["trend"], raw["year_on_year"]
    m = Methodology(levels, int(raw["intervals"]["byar_min_count"]), int(raw["ranking"]["min_areas"]),
                    int(trend["min_points"]), int(trend["recent_points"]), float(trend["alpha"]),
                    float(yoy["factor"]), int(yoy["min_count"]))
    if not (m.min_areas_to_rank >= 1 and 2 <= m.trend_min_points <= m.trend_recent_points and 0 < m.trend_alpha < 1
            and m.jump_factor > 1 and m.jump_min_count >= 0 and m.byar_min_count >= 0):
        raise ValueError(f"schema/methodology.yaml: a number out of its range in {m}")
    return m


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    kind: str
    definition: str
    unit: str
    decimals: int
    compare: bool
    headline: bool
    numerator: str = ""
    denominator: str = ""
    dimension: str = ""
    codes: tuple[str, ...] = ()
    combine: bool = False
    bases: tuple[str, ...] = ()
    comparable_when: tuple[str, ...] = ()  # counting facts two values must share to be compared
    family: str = ""  # the catalogue entry a share metric was expanded from
    code: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"


@dataclass(frozen=True)
class Symbol:
    symbol: str
    meaning: str
    definition: str
    in_returns: bool


@dataclass(frozen=True)
class Schema:
    records: dict[str, Record]
    root: str
    enums: dict[str, tuple]
    authority_records: dict[str, Record]
    authority_root: str
    dimensions: dict[str, Dimension]
    symbols: dict[str, Symbol]
    rules: dict[str, Rule]
    catalogue: tuple[Metric, ...]  # as written in metrics.yaml
    metrics: tuple[Metric, ...]  # share families expanded, one per code
    publishing: dict = field(default_factory=dict)
    methodology: Methodology | None = None

    @property
    def return_rules(self) -> list[str]:
        """The rules a return's files are checked against (and a declared discrepancy may name)."""
        return [r.name for r in self.rules.values() if r.applies_to == "returns"]

    @property
    def stages(self) -> list[str]:
        """The funnel's stages: its required counts, in order."""
        return [f.key for f in self.records["funnel"].fields if f.type == "count" and f.required]

    @property
    def return_symbols(self) -> list[str]:
        return [s.symbol for s in self.symbols.values() if s.in_returns]

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)

    def enum_values(self, name: str) -> list[str]:
        return [v["code"] if isinstance(v, dict) else v for v in self.enums[name]]


def _records(raw: dict) -> dict[str, Record]:
    out = {}
    for name, rec in raw["records"].items():
        fields = tuple(Field(**f) for f in rec.get("fields", []))
        out[name] = Record(name, rec.get("title", name), rec.get("definition", ""), fields)
    return out


def _expand(metric: dict, dimensions: dict[str, Dimension]) -> list[Metric]:
    base = {k: tuple(v) if isinstance(v, list) else v for k, v in metric.items()}
    if base["kind"] != "share":
        return [Metric(**base)]
    dim = dimensions[base["dimension"]]
    codes = base.get("codes") or tuple(c.code for c in dim.top_codes)
    if base.get("combine"):
        return [Metric(**{**base, "codes": tuple(codes), "family": base["id"]})]
    out = []
    for code in codes:
        label = dim.code(code).label
        out.append(Metric(**{**base, "id": f"{base['id']}.{code}", "title": f"{base['title']}: {label}",
                             "codes": (code,), "family": base["id"], "code": code}))
    return out


def _read(path: Path) -> dict:
    # yaml.safe_load's data, read by libyaml when it is there (five times faster on these files).
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _fill(text: str, words: dict[str, str]) -> str:
    """A rule's text with the methodology's numbers in place of its {placeholders} (others left as written)."""
    return re.sub(r"\{(\w+)\}", lambda m: words.get(m.group(1), m.group(0)), text)


@cache
def load_schema(schema_dir: Path = SCHEMA_DIR) -> Schema:
    ret, auth = _read(schema_dir / "return.yaml"), _read(schema_dir / "authority.yaml")
    taxo = _read(schema_dir / "taxonomies.yaml")["dimensions"]
    dimensions = {
        key: Dimension(key, d["title"], d.get("definition", ""), bool(d.get("protected")),
                       tuple(Code(**{**c, "code": str(c["code"])}) for c in d["codes"]), d.get("citation", ""))
        for key, d in taxo.items()
    }
    catalogue = _read(schema_dir / "metrics.yaml")["metrics"]
    methodology = _methodology(_read(schema_dir / "methodology.yaml"))
    words = methodology.words()
    return Schema(
        records=_records(ret), root=ret["root"], enums={k: tuple(v) for k, v in ret["enums"].items()},
        # The counting facts are one record, defined in return.yaml, that authority.yaml uses too.
        authority_records={**_records(auth), "counting": _records(ret)["counting"]}, authority_root=auth["root"],
        dimensions=dimensions,
        symbols={s["symbol"]: Symbol(**s) for s in _read(schema_dir / "symbols.yaml")["symbols"]},
        rules={r["name"]: Rule(**{**r, "checks": _fill(r["checks"], words), "fix": _fill(r["fix"], words)})
               for r in _read(schema_dir / "rules.yaml")["rules"]},
        catalogue=tuple(Metric(**{k: tuple(v) if isinstance(v, list) else v for k, v in m.items()}) for m in catalogue),
        metrics=tuple(m for raw in catalogue for m in _expand(raw, dimensions)),
        publishing=_read(schema_dir / "publishing.yaml"),
        methodology=methodology,
    )
