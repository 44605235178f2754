"""Every claim a build's pages make, gathered for the checker (stats/claim_check.py): the authority pages' captions,
comparisons, summaries, changes and trends, and the counts of authorities on the pages across authorities."""
from __future__ import annotations

from ladobench.site import authority_page
from ladobench.site.listings import Listings
from ladobench.stats.claims import Claim
from ladobench.stats.published import Published


def site_claims(published: Published) -> list[Claim]:
    out: list[Claim] = []
    for slug in sorted({r.slug for r in published.dataset.returns}):
        out.extend(authority_page.context(published, slug)["claims"])
    out.extend(Listings(published, None, None).claims())
    return out
