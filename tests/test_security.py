"""A hostile return: every string an authority controls carries markup, script, markdown, template
and bidi payloads. The build must publish them as text: nothing runs, nothing links to javascript:,
nothing loads from another host, and the reader sees exactly what was typed."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ladobench.site.charts import bars, embed

# name -> (payload, what the reader sees where the field is narrative markdown; None: nothing to see)
PAYLOADS = {
    "script": ("<script>alert(1)</script>", None),
    "img_onerror": ("<img src=x onerror=alert(1)>", None),
    "svg_onload": ("<svg onload=alert(1)><circle r=9></circle></svg>", None),
    "markdown_js_link": ("[link](javascript:alert(1))", "link"),
    "click_js": ("[click](javascript:alert(1))", "click"),
    "bare_js": ("javascript:alert(1)", None),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', None),
    "html_js_link": ('<a href="javascript:alert(1)">x</a>', None),
    "attr_break": ('"><script>alert(1)</script>', None),
    "script_break": ("</script><script>alert(1)</script>", None),
    "markdown_image": ("![img](https://evil.example/x.png)", ""),
    "markdown_link": ("[text](https://evil.example/)", "text"),
    "autolink": ("<https://evil.example/>", None),
    "entities": ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62; &quot;", None),
    "template": ("{{ 7*7 }} {% if 1 %}X{% endif %} ${7*7}", None),
    "footnote": ("[^n1] [^1]", None),
    "markdown": ("**bold** _em_ `code` # not a heading", "bold em code # not a heading"),
    "pipes": ("a | b || c", None),
    "style": ("<style>body{display:none}</style>", None),
    "comment": ("<!-- hidden --> still visible", None),
    "rtl": ("\u202etxt.exe\u202c and \u2066isolated\u2069 \u200fRLM", None),
    "long_word": ("W" * 3000, None),
    "long_text": ("long " * 2000, None),
    "attr_list": ('{: onclick="alert(1)"}', None),  # last: attr_list acts at the end of a line
}
NAMES = list(PAYLOADS)
# A group name short enough for a title, with the payloads that attack titles, attributes and scripts.
GROUP_NAME = ('Peer "group" </title><script>alert(1)</script> <img src=x onerror=alert(1)> <!--<script> '
              "{{ 7*7 }} [click](javascript:alert(1)) \u202eRTL\u202c: x")
TEXTS = [p for p, _ in PAYLOADS.values()]
# Places in a return and an authority.yaml where each payload goes, shown as literal text.
PLACES = []


def shown(text: str) -> str:
    """What literal() promises the reader sees: the text itself, whitespace collapsed, direction overrides dropped."""
    return " ".join(re.sub("[\u202a-\u202e\u2066-\u2069]", "", text).split())


def _place(where: str, count: int = 1):
    PLACES.append((where, count))


def make_hostile(root: Path) -> dict:
    """Rewrite kent/2023-24.yaml and kent/authority.yaml in the copy at root; return what went where."""
    ret_file, auth_file = root / "kent" / "2023-24.yaml", root / "kent" / "authority.yaml"
    ret = yaml.safe_load(ret_file.read_text(encoding="utf-8"))
    auth = yaml.safe_load(auth_file.read_text(encoding="utf-8"))
    joined = " ".join(TEXTS)
    placed: dict[str, list[str]] = {}

    def put(where, text):
        placed.setdefault(where, []).append(text)
        return text

    ret["source"]["title"] = put("source.title", joined)
    ret["source"]["publisher"] = put("source.publisher", TEXTS[0])
    # notes: one payload on each of several fields the page shows (as footnotes)
    note_paths = [f"breakdowns.sector[1].rows[{r}]" for r in range(14)] + \
                 [f"breakdowns.harm_category[0].rows[{r}]" for r in range(7)] + \
                 ["funnel.below_threshold", "funnel.carried_over", "staffing.lado_establishment_fte", "children.linked_children"]
    assert len(note_paths) >= len(TEXTS)
    ret["notes"] = {**ret.get("notes", {}), **{p: put("notes", t) for p, t in zip(note_paths, TEXTS)}}
    # declared discrepancies: footnotes, and notes on the metrics that use the field
    ret["discrepancies"] = ret["discrepancies"] + [
        {"fields": ["funnel.referrals"], "found": put("discrepancies.found", t), "note": put("discrepancies.note", t)} for t in TEXTS]
    # table sources and a subset's base label
    for i, (_dim, tables) in enumerate(ret["breakdowns"].items()):
        for table in tables:
            table["source"] = put("breakdowns.source", TEXTS[i % len(TEXTS)])
    ret["breakdowns"]["sector"][1]["base_label"] = put("breakdowns.base_label", joined)
    # row labels, and the crosswalk labels they must match
    slots = [("harm_category", 0), ("sector", 1), ("child_ethnicity", 0), ("child_social_care", 0), ("sector", 0)]
    renames = {}
    queue = list(TEXTS)
    for dim, t in slots:
        for row in ret["breakdowns"][dim][t]["rows"]:
            if not queue:
                break
            new = put(f"label:{dim}", queue.pop(0))
            renames.setdefault(dim, {})[row["label"]] = new
            row["label"] = new
    assert not queue, "not enough rows to label with every payload"
    for dim, mapping in renames.items():
        for entry in auth["crosswalk"][dim]:
            if entry["local"] in mapping:
                entry["local"] = mapping[entry["local"]]
                entry["note"] = put("crosswalk.note", entry["local"])
    # other figures: label, source and period
    ret["other_figures"] = [{"label": put("other_figures.label", t), "value": 3 + i, "unit": "count", "about": "service",
                             "period": put("other_figures.period", t), "source": put("other_figures.source", t)}
                            for i, t in enumerate(TEXTS)] + ret["other_figures"]
    # narrative: markdown fields, and the plain ones shown in tables and headings
    ret["narrative"]["introduction"] = put("narrative.introduction", "\n\n".join(TEXTS))
    ret["narrative"]["conclusion"] = put("narrative.conclusion", "\n\n".join(TEXTS))
    ret["narrative"]["themes"] = [{"title": put("narrative.themes.title", t), "text": put("narrative.themes.text", t)}
                                  for t in TEXTS]
    ret["narrative"]["recommendations"] = [
        {"period": put("recommendations.period", t), "title": put("recommendations.title", t), "status": "amber",
         "detail": put("recommendations.detail", t), "timescale": put("recommendations.timescale", t)} for t in TEXTS]
    # the authority's own words for its stages
    for i, (_key, stage) in enumerate(auth["stages"].items()):
        stage["term"] = put("stages.term", TEXTS[i])
        stage["note"] = put("stages.note", joined)
    # a peer group: its name is a page title, a link text and part of the chart descriptions
    groups_file = root / "groups.yaml"
    groups = yaml.safe_load(groups_file.read_text(encoding="utf-8"))
    groups["groups"].append({"id": "hostile-group", "name": put("groups.name", GROUP_NAME),
                             "description": put("groups.description", joined), "members": ["kent", "gloucestershire"]})
    dump = dict(allow_unicode=True, sort_keys=False, width=10**9, default_flow_style=False)
    ret_file.write_text(yaml.safe_dump(ret, **dump), encoding="utf-8")
    auth_file.write_text(yaml.safe_dump(auth, **dump), encoding="utf-8")
    groups_file.write_text(yaml.safe_dump(groups, **dump), encoding="utf-8")
    return placed


@pytest.fixture(scope="module")
def hostile(builder, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    root = builder.copy(tmp)
    placed = make_hostile(root)
    site = builder.build(root, tmp)
    site.placed = placed
    return site


HOSTILE_PAGES = ["authorities/kent/",
                 "groups/hostile-group/",
                 "groups/", "", "authorities/", "metrics/referrals_rate/", "metrics/threshold_conversion/",
                 "metrics/harm_mix.physical/", "regions/E12000008/", "groups/kent-lancashire-peer-review/",
                 "periods/2023-24/", "downloads/"]


def test_the_hostile_return_is_valid_and_builds(hostile):
    placed = hostile.placed
    tried = sum(len(v) for v in placed.values())
    assert len(placed) >= 20 and tried >= 300
    (hostile.site.parent / "counts.json").write_text(json.dumps({"payloads": len(TEXTS), "fields": len(placed),
                                                                  "placements": tried}))
    assert (hostile.site / "authorities/kent/index.html").is_file()


# --- the HTML, read as text ---------------------------------------------------------------------

SCHEMES = re.compile(r"^(javascript|vbscript|data|file):", re.I)


def _clean_url(value: str) -> str:
    return re.sub(r"[\x00-\x20\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", value).lower()


def test_no_payload_survives_as_markup(hostile, html):
    files = sorted(hostile.site.rglob("*.html"))
    problems = []
    for f in files:
        rel = f.relative_to(hostile.site).as_posix()
        raw = f.read_text(encoding="utf-8")
        # chart specs are inert JSON, checked on their own (test_chart_json_in_the_built_site_is_escaped)
        markup = re.sub(r'(<script\b[^>]*type="application/json"[^>]*>).*?(</script>)', r"\1\2", raw, flags=re.S)
        if re.search(r"<script[^>]*>\s*alert", markup, re.I) or "<script>alert" in markup.lower():
            problems.append((rel, "unescaped <script>alert"))
        for tag in re.findall(r"<[a-zA-Z][^>]*>", markup):
            bare = re.sub(r"\"[^\"]*\"|'[^']*'", '""', tag)  # attribute values are text
            if re.search(r"\son[a-z]+\s*=", bare, re.I) or re.search(r"\s(href|src)\s*=\s*[\"']?\s*javascript:", tag, re.I):
                problems.append((rel, "event handler or javascript: URL in a tag", tag[:120]))
        page = html(f)
        for node in page.iter():
            for name, value in node.attrs.items():
                if name.startswith("on"):
                    problems.append((rel, "on* attribute", node.tag, name))
                if name in ("href", "src", "action", "formaction", "data", "xlink:href", "srcset") and SCHEMES.match(_clean_url(value)):
                    problems.append((rel, f"{name} with a script or data scheme", value[:80]))
            if node.tag in ("iframe", "object", "embed", "frame", "frameset", "base", "applet"):
                problems.append((rel, f"<{node.tag}>"))
            if node.tag == "form" and any(a.tag == "article" for a in node.ancestors()):
                problems.append((rel, "<form> in the content"))
            if node.tag in ("img", "image", "video", "audio", "source") and re.match(r"^(https?:)?//", node.attrs.get("src", "")):
                problems.append((rel, f"<{node.tag}> from another host", node.attrs.get("src")))
            if node.tag == "style" and any(a.tag == "article" for a in node.ancestors()):
                problems.append((rel, "<style> in the content"))
            if node.tag == "script":
                body = "".join(c for c in node.children if isinstance(c, str))
                if "alert(" in body and node.attrs.get("type") != "application/json":
                    problems.append((rel, "script that calls alert"))
                if node.attrs.get("type") == "application/json":
                    json.loads(body)
        for a in page.iter("a"):
            href = a.attrs.get("href", "")
            if "evil.example" in href:
                # markdown links in narrative stay links to https, opened without referrer
                assert href == "https://evil.example/" and "noopener" in a.attrs.get("rel", ""), (rel, a.attrs)
    assert len(files) > 50
    assert not problems, problems[:20]


def test_template_syntax_is_not_evaluated(hostile, html):
    text = html(hostile.site / "authorities/kent/index.html").find("article").text()
    assert "{{ 7*7 }} {% if 1 %}X{% endif %} ${7*7}" in text


def _embedded(rows, title, description) -> tuple[str, str]:
    html_text = str(embed(bars(rows, title, description, "count"), "chart-x"))
    body = re.search(r'<script type="application/json" id="chart-x-spec">(.*)</script>', html_text, re.S).group(1)
    return html_text, body


def test_chart_json_cannot_close_its_script():
    """A label can reach a chart spec (a peer group's name does, in the chart descriptions): no label may end
    the script element or break out of the aria-label attribute."""
    hostile_rows = [{"label": t, "value": float(i + 1), "highlight": i == 0} for i, t in enumerate(TEXTS)]
    html_text, body = _embedded(hostile_rows, "</script><script>alert(1)</script>", "<img src=x onerror=alert(1)> \" & '")
    assert "</" not in body
    assert json.loads(body)["datasets"]["table"][0]["label"] == TEXTS[0]
    div = html_text.split("\n")[0]
    assert div.count('"') == 10 and "<img" not in div  # aria-label cannot break out of its attribute


def test_chart_json_cannot_open_a_double_escaped_script():
    _, body = _embedded([{"label": "<!--<script>", "value": 1.0, "highlight": True}], "t", "<!--<script>")
    assert "<!--" not in body and "<script" not in body.lower()


def test_chart_json_in_the_built_site_is_escaped(hostile):
    bad = []
    for f in sorted(hostile.site.rglob("*.html")):
        for body in re.findall(r'<script\b[^>]*type="application/json"[^>]*>(.*?)</script>', f.read_text(encoding="utf-8"), re.S):
            if "<!--" in body or "<script" in body.lower():
                bad.append(f.relative_to(hostile.site).as_posix())
    assert not bad, sorted(set(bad))


def test_front_matter_survives_quotes(hostile, html):
    """A double quote in a group name must not end the page's YAML front matter (mkdocs would drop the
    title and description); Material prints both unescaped, so they stay entity-escaped text."""
    page = html(hostile.site / "groups/hostile-group/index.html")
    title = page.find("title").text()
    assert title == f"{shown(GROUP_NAME)}: LADO benchmarks - LADO benchmarks", title
    description = next(m.attrs["content"] for m in page.iter("meta") if m.attrs.get("name") == "description")
    assert description.startswith(f"Every member of {shown(GROUP_NAME)} compared on the key LADO measures")
    assert page.find("article").find("h1").text().startswith(shown(GROUP_NAME))
    assert shown(" ".join(TEXTS)) in page.find("article").text()  # the description, as typed


# --- in the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_base(hostile, serve):
    return serve(hostile.site)


@pytest.mark.browser
@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_no_dialog_no_error_in_the_browser(browser, hostile_base, watch, path, artifacts):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen = watch(page, hostile_base)
    try:
        page.goto(hostile_base + path, wait_until="networkidle")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.lb-chart')).every(e => e.querySelector('svg'))")
        page.wait_for_timeout(200)
        if path == "authorities/kent/":
            page.screenshot(path=str(artifacts / "hostile-authority.png"), full_page=False)
        assert not seen.dialogs, seen.dialogs
        assert not seen.errors, seen.errors
        assert not seen.console_errors, seen.console_errors
        assert not seen.foreign_requests, seen.foreign_requests
        assert page.evaluate("document.body.style.display") != "none"
        assert page.evaluate("getComputedStyle(document.body).display") != "none"
        assert page.locator("iframe").count() == 0
    finally:
        ctx.close()


@pytest.mark.browser
def test_every_payload_shows_literally(browser, hostile_base, hostile, watch):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen = watch(page, hostile_base)
    try:
        page.goto(hostile_base + "authorities/kent/", wait_until="networkidle")
        # innerText of the whole page, closed <details> opened first so their text counts
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = shown(page.evaluate("document.querySelector('article').innerText"))
        missing = []
        for name, (payload, as_markdown) in PAYLOADS.items():
            literal = shown(payload)
            # literal places: label, note, discrepancy found and note, source title, other figure label, period and
            # source, recommendation period, title, detail and timescale, theme heading
            if text.count(literal) < 13:
                missing.append((name, "literal", text.count(literal)))
            if as_markdown is None:
                # narrative: introduction, theme text and conclusion show it as typed too
                if text.count(literal) < 16:
                    missing.append((name, "narrative", text.count(literal)))
            elif as_markdown and text.count(as_markdown) < 3:
                missing.append((name, "narrative", as_markdown))
        assert not missing, missing
        # literal text is also what a script sees: the labels are table cells, not markup
        cells = page.locator("article table td").all_inner_texts()
        assert shown(TEXTS[0]) in [shown(c) for c in cells]
        assert page.locator("article img").count() == 0
        assert not seen.dialogs and not seen.errors and not seen.console_errors
    finally:
        ctx.close()


@pytest.mark.browser
def test_search_results_show_payloads_as_text(browser, hostile_base, watch):
    """Material's search renders snippets of page text: a payload must stay text there too."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen = watch(page, hostile_base)
    try:
        page.goto(hostile_base + "authorities/kent/", wait_until="networkidle")
        # Search splits words on spaces and hyphens only, so query a plain word that sits beside the payloads.
        page.locator(".md-search__input").click()
        page.keyboard.type("visible", delay=20)
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        page.wait_for_timeout(500)
        results = page.locator(".md-search-result").inner_html()
        shown_text = shown(page.locator(".md-search-result").inner_text())
        assert "<!-- hidden --> still visible" in shown_text
        assert "<script>alert(1)</script> <img src=x onerror=alert(1)>" in shown_text
        assert "<script" not in results.lower()
        assert not re.search(r"<img[^>]*onerror", results, re.I)
        assert page.locator(".md-search-result img, .md-search-result iframe, .md-search-result script").count() == 0
        assert not seen.dialogs and not seen.errors and not seen.console_errors, (seen.dialogs, seen.errors, seen.console_errors)
        assert not seen.foreign_requests
    finally:
        ctx.close()


def test_csv_downloads_never_carry_a_live_spreadsheet_formula():
    from ladobench.publish.tables import csv_text as to_csv

    text = to_csv([{"label": "=HYPERLINK(\"https://example.org\")", "n": -3}, {"label": "@SUM(A1)", "n": 2.5}], ["label", "n"])
    assert "'=HYPERLINK" in text and "'@SUM" in text
    assert ",-3\n" in text  # numbers are numbers, only text is neutralised


def test_direction_override_characters_cannot_disguise_text():
    from ladobench.site.render import literal

    assert literal("report\u202etxt.exe") == "reporttxt.exe"
