"""Who the contacts are: companies, people, fit attributes, junk leads and planted leads.

One `Population` is built per chunk from the chunk's own random generator, so chunks are
independent and memory stays bounded. Companies are local to a chunk (a contact's company is in its
chunk); ids are global and never overlap between chunks.

`fit` is the hidden fit propensity (about standard normal): seniority, industry, company size,
country and email type, the same attributes a scoring model sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import names as N
from .settings import BACKLOG_SECONDS, COMPANY_ID_BASE, CONTACT_ID_BASE, DAY, Settings

# Planted kinds in the `planted` array.
NONE, HOT, COLD, JUNK = 0, 1, 2, 3

LEVEL = {name: i for i, name in enumerate(N.SENIORITY_LEVELS)}
INDUSTRY = {name: i for i, name in enumerate(N.INDUSTRIES)}
COUNTRY = {code: i for i, code in enumerate(N.COUNTRIES + N.OUT_OF_MARKET_COUNTRIES)}
ALL_COUNTRIES = N.COUNTRIES + N.OUT_OF_MARKET_COUNTRIES
STAGE = {name: i for i, name in enumerate(N.LIFECYCLE_STAGES)}

# Fit weights of the hidden propensity (not the scoring rules: those live in dbt seeds).
_LEVEL_FIT = np.array([1.0, 1.2, 1.0, 0.9, 0.3, -0.1, -1.6, -0.4])
_INDUSTRY_FIT = np.array([1.2, 1.0, 0.3, 0.2, 0.0, -0.9, -1.1, -0.6, 0.0, 0.3, 0.4, 0.0])
_NO_INDUSTRY_FIT = -0.4
_COUNTRY_FIT = np.array([0.6, 0.6, 0.6, 0.4, 0.4, 0.4, 0.4] + [0.0] * 9 + [-0.5] * 14 + [-1.5] * 4)
_FIT_MEAN, _FIT_STD = 1.14, 1.73

_NAME_PERMUTATION = 4567  # coprime with len(adjectives) * len(nouns)
_EMAIL_NUMBER = 6_180_339  # coprime with 10**7: unique free-mail numbers for < 10**7 contacts
_PATTERNS = ("{f}.{l}", "{f0}{l}", "{f}", "{f}_{l}", "{f}{l0}", "{f0}.{l}")


def _size_fit(employees: np.ndarray) -> np.ndarray:
    return np.select(
        [employees <= 10, employees <= 49, employees <= 199, employees <= 5000],
        [-1.0, -0.2, 0.5, 1.0],
        0.4,
    )


@dataclass
class Companies:
    hs_id: np.ndarray
    name: list[str]
    domain: list[str]
    industry: np.ndarray  # index into names.INDUSTRIES
    employees: np.ndarray
    revenue: np.ndarray  # -1 = unknown
    country: np.ndarray  # index into ALL_COUNTRIES
    createdate: np.ndarray  # epoch s, set by behaviour (min of its contacts')

    def __len__(self) -> int:
        return len(self.hs_id)


@dataclass
class Population:
    chunk: int
    hs_id: np.ndarray
    first: list[str]
    last: list[str]
    email: list[str]
    level: np.ndarray
    jobtitle: list[str]
    technical: np.ndarray
    company: np.ndarray  # local company index, -1 = none
    free_mail: np.ndarray
    country: np.ndarray
    city: list[str]
    phone: list[str]
    persona: list[str]
    source: list[str]
    stage: np.ndarray  # initial lifecycle stage, index into names.LIFECYCLE_STAGES
    is_new: np.ndarray  # created inside the window (createdate set by behaviour)
    createdate: np.ndarray  # epoch s; backlog contacts only until behaviour fills the rest
    junk_reason: np.ndarray  # index into names.JUNK_REASONS, -1 = not junk
    planted: np.ndarray  # NONE / HOT / COLD / JUNK
    duplicate_of: np.ndarray  # local index of the contact whose email a duplicate copies, or -1
    fit: np.ndarray
    companies: Companies

    def __len__(self) -> int:
        return len(self.hs_id)


def _choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _fold_list(values: tuple[str, ...]) -> list[str]:
    return [N.ascii_fold(v) for v in values]


_FIRST_FOLDED = _fold_list(N.FIRST_NAMES)
_LAST_FOLDED = _fold_list(N.LAST_NAMES)
_ADJ_FOLDED = _fold_list(N.COMPANY_ADJECTIVES)
_NOUN_FOLDED = _fold_list(N.COMPANY_NOUNS)


def _companies(rng: np.random.Generator, settings: Settings, chunk: int, k: int) -> Companies:
    stride = settings.chunk_size * 2 + 64
    gidx = np.arange(k, dtype=np.int64) + chunk * stride
    industry = _choice(rng, N.INDUSTRY_WEIGHTS, k)
    employees = np.clip(np.rint(np.exp(rng.normal(np.log(60), 1.9, k))), 1, 50_000).astype(np.int64)
    per_head = np.exp(rng.normal(np.log(120_000), 0.6, k))
    revenue = np.round(employees * per_head, -3).astype(np.int64)
    revenue[rng.random(k) < 0.12] = -1
    country = _choice(rng, N.COUNTRY_WEIGHTS, k)
    n_stems = len(N.COMPANY_ADJECTIVES) * len(N.COMPANY_NOUNS)
    rounds = (gidx // n_stems).tolist()
    stems = ((gidx * _NAME_PERMUTATION + 1009) % n_stems).tolist()
    suffix_u = rng.random(k).tolist()
    legal_u = rng.random(k).tolist()
    io_u = rng.random(k).tolist()
    names_, domains = [], []
    n_nouns = len(N.COMPANY_NOUNS)
    for i in range(k):
        a, b = divmod(stems[i], n_nouns)
        ind = N.INDUSTRIES[industry[i]]
        code = ALL_COUNTRIES[country[i]]
        suffixes = N.INDUSTRY_SUFFIXES[ind]
        name = f"{N.COMPANY_ADJECTIVES[a]}{N.COMPANY_NOUNS[b]} {suffixes[int(suffix_u[i] * len(suffixes))]}"
        if legal_u[i] < 0.4 and code in N.LEGAL_FORMS:
            name += " " + N.LEGAL_FORMS[code]
        tld = N.COUNTRY_TLDS.get(code, "com")
        if code == "US" and ind == "Software" and io_u[i] < 0.35:
            tld = "io"
        names_.append(name)
        domains.append(f"{_ADJ_FOLDED[a]}{_NOUN_FOLDED[b]}{rounds[i] or ''}.{tld}")
    return Companies(
        hs_id=COMPANY_ID_BASE + 1 + gidx,
        name=names_,
        domain=domains,
        industry=industry,
        employees=employees,
        revenue=revenue,
        country=country,
        createdate=np.zeros(k, dtype=np.int64),
    )


def _local_part(pattern: int, first: str, last: str) -> str:
    f, la = first or "x", last or "x"
    return _PATTERNS[pattern].format(f=f, l=la, f0=f[0], l0=la[0])


def build(settings: Settings, chunk: int, rng: np.random.Generator) -> Population:
    start, stop = settings.chunk_bounds(chunk)
    n = stop - start
    gidx = np.arange(start, stop, dtype=np.int64)
    junk_first, n_junk = settings.chunk_share(settings.n_junk, chunk)
    hot_first, n_hot = settings.chunk_share(settings.n_hot, chunk)
    cold_first, n_cold = settings.chunk_share(settings.n_cold, chunk)
    ws = settings.window_start

    # -- companies: the regular ones, then one dedicated company per planted hot/cold lead
    k_regular = max(4, n // 3)
    companies = _companies(rng, settings, chunk, k_regular + n_hot + n_cold)
    k = len(companies)

    # -- who is planted where (index 0 is never junk, so a duplicate always has an original)
    order = rng.permutation(np.arange(1, n))
    junk_idx = order[:n_junk]
    hot_idx = order[n_junk : n_junk + n_hot]
    cold_idx = order[n_junk + n_hot : n_junk + n_hot + n_cold]
    planted = np.zeros(n, dtype=np.int8)
    planted[junk_idx] = JUNK
    planted[hot_idx] = HOT
    planted[cold_idx] = COLD
    junk_reason = np.full(n, -1, dtype=np.int8)
    junk_reason[junk_idx] = (np.arange(n_junk) + junk_first) % len(N.JUNK_REASONS)

    # -- seniority, company, email type
    level = _choice(rng, N.SENIORITY_WEIGHTS, n).astype(np.int8)
    size_w = companies.employees[:k_regular].astype(float) ** 0.35
    company = _choice(rng, size_w, n).astype(np.int32)
    student = level == LEVEL["student"]
    edu = np.flatnonzero(
        np.isin(companies.industry[:k_regular], [INDUSTRY["Education"], INDUSTRY["Non-profit"]])
    )
    if len(edu):
        move = student & (rng.random(n) < 0.6)
        company[move] = edu[rng.integers(0, len(edu), move.sum())]
    free_mail = rng.random(n) < np.where(student, 0.85, 0.2)
    company[free_mail & (rng.random(n) < 0.6)] = -1
    country = np.where(company >= 0, companies.country[np.maximum(company, 0)], -1)
    wander = (country < 0) | (rng.random(n) < np.where(free_mail, 0.3, 0.08))
    country[wander] = _choice(rng, N.COUNTRY_WEIGHTS, int(wander.sum()))

    # -- planted hot and cold leads: fixed fit profiles on their dedicated companies
    if n_hot:
        hc = np.arange(k_regular, k_regular + n_hot)
        companies.industry[hc] = rng.choice([INDUSTRY["Software"], INDUSTRY["Financial Services"]], n_hot)
        companies.employees[hc] = rng.integers(200, 5001, n_hot)
        companies.revenue[hc] = companies.employees[hc] * 150_000
        companies.country[hc] = rng.choice([COUNTRY["US"], COUNTRY["GB"], COUNTRY["DE"]], n_hot)
        company[hot_idx] = hc
        country[hot_idx] = companies.country[hc]
        level[hot_idx] = rng.choice([LEVEL["c_level"], LEVEL["vp"], LEVEL["director"]], n_hot)
        free_mail[hot_idx] = False
    if n_cold:
        cc = np.arange(k_regular + n_hot, k)
        companies.industry[cc] = rng.choice([INDUSTRY["Education"], INDUSTRY["Non-profit"]], n_cold)
        companies.employees[cc] = rng.integers(1, 11, n_cold)
        companies.revenue[cc] = -1
        far = [COUNTRY[c] for c in N.FAR_MARKET_COUNTRIES]
        companies.country[cc] = rng.choice(far, n_cold)
        company[cold_idx] = cc
        country[cold_idx] = companies.country[cc]
        level[cold_idx] = LEVEL["student"]
        free_mail[cold_idx] = True
    # the few dedicated companies get their real names' industry suffix back in sync
    for c in range(k_regular, k):
        stem = companies.name[c].split(" ")[0]
        ind = N.INDUSTRIES[companies.industry[c]]
        companies.name[c] = f"{stem} {N.INDUSTRY_SUFFIXES[ind][0]}"

    # -- out-of-market junk (the only contacts ever in those countries)
    oom_junk = junk_idx[junk_reason[junk_idx] == N.JUNK_REASONS.index("out_of_market")]
    country[oom_junk] = rng.choice([COUNTRY[c] for c in N.OUT_OF_MARKET_COUNTRIES], len(oom_junk))

    # -- names and titles
    fi = rng.integers(0, len(N.FIRST_NAMES), n).tolist()
    li = rng.integers(0, len(N.LAST_NAMES), n).tolist()
    first = [N.FIRST_NAMES[i] for i in fi]
    last = [N.LAST_NAMES[i] for i in li]
    title_u = rng.random(n).tolist()
    lower_u = rng.random(n).tolist()
    jobtitle, technical_l = [], []
    level_l = level.tolist()
    for i in range(n):
        titles = N.JOB_TITLES[N.SENIORITY_LEVELS[level_l[i]]]
        t, tech = titles[int(title_u[i] * len(titles))]
        jobtitle.append(t.lower() if lower_u[i] < 0.04 else t)
        technical_l.append(tech)
    technical = np.array(technical_l, dtype=bool)

    # -- emails: corporate (unique per chunk: the company is in the chunk) or free mail (unique
    #    everywhere: a number unique per contact)
    pattern_of_company = rng.integers(0, len(_PATTERNS), k).tolist()
    free_domain = _choice(rng, N.FREE_MAIL_WEIGHTS, n).tolist()
    free_style = rng.integers(0, 3, n).tolist()
    number = ((gidx * _EMAIL_NUMBER + 1_234_567) % 10_000_000).tolist()
    company_l = company.tolist()
    free_l = free_mail.tolist()
    email: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        f, la = _FIRST_FOLDED[fi[i]], _LAST_FOLDED[li[i]]
        if free_l[i] or company_l[i] < 0:
            local = (f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}")[free_style[i]] + str(number[i])
            address = f"{local}@{N.FREE_MAIL_DOMAINS[free_domain[i]]}"
        else:
            c = company_l[i]
            base = _local_part(pattern_of_company[c], f, la)
            address = f"{base}@{companies.domain[c]}"
            suffix = 2
            while address in seen:
                address = f"{base}{suffix}@{companies.domain[c]}"
                suffix += 1
        seen.add(address)
        email.append(address)
    del seen

    # -- junk traits (each junk contact gets exactly the trait of its reason)
    duplicate_of = np.full(n, -1, dtype=np.int32)
    _apply_junk(
        rng,
        junk_idx,
        junk_reason,
        number,
        first,
        last,
        email,
        company,
        companies,
        k_regular,
        planted,
        duplicate_of,
    )

    # -- the rest of the contact record
    city_u = rng.random(n).tolist()
    country_l = country.tolist()
    city = []
    for i in range(n):
        cities = N.CITIES[ALL_COUNTRIES[country_l[i]]]
        city.append(cities[int(city_u[i] * len(cities))])
    city_blank = rng.random(n) < 0.1
    city = ["" if b else c for c, b in zip(city, city_blank.tolist(), strict=True)]
    phone = _phones(rng, country_l)
    source_i = _choice(rng, N.ANALYTICS_SOURCE_WEIGHTS, n).tolist()
    source = [N.ANALYTICS_SOURCES[i] for i in source_i]
    persona = _personas(rng, level, technical)

    new_share = min(0.6, 1.5 * settings.days / (365 + settings.days))
    is_new = rng.random(n) < new_share
    is_new[cold_idx] = False
    is_new[hot_idx] = (np.arange(n_hot) + hot_first) % 2 == 1
    createdate = ws - rng.integers(DAY // 2, BACKLOG_SECONDS, n)
    createdate[cold_idx] = ws - rng.integers(30 * DAY, 300 * DAY, n_cold)
    stage = _choice(rng, [15, 62, 13, 5, 0, 2], n).astype(np.int8)
    stage[is_new] = np.where(rng.random(int(is_new.sum())) < 0.85, STAGE["lead"], STAGE["subscriber"])
    stage[(planted == HOT) | (planted == COLD)] = STAGE["lead"]
    stage[planted == JUNK] = np.minimum(stage[planted == JUNK], STAGE["lead"])
    _time_duplicates(rng, settings, duplicate_of, is_new, createdate)

    # -- hidden fit
    has_company = company >= 0
    ci = np.maximum(company, 0)
    fit_raw = (
        _LEVEL_FIT[level]
        + np.where(has_company, _INDUSTRY_FIT[companies.industry[ci]], _NO_INDUSTRY_FIT)
        + np.where(has_company, _size_fit(companies.employees[ci]), -0.3)
        + _COUNTRY_FIT[country]
        + np.where(free_mail, -0.6, 0.4)
    )
    fit = (fit_raw - _FIT_MEAN) / _FIT_STD

    return Population(
        chunk=chunk,
        hs_id=CONTACT_ID_BASE + 1 + gidx,
        first=first,
        last=last,
        email=email,
        level=level,
        jobtitle=jobtitle,
        technical=technical,
        company=company,
        free_mail=free_mail,
        country=country,
        city=city,
        phone=phone,
        persona=persona,
        source=source,
        stage=stage,
        is_new=is_new,
        createdate=createdate,
        junk_reason=junk_reason,
        planted=planted,
        duplicate_of=duplicate_of,
        fit=fit,
        companies=companies,
    )


def _apply_junk(
    rng,
    junk_idx,
    junk_reason,
    number,
    first,
    last,
    email,
    company,
    companies,
    n_regular,
    planted,
    duplicate_of,
) -> None:
    reasons = N.JUNK_REASONS
    used_role_companies: set[int] = set()
    candidates = np.flatnonzero(planted == NONE)
    for i in junk_idx.tolist():
        reason = reasons[junk_reason[i]]
        u = rng.random(4).tolist()
        num = number[i]
        free = N.FREE_MAIL_DOMAINS[int(u[1] * 4)]
        if reason == "fictional_name":
            fn, ln = N.FICTIONAL_NAMES[int(u[0] * len(N.FICTIONAL_NAMES))]
            first[i], last[i] = N.fictional_variant(fn, ln, int(u[2] * 7))
            local = f"{N.ascii_fold(fn)}.{N.ascii_fold(ln)}{num}"
            if company[i] >= 0 and u[3] < 0.4:
                email[i] = f"{local}@{companies.domain[company[i]]}"
            else:
                email[i] = f"{local}@{free}"
        elif reason == "keyboard_mash":
            m1 = N.KEYBOARD_MASHES[int(u[0] * len(N.KEYBOARD_MASHES))]
            m2 = N.KEYBOARD_MASHES[int(u[2] * len(N.KEYBOARD_MASHES))]
            first[i] = m1.capitalize() if u[3] < 0.5 else m1
            last[i] = m2 if u[3] < 0.8 else m2.upper()
            email[i] = f"{m1}{num}@{free}"
        elif reason == "disposable_email":
            domain = N.DISPOSABLE_DOMAINS[int(u[0] * len(N.DISPOSABLE_DOMAINS))]
            email[i] = f"{N.ascii_fold(first[i])}{num}@{domain}"
        elif reason == "malformed_email":
            f, la = N.ascii_fold(first[i]), N.ascii_fold(last[i])
            shapes = (
                f"{f}.{la}{num}@",
                f"{f}{la}{num}.gmail.com",
                f"{f[0]}{num}@b",
                f"{f}.{la}{num}@@{free}",
                f"{f}.{la}{num}@gmail",
                f"{f} {la}{num}@{free}",
                f"{f}.{la}{num}@{free.replace('.', '..')}",
            )
            email[i] = shapes[int(u[0] * len(shapes))]
        elif reason == "role_address":
            c = int(u[0] * n_regular)
            while c in used_role_companies:
                c = (c + 1) % n_regular
            used_role_companies.add(c)
            company[i] = c
            role = N.ROLE_LOCAL_PARTS[int(u[2] * len(N.ROLE_LOCAL_PARTS))]
            email[i] = f"{role}@{companies.domain[c]}"
            if u[3] < 0.3:
                first[i], last[i] = "", ""
        elif reason == "name_has_email_or_url":
            first[i] = N.SPAM_NAME_VALUES[int(u[0] * len(N.SPAM_NAME_VALUES))]
            if u[2] < 0.3:
                last[i] = ""
        elif reason == "duplicate_email":
            earlier = candidates[candidates < i]
            pool = earlier if len(earlier) else candidates
            original = int(pool[int(u[0] * len(pool))])
            duplicate_of[i] = original
            email[i] = email[original]
            if u[2] < 0.7:
                first[i], last[i] = first[original], last[original]
        # out_of_market: the country was set by the caller; name and email stay ordinary


def _time_duplicates(rng, settings: Settings, duplicate_of, is_new, createdate) -> None:
    """A duplicate is created after its original; originals are backlog contacts."""
    ws = settings.window_start
    for i in np.flatnonzero(duplicate_of >= 0).tolist():
        original = duplicate_of[i]
        is_new[original] = False
        createdate[original] = min(createdate[original], ws - 2 * DAY)
        if rng.random() < 0.5:
            is_new[i] = True
        else:
            is_new[i] = False
            createdate[i] = int(rng.integers(createdate[original] + 3600, ws))


def _phones(rng: np.random.Generator, country_l: list[int]) -> list[str]:
    n = len(country_l)
    has = (rng.random(n) < 0.55).tolist()
    a = rng.integers(100, 1000, n).tolist()
    b = rng.integers(100, 1000, n).tolist()
    c = rng.integers(0, 10_000, n).tolist()
    return [
        f"{N.PHONE_PREFIXES[ALL_COUNTRIES[country_l[i]]]} {a[i]} {b[i]} {c[i]:04d}" if has[i] else ""
        for i in range(n)
    ]


def _personas(rng: np.random.Generator, level: np.ndarray, technical: np.ndarray) -> list[str]:
    n = len(level)
    senior = level <= LEVEL["director"]
    persona = np.where(
        level == LEVEL["student"],
        3,
        np.where(senior & ~technical, 1, np.where(technical, 0, 2)),
    )
    noise = rng.random(n) < 0.1
    persona[noise] = rng.integers(0, 4, int(noise.sum()))
    return [N.PERSONAS[p] for p in persona.tolist()]
