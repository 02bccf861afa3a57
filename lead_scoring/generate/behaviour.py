"""What the contacts do: web sessions, identification, deals, and the CRM changes they cause.

Hidden model (one chunk at a time, all numpy):
- engagement propensity `e = 0.6 fit + 0.8 noise`; a contact is "in market" (visits /pricing,
  requests demos) with a logistic probability in fit and e (about 6 %); dormant contacts make 0-2
  page views, active ones a log-normal number of events scaled so the average is
  `--events-per-contact`;
- events come in sessions (a weekday / office-hours rhythm; in-market buyers ramp up towards the end
  of the window);
- identification: backlog contacts are mostly already known on their device (every event has
  `userId`), some browse on a new device and identify part-way, a few never do; contacts created in
  the window browse anonymously until an `identify` or an anonymous `Form Submitted` with
  `properties.email` (their createdate follows it);
- deals: the chance of a deal and of winning it are logistic in fit, identified engagement and
  demo requests, plus noise; junk leads never win.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import events as E
from .names import CLOSED_DEAL_STAGES, OPEN_DEAL_STAGES
from .population import COLD, HOT, JUNK, STAGE, Population
from .settings import DAY, PLANTED_NO_EFFECT_SHARE, PLANTED_STRONG_SOURCE, Settings

DAY_MS = DAY * 1000
NOISE_SHARE = 0.06  # share of events by never-identified noise visitors
NEVER = np.iinfo(np.int64).max  # identification time of a visitor who never identifies
ALWAYS = np.int64(-1)  # ... of a contact already known on its device before the window
DEAL_STAGES = OPEN_DEAL_STAGES + CLOSED_DEAL_STAGES

# Group weights per profile (columns follow events.GROUPS; identify is never sampled).
_W = {
    #          home blog prod feat intg pric demo cont care docs case  cdl  cta form dreq emal vid  idf
    "normal": [10, 25, 8, 7, 4, 0.3, 0.1, 1, 3, 10, 3, 3, 5, 0.8, 0.05, 4, 2, 0],
    "technical": [6, 20, 6, 8, 8, 0.25, 0.05, 0.5, 2, 30, 2, 2, 3, 0.5, 0.05, 3, 1.5, 0],
    "in_market": [6, 12, 10, 8, 5, 12, 4, 2, 1, 6, 8, 4, 8, 2, 2.5, 4, 2, 0],
    "low": [12, 30, 4, 3, 1, 0.1, 0.02, 0.5, 12, 8, 1, 1.5, 2, 0.3, 0, 2, 4, 0],
    "noise": [20, 40, 5, 4, 2, 0.5, 0.2, 1, 10, 10, 2, 0, 2, 0, 0, 0, 3, 0],
}
PROFILES = tuple(_W)
_CDF = {k: np.cumsum(v) / np.sum(v) for k, v in _W.items()}
_HOUR_W = np.array(
    [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 12, 11, 9, 7, 5, 4, 3, 2, 1.5], dtype=float
)
_HOUR_CDF = np.cumsum(_HOUR_W) / _HOUR_W.sum()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Events:
    """One chunk's events, sorted by time. `visitor` < n is contact `visitor`; >= n is noise."""

    ts_ms: np.ndarray
    visitor: np.ndarray
    contact: np.ndarray  # -1 for noise visitors
    variant: np.ndarray
    identified: np.ndarray  # carries userId
    context_traits: np.ndarray

    def __len__(self) -> int:
        return len(self.ts_ms)


@dataclass
class Deals:
    contact: np.ndarray
    create_s: np.ndarray
    close_s: np.ndarray  # -1 = still open at the end of the window
    won: np.ndarray
    first_stage: np.ndarray  # index into OPEN_DEAL_STAGES
    mid_s: np.ndarray  # -1 = no stage change before closing / the window end
    mid_stage: np.ndarray
    amount: np.ndarray

    def __len__(self) -> int:
        return len(self.contact)


@dataclass
class CrmRows:
    """Rows of the incremental exports, each with the time it was last modified."""

    contact: np.ndarray
    contact_lastmod: np.ndarray
    contact_stage: np.ndarray
    company: np.ndarray
    company_lastmod: np.ndarray
    deal: np.ndarray
    deal_lastmod: np.ndarray
    deal_stage: np.ndarray  # index into OPEN_DEAL_STAGES + CLOSED_DEAL_STAGES
    deal_closedate: np.ndarray  # -1 = empty


@dataclass
class Behaviour:
    n_visitors: int
    events: Events
    deals: Deals
    rows: CrmRows
    in_market: np.ndarray
    createdate: np.ndarray  # every contact's createdate (epoch s)


def _day_cdf(settings: Settings, ramp: bool) -> np.ndarray:
    start_weekday = settings.start_date.weekday()
    w = np.array([0.35 if (start_weekday + d) % 7 >= 5 else 1.0 for d in range(settings.days)])
    if ramp:
        w = w * (0.3 + np.arange(settings.days) / settings.days)
    return np.cumsum(w) / w.sum()


def _sessions(
    rng, settings: Settings, counts: np.ndarray, ramp: np.ndarray, gap_ms: float = 50_000.0
) -> tuple[np.ndarray, np.ndarray]:
    """Event owners and times: each owner's events fall into sessions inside the window."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    total = len(owner)
    if total == 0:
        return owner, np.zeros(0, dtype=np.int64)
    first = np.zeros(total, dtype=bool)
    first[(np.cumsum(counts) - counts)[counts > 0]] = True
    new_session = first | (rng.random(total) < 0.25)
    session_first = np.flatnonzero(new_session)
    session_of = np.cumsum(new_session) - 1
    n_sessions = len(session_first)
    ramped = ramp[owner[session_first]]
    day = np.empty(n_sessions, dtype=np.int64)
    u = rng.random(n_sessions)
    day[~ramped] = np.searchsorted(_day_cdf(settings, False), u[~ramped], side="right")
    day[ramped] = np.searchsorted(_day_cdf(settings, True), u[ramped], side="right")
    np.minimum(day, settings.days - 1, out=day)
    hour = np.minimum(np.searchsorted(_HOUR_CDF, rng.random(n_sessions), side="right"), 23)
    start = (
        settings.window_start * 1000
        + day * DAY_MS
        + hour * 3_600_000
        + rng.integers(0, 3_600_000, n_sessions)
    )
    gaps = rng.exponential(gap_ms, total)
    gaps[new_session] = 0.0
    elapsed = np.cumsum(gaps)
    within = (elapsed - elapsed[session_first][session_of]).astype(np.int64)
    return owner, start[session_of] + within


def _groups(rng, profile_of_event: np.ndarray) -> np.ndarray:
    u = rng.random(len(profile_of_event))
    out = np.empty(len(u), dtype=np.int16)
    for p, name in enumerate(PROFILES):
        idx = np.flatnonzero(profile_of_event == p)
        out[idx] = np.searchsorted(_CDF[name], u[idx], side="right")
    return np.minimum(out, len(E.GROUPS) - 2)


def simulate(settings: Settings, pop: Population, rng: np.random.Generator) -> Behaviour:
    n = len(pop)
    ws, we = settings.window_start, settings.window_end
    ws_ms, we_ms = ws * 1000, we * 1000
    epc = settings.events_per_contact
    fit = pop.fit
    junk, hot, cold = pop.planted == JUNK, pop.planted == HOT, pop.planted == COLD

    # -- engagement propensity and volume
    e = 0.6 * fit + 0.8 * rng.normal(size=n) - 0.4 * junk
    in_market = (rng.random(n) < _sigmoid(-3.1 + 0.8 * fit + 0.9 * e)) & ~cold
    in_market |= hot
    active = (rng.random(n) < _sigmoid(0.1 + 1.3 * e)) | in_market
    weight = np.exp(0.5 * e + 0.7 * rng.normal(size=n)) * np.where(in_market, 2.5, 1.0)
    dormant_rate = min(0.7, 0.1 * epc)
    target = n * epc * (1 - NOISE_SHARE) - dormant_rate * np.count_nonzero(~active)
    scale = max(0.0, target) / max(weight[active].sum(), 1e-9)
    rate = np.where(active, scale * weight, dormant_rate)
    rate[cold] = 0.0
    counts = rng.poisson(rate)

    # -- random sessions of contacts, then the planted leads' own schedules
    owner, ts = _sessions(rng, settings, counts, in_market)
    profile = np.where(in_market, 2, np.where((pop.level == 6) | junk, 3, np.where(pop.technical, 1, 0)))
    group = _groups(rng, profile[owner])
    forced_owner, forced_ts, forced_group, hot_form_ts = _planted_events(rng, settings, pop)
    read_owner, read_ts = np.zeros(0, np.int32), np.zeros(0, np.int64)
    read_group = np.zeros(0, np.int16)
    if settings.plant_effects:
        group, read_owner, read_ts, read_group = _random_case_study_reads(rng, settings, pop, group)

    # -- identification
    is_new = pop.is_new
    status = rng.random(n)  # backlog: < .6 known device, < .88 re-identifies, else never
    ident_ts = np.full(n, ALWAYS, dtype=np.int64)
    ident_ts[~is_new & (status >= 0.88)] = NEVER
    # a random own event of each contact, to identify right after it
    start_of = np.cumsum(counts) - counts
    pick = start_of + (rng.random(n) * np.maximum(counts, 1)).astype(np.int64)
    pick_ts = ts[np.minimum(pick, max(len(ts) - 1, 0))] if len(ts) else np.zeros(n, np.int64)
    after_pick = np.minimum(pick_ts + 250, we_ms - 1)
    reident = ~is_new & (status >= 0.6) & (status < 0.88) & (counts >= 2) & ~hot & ~cold
    ident_ts[reident] = after_pick[reident]
    new_ts = np.where(counts > 0, after_pick, ws_ms + rng.integers(0, we_ms - ws_ms, n))
    ident_ts[is_new] = new_ts[is_new]
    hot_new = hot & is_new
    ident_ts[hot_new] = hot_form_ts[hot_new]
    ident_ts[cold | (hot & ~is_new)] = ALWAYS
    by_form = is_new & (rng.random(n) < 0.5)
    by_form[hot_new] = True
    identifies = is_new | reident
    # the identifying event: an identify call, or an anonymous Form Submitted with the email
    who = np.flatnonzero(identifies & ~hot_new)  # hot_new's form is among the forced events
    ident_group = np.where(by_form[who], E.G["track_form_submitted"], E.G["identify"])

    # -- noise visitors
    noise_total = NOISE_SHARE * n * epc
    n_noise = int(round(noise_total / 3.5))
    noise_counts = 1 + rng.poisson(2.5, n_noise)
    noise_owner, noise_ts = _sessions(rng, settings, noise_counts, np.zeros(n_noise, bool))
    noise_group = _groups(rng, np.full(len(noise_owner), PROFILES.index("noise")))

    # -- all events of the chunk
    visitor = np.concatenate([owner, forced_owner, read_owner, who.astype(np.int32), noise_owner + n])
    ts_all = np.concatenate([ts, forced_ts, read_ts, ident_ts[who], noise_ts])
    group_all = np.concatenate([group, forced_group, read_group, ident_group, noise_group]).astype(np.int16)
    no_effect = np.zeros(len(visitor), dtype=bool)
    no_effect[len(owner) + len(forced_owner) :][: len(read_owner)] = True
    contact = np.where(visitor < n, visitor, -1).astype(np.int32)
    # drop what sessions run past the end of the window, then sort by time (stable: the order
    # of equal timestamps is the deterministic order above)
    sel = np.flatnonzero(ts_all < we_ms)
    sel = sel[np.argsort(ts_all[sel], kind="stable")]
    visitor, ts_all, group_all, contact = visitor[sel], ts_all[sel], group_all[sel], contact[sel]
    no_effect = no_effect[sel]
    if len(ts_all) and ts_all[0] < ws_ms:
        raise AssertionError("an event before the window")
    is_contact = contact >= 0
    cidx = np.maximum(contact, 0)
    identified = is_contact & (ts_all > ident_ts[cidx])
    is_ident_event = is_contact & (ts_all == ident_ts[cidx]) & identifies[cidx]
    identified |= is_ident_event & (group_all == E.G["identify"])
    # what an anonymous visitor cannot do becomes the matching page view; the identifying form
    # stays a form
    remap = ~identified & ~is_ident_event
    group_all = np.where(remap, E.ANONYMOUS_REMAP[group_all], group_all)
    variant = E.pick_variants(rng, group_all)
    context_traits = identified & (rng.random(len(ts_all)) < 0.2)
    events = Events(
        ts_ms=ts_all,
        visitor=visitor,
        contact=contact,
        variant=variant,
        identified=identified,
        context_traits=context_traits,
    )

    # -- createdate of contacts created in the window: right after they identified
    createdate = pop.createdate.copy()
    create_new = ident_ts[is_new] // 1000 + rng.integers(2, 31, int(is_new.sum()))
    day_end = ws + ((create_new - ws) // DAY + 1) * DAY - 1
    createdate[is_new] = np.minimum(create_new, day_end)

    deals = _deals(rng, settings, pop, events, in_market, createdate, no_effect)
    rows = _crm_rows(rng, settings, pop, deals, createdate)
    return Behaviour(
        n_visitors=n + n_noise,
        events=events,
        deals=deals,
        rows=rows,
        in_market=in_market,
        createdate=createdate,
    )


def _random_case_study_reads(rng, settings: Settings, pop: Population, group: np.ndarray):
    """--plant-effects: the profiles' own case-study reads become blog reads, and a random share
    of contacts, whatever they will do, read case studies in sessions of their own. Those reads
    are left out of what drives deals (`no_effect` in `_deals`), so reading case studies tells
    nothing about a deal."""
    group = np.where(group == E.G["page_case_studies"], E.G["page_blog"], group)
    n = len(pop)
    reads = np.where(rng.random(n) < PLANTED_NO_EFFECT_SHARE, 1 + rng.poisson(1.0, n), 0)
    reads[pop.planted == COLD] = 0
    owner, ts = _sessions(rng, settings, reads, np.zeros(n, dtype=bool))
    return group, owner, ts, np.full(len(owner), E.G["page_case_studies"], np.int16)


def _planted_events(rng, settings: Settings, pop: Population):
    """Hot leads: pricing several times, a demo request, a form and a download in the last 7 days.
    Cold leads: at most one page view, more than 60 days before the end of the window."""
    n = len(pop)
    ws_ms, we_ms = settings.window_start * 1000, settings.window_end * 1000
    lo = max(ws_ms, we_ms - 7 * DAY_MS)
    span = we_ms - lo
    form_ts = np.full(n, ALWAYS, dtype=np.int64)
    owners, times, groups = [], [], []
    g = E.G
    for i in np.flatnonzero(pop.planted == HOT).tolist():
        t_form = lo + int(span * rng.uniform(0.1, 0.45))
        form_ts[i] = t_form

        def after(k: int, t_form: int = t_form) -> np.ndarray:
            return t_form + 1000 + rng.integers(0, we_ms - t_form - 1000, k)

        n_pricing = int(rng.integers(3, 7))
        before_pricing = int(rng.integers(1, n_pricing)) if pop.is_new[i] else 0
        plan = [
            (g["page_pricing"], lo + rng.integers(0, t_form - lo, before_pricing)),
            (g["page_pricing"], after(n_pricing - before_pricing)),
            (g["page_product"], lo + rng.integers(0, t_form - lo, 1)),
            (g["page_features"], after(1)),
            (g["track_form_submitted"], np.array([t_form])),
            (g["track_content_downloaded"], after(1)),
        ]
        t_demo = int(after(1)[0])
        plan += [
            (g["page_demo"], np.array([t_demo])),
            (g["track_demo_requested"], np.array([t_demo + 40_000])),
        ]
        for grp, t in plan:
            t = np.minimum(np.asarray(t, dtype=np.int64), we_ms - 1)
            owners.append(np.full(len(t), i, np.int32))
            times.append(t)
            groups.append(np.full(len(t), grp, np.int16))
    old_end = we_ms - 61 * DAY_MS
    if old_end > ws_ms:
        for i in np.flatnonzero(pop.planted == COLD).tolist():
            owners.append(np.array([i], np.int32))
            times.append(np.array([ws_ms + int(rng.integers(0, old_end - ws_ms))]))
            groups.append(np.array([rng.choice([g["page_blog"], g["page_careers"]])], np.int16))
    if not owners:
        return np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int16), form_ts
    return np.concatenate(owners), np.concatenate(times), np.concatenate(groups), form_ts


def _deals(
    rng,
    settings: Settings,
    pop: Population,
    events: Events,
    in_market: np.ndarray,
    createdate: np.ndarray,
    no_effect: np.ndarray,
) -> Deals:
    n = len(pop)
    ws, we = settings.window_start, settings.window_end
    junk = pop.planted == JUNK
    mine = events.identified & (events.contact >= 0) & ~no_effect
    engaged = np.bincount(events.contact[mine], minlength=n)
    demo = mine & (E.VARIANTS_GROUP[events.variant] == E.G["track_demo_requested"])
    demo_ts = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(demo_ts, events.contact[demo], events.ts_ms[demo])
    has_demo = demo_ts < np.iinfo(np.int64).max
    eligible = (pop.stage <= STAGE["salesqualifiedlead"]) & ((pop.planted != HOT) & (pop.planted != COLD))
    log_eng = np.log1p(engaged)
    logit = (
        -5.6
        + 1.1 * pop.fit
        + 0.55 * log_eng
        + 2.0 * has_demo
        + 0.5 * in_market
        - 1.0 * junk
        + rng.normal(0, 0.6, n)
    )
    p_deal = _sigmoid(logit)
    if settings.plant_effects:  # three times the chance of a deal
        strong = np.asarray(pop.source) == PLANTED_STRONG_SOURCE
        p_deal = np.where(strong, np.minimum(1.0, 3 * p_deal), p_deal)
    chosen = eligible & (rng.random(n) < p_deal)
    after_demo = demo_ts // 1000 + rng.integers(3600, 3 * DAY, n)
    earliest = np.maximum(ws, createdate + 3600)
    anytime = earliest + (rng.random(n) * np.maximum(we - earliest, 0)).astype(np.int64)
    create = np.where(has_demo, after_demo, anytime)
    chosen &= create < we
    p_win = _sigmoid(-3.0 + 1.2 * pop.fit + 0.35 * log_eng + 0.8 * has_demo + rng.normal(0, 0.6, n))
    won = (rng.random(n) < p_win) & ~junk
    duration = (rng.gamma(2.0, 5.0, n) * DAY + DAY).astype(np.int64)
    idx = np.flatnonzero(chosen)
    create = create[idx]
    close = create + duration[idx]
    close = np.where(close < we, close, -1)
    first_stage = np.where(has_demo[idx], 0, rng.integers(0, 2, len(idx)))
    horizon = np.where(close >= 0, close, we)
    mid = create + (rng.uniform(0.2, 0.8, len(idx)) * (horizon - create)).astype(np.int64)
    mid = np.where((rng.random(len(idx)) < 0.5) & (mid < we), mid, -1)
    mid_stage = rng.integers(2, len(OPEN_DEAL_STAGES), len(idx))
    ci = pop.company[idx]
    employees = np.where(ci >= 0, pop.companies.employees[np.maximum(ci, 0)], 0)
    amount = np.where(
        ci >= 0,
        5000 * np.maximum(employees, 1) ** 0.3 * np.exp(rng.normal(0, 0.5, len(idx))),
        rng.uniform(1200, 6000, len(idx)),
    )
    return Deals(
        contact=idx,
        create_s=create,
        close_s=close,
        won=won[idx] & (close >= 0),
        first_stage=first_stage,
        mid_s=mid,
        mid_stage=mid_stage,
        amount=(np.round(amount, -2)).astype(np.int64),
    )


def _day_end(settings: Settings, t: np.ndarray) -> np.ndarray:
    ws = settings.window_start
    return ws + ((t - ws) // DAY + 1) * DAY - 1


def _crm_rows(rng, settings: Settings, pop: Population, deals: Deals, createdate: np.ndarray) -> CrmRows:
    n = len(pop)
    ws = settings.window_start
    backlog = createdate < ws
    first_mod = np.where(
        backlog,
        createdate + (rng.random(n) * (ws - createdate)).astype(np.int64),
        np.minimum(createdate + rng.integers(0, 121, n), _day_end(settings, createdate)),
    )
    first_mod = np.minimum(first_mod, np.where(backlog, ws - 1, first_mod))
    k = len(deals)
    opp_mod = np.minimum(deals.create_s + rng.integers(5, 121, k), _day_end(settings, deals.create_s))
    won = deals.won
    win_mod = np.minimum(
        deals.close_s[won] + rng.integers(5, 121, int(won.sum())), _day_end(settings, deals.close_s[won])
    )
    contact = np.concatenate([np.arange(n), deals.contact, deals.contact[won]])
    contact_lastmod = np.concatenate([first_mod, opp_mod, win_mod])
    contact_stage = np.concatenate(
        [pop.stage, np.full(k, STAGE["opportunity"]), np.full(len(win_mod), STAGE["customer"])]
    ).astype(np.int8)

    # companies: created with (or shortly before) their first contact
    companies = pop.companies
    m = len(companies)
    first_contact = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    has = pop.company >= 0
    np.minimum.at(first_contact, pop.company[has], createdate[has])
    orphan = first_contact == np.iinfo(np.int64).max
    first_contact[orphan] = ws - rng.integers(DAY, 365 * DAY, int(orphan.sum()))
    in_window = first_contact >= ws
    day_start = ws + (first_contact - ws) // DAY * DAY
    company_create = np.where(
        in_window,
        np.maximum(first_contact - rng.integers(60, 3600, m), day_start),
        first_contact - rng.integers(DAY, 30 * DAY, m),
    )
    companies.createdate = company_create
    company_lastmod = np.where(
        in_window,
        np.minimum(company_create + rng.integers(0, 61, m), _day_end(settings, company_create)),
        company_create + (rng.random(m) * (ws - company_create)).astype(np.int64),
    )

    # deals: created, maybe moved to a later open stage, closed
    n_open = len(OPEN_DEAL_STAGES)
    has_mid = deals.mid_s >= 0
    closed = deals.close_s >= 0
    deal = np.concatenate([np.arange(k), np.flatnonzero(has_mid), np.flatnonzero(closed)])
    deal_lastmod = np.concatenate(
        [
            np.minimum(deals.create_s + rng.integers(0, 61, k), _day_end(settings, deals.create_s)),
            deals.mid_s[has_mid],
            np.minimum(
                deals.close_s[closed] + rng.integers(0, 61, int(closed.sum())),
                _day_end(settings, deals.close_s[closed]),
            ),
        ]
    )
    deal_stage = np.concatenate(
        [
            deals.first_stage,
            deals.mid_stage[has_mid],
            np.where(deals.won[closed], n_open, n_open + 1),
        ]
    ).astype(np.int8)
    deal_closedate = np.concatenate([np.full(k + int(has_mid.sum()), -1), deals.close_s[closed]])
    return CrmRows(
        contact=contact,
        contact_lastmod=contact_lastmod,
        contact_stage=contact_stage,
        company=np.arange(m),
        company_lastmod=company_lastmod,
        deal=deal,
        deal_lastmod=deal_lastmod,
        deal_stage=deal_stage,
        deal_closedate=deal_closedate,
    )
