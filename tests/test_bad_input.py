"""Bad and hostile input: every case is refused with located messages naming a rule, never a traceback.

Each case breaks a copy of the real authorities/ tree (see validation_support.apply_spec). All
cases run in-process through validate(); the ones marked cli=True also run as
`python build.py --root <copy> validate`, all at once, to prove the exit status and that no
traceback reaches the user.
"""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from validation_support import BUILD, REPO, apply_spec, copy_authorities, shown

from ladobench.cli import main
from ladobench.core.problems import capped
from ladobench.core.text import visible
from ladobench.returns.validate import validate

K, K22, G = "kent/2023-24.yaml", "kent/2022-23.yaml", "gloucestershire/2022-23.yaml"
KA, GA = "kent/authority.yaml", "gloucestershire/authority.yaml"
# Rules about a whole file or folder: their messages have no line (or path) to give.
FILE_LEVEL = {"file_empty", "file_too_large", "path_pattern", "period_invalid", "authority_unknown", "authority_missing",
              "path_link", "nothing_to_publish", "period_implausible", "period_not_ended", "problems_not_shown"}
KENT_BYTES = (REPO / "authorities" / K).read_bytes()


@dataclass
class Case:
    id: str
    spec: object  # a patch spec, or a function of the case's tmp folder returning one
    rule: str
    line: int | None = None
    path: str | None = None
    contains: str | None = None
    also: tuple = ()
    file: str | None = None  # default: the spec's target
    cli: bool = False
    extra: list = field(default_factory=list)


def edit(target, old, new, **more):
    return {"target": target, "edits": [{"replace": old, "with": new}], **more}


def kent(old, new, **more):
    return edit(K, old, new, **more)


def glos(old, new, **more):
    return edit(G, old, new, **more)


def raw(target, data: bytes):
    return {"target": target, "data": data}


def laughs(levels=9):
    out = ["other_figures:", "  - &a {label: lol, value: 1, unit: count}"]
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        out.append(f"  - &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(out) + "\n"


def python_tag(tmp: Path):
    return kent("  referrals: 1458\n", f"  referrals: !!python/object/apply:os.system ['touch {tmp}/pwned']\n")


def python_tag_key(tmp: Path):
    return kent("  referrals: 1458\n", f"  ? !!python/object/apply:os.system ['touch {tmp}/pwned']\n  : 1458\n")


def under_a_megabyte():
    rows = "".join(f"  - {{label: Figure {i} from the appendix, value: {i}, unit: count, about: context}}\n"
                   for i in range(11000))
    data = KENT_BYTES.replace(b"other_figures:\n", b"other_figures:\n" + rows.encode())
    assert 900_000 < len(data) < 1_000_000
    return raw(K, data)


CASES = [
    # --- wrong types ---------------------------------------------------------------------
    Case("count_is_words", kent("  referrals: 1458\n", "  referrals: about fifteen hundred\n"), "wrong_type", 14, "funnel.referrals", cli=True),
    Case("count_is_true", kent("  referrals: 1458\n", "  referrals: true\n"), "wrong_type", 14, "funnel.referrals"),
    Case("count_is_na", kent("  concluded: 575\n", "  concluded: n/a\n"), "wrong_type", 17, "funnel.concluded"),
    Case("count_quoted", kent("  concluded: 575\n", "  concluded: \"575\"\n"), "wrong_type", 17, "funnel.concluded",
         contains="Write the number alone"),
    Case("boolean_is_words", glos("  contacts_include_referrals: true\n", "  contacts_include_referrals: yes please\n"),
         "wrong_type", 21, "funnel.contacts_include_referrals"),
    Case("boolean_is_number", glos("  contacts_include_referrals: true\n", "  contacts_include_referrals: 1\n"),
         "wrong_type", 21, "funnel.contacts_include_referrals"),
    Case("section_is_number", kent("timeliness:\n  decision_within_1_working_day: \"[x]\"\n  meeting_within_5_working_days: \"[x]\"\n"
                                   "  concluded_within_3_months: \"[x]\"\n", "timeliness: 90\n"), "wrong_type", 23, "timeliness"),
    Case("text_is_list", kent("  authors: Gavin Swann and Graeme Southern\n", "  authors: [Gavin Swann, Graeme Southern]\n"),
         "wrong_type", 6, "source.authors"),
    Case("label_is_section", kent("{label: Male, count: 779}", "{label: {sex: Male}, count: 779}"),
         "wrong_type", 112, "breakdowns.child_sex[0].rows[0].label"),
    Case("figure_value_is_words", kent("{label: Schools in Kent, value: 791,", "{label: Schools in Kent, value: many,"),
         "wrong_type", 312, "other_figures[83].value"),
    Case("note_is_list", kent("  funnel.referrals: A 14% increase on the 1270 referrals of 2022-23 (section 3.1).\n",
                              "  funnel.referrals: [A 14% increase, 1270 referrals]\n"), "wrong_type", 144, "notes.funnel.referrals"),
    Case("discrepancy_fields_not_a_list", glos("  - fields: [funnel.met_threshold]\n    rules:", "  - fields: funnel.met_threshold\n    rules:"),
         "wrong_type", 196, "discrepancies[0].fields", also=("stage_nesting",)),
    Case("rows_is_a_number", kent("      rows:\n        - {label: Disabled, count: 306}\n", "      rows: 306\n"),
         "wrong_type", 119, "breakdowns.child_disability[0].rows"),
    # --- negative and fractional figures -------------------------------------------------
    Case("negative_stage", kent("  below_threshold: 505\n", "  below_threshold: -505\n"), "negative_count", 15, "funnel.below_threshold"),
    Case("negative_row", glos("{label: Neglect, count: 223}", "{label: Neglect, count: -223}"),
         "negative_count", 45, "breakdowns.harm_category[0].rows[2].count"),
    Case("negative_dfe_number", edit(KA, "dfe_number: 886\n", "dfe_number: -886\n"), "negative_count", 6, "dfe_number",
         also=("identity_mismatch",)),
    Case("fractional_stage", glos("  ongoing_at_year_end: 196\n", "  ongoing_at_year_end: 196.4\n"),
         "fractional_count", 18, "funnel.ongoing_at_year_end"),
    Case("fractional_row", glos("{label: Neglect, count: 223}", "{label: Neglect, count: 222.5}"),
         "fractional_count", 45, "breakdowns.harm_category[0].rows[2].count"),
    Case("negative_caseload", kent("  mean_caseload: 59\n", "  mean_caseload: -59\n"), "negative_number", 32, "staffing.mean_caseload"),
    Case("negative_other_figure", glos("{label: Evaluation responses received, value: 8,", "{label: Evaluation responses received, value: -8,"),
         "negative_number", 238, "other_figures[17].value"),
    Case("negative_percent", kent("{label: Sexual abuse, percent: 6}", "{label: Sexual abuse, percent: -6}"),
         "percent_range", 45, "breakdowns.harm_category[0].rows[2].percent"),
    Case("percent_over_100", glos("  decision_within_1_working_day: 90\n", "  decision_within_1_working_day: 190\n"),
         "percent_range", 24, "timeliness.decision_within_1_working_day"),
    # --- unknown keys and typos ----------------------------------------------------------
    Case("typo_in_stage", kent("  referrals: 1458\n", "  refferals: 1458\n"), "unknown_key", 14, "funnel.refferals",
         contains="Did you mean 'referrals'?", also=("missing_required", "discrepancy_unknown_field"), cli=True),
    Case("typo_in_section", kent("narrative:\n", "narative:\n"), "unknown_key", 328, "narative",
         contains="Did you mean 'narrative'?"),
    Case("typo_in_row", kent("{label: Male, count: 779}", "{label: Male, cuont: 779}"), "unknown_key", 112,
         "breakdowns.child_sex[0].rows[0].cuont", contains="Did you mean 'count'?", also=("row_empty",)),
    Case("typo_in_table", kent("      complete: false\n      source: Table 5; section 3.8\n", "      compleat: false\n      source: Table 5; section 3.8\n"),
         "unknown_key", 52, "breakdowns.sector[0].compleat", contains="Did you mean 'complete'?", also=("breakdown_total",)),
    Case("typo_in_authority", edit(KA, "ons_code: E10000016\n", "ons-code: E10000016\n"), "unknown_key", 5, "ons-code",
         contains="Did you mean 'ons_code'?", also=("missing_required",)),
    Case("figure_pasted_as_key", kent("  linked_children: 1365\n", "  linked_children: 1365\n  disabled_children: 306\n"),
         "unknown_key", 36, "children.disabled_children", contains="Did you mean 'linked_children'?"),
    Case("long_key", kent("  linked_children: 1365\n", "  linked_children: 1365\n  " + "x" * 1000 + ": 1\n"),
         "unknown_key", 36, "children." + "x" * 1000, contains="Remove it, or move the figure to other_figures."),
    Case("key_too_long_for_yaml", kent("  linked_children: 1365\n", "  linked_children: 1365\n  " + "x" * 100_000 + ": 1\n"),
         "yaml_syntax", 36),
    # --- unknown categories --------------------------------------------------------------
    Case("label_not_in_crosswalk", kent("{label: Social Work, count: 4}", "{label: Social Workers, count: 4}"),
         "label_not_in_crosswalk", 72, "breakdowns.sector[1].rows[8].label"),
    Case("label_unicode", kent("{label: Theatres, count: 3}", "{label: Théâtres 🎭, count: 3}"),
         "label_not_in_crosswalk", 75, "breakdowns.sector[1].rows[11].label"),
    Case("dimension_unknown", glos("  harm_category:\n", "  harm_categories:\n"), "dimension_unknown", 38,
         "breakdowns.harm_categories", contains="Did you mean 'harm_category'?"),
    Case("base_unknown", glos("    - base: initial_contacts\n      total: 968\n      source: Table 4",
                              "    - base: contacts\n      total: 968\n      source: Table 4"),
         "value_invalid", 39, "breakdowns.harm_category[0].base", contains="Did you mean 'initial_contacts'?",
         also=("missing_required",)),
    Case("unit_unknown", kent("value: 28, unit: per_week,", "value: 28, unit: a week,"), "value_invalid", 233, "other_figures[4].unit"),
    Case("about_unknown", kent("{label: Schools in Kent, value: 791, unit: count, about: context,",
                               "{label: Schools in Kent, value: 791, unit: count, about: schools,"),
         "value_invalid", 312, "other_figures[83].about"),
    Case("rule_unknown", kent("    rules: [breakdown_total]\n", "    rules: [breakdown_totals]\n"), "value_invalid", 176,
         "discrepancies[2].rules[0]", contains="Did you mean 'breakdown_total'?", also=("breakdown_total",)),
    Case("crosswalk_code_unknown", edit(KA, "codes: [social_care, health,", "codes: [social_care, nhs,"),
         "crosswalk_unknown_code", 52, "crosswalk.sector[2].codes[1]"),
    Case("stage_term_unknown", edit(KA, "  concluded:\n    term: Allegation outcomes", "  outcomes:\n    term: Allegation outcomes"),
         "stage_term_unknown", 28, "stages.outcomes"),
    Case("group_member_unknown", edit("groups.yaml", "members: [kent, lancashire]", "members: [kent, lancs]"),
         "authority_unknown", 9, "groups[0].members[1]"),
    Case("group_id_duplicate", edit("groups.yaml", "  - id: gloucestershire-swindon-cornwall-peer-review\n",
                                    "  - id: kent-lancashire-peer-review\n"), "label_duplicate", 10, "groups[1].id"),
    Case("symbol_unknown_case", kent("  carried_over: \"[x]\"\n", "  carried_over: \"[X]\"\n"), "symbol_unknown", 19, "funnel.carried_over"),
    # --- missing required sections -------------------------------------------------------
    Case("no_source", kent(KENT_BYTES.decode()[KENT_BYTES.decode().index("source:"):KENT_BYTES.decode().index("funnel:")], ""),
         "missing_required", 3, "source"),
    Case("no_funnel", kent("funnel:\n  initial_contacts: 1330\n  referrals: 1458\n  below_threshold: 505\n  met_threshold: 782\n"
                           "  concluded: 575\n  ongoing_at_year_end: \"[x]\"\n  carried_over: \"[x]\"\n  contacts_to_referral: 275\n"
                           "  contacts_include_referrals: false\n", ""),
         "missing_required", 3, "funnel", also=("discrepancy_unknown_field",)),
    Case("discrepancy_without_note", glos("    note: \"The return keeps the counts: 579 of 968 is 59.8%, while 597 of 968 is 61.7%, the printed 62%. "
                                            "Threshold conversion is not given [x] here: Gloucestershire counts referrals with contacts.\"\n", ""),
         "missing_required", 203, "discrepancies[1].note"),
    Case("recommendation_without_status", glos("{period: 2023-24, title: Invest in the training of the team, status: not_started}",
                                               "{period: 2023-24, title: Invest in the training of the team}"),
         "missing_required", 278, "narrative.recommendations[3].status"),
    Case("table_without_base", kent("    - base: linked_children\n      complete: false\n", "    - complete: false\n"),
         "missing_required", 116, "breakdowns.child_disability[0].base"),
    Case("authority_without_name", edit(KA, "name: Kent\n", ""), "missing_required", 4, "name"),
    # --- totals that do not reconcile ----------------------------------------------------
    Case("rows_miss_total_and_base", glos("{label: Police, count: 115}", "{label: Police, count: 151}"),
         "breakdown_total", 50, "breakdowns.referral_source[0]"),
    Case("rows_exceed_base", kent("{label: Education, count: 708}", "{label: Education, count: 1708}"),
         "breakdown_exceeds_base", 51, "breakdowns.sector[0]"),
    Case("shares_over_100", kent("{label: Remained in post, percent: 68}", "{label: Remained in post, percent: 86}"),
         "percent_sum", 99, "breakdowns.final_outcome[0]"),
    Case("share_disagrees_with_count", kent("{label: Other, count: 128, percent: 9}", "{label: Other, count: 128, percent: 19}"),
         "percent_mismatch", 49, "breakdowns.harm_category[0].rows[6].percent"),
    # --- stage nesting violated ----------------------------------------------------------
    Case("met_exceeds_referrals", kent("  met_threshold: 782\n", "  met_threshold: 1500\n"), "stage_nesting", 16,
         "funnel.met_threshold", cli=True),
    Case("referrals_exceed_contacts", glos("  referrals: \"[x]\"\n", "  referrals: 1000\n"), "stage_nesting", 14, "funnel.referrals"),
    Case("conversions_exceed_contacts", kent("  contacts_to_referral: 275\n", "  contacts_to_referral: 2750\n"),
         "stage_nesting", 20, "funnel.contacts_to_referral"),
    Case("concluded_and_ongoing_exceed_allegations", kent("  ongoing_at_year_end: \"[x]\"\n", "  ongoing_at_year_end: 300\n"),
         "stage_nesting", 17, "funnel.concluded"),
    # --- where the file is ---------------------------------------------------------------
    Case("period_2023_25", {"target": K, "rename": "kent/2023-25.yaml"}, "period_invalid", file="kent/2023-25.yaml", cli=True),
    Case("period_backwards", {"target": K, "rename": "kent/2024-23.yaml"}, "period_invalid", file="kent/2024-23.yaml"),
    Case("period_long_form", {"target": K, "rename": "kent/2023-2024.yaml"}, "path_pattern", file="kent/2023-2024.yaml"),
    Case("period_upper_case_suffix", {"target": K, "rename": "kent/2023-24.YAML"}, "path_pattern", file="kent/2023-24.YAML",
         contains="Rename it 2023-24.yaml"),
    Case("return_outside_a_folder", {"target": K, "rename": "2023-24.yaml"}, "path_pattern", file="2023-24.yaml"),
    Case("folder_with_a_space", {"target": "kent", "rename": "kent county"}, "path_pattern", file="kent county"),
    Case("folder_not_an_authority", {"target": "gloucestershire", "rename": "glos"}, "authority_unknown",
         file="glos/authority.yaml", cli=True),
    Case("no_authority_file", {"target": KA, "remove": [KA]}, "authority_missing", file="kent"),
    Case("identity_wrong_region", edit(GA, "region: E12000009\n", "region: E12000008\n"), "identity_mismatch", 7, "region"),
    # --- how figures are written ---------------------------------------------------------
    Case("unquoted_symbol", kent("  business_support_fte: \"[x]\"\n", "  business_support_fte: [x]\n"), "symbol_unquoted", 31,
         "staffing.business_support_fte", contains='Write it in quotes: "[x]"', also=("discrepancy_unknown_field",)),
    Case("unquoted_symbol_in_row", kent("{label: Disabled, count: 306}", "{label: Disabled, count: [c]}"), "symbol_unquoted", 120,
         "breakdowns.child_disability[0].rows[0].count"),
    Case("thousands_comma", kent("  referrals: 1458\n", "  referrals: 1,458\n"), "wrong_type", 14, "funnel.referrals",
         contains="without commas or a % sign: 1458.", also=("discrepancy_unknown_field",)),
    Case("percent_sign", kent("{label: Dismissed, percent: 6.6}", "{label: Dismissed, percent: 53.6%}"), "wrong_type", 104,
         "breakdowns.final_outcome[0].rows[1].percent", contains="without commas or a % sign: 53.6."),
    Case("infinity", kent("  concluded: 575\n", "  concluded: .inf\n"), "wrong_type", 17, "funnel.concluded", also=("discrepancy_unknown_field",)),
    Case("minus_infinity", kent("  lado_fte: 5.8\n", "  lado_fte: -.inf\n"), "wrong_type", 29, "staffing.lado_fte", also=("discrepancy_unknown_field",)),
    Case("not_a_number", kent("  mean_caseload: 59\n", "  mean_caseload: .nan\n"), "wrong_type", 32, "staffing.mean_caseload",
         also=("discrepancy_unknown_field",)),
    Case("overflowing_float", glos("  business_support_fte: 2\n", "  business_support_fte: 1.0e+999\n"), "wrong_type", 31,
         "staffing.business_support_fte", also=("discrepancy_unknown_field",)),
    Case("four_hundred_digits", glos("  below_threshold: 341\n", "  below_threshold: " + "9" * 400 + "\n"), "wrong_type", 15,
         "funnel.below_threshold", cli=True),
    Case("leading_zero_is_not_octal", glos("  below_threshold: 341\n", "  below_threshold: 0341\n"), "wrong_type", 15,
         "funnel.below_threshold"),
    Case("hexadecimal", glos("  below_threshold: 341\n", "  below_threshold: 0x155\n"), "wrong_type", 15, "funnel.below_threshold"),
    Case("clock_time_is_not_a_count", glos("  below_threshold: 341\n", "  below_threshold: 5:41\n"), "wrong_type", 15,
         "funnel.below_threshold"),
    Case("empty_value", kent("  concluded: 575\n", "  concluded:\n"), "wrong_type", 17, "funnel.concluded",
         contains='If the figure is not available, write "[x]".', also=("discrepancy_unknown_field",)),
    Case("null_value", kent("  met_threshold: 782\n", "  met_threshold: ~\n"), "wrong_type", 16, "funnel.met_threshold"),
    Case("null_section", kent("  title: \"LADO Annual Report", "  title: null\n  subtitle: \"LADO Annual Report"), "wrong_type", 4,
         "source.title", also=("unknown_key",)),
    Case("impossible_date", kent("  published: 2024-10\n", "  published: 2024-02-30\n"), "value_invalid", 7, "source.published"),
    Case("full_date", kent("  published: 2024-10\n", "  published: 2024-10-01\n"), "value_invalid", 7, "source.published"),
    Case("explicit_int_tag_on_words", kent("  concluded: 575\n", "  concluded: !!int five hundred\n"), "wrong_type", 17,
         "funnel.concluded", also=("discrepancy_unknown_field",)),
    Case("explicit_bool_tag_on_words", glos("  contacts_include_referrals: true\n", "  contacts_include_referrals: !!bool maybe\n"),
         "wrong_type", 21, "funnel.contacts_include_referrals"),
    Case("explicit_timestamp_tag", kent("  published: 2024-10\n", "  published: !!timestamp soon\n"), "value_invalid", 7, "source.published"),
    Case("bad_binary_int", glos("  below_threshold: 341\n", "  below_threshold: 0b_\n"), "wrong_type", 15, "funnel.below_threshold"),
    Case("undeclared_rule_name_in_discrepancy", glos("    rules: [stage_nesting]\n", "    rules: [stage_nesting, 42]\n"),
         "value_invalid", 197, "discrepancies[0].rules[1]"),
    Case("invalid_field_in_a_used_discrepancy", glos("  - fields: [funnel.met_threshold]\n    rules", "  - fields: [[funnel], funnel.met_threshold]\n    rules"),
         "wrong_type", 196, "discrepancies[0].fields[0]"),
    # --- YAML itself ---------------------------------------------------------------------
    Case("duplicate_key", kent("  funnel.concluded: Compared", "  funnel.referrals: Again.\n  funnel.concluded: Compared"),
         "yaml_duplicate_key", 145, "notes.funnel.referrals", contains="first on line 144"),
    Case("duplicate_section", glos("narrative:\n", "staffing:\n  lado_fte: 2\n\nnarrative:\n"), "yaml_duplicate_key", 243, "staffing"),
    Case("bad_indentation", kent("  met_threshold: 782\n", "    met_threshold: 782\n"), "yaml_syntax", 16),
    Case("unclosed_flow", glos("{label: Police, count: 115}", "{label: Police, count: 115"), "yaml_syntax", 76,
         contains="that starts on line 75"),
    Case("two_documents", kent("funnel:\n", "---\nfunnel:\n"), "yaml_syntax", 12),
    Case("list_as_key", kent("  referrals: 1458\n", "  ? [referrals]\n  : 1458\n"), "yaml_syntax", 14),
    Case("tab_indent", kent("  concluded: 575\n", "\tconcluded: 575\n"), "yaml_tab", 17),
    Case("tab_after_spaces", glos("  lado_fte: 1.5\n", "  \tlado_fte: 1.5\n"), "yaml_tab", 29),
    Case("latin1_pound_sign", raw(K, KENT_BYTES.replace(b"  authors: Gavin", b"  authors: \xa3 Gavin")), "file_encoding", 6),
    Case("utf16_bom", raw(G, (REPO / "authorities" / G).read_text().encode("utf-16")), "file_encoding", 1, cli=True),
    Case("utf16_no_bom", raw(G, (REPO / "authorities" / G).read_text().encode("utf-16-le")), "file_encoding", 1),
    Case("utf32_bom", raw(G, (REPO / "authorities" / G).read_text().encode("utf-32")), "file_encoding", 1),
    Case("nul_byte", raw(K, KENT_BYTES.replace(b"  referrals: 1458", b"  referrals: 14\x0058")), "file_encoding", 14),
    Case("control_character", raw(K, KENT_BYTES.replace(b"  referrals: 1458", b"  referrals: 14\x0758")), "yaml_syntax", 14,
         contains="#x0007"),
    Case("empty_file", raw(K, b""), "file_empty"),
    Case("whitespace_only", raw(K, b"\n\n   \n"), "file_empty"),
    Case("comments_only", raw(K, b"# Kent 2023-24\n# figures to follow\n"), "file_empty"),
    Case("empty_authority_file", raw(KA, b""), "file_empty"),
    Case("huge_file", {"target": K, "pad_to": 3_000_000}, "file_too_large"),
    Case("billion_laughs", kent("other_figures:\n", laughs()), "yaml_alias", 229, cli=True),
    Case("alias_to_a_figure", kent("  met_threshold: 782\n  concluded: 575\n", "  met_threshold: &m 782\n  concluded: *m\n"), "yaml_alias", 16),
    Case("anchor_alone", kent("  met_threshold: 782\n", "  met_threshold: &m 782\n"), "yaml_alias", 16),
    Case("undefined_alias", kent("  met_threshold: 782\n", "  met_threshold: *m\n"), "yaml_alias", 16),
    Case("merge_key", kent("staffing:\n  lado_fte: 5.8\n", "staffing:\n  <<: {lado_fte: 6}\n  lado_fte: 5.8\n"), "yaml_alias", 29),
    Case("python_object_apply", python_tag, "yaml_tag", 14, cli=True),
    Case("python_object_apply_as_key", python_tag_key, "yaml_tag", 14),
    Case("python_name", kent("  referrals: 1458\n", "  referrals: !!python/name:os.system\n"), "yaml_tag", 14),
    Case("custom_tag", kent("  referrals: 1458\n", "  referrals: !count 1458\n"), "yaml_tag", 14),
    Case("binary_tag", kent("  title: \"LADO", "  title: !!binary aGVsbG8=\n  x: \"LADO"), "yaml_tag", 4),
    Case("set_tag", kent("  authors: Gavin Swann and Graeme Southern\n", "  authors: !!set {Gavin Swann, Graeme Southern}\n"), "yaml_tag", 6),
    Case("deep_flow_nesting", raw(K, b"source: " + b"[" * 200_000 + b"]" * 200_000 + b"\n"), "yaml_syntax", 1,
         contains="nested too deeply", cli=True),
    Case("deep_block_nesting", raw(K, "".join("  " * i + f"level{i}:\n" for i in range(40)).encode() + b"  " * 40 + b"x\n"),
         "yaml_syntax", 26, contains="nested too deeply"),
    Case("list_at_top", raw(G, b"- 968\n- 579\n"), "yaml_not_mapping", 1),
    Case("text_at_top", raw(G, b"Gloucestershire 2022-23 - 968 contacts\n"), "yaml_not_mapping", 1),
    Case("null_at_top", raw(G, b"~\n"), "yaml_not_mapping", 1),
    # --- hardening (issue 18): links, limits, names the site uses, implausible data, unseen characters ---
    Case("return_is_a_symlink", {"target": K, "link": "elsewhere/kent-2023-24.yaml"}, "path_link",
         contains="links are not followed", cli=True),
    Case("authority_folder_is_a_symlink", {"target": "gloucestershire", "link": "elsewhere/gloucestershire"},
         "path_link", file="gloucestershire"),
    Case("groups_file_is_a_symlink", {"target": "groups.yaml", "link": "elsewhere/groups.yaml"}, "path_link"),
    Case("group_id_index", edit("groups.yaml", "  - id: kent-lancashire-peer-review\n", "  - id: index\n"),
         "group_id_reserved", 4, "groups[0].id", contains="a page or folder the site makes"),
    Case("group_id_data", edit("groups.yaml", "  - id: gloucestershire-swindon-cornwall-peer-review\n", "  - id: data\n"),
         "group_id_reserved", 10, "groups[1].id"),
    Case("empty_authorities_folder", {"target": "kent", "remove": ["kent", "gloucestershire", "groups.yaml"]},
         "nothing_to_publish", file="", contains="found no returns in the folder", cli=True),
    Case("terminal_escape_in_text", kent("  authors: Gavin Swann and Graeme Southern\n",
                                         '  authors: "Gavin Swann\\e]0;pwned\\a\\e[2J"\n'),
         "text_control_character", 6, "source.authors", contains="found the control character U+001B ESCAPE at character 12",
         cli=True),
    Case("terminal_escape_in_a_key", kent("  referrals: 1458\n", '  "refer\\e[2Jrals": 1458\n'), "unknown_key", 14,
         "funnel.refer\x1b[2Jrals", contains="It contains U+001B ESCAPE after 'refer'", also=("missing_required", "discrepancy_unknown_field")),
    Case("period_2099_00", {"target": K, "rename": "kent/2099-00.yaml"}, "period_not_ended", file="kent/2099-00.yaml",
         contains="which runs to 31 March 2100", also=("published_implausible",)),
    Case("period_1899_00", {"target": K, "rename": "kent/1899-00.yaml"}, "period_implausible", file="kent/1899-00.yaml",
         contains="found the period '1899-00', before 2000-01"),
    Case("published_in_the_future", kent("  published: 2024-10\n", "  published: 2099-01\n"), "published_implausible", 7,
         "source.published", contains="a month that has not come yet"),
    Case("published_before_the_period", kent("  published: 2024-10\n", "  published: 2023-03\n"), "published_implausible", 7,
         "source.published", contains="found '2023-03', before the period 2023-24 began — expected a month from 2023-04 on"),
    Case("group_member_twice", edit("groups.yaml", "members: [kent, lancashire]", "members: [kent, kent]"),
         "label_duplicate", 9, "groups[0].members[1]", contains="found 'kent' a second time (members[0])"),
    Case("crosswalk_code_twice", edit(KA, "codes: [social_care, health,", "codes: [social_care, health, health,"),
         "code_duplicate", 52, "crosswalk.sector[2].codes[2]", contains="found the code 'health' a second time"),
    Case("crosswalk_labels_differ_in_case", edit(KA, "    - {local: Theatres, code: sport_leisure}\n",
                                                 "    - {local: Theatres, code: sport_leisure}\n    - {local: theatres, code: other}\n"),
         "label_duplicate", 70, "crosswalk.sector[17].local", contains="differs from 'Theatres' (line 69) only in capitals"),
    Case("empty_groups_file", raw("groups.yaml", b"# peer groups to follow\n"), "file_empty",
         contains="expected groups: followed by a list of peer groups"),
    Case("zero_width_space_in_a_key", kent("  referrals: 1458\n", "  refer\u200brals: 1458\n"), "unknown_key", 14,
         "funnel.refer\u200brals", contains="It contains U+200B ZERO WIDTH SPACE after 'refer'; retype it as 'referrals'.",
         also=("missing_required", "discrepancy_unknown_field")),
    Case("cyrillic_letter_in_a_label", kent("{label: Theatres, count: 3}", "{label: \u0422heatres, count: 3}"),
         "label_not_in_crosswalk", 75, "breakdowns.sector[1].rows[11].label",
         contains="It contains U+0422 CYRILLIC CAPITAL LETTER TE at the start; retype it as 'Theatres'."),
    Case("greek_letter_in_a_key", kent("  referrals: 1458\n", "  referr\u03b1ls: 1458\n"), "unknown_key", 14,
         "funnel.referr\u03b1ls", contains="U+03B1 GREEK SMALL LETTER ALPHA after 'referr'; retype it as 'referrals'.",
         also=("missing_required", "discrepancy_unknown_field")),
    Case("non_breaking_space_indent", kent("  concluded: 575\n", "\u00a0\u00a0concluded: 575\n"), "yaml_tab", 17,
         contains="found a no-break space (U+00A0) in the indentation — expected ordinary spaces. Replace the indentation"),
    Case("stages_uncommented_with_its_space", edit(GA, "stages:\n", " stages:\n"), "yaml_syntax", 10,
         contains="found 'stages:' indented by one space — expected a top-level name at the left edge, like the other "
                  "sections. Delete the space before 'stages:' on line 10."),
    Case("ten_thousand_bad_keys", kent("  linked_children: 1365\n", "  linked_children: 1365\n"
                                       + "".join(f"  pasted_{i}: {i}\n" for i in range(10_000))),
         "problems_not_shown", contains="9,950 more problems in this file, not shown", also=("unknown_key",), cli=True),
]
assert len({c.id for c in CASES}) == len(CASES)


def build(case: Case, tmp: Path) -> Path:
    root = copy_authorities(tmp)
    spec = case.spec(tmp) if callable(case.spec) else case.spec
    apply_spec(root, spec)
    return root


def expected_file(case: Case, root: Path) -> str:
    spec_target = case.spec["target"] if isinstance(case.spec, dict) else K
    return shown(root, case.file if case.file is not None else spec_target)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_in_process(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = build(case, tmp_path)
    dataset = validate(root)  # must not raise
    problems = capped(dataset.problems)  # as the command line prints them: at most 50 a file
    messages = [p.format() for p in problems]
    assert all(m.isprintable() for m in messages), "a control or invisible character printed as it is"
    assert len(messages) == len(set(messages)), "a problem reported twice:\n" + "\n".join(messages)
    assert {p.rule for p in problems} <= {case.rule, *case.also}, "\n".join(messages)
    file = expected_file(case, root)
    hits = [p for p in problems if p.rule == case.rule and p.file == file
            and (case.line is None or p.line == case.line) and (case.path is None or p.path == case.path)]
    assert hits, f"no [{case.rule}] at {file}:{case.line} {case.path}; got:\n" + "\n".join(messages)
    message = hits[0].format()
    assert hits[0].is_error and dataset.errors
    assert message.startswith(f"{file}:{case.line}" if case.line else file)
    assert " found " in message and " — expected " in message and message.endswith(f"[{case.rule}]")
    if case.contains:
        assert case.contains in message
    for p in problems:  # every message is located: a line for everything but whole-file problems
        assert p.file
        assert p.line or p.rule in FILE_LEVEL, p.format()
    assert not list(tmp_path.glob("pwned*")) and not (tmp_path / "pwned").exists()


CLI_CASES = [c for c in CASES if c.cli]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Run every cli=True case at once (each is a separate python build.py), then collect them."""
    started = {}
    for case in CLI_CASES:
        tmp = tmp_path_factory.mktemp(case.id)
        root = build(case, tmp)
        started[case.id] = (tmp, root, subprocess.Popen(
            [sys.executable, str(BUILD), "--root", str(root), "validate"], cwd=tmp,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = {}
    for name, (tmp, root, proc) in started.items():
        out, err = proc.communicate(timeout=300)  # a loaded machine: all start at once
        results[name] = (tmp, root, proc.returncode, out, err)
    return results


def test_at_least_ten_cases_run_through_the_command_line():
    assert len(CLI_CASES) >= 10
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_refused_by_the_command_line(case, cli_runs):
    tmp, root, status, out, err = cli_runs[case.id]
    assert status == 1, err
    assert "Traceback" not in out + err
    assert "Error" not in err.replace("error: ", "")  # no exception names either
    lines = [line for line in err.splitlines() if line]
    assert all(line.startswith(("error: ", "warning: ")) and line.endswith("]") for line in lines), err
    assert len(lines) == len(set(lines))
    file = expected_file(case, root)
    where = f"{file}:{case.line}" if case.line else file
    subject = f"{where} {visible(case.path)}:" if case.path else f"{where}:"
    assert "\x1b" not in out + err and all(line.isprintable() for line in lines)
    assert any(line.startswith(f"error: {subject} found ") and line.endswith(f"[{case.rule}]") for line in lines), err
    assert f"{file}: valid" not in out
    assert out.splitlines()[-1].endswith(f"{len(lines)} errors, 0 warnings.") or "warnings." in out.splitlines()[-1]
    assert not (tmp / "pwned").exists()


# --- accepted on purpose ---------------------------------------------------------------------

@pytest.mark.parametrize("name,data", [
    ("utf8_bom", b"\xef\xbb\xbf" + KENT_BYTES),
    ("windows_line_endings", KENT_BYTES.replace(b"\n", b"\r\n")),
    ("underscored_thousands", KENT_BYTES.replace(b"  referrals: 1458\n", b"  referrals: 1_458\n")),
])
def test_harmless_variations_are_accepted(tmp_path, capsys, name, data):
    root = copy_authorities(tmp_path)
    (root / K).write_bytes(data)
    assert main(["--root", str(root), "validate"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "authorities/kent/2023-24.yaml: valid — 1,330 contacts, 1,458 referrals, 782 met threshold, 575 concluded" in out


def test_a_return_just_under_a_megabyte_is_read_quickly(tmp_path):
    root = build(Case("big", under_a_megabyte(), ""), tmp_path)
    started = time.perf_counter()
    dataset = validate(root)
    assert time.perf_counter() - started < 20
    assert dataset.errors == []
    kent = next(r for r in dataset.returns if r.file.endswith(K))
    assert len(kent.data["other_figures"]) == 11000 + 98


# --- paths on the command line ---------------------------------------------------------------

@pytest.mark.parametrize("argument", ["{root}/../../etc/passwd", "{root}/../{name}", "../etc", "{root}/kent/../../x"])
def test_path_outside_the_authorities_folder(tmp_path, capsys, argument):
    root = copy_authorities(tmp_path)
    arg = argument.format(root=root, name=root.name + "-other")
    assert main(["--root", str(root), "validate", arg]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(f"error: {arg}: found a path outside {root}") and err.rstrip().endswith("[path_pattern]")
    assert "valid —" not in out


def test_path_that_does_not_exist(tmp_path, capsys):
    root = copy_authorities(tmp_path)
    assert main(["--root", str(root), "validate", str(root / "kent" / "2024-25.yaml")]) == 1
    assert "found a path that does not exist" in capsys.readouterr().err


def test_dot_dot_slug_through_the_command_line(tmp_path):
    root = copy_authorities(tmp_path)
    done = subprocess.run([sys.executable, str(BUILD), "--root", str(root), "validate", "../kent", f"{root}/../../kent"],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.count("[path_pattern]") == 2


def test_the_authorities_folder_itself_validates_everything(tmp_path, capsys):
    root = copy_authorities(tmp_path)
    assert main(["--root", str(root), "validate", str(root)]) == 0
    assert capsys.readouterr().out.count(": valid — ") == 3


def test_missing_root_folder(tmp_path, capsys):
    assert main(["--root", str(tmp_path / "nowhere"), "validate"]) == 1
    assert "found no such folder" in capsys.readouterr().err


def test_a_return_without_a_readable_authority_is_not_called_valid(tmp_path, capsys):
    root = copy_authorities(tmp_path)
    (root / KA).write_text("name: [\n")
    assert main(["--root", str(root), "validate"]) == 1
    out = capsys.readouterr().out
    assert "kent/2023-24.yaml: valid" not in out and "gloucestershire/2022-23.yaml: valid" in out
