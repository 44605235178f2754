"""A hostile return: every string an authority controls carries markup, script, markdown, template
and bidi payloads. The build must publish them as text: nothing runs, nothing links to javascript:,
nothing loads from another host, and the reader sees exactly what was typed.

Then a hostile or careless submission (links out of the folder, terminal escapes, hostile workbooks,
a killed build, a full disk): refused with a located message, exit status 1, no traceback."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from validation_support import BUILD, REPO, copy_authorities

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
# Notes (literal text, shown as footnotes) written to open markdown structure; each must stay one line of text.
STRUCTURE = {
    "funnel.met_threshold": '!!! danger "Hacked: this box is not from the site"',
    "staffing.mean_caseload": '!!! warning "Hacked"\n    A second line, indented as a box body.',
    "funnel.initial_contacts": "- listed\n- twice",
    "funnel.concluded": "1. numbered",
    "staffing.lado_fte": "+ plus list",
}
# Narrative links must be https: a protocol-relative link would load from another host.
PROTOCOL_RELATIVE = "[relative](//evil.example/path)"
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
    # Markdown structure as literal text: a warning box, a list, a numbered list, a heading, a table row.
    for path, text in STRUCTURE.items():
        ret["notes"][path] = put("notes", text)
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
    ret["narrative"]["introduction"] = put("narrative.introduction", "\n\n".join(TEXTS + [PROTOCOL_RELATIVE]))
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
                 "metrics/harm_mix.physical/", "regions/south-east/", "groups/kent-lancashire-peer-review/",
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


def test_literal_text_opens_no_markdown_structure(hostile, html):
    """A note starting '!!! danger' is a footnote that says so, not a warning box; '- x' and '1. x' are not lists."""
    article = html(hostile.site / "authorities/kent/index.html").find("article")
    assert not [box for box in article.find_all(cls="admonition") if "danger" in box.classes or "Hacked" in box.text()]
    footnotes = article.find(cls="footnote")
    texts = [" ".join(li.text().split()) for li in footnotes.iter("li")]
    for text in STRUCTURE.values():
        flat = " ".join(text.split())
        assert any(t.startswith(flat) for t in texts), (flat, [t for t in texts if t[:2] in flat])
    assert not any(li.find("ul") or li.find("ol") for li in footnotes.iter("li"))


def test_protocol_relative_links_are_not_links(hostile, html):
    from ladobench.site.render import narrative

    assert 'href' not in str(narrative("[x](//evil.example/p) [y](HTTP://evil.example/) [z](/local)"))
    assert 'href="https://ok.example/"' in str(narrative("[x](https://ok.example/)"))
    article = html(hostile.site / "authorities/kent/index.html").find("article")
    assert "relative" in article.text()
    assert not [a for a in article.iter("a") if "//evil.example/path" in a.attrs.get("href", "")]


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
    assert title == f"{shown(GROUP_NAME)}: peer group figures 2023-24 - LADO benchmarks", title
    # The nav (the page's own entry in the sidebar) prints it unescaped too: it is entity-escaped text there as well.
    sidebar = [a.text() for a in page.find("nav", cls="md-nav--primary").iter("a")]
    assert f"{shown(GROUP_NAME)} 2023-24" in sidebar, sidebar
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


# --- a hostile or careless submission (issue 18) ------------------------------------------------

def _cli(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD), *argv], cwd=cwd or REPO, capture_output=True, text=True, timeout=300)


def _refused(done: subprocess.CompletedProcess) -> list[str]:
    """Exit status 1, no traceback, every line a located message naming a rule; the lines."""
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line]
    assert lines and all(line.startswith(("error: ", "warning: ")) and line.endswith("]") for line in lines), done.stderr
    return lines


def test_a_symlink_to_a_secret_is_neither_read_nor_echoed(tmp_path):
    root = copy_authorities(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("api_password: hunter2\nfunnel: {referrals: 1}\n", encoding="utf-8")
    (root / "kent" / "2023-24.yaml").unlink()
    (root / "kent" / "2023-24.yaml").symlink_to(secret)
    (root / "kent" / "loop.yaml").symlink_to(root / "kent" / "loop.yaml")  # a link to itself
    lines = _refused(_cli("validate", "--root", str(root)))
    assert "hunter2" not in "\n".join(lines) and "api_password" not in "\n".join(lines)
    fix = ("found a symbolic link — expected a real file or folder inside the authorities folder. Put the file itself "
           "in the folder in place of the link: links are not followed, so nothing from outside the folder is read or "
           "published. [path_link]")
    assert f"error: authorities/kent/2023-24.yaml: {fix}" in lines
    assert f"error: authorities/kent/loop.yaml: {fix}" in lines


def test_root_after_the_command(tmp_path):
    root = copy_authorities(tmp_path)
    done = _cli("validate", "--root", str(root), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "authorities/kent/2023-24.yaml: valid — 1,330 contacts, 1,458 referrals, 782 met threshold" in done.stdout
    (root / "kent" / "2023-24.yaml").write_text("funnel: {referrals: lots}\n", encoding="utf-8")
    lines = _refused(_cli("validate", "--root", str(root), cwd=tmp_path))  # the copy, not the repository's own
    assert any(line.startswith("error: authorities/kent/2023-24.yaml:1 funnel.referrals: found 'lots'") for line in lines)


def test_an_empty_authorities_folder_builds_nothing(tmp_path):
    empty = tmp_path / "authorities"
    empty.mkdir()
    expected = ("error: authorities: found no returns in the folder — expected at least one return, e.g. "
                "kent/2023-24.yaml. Add an authority (python build.py new SLUG) and its first return, or give --root "
                "the folder that holds them. [nothing_to_publish]")
    assert _refused(_cli("--root", str(empty), "validate", cwd=tmp_path)) == [expected]
    done = _cli("build", "--root", str(empty), "--site-dir", str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs"),
                "--quiet", cwd=tmp_path)
    assert _refused(done) == [expected]
    assert not (tmp_path / "site").exists()


def test_control_characters_in_any_message_are_shown_as_escapes():
    from ladobench.core.problems import Problem

    problem = Problem("unknown_key", "a.yaml", 3, "x\x1b]0;t\x07", "the key '\x1b[2J\u200b\u202e'", "a field", "Fix\x9b.")
    text = problem.format()
    assert text == ("a.yaml:3 x\\x1b]0;t\\x07: found the key '\\x1b[2J\\u200b\\u202e' — expected a field. Fix\\x9b. "
                    "[unknown_key]")
    assert text.isprintable()


def test_unicode_forms_of_a_label_match(tmp_path, capsys):
    """Théâtres typed with combining accents (NFD, as macOS file names and some PDFs give it) is the crosswalk's
    Théâtres (NFC): after normalising they are the same text, so nothing is refused."""
    import unicodedata

    from ladobench.cli import main

    root = copy_authorities(tmp_path)
    auth, ret = root / "kent" / "authority.yaml", root / "kent" / "2023-24.yaml"
    nfc, nfd = unicodedata.normalize("NFC", "Théâtres"), unicodedata.normalize("NFD", "Théâtres")
    assert nfc != nfd
    auth.write_text(auth.read_text(encoding="utf-8").replace("{local: Theatres,", f"{{local: {nfc},"), encoding="utf-8")
    ret.write_text(ret.read_text(encoding="utf-8").replace("{label: Theatres,", f"{{label: {nfd},"), encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 0, capsys.readouterr().err


# --- hostile workbooks: refused before openpyxl parses them ---------------------------------------

@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    """Kent 2023-24 as a filled-in template, in a private copy of authorities/."""
    from ladobench.spreadsheet.template import template

    tmp = tmp_path_factory.mktemp("workbooks")
    root = copy_authorities(tmp)
    xlsx = tmp / "kent-2023-24.xlsx"
    template(root, "kent", "2023-24", xlsx)
    return root, xlsx


def _rezip(src: Path, dst: Path, changes: dict) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, changes[item.filename](data) if item.filename in changes else data)
    return dst


def _import(root: Path, xlsx: Path) -> list[str]:
    return _refused(_cli("--root", str(root), "import", str(xlsx)))


SOURCE_SHEET = "xl/worksheets/sheet2.xml"  # the 'Source' sheet: About is the first


def test_a_workbook_that_unpacks_to_50_mb_is_refused_in_seconds_in_little_memory(workbook, tmp_path):
    """A 50 MB text in one cell (the attack used 400 MB in a 478 KB file): refused from the archive's index."""
    import time
    import zipfile

    root, xlsx = workbook
    cell = b'<row r="40"><c r="C40" t="inlineStr"><is><t>' + b"A" * 50_000_000 + b"</t></is></c></row></sheetData>"
    bomb = _rezip(xlsx, tmp_path / "bomb.xlsx", {SOURCE_SHEET: lambda d: d.replace(b"</sheetData>", cell)})
    assert bomb.stat().st_size < 1_000_000
    # The peak resident memory of this process image (VmHWM; ru_maxrss would count the forking test runner's).
    probe = ("import re, sys\nfrom ladobench.cli import main\nsys.argv[0] = 'build.py'\n"
             f"code = main(['--root', {str(root)!r}, 'import', {str(bomb)!r}])\n"
             "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\nsys.exit(code)\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    lines = _refused(done)
    with zipfile.ZipFile(bomb) as archive:
        total, part = sum(i.file_size for i in archive.infolist()), archive.getinfo(SOURCE_SHEET).file_size
    assert lines == [f"error: bomb.xlsx: found a workbook that unpacks to {total:,} bytes, {part:,} of them in the "
                     "'Source' sheet — expected at most 16,000,000 bytes, and 8,000,000 in any one sheet (a filled-in "
                     "template is about 500,000). Remove what was pasted in besides the figures from the 'Source' sheet, "
                     "save, and import it again. [workbook_unreadable]"]
    peak_mb = int(done.stdout.split()[-1]) / 1024
    assert peak_mb < 250, f"{peak_mb:.0f} MB"
    assert seconds < 60  # seconds of work at most; allow for a loaded machine


def test_a_sheet_with_thousands_of_extra_rows_is_refused(workbook, tmp_path):
    root, xlsx = workbook
    rows = b"".join(b'<row r="%d"/>' % r for r in range(100, 6_100)) + b"</sheetData>"
    long = _rezip(xlsx, tmp_path / "rows.xlsx", {SOURCE_SHEET: lambda d: d.replace(b"</sheetData>", rows)})
    assert _import(root, long) == [
        "error: rows.xlsx: found more than 5,000 rows on the 'Source' sheet — expected at most 5,000 rows on a sheet (the "
        "template's longest has about 120). Delete the rows below your figures on the 'Source' sheet (select them, "
        "right-click, Delete), save, and import it again. [workbook_unreadable]"]


@pytest.mark.parametrize("part,doctype", [
    ("xl/workbook.xml", b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
    (SOURCE_SHEET, b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'),
], ids=["external_entity", "entity_bomb"])
def test_xml_entities_in_a_workbook_are_named(workbook, tmp_path, part, doctype):
    root, xlsx = workbook

    def add(data: bytes) -> bytes:
        end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        return data[:end] + doctype + data[end:]

    bad = _rezip(xlsx, tmp_path / "entities.xlsx", {part: add})
    assert _import(root, bad) == [
        f"error: entities.xlsx: found XML that declares a document type or entities (<!DOCTYPE or <!ENTITY) in {part} — "
        "expected an .xlsx file saved by Excel or LibreOffice, which never write them. The file was made or altered by "
        "another program; make a new template with python build.py template and copy your figures into it. "
        "[workbook_unreadable]"]


def test_a_password_protected_workbook_is_named(workbook, tmp_path):
    """Excel saves an encrypted .xlsx as a compound file holding an EncryptionInfo stream."""
    root, _ = workbook
    locked = tmp_path / "locked.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    locked.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 4096)
    assert _import(root, locked) == [
        "error: locked.xlsx: found a workbook protected with a password (its contents are encrypted) — expected a "
        "workbook saved without a password. Open it in Excel, choose File > Info > Protect Workbook > Encrypt with "
        "Password, clear the password, save, and import it again. [workbook_unreadable]"]
    old = tmp_path / "old.xlsx"
    old.write_bytes(header + b"\x00" * 4096)
    assert "found an Excel 97-2003 workbook (.xls)" in _import(root, old)[0]


def test_a_formula_without_a_saved_result_is_named(workbook, tmp_path):
    """openpyxl (and other programs) write formulas without their result; read as values they are empty."""
    from openpyxl import load_workbook

    root, xlsx = workbook
    wb = load_workbook(xlsx)
    ws = wb["Funnel"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "referrals")
    ws.cell(row, 3).value = "=1000+458"
    wb.save(tmp_path / "formula.xlsx")
    assert _import(root, tmp_path / "formula.xlsx") == [
        f"error: Funnel!C{row}: found a formula (=1000+458) with no saved result — expected a figure typed in, or a "
        "formula whose result the workbook holds. Open the workbook in Excel or LibreOffice and save it (the result of "
        "the formula is saved with it), or type the figure in. [workbook_unreadable]"]


# --- a killed build, a full disk -----------------------------------------------------------------

def test_a_full_disk_is_a_message_and_stale_temporary_sites_go(tmp_path, monkeypatch, capsys):
    """kill -9 during mkdocs leaves site.<pid>.<random>/ beside site/: the next build removes those whose process has
    gone, never a running build's nor a folder named otherwise. A full disk is a message; site/ stays."""
    import errno
    import os

    import mkdocs.commands.build

    from ladobench.cli import main

    root = copy_authorities(tmp_path)
    out = tmp_path / "out"
    site = out / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("the published site", encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = out / f"site.{int(gone.stdout)}.abcd1234"
    kept = out / "site.backup01"  # perhaps someone's copy: only site.<pid>.<random> is a build's
    running = out / f"site.{os.getppid()}.live1234"  # the test runner's parent: alive
    for folder in (dead, kept, running):
        (folder / "assets").mkdir(parents=True)

    def full(config):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(config.site_dir) / "index.html"))

    monkeypatch.setattr(mkdocs.commands.build, "build", full)
    monkeypatch.chdir(tmp_path)
    status = main(["--root", str(root), "build", "--site-dir", str(site), "--docs-dir", str(tmp_path / "docs"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert err.splitlines() == [
        "error: out: found no space left on out — expected room for the new site beside the old one (about as much "
        "again). Free some space on that disk and build again; the previous site is unchanged. [site_build]"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the published site"
    assert sorted(p.name for p in out.iterdir()) == sorted(["site", kept.name, running.name])
