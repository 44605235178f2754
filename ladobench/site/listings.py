"""Home, index, region, peer-group, metric and submission-status pages: views across authorities, one page per year."""
from __future__ import annotations

from functools import cached_property

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema
from ladobench.site.render import literal
from ladobench.site.urls import page_name, region_page
from ladobench.site.views import (
    areas_with_value,
    group_view,
    members_claim,
    metric_view,
    shown_period,
    status_view,
    submitted_members,
)
from ladobench.stats.claims import count_authorities
from ladobench.stats.published import Published


class Listings:
    """The pages across authorities, part by part: home, groups, metrics, years and regions. The home page counts
    what the others show in full."""

    def __init__(self, published: Published, render, to_csv):
        self.published, self.render, self.to_csv = published, render, to_csv
        self.schema, self.ref = load_schema(), load_reference()

    @cached_property
    def slugs(self) -> list[str]:
        return sorted({r.slug for r in self.published.dataset.returns})

    @cached_property
    def coverage(self) -> list[dict]:
        published, dataset, ref = self.published, self.published.dataset, self.ref
        return [{"slug": s, "name": ref.loc[s, "name"] if s in ref.index else s,
                 "region": regions().get(ref.loc[s, "region_code"], "") if s in ref.index else "",
                 "periods": [p for p in published.periods if dataset.returns_of(s) and any(r.period == p for r in dataset.returns_of(s))]}
                for s in self.slugs]

    @cached_property
    def regions_members(self) -> list[tuple[str, str, list[str]]]:
        return [(code, name, list(self.ref.index[self.ref["region_code"] == code])) for code, name in regions().items()]

    @cached_property
    def groups_members(self) -> list[tuple[dict, list[str]]]:
        return [(group, [m for m in group.get("members") or [] if m in self.ref.index]) for group in self.published.dataset.groups]

    def _metric_entry(self, metric) -> dict:
        n = areas_with_value(self.published, metric.id)
        return {"id": metric.id, "title": metric.title, "kind": metric.kind, "unit": metric.unit, "areas": n,
                "claim": count_authorities(f"{n} {'authority' if n == 1 else 'authorities'} with a value", n,
                                           "authorities with a value", self.published.latest, metric=metric.id)}

    def _region_list(self) -> list[dict]:
        """Each region's members with a return for the latest year, and how many more have one for an earlier year only."""
        out = []
        for code, name, members in self.regions_members:
            shown = submitted_members(self.published, members)
            now = [s for s in shown if shown_period(self.published, s, self.published.latest) == self.published.latest]
            latest, earlier = self.published.latest, len(shown) - len(now)
            text = (f"{len(now)} of {len(members)} authorities submitted for {latest}"
                    + (f"; {earlier} more for an earlier year only" if earlier else ""))
            out.append({"code": code, "page": region_page(code), "name": name, "members": len(members), "submitted": len(now), "earlier": earlier,
                        "claim": count_authorities(text, len(now), "authorities with a return", latest, among=members)})
        return out

    def _every_year(self, pages: dict, folder: str, base: str, make) -> None:
        """One page per year that has returns: folder/base.md for the latest, folder/base-YYYY-YY.md for the others."""
        for period in self.published.periods:
            pages[f"{folder}/{page_name(base, period, self.published.latest)}"] = make(period)

    def _group_list(self) -> list[dict]:
        out = []
        for group, members in self.groups_members:
            n = len(submitted_members(self.published, members))
            out.append({"id": group["id"], "name": group["name"], "members": len(members), "submitted": n,
                        "claim": count_authorities(f"{n} of {len(members)} members submitted", n,
                                                   "authorities with a return", "", among=members)})
        return out

    def claims(self) -> list:
        """The counts of authorities the home, region, group and metric index pages state, as claims."""
        n, returns = len(self.slugs), len(self.published.dataset.returns)
        out = [count_authorities(f"{returns} returns from {n} of {len(self.ref)} authorities", n, "authorities with a return")]
        out += [r["claim"] for r in self._region_list()] + [g["claim"] for g in self._group_list()]
        out += [self._metric_entry(m)["claim"] for m in self.schema.metrics]
        pools = [(name, members) for _, name, members in self.regions_members]
        pools += [(group["name"], members) for group, members in self.groups_members]
        return out + [members_claim(self.published, members, name, period)
                      for name, members in pools for period in self.published.periods]

    def home(self) -> dict[str, str]:
        """The home page and the list of authorities."""
        published, render = self.published, self.render
        headline = [self._metric_entry(m) for m in self.schema.metrics if m.headline]
        return {"index.md": render("index.md.j2", latest=published.latest, periods=published.periods, coverage=self.coverage,
                                   regions=self._region_list(), groups=self._group_list(), metrics=headline,
                                   returns=len(published.dataset.returns), authorities=len(self.slugs), total=len(self.ref)),
                "authorities/index.md": render("authorities.md.j2", coverage=self.coverage, periods=published.periods,
                                               total=len(self.ref))}

    def groups(self) -> dict[str, str]:
        pages = {"groups/index.md": self.render("groups.md.j2", groups=self._group_list(), latest=self.published.latest)}
        for group, members in self.groups_members:
            def make(period, group=group, members=members):
                view = group_view(self.published, members, group["name"], group["id"], period, group["id"])
                prefix = group["id"] if period == self.published.latest else f"{group['id']}-{period}"
                _chart_csvs(pages, f"groups/data/{prefix}", view["figures"], self.to_csv)
                return self.render("group.md.j2", view=view, kind="group", description=group.get("description", ""),
                                   csv_prefix=prefix)
            self._every_year(pages, "groups", group["id"], make)
        return pages

    def metrics(self) -> dict[str, str]:
        pages = {}
        for metric in self.schema.metrics:
            def make(period, metric=metric):
                view = metric_view(self.published, metric.id, period)
                prefix = metric.id if period == self.published.latest else f"{metric.id}-{period}"
                _chart_csvs(pages, f"metrics/data/{prefix}", view["figures"] + [f for f in (view["trend_chart"], view["funnel"]) if f and f.get("rows")],
                            self.to_csv)
                return self.render("metric.md.j2", csv_prefix=prefix, **view)
            self._every_year(pages, "metrics", metric.id, make)
        pages["metrics/index.md"] = self.render("metrics.md.j2", metrics=[self._metric_entry(m) for m in self.schema.metrics],
                                                catalogue=self.schema.catalogue, latest=self.published.latest)
        return pages

    def periods(self) -> dict[str, str]:
        return {f"periods/{period}.md": self.render("period.md.j2", **status_view(self.published, period))
                for period in self.published.periods}

    def regions(self) -> dict[str, str]:
        pages = {"regions/index.md": self.render("regions.md.j2", regions=self._region_list(), latest=self.published.latest)}
        for code, name, members in self.regions_members:
            base = region_page(code)

            def make(period, base=base, name=name, members=members):
                view = group_view(self.published, members, name, base, period, base)
                prefix = base if period == self.published.latest else f"{base}-{period}"
                _chart_csvs(pages, f"regions/data/{prefix}", view["figures"], self.to_csv)
                return self.render("group.md.j2", view=view, kind="region", description="", csv_prefix=prefix)
            self._every_year(pages, "regions", base, make)
        return pages

    PARTS = ("home", "groups", "metrics", "periods", "regions")

    def _years(self, folder: str, base: str, name: str) -> dict:
        """A page of every year under one name in the nav: the name alone for one year, else a section of the years,
        newest first, each titled so that it stands alone (a search result shows it)."""
        periods, latest, name = self.published.periods, self.published.latest, literal(name)
        if len(periods) == 1:
            return {name: f"{folder}/{page_name(base, latest, latest)}"}
        return {name: [{f"{name} {p}": f"{folder}/{page_name(base, p, latest)}"} for p in reversed(periods)]}

    def nav(self) -> dict[str, list]:
        """The generated pages of each section of the site ({folder: nav entries after its index}), for mkdocs's nav:
        a page in the nav gets its tab highlighted; one outside it does not. Authorities are listed by region, so
        that with navigation.prune an authority's page carries its region's authorities, not all of them. Material
        prints nav titles unescaped: they are entity-escaped here, as the pages' front matter titles are."""
        names = {c["slug"]: literal(c["name"]) for c in self.coverage}
        region_of = {s: name for _, name, members in self.regions_members for s in members}
        by_region = [(name, [s for s in self.slugs if region_of.get(s) == name]) for _, name, _ in self.regions_members]
        elsewhere = [s for s in self.slugs if s not in region_of]

        def listed(slugs):
            return [{names[s]: f"authorities/{s}.md"} for s in sorted(slugs, key=lambda s: names[s])]
        return {
            "authorities": [{"Submissions by year": [{f"Submissions {p}": f"periods/{p}.md"}
                                                     for p in reversed(self.published.periods)]},
                            *({literal(region): listed(slugs)} for region, slugs in by_region if slugs),
                            *listed(elsewhere)],
            "regions": [self._years("regions", region_page(code), name) for code, name, _ in self.regions_members],
            "groups": [self._years("groups", g["id"], g["name"]) for g, _ in self.groups_members],
            "metrics": [self._years("metrics", m.id, m.title) for m in self.schema.metrics],
        }

def generate(published: Published, render, to_csv) -> dict[str, str]:
    """Every page across authorities at once."""
    listings, pages = Listings(published, render, to_csv), {}
    for part in Listings.PARTS:
        pages.update(getattr(listings, part)())
    return pages


def _chart_csvs(pages: dict, prefix: str, figures: list[dict], to_csv) -> None:
    for fig in figures:
        rows = fig["rows"]
        if rows:
            pages[f"{prefix}-{fig['id']}.csv"] = to_csv(rows, [k for k in rows[0] if k != "highlight"])
