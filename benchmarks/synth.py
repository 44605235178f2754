"""Seeded synthetic annual returns for every authority in the reference table: benchmarks and tests only.

    python -m benchmarks.synth --out DIR --authorities N --years Y --seed S

writes DIR/authorities/<slug>/authority.yaml, DIR/authorities/<slug>/<YYYY-YY>.yaml for the Y
financial years ending 2024-25, and DIR/authorities/groups.yaml. The figures are invented: every
source block says so. It never writes into the repository's authorities/ folder.

What the returns look like, and why:

- Volumes scale with the authority's population aged 0-17 (reference/authorities.csv): about 41
  referrals per 10,000 children (Kent 2023-24: 1,458 for 355,390 children), log-normal between
  authorities, a gentle drift between years, Poisson noise on top. About 50-60% of referrals
  meet the harm threshold. City of London and the Isles of Scilly give counts of 0 to 5 by
  themselves, as they would.
- Each authority counts in one of three local styles, kept across its years: Kent's (enquiries
  as a stream separate from referrals, percent-only tables, a "Wider workforce" label that
  combines sectors), Gloucestershire's (contacts and referrals counted together, every table of
  all contacts, outcomes including threshold-not-met and ongoing) or a synthetic local scheme
  (complete count tables, worded differently from one authority to the next). Shares are drawn
  around the seed returns' own mixes, and every complete table adds up to its base.
- Some authorities leave sections out or write "[x]", some declare discrepancies (each explains
  a real breach of the rule it names), some withhold small counts as "[c]", some publish their
  report's narrative. A large change on last year gets a note, as the rule asks.

Every generated return passes validate() with no errors and no warnings (tests/test_synth.py).
An authority's figures depend only on the seed and its slug, not on how many others are drawn.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from ladobench.core import paths
from ladobench.core.reference import load_reference

LATEST = "2024-25"
PINNED = ("kent", "gloucestershire", "city-of-london", "isles-of-scilly")  # always drawn first, in this order
MARKER = ".synthetic"
REFERRALS_PER_10K = 41.0

# --- local counting styles ------------------------------------------------------------------
# (local label, common code or codes, weight). Weights are the seed returns' own figures where
# the style is theirs, so generated mixes sit around what Kent and Gloucestershire published.

KENT_HARM = [  # percent of referrals, Kent 2023-24 Table 3 (physical intervention and blank from the lost chart)
    ("Physical abuse", "physical", 26), ("Physical intervention", "physical_intervention", 12),
    ("Inappropriate conduct", "inappropriate_conduct", 25), ("Sexual abuse", "sexual", 6),
    ("Emotional abuse", "emotional", 5), ("Suitability", "suitability", 5),
    ("Online safety and abuse", "online", 2), ("Other", "other", 9), ("Blank", "not_recorded", 10),
]
KENT_HARM_PRINTED = ("Physical abuse", "Inappropriate conduct", "Sexual abuse", "Emotional abuse", "Suitability",
                     "Online safety and abuse", "Other")
WIDER = ["social_care", "health", "police", "faith", "sport_leisure", "transport", "voluntary", "local_authority", "other"]
KENT_SECTOR = [("Education", "education", 708), ("Wider workforce", WIDER, 428), ("Early Years", "early_years", 114),
               ("No setting recorded", "not_recorded", 34)]
KENT_SUBSECTOR = [
    ("Faith Groups", "faith", 5), ("Health Agency", "health", 17), ("Hospital Staff", "health", 21),
    ("Health Pharmacy", "health", 4), ("Fire Service & Libraries", "local_authority", 19), ("Police", "police", 5),
    ("Residential Children's Homes", "social_care.residential", 130), ("Scouts", "sport_leisure", 20),
    ("Social Work", "social_care.social_work", 4), ("Unregulated Social Care", "social_care.other", 11),
    ("Sports Clubs", "sport_leisure", 2), ("Theatres", "sport_leisure", 3), ("Youth Clubs", "sport_leisure", 1),
    ("Youth Services", "sport_leisure", 5),
]
KENT_OUTCOME = [("Substantiated", "substantiated", 31), ("Unsubstantiated - management action", "unsubstantiated", 28.3),
                ("Unfounded", "unfounded", 18.3), ("Unsubstantiated - no further action", "unsubstantiated", 11.7),
                ("False", "false", 7), ("Malicious", "malicious", 1)]
KENT_FINAL = [("Remained in post", "remained_in_post", 68), ("Dismissed", "dismissal", 6.6), ("Resigned", "resignation", 7.5),
              ("Referred to DBS", "dbs_referral", 3.1), ("Other", "other", 11.7)]
KENT_CHILD = {
    "child_sex": [("Male", "male", 779), ("Female", "female", 549), ("Not recorded or unknown", "not_recorded", 37)],
    "child_disability": [("Disabled", "disabled", 306)],
    "child_ethnicity": [("White British", "white", 935), ("Black", "black", 70), ("Mixed", "mixed", 64), ("Asian", "asian", 35),
                        ("Not known or not recorded", "not_recorded", 261)],
    "child_social_care": [("Early Help Plan", "early_help", 26), ("Child in Need", "child_in_need", 79),
                          ("Child Protection Plan", "child_protection", 34), ("Looked After", "looked_after", 274),
                          ("Universal services only", "universal", 952)],
}
KENT_STAGES = {
    "initial_contacts": {"term": "Enquiries", "note": "Professionals asking whether a formal referral should be made, "
                         "often without naming the person: a separate stream from referrals."},
    "referrals": {"term": "Referrals", "note": "A referral about a named individual, made through the portal."},
    "below_threshold": {"term": "Consultations", "note": "Referrals that did not meet the harm threshold."},
    "met_threshold": {"term": "Progressed to allegation management"},
    "concluded": {"term": "Allegation outcomes", "note": "Outcomes as set out in Keeping Children Safe in Education."},
}

GLOS_HARM = [("Awaiting clarification", "not_recorded", 26), ("Emotional harm", "emotional", 109), ("Neglect", "neglect", 223),
             ("Physical harm", "physical", 299), ("Sexual harm", "sexual", 123), ("Transferrable Risk", "suitability", 188)]
GLOS_SOURCE = [
    ("Early Years", "early_years", 58), ("Education - Alternative Provision", "education.alternative_provision", 14),
    ("Education - Higher", "education.further_higher", 3), ("Education - Other", "education.other", 7),
    ("Education - primary", "education.primary", 96), ("Education - Secondary", "education.secondary", 51),
    ("Education - Special", "education.special", 52), ("Education- independent", "education.independent", 14),
    ("Health", "health", 23), ("Ofsted - Early Years", "regulator", 3), ("Ofsted - Education", "regulator", 4),
    ("Ofsted - Social Care", "regulator", 3), ("Other", "other", 40), ("Other - Faith Groups", "faith", 5),
    ("Other - Family Member", "family", 12), ("Other - {name} Council", "local_authority", 8),
    ("Other - Independent Provider", "independent_provider", 178), ("Other - Member of Public", "public", 11),
    ("Other - School transport", "transport", 4), ("Other - Voluntary Organisations", "voluntary", 5),
    ("Other - Whistleblower", "whistleblower", 2), ("Police", "police", 115),
    ("Social Care - Charities (NSPCC)", "voluntary", 5), ("Social Care - Children's Services", "social_care.childrens_services", 181),
    ("Social Care - Fostering", "social_care.fostering", 17), ("Social Care - MASH", "social_care.front_door", 21),
    ("Social Care - Other", "social_care.other", 25), ("Social Care - Supported Accommodation", "social_care.supported_accommodation", 1),
    ("Sports Association", "sport_leisure", 10),
]
GLOS_SECTOR = [
    ("Early Years", "early_years", 83), ("Education - Alternative Provision", "education.alternative_provision", 17),
    ("Education - Higher", "education.further_higher", 14), ("Education - Other", "education.other", 13),
    ("Education - Primary", "education.primary", 124), ("Education - Secondary", "education.secondary", 73),
    ("Education - Special", "education.special", 71), ("Education- independent", "education.independent", 16),
    ("Health", "health", 30), ("Other", "other", 30), ("Other - transport", "transport", 24), ("Other - Charities", "voluntary", 3),
    ("Other - Faith Groups", "faith", 15), ("Other - {name} Council", "local_authority", 18),
    ("Other - Independent Provider", "social_care.other", 319), ("Other - Member of Public", "other", 2),
    ("Other - School transport", "transport", 3), ("Other - Unknown Employer", "not_recorded", 11),
    ("Other - Voluntary Organisations", "voluntary", 10), ("Police", "police", 14), ("Social Care - Care Home", "social_care.residential", 1),
    ("Social Care - Charities (i.e., NSPCC)", "voluntary", 1), ("Social Care - Children's Services", "social_care.social_work", 14),
    ("Social Care - Fostering", "social_care.fostering", 37), ("Social Care - Supported Accommodation", "social_care.supported_accommodation", 2),
    ("Sports Association", "sport_leisure", 23),
]
GLOS_KCSIE = [("Substantiated/Founded", "substantiated", 155), ("Unsubstantiated", "unsubstantiated", 138),
              ("Unfounded", "unfounded", 87), ("FALSE", "false", 17), ("Malicious", "malicious", 4)]
GLOS_OTHER_OUTCOMES = [("Didn't meet LADO Threshold/ low level/advice", "threshold_not_met"),
                       ("Referred to other agency", "referred_elsewhere"), ("Ongoing", "ongoing")]
GLOS_FINAL = [
    ("Awaiting Secondary Outcome", "ongoing", 4), ("Cessation of Use", "cessation_of_use", 15), ("Disciplinary", "disciplinary", 16),
    ("Dismissal", "dismissal", 37), ("Final Written Warning", "disciplinary", 10), ("First Written Warning", "disciplinary", 12),
    ("Internal Review", "other", 3), ("Management Advice", "management_action", 39), ("No Further Action", "no_further_action", 193),
    ("Ongoing", "ongoing", 172), ("Reflective support", "management_action", 1), ("Resignation", "resignation", 13),
    ("Restorative meeting", "management_action", 2), ("Risk assessment by Employer", "management_action", 5),
    ("Setting of Standards", "management_action", 3), ("Support plan", "management_action", 1), ("Training", "training", 36),
    ("Warning / Retraining", "disciplinary", 17),
]
GLOS_STAGES = {
    "initial_contacts": {"term": "Contacts and referrals", "note": "Counted together: a contact is any concern raised about "
                         "a member of staff or a setting; a referral is one the LADO assesses against the criteria."},
    "below_threshold": {"term": "Didn't meet LADO threshold / low level / advice"},
    "met_threshold": {"term": "Met the threshold for allegations management"},
    "concluded": {"term": "Primary outcome", "note": "The employer's investigation outcome is adopted."},
}

# The synthetic local scheme: (code, weight, wordings); each authority picks one wording per category.
STD = {
    "harm_category": [
        ("physical", 30, ["Physical", "Physical abuse", "Physical harm"]),
        ("emotional", 10, ["Emotional", "Emotional abuse", "Emotional harm"]),
        ("sexual", 13, ["Sexual", "Sexual abuse", "Sexual harm"]),
        ("neglect", 8, ["Neglect", "Neglect / failure of care"]),
        ("physical_intervention", 6, ["Restraint", "Physical intervention", "Restrictive physical intervention"]),
        ("inappropriate_conduct", 14, ["Conduct", "Professional boundaries", "Inappropriate behaviour"]),
        ("suitability", 12, ["Suitability", "Transferable risk", "Behaviour outside work"]),
        ("online", 3, ["Online", "Online abuse", "Social media"]),
        ("other", 3, ["Other", "Other concern"]),
        ("not_recorded", 1, ["Not recorded", "Unknown"]),
    ],
    "sector": [
        ("education.primary", 18, ["Primary school", "Primary schools", "Education - primary"]),
        ("education.secondary", 14, ["Secondary school", "Secondary schools", "Education - secondary"]),
        ("education.special", 7, ["Special school", "Special schools (SEND)"]),
        ("education.independent", 3, ["Independent school", "Independent schools"]),
        ("education.alternative_provision", 2, ["Alternative provision", "PRU / alternative provision"]),
        ("education.further_higher", 2, ["College", "FE and HE"]),
        ("early_years", 11, ["Early years", "Nursery and childminders"]),
        ("social_care.residential", 12, ["Residential care", "Children's homes"]),
        ("social_care.fostering", 9, ["Fostering", "Foster carers"]),
        ("social_care.supported_accommodation", 3, ["Supported accommodation", "Semi-independent provision"]),
        ("social_care.social_work", 2, ["Social work", "Children's social care"]),
        ("health", 5, ["Health", "NHS and health"]),
        ("police", 2, ["Police"]),
        ("faith", 2, ["Faith", "Faith groups", "Places of worship"]),
        ("sport_leisure", 4, ["Sport and leisure", "Sports clubs", "Youth and leisure"]),
        ("transport", 2, ["Transport", "Taxi and transport"]),
        ("voluntary", 2, ["Voluntary sector", "Charities"]),
        ("local_authority", 1, ["Council services", "Local authority (other)"]),
        ("other", 2, ["Other"]),
        ("not_recorded", 1, ["Not recorded", "Unknown employer"]),
    ],
    "referral_source": [
        ("education.primary", 12, ["Primary school", "School (primary)"]),
        ("education.secondary", 9, ["Secondary school", "School (secondary)"]),
        ("education.special", 4, ["Special school"]),
        ("early_years", 8, ["Early years", "Early years setting"]),
        ("social_care.childrens_services", 12, ["Children's social care", "Social worker"]),
        ("social_care.front_door", 4, ["MASH", "Front door"]),
        ("social_care.fostering", 3, ["Fostering service", "Fostering agency"]),
        ("independent_provider", 10, ["Independent provider", "Private provider"]),
        ("health", 5, ["Health"]),
        ("police", 12, ["Police"]),
        ("regulator", 2, ["Ofsted", "Regulator"]),
        ("local_authority", 2, ["Council (other)", "Local authority"]),
        ("voluntary", 2, ["Voluntary sector", "Charity"]),
        ("faith", 1, ["Faith group"]),
        ("sport_leisure", 2, ["Sports club", "Sport and leisure"]),
        ("transport", 1, ["Transport"]),
        ("family", 6, ["Parent or family", "Parent / carer"]),
        ("public", 2, ["Member of the public", "Public"]),
        ("whistleblower", 1, ["Whistleblower", "Anonymous / whistleblower"]),
        ("other", 2, ["Other"]),
    ],
    "outcome": [
        ("substantiated", 30, ["Substantiated", "Founded"]),
        ("unsubstantiated", 35, ["Unsubstantiated"]),
        ("unfounded", 22, ["Unfounded"]),
        ("false", 9, ["False", "False allegation"]),
        ("malicious", 1.5, ["Malicious"]),
    ],
    "final_outcome": [
        ("remained_in_post", 45, ["Remained in post", "Continued in role"]),
        ("dismissal", 7, ["Dismissed", "Dismissal"]),
        ("resignation", 6, ["Resigned", "Resignation"]),
        ("cessation_of_use", 4, ["Cessation of use", "Services no longer used"]),
        ("dbs_referral", 4, ["Referred to the DBS", "DBS referral"]),
        ("disciplinary", 8, ["Disciplinary", "Formal warning"]),
        ("management_action", 14, ["Management advice", "Management action"]),
        ("training", 6, ["Training", "Further training"]),
        ("no_further_action", 6, ["No further action", "NFA"]),
    ],
    "child_sex": [("male", 55, ["Male", "Boy"]), ("female", 42, ["Female", "Girl"]),
                  ("not_recorded", 3, ["Not recorded", "Unknown"])],
    "child_disability": [("disabled", 20, ["Disabled", "SEND / disabled"]), ("not_disabled", 70, ["Not disabled", "No disability"]),
                         ("not_recorded", 10, ["Not recorded"])],
    "child_ethnicity": [("white", 70, ["White"]), ("mixed", 6, ["Mixed", "Mixed / multiple"]), ("asian", 6, ["Asian", "Asian or Asian British"]),
                        ("black", 6, ["Black", "Black or Black British"]), ("other", 2, ["Other ethnic group", "Any other"]),
                        ("not_recorded", 10, ["Not known", "Not recorded"])],
    "child_social_care": [("universal", 65, ["Universal services", "No social care involvement"]),
                          ("early_help", 3, ["Early help"]), ("child_in_need", 7, ["Child in need", "CIN"]),
                          ("child_protection", 3, ["Child protection plan", "CP plan"]),
                          ("looked_after", 18, ["Looked after", "Child looked after"]), ("not_recorded", 4, ["Not recorded"])],
}
STD_TERMS = {
    "initial_contacts": ["Contacts", "Initial contacts", "Consultations", "Enquiries"],
    "below_threshold": ["Advice only", "Did not meet the threshold", "Low-level concerns and advice"],
    "met_threshold": ["Allegations", "Met the harm threshold", "Allegation management"],
    "concluded": ["Concluded allegations", "Outcomes"],
}
CHILD_DIMS = ("child_sex", "child_disability", "child_ethnicity", "child_social_care")
BREAKDOWN_DIMS = ("harm_category", "sector", "referral_source", "outcome", "final_outcome")

THEMES = [
    ("Transferable risk", "Referrals about behaviour outside work that may make a person unsuitable to work with "
     "children rose again; the service has worked with employers on how to judge **transferable risk**."),
    ("Residential and supported accommodation", "Referrals about staff in children's homes and supported "
     "accommodation remain a large share, many about young people placed from outside the area."),
    ("Online conduct", "More concerns involved messaging or social media contact between staff and children, often "
     "outside working hours."),
    ("Awareness in the voluntary sector", "Sports clubs, faith groups and uniformed organisations referred more often "
     "after a programme of awareness sessions."),
    ("Timeliness", "Most threshold decisions were made within one working day; delays in police investigations "
     "remain the main reason allegations stay open."),
    ("Data quality", "A new case management system went live during the year; some categories were recorded as "
     "*other* while staff adjusted to it."),
]
RECOMMENDATIONS = [
    ("Refresh the awareness programme for designated safeguarding leads", "Deliver termly briefings and publish a short guide."),
    ("Improve the recording of secondary outcomes", "Track employer action after every concluded allegation."),
    ("Quality assurance of threshold decisions", "Audit a sample of decisions each quarter with partner agencies."),
    ("Joint working with the police on timeliness", "Agree a protocol for updates on criminal investigations."),
    ("Reach out to faith and community groups", "Offer sessions to groups that rarely refer."),
    ("Review staffing against demand", "Compare caseloads with the national network's guidance."),
]


# --- writing YAML -----------------------------------------------------------------------------

class _Flow(dict):
    """A mapping written on one line, like the rows of the seed returns."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):  # returns spell every value out: no anchors, no aliases
        return True


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(str, _str)


def dump(data: dict, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


# --- drawing figures --------------------------------------------------------------------------

def _rng(seed: int, *parts: str) -> np.random.Generator:
    digest = hashlib.sha256(":".join((str(seed),) + parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _split(rng, total: int, weights, concentration: float = 60.0) -> list[int]:
    """total split over categories: shares drawn around the weights, then counts (they add up to total)."""
    w = np.asarray(weights, dtype=float)
    shares = rng.dirichlet(w / w.sum() * concentration + 0.05)
    return [int(c) for c in rng.multinomial(max(int(total), 0), shares)]


def _pct(count: float, base: float, decimals: int = 1) -> float | int:
    value = round(count / base * 100, decimals)
    return int(value) if decimals == 0 or float(value).is_integer() else value


def periods(years: int) -> list[str]:
    end = int(LATEST[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(end - years + 1, end + 1)]


def choose(n: int, seed: int) -> list[str]:
    """n slugs from the reference table: Kent, Gloucestershire and the two smallest first, the rest shuffled by seed."""
    slugs = list(load_reference().index)
    rest = [s for s in slugs if s not in PINNED]
    order = [s for s in PINNED if s in slugs] + [rest[i] for i in _rng(seed, "choose").permutation(len(rest))]
    return order[:max(0, min(n, len(order)))]


@dataclass
class Profile:
    """What an authority is like, fixed across its years."""

    slug: str
    name: str
    ref: dict
    style: str
    rate: float  # referrals per 10,000 children in the latest year
    growth: float  # yearly drift
    contact_factor: float
    p_met: float
    p_below: float
    p_conclude: float
    p_ongoing: float
    fte_per_referral: float
    last_index: int = 0  # the latest year's position among the years generated
    labels: dict = field(default_factory=dict)  # dimension -> [(label, codes, weight)]
    terms: dict = field(default_factory=dict)
    dims: tuple = BREAKDOWN_DIMS
    children: bool = True
    timeliness: bool = True
    staffing: bool = True
    x_rate: float = 0.0  # chance an optional figure is "[x]"
    suppress_at_source: bool = False
    drop_zero_rows: bool = False
    with_percent: bool = False
    narrative: bool = False
    discrepancy: str = ""  # "", "met_threshold", "table_total", "note"
    carried: bool = True
    referrals_given: bool = True


def _labels_for_standard(rng) -> dict:
    out = {}
    for dim, cats in STD.items():
        chosen = []
        for code, weight, wordings in cats:
            chosen.append((wordings[int(rng.integers(len(wordings)))], code, weight))
        if dim == "harm_category" and rng.random() < 0.3:  # no physical-intervention category
            chosen = [c for c in chosen if c[1] != "physical_intervention"]
        out[dim] = chosen
    return out


def profile(slug: str, seed: int) -> Profile:
    ref = load_reference().loc[slug]
    rng = _rng(seed, "profile", slug)
    name = str(ref["name"])
    if slug == "kent":
        style = "kent"
    elif slug == "gloucestershire":
        style = "gloucestershire"
    else:
        style = str(rng.choice(["standard", "kent", "gloucestershire"], p=[0.6, 0.2, 0.2]))
    p = Profile(slug, name, ref.to_dict(), style,
                rate=REFERRALS_PER_10K * float(np.exp(rng.normal(0, 0.3))), growth=float(rng.normal(0.03, 0.04)),
                contact_factor=float(rng.uniform(0.4, 1.5)), p_met=float(rng.uniform(0.48, 0.62)),
                p_below=float(rng.uniform(0.85, 1.0)), p_conclude=float(rng.uniform(0.6, 0.8)),
                p_ongoing=float(rng.uniform(0.6, 0.9)), fte_per_referral=1 / float(rng.uniform(180, 320)))
    p.x_rate = float(rng.choice([0.0, 0.0, 0.1, 0.3]))
    p.timeliness = rng.random() > 0.2
    p.staffing = rng.random() > 0.15
    p.suppress_at_source = rng.random() < 0.1
    p.drop_zero_rows = rng.random() < 0.5
    p.with_percent = rng.random() < 0.3
    p.narrative = rng.random() < 0.4
    p.discrepancy = str(rng.choice(["", "", "", "table_total", "note", "met_threshold"]))
    if slug in ("kent", "gloucestershire"):
        p.rate = 41.0  # Kent 2023-24: 1,458 referrals for 355,390 children
    if style == "kent":
        p.labels = {"harm_category": KENT_HARM, "sector": KENT_SECTOR,
                    "subsector": KENT_SUBSECTOR + [("Fostering", "social_care.fostering", 1)],
                    "referral_source": [("Members of the public", "public", 1)], "outcome": KENT_OUTCOME,
                    "final_outcome": KENT_FINAL, **KENT_CHILD}
        p.terms = KENT_STAGES
        p.contact_factor = float(rng.uniform(0.75, 1.05))
        p.carried = slug != "kent" and rng.random() < 0.5
    elif style == "gloucestershire":
        fill = lambda rows: [(label.replace("{name}", name), code, w) for label, code, w in rows]
        p.labels = {"harm_category": GLOS_HARM, "sector": fill(GLOS_SECTOR), "referral_source": fill(GLOS_SOURCE),
                    "outcome": GLOS_KCSIE, "final_outcome": GLOS_FINAL}
        p.terms = GLOS_STAGES
        p.children = False
        p.contact_factor = float(rng.uniform(1.5, 1.9))
        p.referrals_given = slug != "gloucestershire" and rng.random() < 0.3
        p.carried = False
        p.discrepancy = "met_threshold" if slug == "gloucestershire" else p.discrepancy
    else:
        p.labels = _labels_for_standard(rng)
        p.terms = {stage: {"term": words[int(rng.integers(len(words)))]} for stage, words in STD_TERMS.items()}
        p.terms["referrals"] = {"term": "Referrals"}
        p.children = rng.random() > 0.25
    if style != "gloucestershire" and p.discrepancy == "met_threshold":
        p.discrepancy = ""  # only a return whose concluded + ongoing make up its allegations can show this one
    if slug != "kent" and style != "gloucestershire":
        dropped = {d for d in BREAKDOWN_DIMS if rng.random() < 0.12}
        p.dims = tuple(d for d in BREAKDOWN_DIMS if d not in dropped)
    return p


# How each style of authority counts (schema/return.yaml, counting); a standard authority's contacts say in its returns
# (funnel.contacts_include_referrals) whether they include referrals.
COUNTING = {
    "kent": {"contacts_include_referrals": "no", "mix_base": "referrals", "outcome_base": "concluded",
             "period_basis": "financial_year", "scope": "whole_service"},
    "gloucestershire": {"contacts_include_referrals": "yes", "mix_base": "contacts", "outcome_base": "concluded",
                        "period_basis": "financial_year", "scope": "whole_service"},
    "standard": {"mix_base": "per_table", "outcome_base": "concluded", "period_basis": "financial_year",
                 "scope": "whole_service"},
}


def authority_file(p: Profile) -> dict:
    ref = p.ref
    services = {"kent": "Kent County LADO Service", "gloucestershire": "Gloucestershire Allegation Management Service"}
    data = {"name": p.name, "ons_code": ref["ons_code"], "dfe_number": int(ref["dfe_number"]), "region": ref["region_code"],
            "service": services.get(p.slug, f"{p.name} LADO Service"), "stages": {k: dict(v) for k, v in p.terms.items()}}
    crosswalk = {}
    for dim, rows in p.labels.items():
        key = "sector" if dim == "subsector" else dim
        entries = crosswalk.setdefault(key, [])
        for label, code, _ in rows:
            entry = _Flow(local=label)
            if isinstance(code, list):
                entry["codes"] = list(code)
                entry["note"] = "Combines several sectors; the sub-sector table gives a partial split."
            else:
                entry["code"] = code
            entries.append(entry)
    if p.style == "gloucestershire":
        crosswalk["outcome"] += [_Flow(local=label, code=code) for label, code in GLOS_OTHER_OUTCOMES]
    first: dict = {}
    for dim, entries in crosswalk.items():  # a label mapped two ways in two taxonomies says why (crosswalk_label_differs)
        for entry in entries:
            codes = entry.get("codes") or [entry.get("code")]
            seen = first.setdefault(entry["local"], (dim, codes))
            if seen[0] != dim and seen[1] != codes and "note" not in entry:
                entry["note"] = f"Mapped as {', '.join(map(str, seen[1]))} in {seen[0]}: the two taxonomies differ."
    data["crosswalk"] = crosswalk
    data["counting"] = _Flow(COUNTING[p.style])
    return data


# --- one year's return ------------------------------------------------------------------------

@dataclass
class _State:
    ongoing: int | None = None
    funnel: dict = field(default_factory=dict)


def _maybe_x(rng, p: Profile, value):
    return "[x]" if rng.random() < p.x_rate else value


def _rows(p: Profile, rng, counts, labels, base, percent=False):
    rows = []
    for (label, _, _), c in zip(labels, counts):
        if c == 0 and p.drop_zero_rows:
            continue
        withheld = p.suppress_at_source and 1 <= c <= 5
        row = _Flow(label=label, count="[c]" if withheld else c)
        if percent and base and not withheld:
            row["percent"] = _pct(c, base)
        rows.append(row)
    return rows


def _complete(p, rng, base_name, base, labels, source, percent=False, total=False):
    counts = _split(rng, base, [w for _, _, w in labels])
    table = {"base": base_name}
    if total:
        table["total"] = base
    table["source"] = source
    table["rows"] = _rows(p, rng, counts, labels, base, percent)
    return table


def _funnel(p: Profile, rng, year_index: int, state: _State) -> tuple[dict, dict]:
    """The funnel as written (with symbols) and the true counts the tables are drawn from."""
    pop = p.ref["population_0_17"]
    # The rate is the latest year's, so the same authority looks alike whatever the number of years.
    lam = p.rate * pop / 10_000 * np.exp(p.growth * (year_index - p.last_index) + rng.normal(0, 0.06))
    r = int(rng.poisson(lam))
    n = {}
    if p.style == "gloucestershire":
        c = int(rng.poisson(lam * p.contact_factor))
        c = max(c, r) if p.referrals_given else c
        m = int(rng.binomial(c if not p.referrals_given else r, p.p_met + 0.05))
        x = int(rng.binomial(c - m, 0.08))
        b = c - m - x
        if p.referrals_given:
            b = min(b, r - m)
            x = c - m - b
        k = int(rng.binomial(m, p.p_conclude))
        n.update(initial_contacts=c, referrals=r, below_threshold=b, met_threshold=m, concluded=k,
                 ongoing_at_year_end=m - k, referred_elsewhere=x)
        funnel = {"initial_contacts": c, "referrals": r if p.referrals_given else "[x]", "below_threshold": b,
                  "met_threshold": m, "concluded": k, "ongoing_at_year_end": m - k, "carried_over": "[x]",
                  "contacts_to_referral": "[x]", "contacts_include_referrals": True}
        return funnel, n
    m = int(rng.binomial(r, p.p_met))
    b = int(rng.binomial(r - m, p.p_below))
    carried = state.ongoing if state.ongoing is not None else int(rng.binomial(m, 0.3))
    open_cases = m + (carried if p.carried else 0)
    k = int(rng.binomial(open_cases, p.p_conclude))
    o = int(rng.binomial(open_cases - k, p.p_ongoing))
    if p.style == "kent":
        c = int(rng.poisson(lam * p.contact_factor))
        ctr = int(rng.binomial(c, 0.2))
        includes = False
    else:
        c = r + int(rng.poisson(lam * p.contact_factor))
        ctr = r
        includes = True
    n.update(initial_contacts=c, referrals=r, below_threshold=b, met_threshold=m, concluded=k, ongoing_at_year_end=o,
             carried_over=carried)
    funnel = {"initial_contacts": c, "referrals": r, "below_threshold": _maybe_x(rng, p, b), "met_threshold": m,
              "concluded": k, "ongoing_at_year_end": o if p.carried else "[x]"}
    if p.carried:
        funnel["carried_over"] = carried
    elif p.style == "kent":
        funnel["carried_over"] = "[x]"
    if p.style == "kent" or rng.random() > 0.3:
        funnel["contacts_to_referral"] = _maybe_x(rng, p, ctr)
    funnel["contacts_include_referrals"] = includes
    return funnel, n


def _kent_tables(p, rng, n, period) -> dict:
    out = {}
    r, k = n["referrals"], n["concluded"]
    if "harm_category" in p.dims and r:
        weights = [w for _, _, w in KENT_HARM]
        shares = _split(rng, 10_000, weights, 200)
        counts = _split(rng, r, weights, 200)  # small services print counts, not percentages
        rows = []
        for (label, _, _), s, c in zip(KENT_HARM, shares, counts):
            if label not in KENT_HARM_PRINTED:
                continue
            if r >= 30:
                row = _Flow(label=label, percent=round(s / 100))
                if label == "Other":
                    count = round(s / 10_000 * r)
                    row = _Flow(label=label, count=count, percent=_pct(count, r, 0))
            else:
                row = _Flow(label=label, count=c)
            rows.append(row)
        out["harm_category"] = [{"base": "referrals", "complete": False, "source": "Table 3", "rows": rows}]
    if "sector" in p.dims and r:
        counts = _split(rng, int(r * rng.uniform(0.82, 0.92)), [w for _, _, w in KENT_SECTOR], 120)
        tables = [{"base": "referrals", "complete": False, "source": "Table 5",
                   "rows": [_Flow(label=label, count=c) for (label, _, _), c in zip(KENT_SECTOR, counts)]}]
        wider = counts[1]
        sub = _split(rng, int(wider * rng.uniform(0.5, 0.65)), [w for _, _, w in KENT_SUBSECTOR], 80)
        if sum(sub):
            rows = [_Flow(label=label, count=c) for (label, _, _), c in zip(KENT_SUBSECTOR, sub) if c or not p.drop_zero_rows]
            tables.append({"base": "subset", "base_label": "Wider workforce allegations by sub-sector", "total": sum(sub),
                           "source": "Section 9.4.1", "rows": rows})
        fostering = int(rng.binomial(r, 0.1))
        tables.append({"base": "referrals", "complete": False, "source": "Section 9.1.2",
                       "rows": [_Flow(label="Fostering", count=fostering)]})
        out["sector"] = tables
    if "referral_source" in p.dims and r:
        out["referral_source"] = [{"base": "referrals", "complete": False, "source": "Section 3.1",
                                   "rows": [_Flow(label="Members of the public", count=int(rng.binomial(r, 0.01)))]}]
    if "outcome" in p.dims and k:
        counts = _split(rng, k, [w for _, _, w in KENT_OUTCOME], 150)
        rows = []
        for (label, _, _), c in zip(KENT_OUTCOME[:4], counts[:4]):
            if k >= 30:
                row = _Flow(label=label, count=c, percent=_pct(c, k)) if label == "Substantiated" else _Flow(label=label, percent=_pct(c, k))
            else:
                row = _Flow(label=label, count="[c]" if p.suppress_at_source and 1 <= c <= 5 else c)
            rows.append(row)
        out["outcome"] = [{"base": "concluded", "complete": False, "source": "Tables 10 and 12", "rows": rows}]
    if "final_outcome" in p.dims and k >= 30:
        counts = _split(rng, k, [w for _, _, w in KENT_FINAL] + [3.1], 150)
        out["final_outcome"] = [{"base": "concluded", "complete": False, "source": "Table 13",
                                 "rows": [_Flow(label=label, percent=_pct(c, k)) for (label, _, _), c in zip(KENT_FINAL, counts)]}]
    return out


def _glos_tables(p, rng, n, period) -> dict:
    out, c = {}, n["initial_contacts"]
    if not c:
        return out
    if "harm_category" in p.dims:
        out["harm_category"] = [_complete(p, rng, "initial_contacts", c, GLOS_HARM, "Table 4", total=True)]
    if "referral_source" in p.dims:
        out["referral_source"] = [_complete(p, rng, "initial_contacts", c, p.labels["referral_source"], "Table 2", total=True)]
    if "sector" in p.dims:
        out["sector"] = [_complete(p, rng, "initial_contacts", c, p.labels["sector"], "Table 3", total=True)]
    if "outcome" in p.dims:
        kcsie = _split(rng, n["concluded"], [w for _, _, w in GLOS_KCSIE])
        counts = dict(zip([label for label, _, _ in GLOS_KCSIE], kcsie))
        counts.update({GLOS_OTHER_OUTCOMES[0][0]: n["below_threshold"], GLOS_OTHER_OUTCOMES[1][0]: n["referred_elsewhere"],
                       GLOS_OTHER_OUTCOMES[2][0]: n["ongoing_at_year_end"]})
        rows = [_Flow(label=label, count="[c]" if p.suppress_at_source and 1 <= v <= 5 else v)
                for label, v in sorted(counts.items()) if v or not p.drop_zero_rows]
        out["outcome"] = [{"base": "initial_contacts", "total": c, "source": "Table 5", "rows": rows}]
    if "final_outcome" in p.dims:
        tables = [_complete(p, rng, "initial_contacts", c, GLOS_FINAL, "Table 6 (all contacts)", total=True)]
        if n["met_threshold"]:
            tables.append(_complete(p, rng, "met_threshold", n["met_threshold"], GLOS_FINAL,
                                    "Table 6 (contacts that met the threshold)", total=True))
        out["final_outcome"] = tables
    return out


def _standard_tables(p, rng, n, period) -> dict:
    out = {}
    bases = {"harm_category": ("met_threshold", "Allegations by category of harm"),
             "sector": ("referrals", "Referrals by employing sector"),
             "referral_source": ("referrals", "Referrals by who referred"),
             "outcome": ("concluded", "Outcomes of concluded allegations"),
             "final_outcome": ("concluded", "What happened after the outcome")}
    for dim in p.dims:
        base_name, source = bases[dim]
        base = n[base_name]
        if base:
            out[dim] = [_complete(p, rng, base_name, base, p.labels[dim], source, percent=p.with_percent)]
    return out


def _children(p, rng, linked) -> dict:
    out = {}
    if not linked:
        return out
    for dim in CHILD_DIMS:
        labels = p.labels[dim]
        if p.style == "kent" and dim == "child_disability":
            count = int(rng.binomial(linked, 0.22))
            out[dim] = [{"base": "linked_children", "complete": False, "source": "Section 7.1",
                         "rows": [_Flow(label="Disabled", count="[c]" if p.suppress_at_source and 1 <= count <= 5 else count)]}]
            continue
        out[dim] = [_complete(p, rng, "linked_children", linked, labels, "Children linked to referrals")]
    return out


def _narrative(p: Profile, rng, period: str, n: dict) -> dict:
    picks = rng.choice(len(THEMES), size=2, replace=False)
    recs = rng.choice(len(RECOMMENDATIONS), size=3, replace=False)
    statuses = ["complete", "green", "amber", "red", "not_started"]
    return {
        "introduction": (f"This report sets out the work of the {p.name} Local Authority Designated Officer (LADO) "
                         f"service from 1 April {period[:4]} to 31 March {int(period[:4]) + 1}.\n\n"
                         f"The service received **{n['referrals']:,} referrals** about adults who work or volunteer with "
                         f"children; {n['met_threshold']:,} met the harm threshold.\n"),
        "themes": [{"title": THEMES[i][0], "text": THEMES[i][1]} for i in picks],
        "recommendations": [{"period": period, "title": RECOMMENDATIONS[i][0], "detail": RECOMMENDATIONS[i][1],
                             "status": statuses[int(rng.integers(len(statuses)))]} for i in recs],
        "conclusion": "Demand on the service continues to grow. The partnership will review the service's capacity "
                      "against the national network's minimum standards in the coming year.",
    }


def _jump_notes(schema_stages, funnel: dict, previous: dict) -> dict:
    notes = {}
    for stage in schema_stages:
        now, before = funnel.get(stage), previous.get(stage)
        if not isinstance(now, int) or not isinstance(before, int) or max(now, before) < 20:
            continue
        if now > before * 2 or now < before / 2:
            notes[f"funnel.{stage}"] = f"A large change on last year's {before:,}; the service checked the figure."
    return notes


STAGES = ("initial_contacts", "referrals", "below_threshold", "met_threshold", "concluded", "ongoing_at_year_end")


def return_file(p: Profile, seed: int, period: str, year_index: int, state: _State) -> dict:
    rng = _rng(seed, "return", p.slug, period)
    funnel, n = _funnel(p, rng, year_index, state)
    end = int(period[:4]) + 1
    data: dict = {"source": {
        "title": f"{p.name} LADO annual report {period} (synthetic)",
        "publisher": f"{p.name} LADO service, for the {p.name} Safeguarding Children Partnership",
        "published": f"{end}-{int(rng.integers(6, 12)):02d}",
        "note": f"Synthetic figures generated by benchmarks.synth (seed {seed}) for benchmarking; not real data.",
    }, "funnel": funnel}
    if p.timeliness:
        data["timeliness"] = {
            "decision_within_1_working_day": _maybe_x(rng, p, int(rng.uniform(60, 100))),
            "meeting_within_5_working_days": _maybe_x(rng, p, round(float(rng.uniform(45, 95)), 1)),
            "concluded_within_3_months": _maybe_x(rng, p, int(rng.uniform(25, 75))),
        }
    r_like = n["referrals"] or n["initial_contacts"]
    if p.staffing:
        fte = max(0.2, round(r_like * p.fte_per_referral, 1))
        data["staffing"] = {"lado_fte": fte, "lado_establishment_fte": _maybe_x(rng, p, round(fte + float(rng.choice([0, 0, 0.5, 1])), 1)),
                            "business_support_fte": _maybe_x(rng, p, round(fte * float(rng.uniform(0.4, 1.1)), 1)),
                            "mean_caseload": _maybe_x(rng, p, int(rng.uniform(15, 90)))}
    linked = int(rng.poisson(n["referrals"] * 0.94)) if p.children else None
    if p.children:
        data["children"] = {"linked_children": linked}
    elif p.style != "gloucestershire" and rng.random() < 0.5:
        data["children"] = {"linked_children": "[x]"}
    elif p.style == "gloucestershire":
        data["children"] = {"linked_children": "[x]"}
    if p.style == "kent":
        breakdowns = _kent_tables(p, rng, n, period)
    elif p.style == "gloucestershire":
        breakdowns = _glos_tables(p, rng, n, period)
    else:
        breakdowns = _standard_tables(p, rng, n, period)
    if p.children:
        breakdowns.update(_children(p, rng, linked))
    if breakdowns:
        data["breakdowns"] = breakdowns
    notes, discrepancies = {}, []
    _discrepancy(p, rng, data, n, discrepancies)
    if state.funnel:
        notes.update(_jump_notes(STAGES, funnel, state.funnel))
        before = state.funnel.get("referrals")
        if isinstance(before, int) and before and isinstance(funnel["referrals"], int) and "funnel.referrals" not in notes:
            change = (funnel["referrals"] - before) / before * 100
            notes["funnel.referrals"] = f"{'An increase' if change >= 0 else 'A fall'} of {abs(change):.0f}% on the {before:,} referrals of the year before."
    if p.staffing and rng.random() < 0.3:
        notes["staffing.lado_fte"] = "Average over the year; one post was covered by an agency LADO for part of it."
    if notes:
        data["notes"] = notes
    if discrepancies:
        data["discrepancies"] = discrepancies
    data["other_figures"] = _other_figures(p, rng, n)
    if p.narrative and rng.random() < 0.8:
        data["narrative"] = _narrative(p, rng, period, n)
    state.ongoing = n.get("ongoing_at_year_end")
    state.funnel = {k: v for k, v in funnel.items() if k in STAGES}
    return data


def _discrepancy(p: Profile, rng, data: dict, n: dict, out: list) -> None:
    funnel = data["funnel"]
    if p.discrepancy == "met_threshold" and n["met_threshold"] >= 20:
        # As Gloucestershire 2022-23: the report prints two figures; the lower one leaves concluded + ongoing above it.
        printed = n["met_threshold"] - int(rng.integers(1, max(2, n["met_threshold"] // 25)))
        funnel["met_threshold"] = printed
        for table in (data.get("breakdowns") or {}).get("final_outcome", []):
            if table["base"] == "met_threshold":  # the table's total is the figure the return uses
                table["total"] = printed
                table["rows"] = _rows(p, rng, _split(rng, printed, [w for _, _, w in GLOS_FINAL]), GLOS_FINAL, printed)
        out.append({"fields": ["funnel.met_threshold"], "rules": ["stage_nesting"],
                    "found": f"{printed:,} (section 6.3 and the Table 6 total) and {n['met_threshold']:,} (section 6.9)",
                    "note": f"This return uses {printed:,}; with it, concluded plus ongoing exceeds the year's allegations."})
    elif p.discrepancy == "table_total":
        for dim, tables in (data.get("breakdowns") or {}).items():
            if dim in CHILD_DIMS:
                continue  # the authority page shows no footnotes on children's tables: mkdocs --strict would fail
            for i, table in enumerate(tables):
                counts = [row.get("count") for row in table["rows"]]
                if table.get("complete", True) and counts and all(isinstance(c, int) for c in counts) \
                        and not any("percent" in row for row in table["rows"]) and sum(counts) >= 20:
                    printed = sum(counts) + int(rng.choice([-9, -5, -3, 3, 5, 9]))
                    table["total"] = printed
                    out.append({"fields": [f"breakdowns.{dim}[{i}]"], "rules": ["breakdown_total"],
                                "found": f"The rows add up to {sum(counts):,}; the table's total says {printed:,}",
                                "note": "Both are printed. This return keeps every row and the stated total."})
                    return
    elif p.discrepancy == "note" and isinstance(funnel.get("referrals"), int) and funnel["referrals"] >= 20:
        other = funnel["referrals"] + int(rng.integers(2, 15))
        out.append({"fields": ["funnel.referrals"],
                    "found": f"{funnel['referrals']:,} (Table 1) and {other:,} (the summary)",
                    "note": f"This return uses {funnel['referrals']:,} from Table 1, which the rest of the report uses."})


def _other_figures(p: Profile, rng, n: dict) -> list:
    figures = [_Flow(label="New referrals per week (average)", value=round(n["referrals"] / 52, 1), unit="per_week",
                     about="service")]
    if rng.random() < 0.6:
        figures.append(_Flow(label="Position of Trust meetings held", value=int(rng.poisson(max(1.0, n["met_threshold"] * 0.04))),
                             unit="count", about="service"))
    if rng.random() < 0.5:
        figures.append(_Flow(label="Allegations against headteachers", value=int(rng.poisson(max(0.5, n["met_threshold"] * 0.02))),
                             unit="count", about="staff"))
    if rng.random() < 0.4:
        figures.append(_Flow(label=f"Schools in {p.name}", value=max(1, int(p.ref["population_0_17"] / 450)), unit="count",
                             about="context"))
    return figures


# --- the whole folder -------------------------------------------------------------------------

def _groups(slugs: list[str], seed: int) -> dict:
    ref = load_reference()
    groups = []
    for slug in ("kent", "gloucestershire"):
        region = ref.loc[slug, "region_code"]
        region_name = ref.loc[slug, "region_name"]
        members = sorted(ref.index[ref["region_code"] == region])
        groups.append({"id": f"{region_name.lower().replace(' ', '-')}-lado-network",
                       "name": f"{region_name} regional LADO network",
                       "description": f"The {region_name} LADO services, who meet quarterly to compare practice (synthetic).",
                       "members": members})
    others = [s for s in slugs if s not in PINNED]
    if len(others) >= 3:
        trio = sorted(others[i] for i in _rng(seed, "groups").choice(len(others), 3, replace=False))
        groups.append({"id": "synthetic-peer-review", "name": "Peer review trio",
                       "description": "Three services that audit each other's case files every year (synthetic).",
                       "members": trio})
    return {"groups": groups}


def _check_target(out_dir: Path) -> Path:
    real = paths.AUTHORITIES_DIR.resolve()
    out = Path(out_dir).resolve()
    target = out / "authorities"
    if out == real or real in out.parents or target == real:
        raise ValueError(f"refusing to write synthetic returns into {real}: give another --out folder")
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        raise ValueError(f"{target} exists and was not made by benchmarks.synth: give an empty --out folder")
    return target


def generate(out_dir: Path | str, authorities: int = 153, years: int = 5, seed: int = 0) -> Path:
    """Write synthetic returns under out_dir/authorities and return that folder."""
    target = _check_target(Path(out_dir))
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / MARKER).write_text("Synthetic returns written by benchmarks.synth; not real data. Safe to delete.\n")
    slugs = choose(authorities, seed)
    header = f"Synthetic {{what}} generated by benchmarks.synth (seed {seed}): invented figures, not real data."
    for slug in slugs:
        p = profile(slug, seed)
        p.last_index = years - 1
        folder = target / slug
        folder.mkdir()
        (folder / paths.AUTHORITY_FILE).write_text(
            dump(authority_file(p), header.format(what=f"authority file for {p.name}")), encoding="utf-8")
        state = _State()
        for i, period in enumerate(periods(years)):
            data = return_file(p, seed, period, i, state)
            (folder / f"{period}.yaml").write_text(dump(data, header.format(what=f"{p.name} return {period}")), encoding="utf-8")
    (target / paths.GROUPS_FILE).write_text(dump(_groups(slugs, seed), header.format(what="peer groups")), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder to write into (authorities/ is created inside it)")
    ap.add_argument("--authorities", type=int, default=153, help="how many authorities (at most 153)")
    ap.add_argument("--years", type=int, default=5, help="how many financial years, ending 2024-25")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        root = generate(Path(args.out), args.authorities, args.years, args.seed)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    files = sum(1 for _ in root.rglob("*.yaml"))
    print(f"{files} files for {min(args.authorities, len(load_reference()))} authorities × {args.years} years in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
