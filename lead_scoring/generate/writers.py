"""Streaming output: one open CSV writer per day and entity, one open gzip writer per day.

Rows of a chunk are appended to the files of their day as soon as the chunk is simulated, so
memory depends on the chunk size, never on the number of contacts. Gzip members are written with
mtime=0 and a fixed name, so the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import json
import resource
from pathlib import Path

import numpy as np

from . import events as E
from .behaviour import DEAL_STAGES, Behaviour
from .names import INDUSTRIES, JUNK_REASONS, LIFECYCLE_STAGES
from .population import ALL_COUNTRIES, COLD, HOT, JUNK, Population
from .settings import DAY, DEAL_ID_BASE, Settings

CONTACT_COLUMNS = (
    "hs_object_id",
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "country",
    "city",
    "lifecyclestage",
    "createdate",
    "lastmodifieddate",
    "hs_analytics_source",
    "associatedcompanyid",
    "phone",
    "persona",
)
COMPANY_COLUMNS = (
    "hs_object_id",
    "name",
    "domain",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "country",
    "createdate",
    "lastmodifieddate",
)
DEAL_COLUMNS = (
    "hs_object_id",
    "dealname",
    "dealstage",
    "amount",
    "pipeline",
    "createdate",
    "closedate",
    "lastmodifieddate",
    "associated_contact_id",
    "associated_company_id",
)
PLANTED_COLUMNS = ("hs_object_id", "email", "firstname", "lastname", "kind", "reason")
ENTITIES = {"contacts": CONTACT_COLUMNS, "companies": COMPANY_COLUMNS, "deals": DEAL_COLUMNS}
EVENT_FILE = "part-0.jsonl.gz"
BATCH = 8192  # events rendered and compressed at a time


def iso_seconds(epoch_s: np.ndarray) -> list[str]:
    """'2026-11-20T13:45:12Z' for each epoch second."""
    return np.datetime_as_string(epoch_s.astype("datetime64[s]"), unit="s", timezone="UTC").tolist()


def _raise_open_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class Output:
    """Every file of the landing layout, open for the whole run."""

    def __init__(self, out: Path, settings: Settings):
        self.out = out
        self.settings = settings
        self.days = settings.day_strings()
        self.day_array = np.array(self.days, dtype=object)
        _raise_open_file_limit(4 * len(self.days) + 64)
        self._files = []
        self.csv: dict[str, list[csv.writer]] = {name: [] for name in ENTITIES}
        self.gz: list[gzip.GzipFile] = []
        for day in self.days:
            crm = out / "crm" / f"date={day}"
            web = out / "web_events" / f"date={day}"
            crm.mkdir(parents=True, exist_ok=True)
            web.mkdir(parents=True, exist_ok=True)
            for name, columns in ENTITIES.items():
                f = open(crm / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
                self._files.append(f)
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(columns)
                self.csv[name].append(writer)
            self.gz.append(gzip.GzipFile(web / EVENT_FILE, "wb", compresslevel=1, mtime=0))
        meta = out / "_generator"
        meta.mkdir(parents=True, exist_ok=True)
        self._planted_file = open(
            meta / "planted_leads.csv",
            "w",
            encoding="utf-8",  # noqa: SIM115
            newline="",
        )
        self.planted = csv.writer(self._planted_file, lineterminator="\n")
        self.planted.writerow(PLANTED_COLUMNS)

    def close(self) -> None:
        for g in self.gz:
            g.close()
        for f in self._files:
            f.close()
        self._planted_file.close()

    def write_manifest(self, manifest: dict) -> None:
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (self.out / "_generator" / "manifest.json").write_text(text, encoding="utf-8")

    # -- CRM ------------------------------------------------------------------------------------
    def _by_day(self, entity: str, lastmod: np.ndarray, rows: list[list[str]]) -> None:
        """Append rows (already in lastmodifieddate order) to the file of their day."""
        day = np.clip((lastmod - self.settings.window_start) // DAY, 0, len(self.days) - 1)
        bounds = np.flatnonzero(np.diff(day)) + 1
        starts = [0, *bounds.tolist()]
        stops = [*bounds.tolist(), len(rows)]
        writers = self.csv[entity]
        for a, b in zip(starts, stops, strict=True):
            if b > a:
                writers[int(day[a])].writerows(rows[a:b])

    def write_crm(self, pop: Population, beh: Behaviour) -> dict[str, int]:
        rows = beh.rows
        companies = pop.companies
        company_ids = companies.hs_id.tolist()

        # contacts
        order = np.argsort(rows.contact_lastmod, kind="stable")
        who = rows.contact[order]
        lastmod = rows.contact_lastmod[order]
        created = iso_seconds(beh.createdate[who])
        modified = iso_seconds(lastmod)
        ids = pop.hs_id[who].tolist()
        stage = rows.contact_stage[order].tolist()
        out = []
        comp = pop.company.tolist()
        country = pop.country.tolist()
        for j, i in enumerate(who.tolist()):
            c = comp[i]
            out.append(
                [
                    ids[j],
                    pop.email[i],
                    pop.first[i],
                    pop.last[i],
                    pop.jobtitle[i],
                    ALL_COUNTRIES[country[i]],
                    pop.city[i],
                    LIFECYCLE_STAGES[stage[j]],
                    created[j],
                    modified[j],
                    pop.source[i],
                    company_ids[c] if c >= 0 else "",
                    pop.phone[i],
                    pop.persona[i],
                ]
            )
        self._by_day("contacts", lastmod, out)
        n_contact_rows = len(out)

        # companies
        order = np.argsort(rows.company_lastmod, kind="stable")
        which = rows.company[order]
        lastmod = rows.company_lastmod[order]
        created = iso_seconds(companies.createdate[which])
        modified = iso_seconds(lastmod)
        employees = companies.employees.tolist()
        revenue = companies.revenue.tolist()
        industry = companies.industry.tolist()
        ccountry = companies.country.tolist()
        out = []
        for j, c in enumerate(which.tolist()):
            out.append(
                [
                    company_ids[c],
                    companies.name[c],
                    companies.domain[c],
                    INDUSTRIES[industry[c]],
                    employees[c],
                    revenue[c] if revenue[c] >= 0 else "",
                    ALL_COUNTRIES[ccountry[c]],
                    created[j],
                    modified[j],
                ]
            )
        self._by_day("companies", lastmod, out)
        n_company_rows = len(out)

        # deals
        deals = beh.deals
        order = np.argsort(rows.deal_lastmod, kind="stable")
        which = rows.deal[order]
        lastmod = rows.deal_lastmod[order]
        created = iso_seconds(deals.create_s[which])
        modified = iso_seconds(lastmod)
        closedate_s = rows.deal_closedate[order]
        closed = iso_seconds(np.maximum(closedate_s, 0))
        closed_l = closedate_s.tolist()
        stage = rows.deal_stage[order].tolist()
        contact_of = deals.contact.tolist()
        amount = deals.amount.tolist()
        deal_ids = (DEAL_ID_BASE + pop.hs_id[deals.contact]).tolist()
        out = []
        for j, d in enumerate(which.tolist()):
            i = contact_of[d]
            c = comp[i]
            if c >= 0:
                dealname = f"{companies.name[c]} - {_plan(amount[d])}"
            else:
                dealname = f"{pop.first[i]} {pop.last[i]}".strip() + f" - {_plan(amount[d])}"
            out.append(
                [
                    deal_ids[d],
                    dealname,
                    DEAL_STAGES[stage[j]],
                    amount[d],
                    "default",
                    created[j],
                    closed[j] if closed_l[j] >= 0 else "",
                    modified[j],
                    pop.hs_id[i],
                    company_ids[c] if c >= 0 else "",
                ]
            )
        self._by_day("deals", lastmod, out)
        return {"contact_rows": n_contact_rows, "company_rows": n_company_rows, "deal_rows": len(out)}

    def write_planted(self, pop: Population) -> dict[str, int]:
        counts = {"hot": 0, "cold": 0, "junk": 0}
        kinds = {HOT: "hot", COLD: "cold", JUNK: "junk"}
        reason = pop.junk_reason.tolist()
        for i in np.flatnonzero(pop.planted).tolist():
            kind = kinds[int(pop.planted[i])]
            counts[kind] += 1
            self.planted.writerow(
                [
                    int(pop.hs_id[i]),
                    pop.email[i],
                    pop.first[i],
                    pop.last[i],
                    kind,
                    JUNK_REASONS[reason[i]] if reason[i] >= 0 else "",
                ]
            )
        return counts

    # -- web events -----------------------------------------------------------------------------
    def write_events(self, pop: Population, beh: Behaviour, seed: int) -> int:
        ev = beh.events
        n = len(pop)
        chunk = pop.chunk
        visitors = np.arange(beh.n_visitors, dtype=np.int64)
        anonymous_ids = E.uuid_strings((np.int64(chunk) << 32) | visitors, seed)
        user_ids = [str(x) for x in pop.hs_id.tolist()] + [None] * (beh.n_visitors - n)
        anon, known = E.identity_fragments(anonymous_ids, user_ids)
        contacts = E.ContactJson.build(pop.email, pop.first, pop.last)
        ws = self.settings.window_start
        day = (ev.ts_ms // 1000 - ws) // DAY
        bounds = np.searchsorted(day, np.arange(len(self.days) + 1))
        keys = (np.int64(chunk) << 40) + np.arange(len(ev), dtype=np.int64)
        for d in range(len(self.days)):
            for a in range(int(bounds[d]), int(bounds[d + 1]), BATCH):
                b = min(a + BATCH, int(bounds[d + 1]))
                sl = slice(a, b)
                identity = np.where(ev.identified[sl], known[ev.visitor[sl]], anon[ev.visitor[sl]])
                text = E.render(
                    ev.ts_ms[sl],
                    keys[sl],
                    identity,
                    ev.variant[sl],
                    ev.contact[sl],
                    ev.context_traits[sl],
                    contacts,
                    self.day_array,
                    ws,
                    seed,
                )
                self.gz[d].write(text.encode("utf-8"))
        return len(ev)


_PLANS = ("Starter plan", "Growth plan", "Enterprise plan")


def _plan(amount: int) -> str:
    return _PLANS[0] if amount < 10_000 else _PLANS[1] if amount < 60_000 else _PLANS[2]
