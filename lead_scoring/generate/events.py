"""Web-event vocabulary and the fast JSON rendering of Segment-spec events.

Every event is one JSON object a line:

    {"messageId":"ajs-next-<32 hex>","anonymousId":"<uuid>","userId":"<hs_object_id>" | null,
     "timestamp":"2026-11-20T13:45:12.345Z","type":"page" | "track" | "identify", ...}

followed by, for `page`: `name`, `properties` {path, url, title, referrer}, `context.page`;
for `track`: `event`, `properties` (Form Submitted and Demo Requested carry `properties.email`),
`context.page`; for `identify`: `traits` {email, firstName, lastName}, `context.page`.
Identified events sometimes carry `context.traits.email`.

The constant parts of an event (its "variant": type, page, event name, properties) are rendered to
JSON once at import with `json.dumps`; the per-contact parts (email, names) are escaped once per
contact; so a line is one `%` format of pre-escaped strings, which is both fast and valid JSON
whatever a name holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

SITE = "https://www.leadpilot.io"

BLOG_SLUGS = (
    "what-is-lead-scoring",
    "fit-vs-engagement",
    "mql-is-dead",
    "revops-playbook-2026",
    "dbt-for-marketing-ops",
    "score-decay-explained",
    "b2b-buyer-journey",
    "intent-data-101",
    "reverse-etl-guide",
    "hubspot-scoring-tips",
    "abm-without-the-hype",
    "data-quality-for-crm",
    "pipeline-velocity",
    "attribution-models",
    "sales-marketing-alignment",
    "churn-signals",
    "product-led-growth-scoring",
    "webinar-recap-q3",
    "how-we-built-our-warehouse",
    "cold-email-benchmarks",
)
DOCS_SLUGS = (
    "getting-started",
    "installation",
    "scoring-rules",
    "decay",
    "crm-sync",
    "api-reference",
    "webhooks",
    "sso",
    "data-model",
    "troubleshooting",
    "airflow-integration",
    "changelog",
)
CASE_STUDY_SLUGS = (
    "fintech-doubles-sql-rate",
    "saas-scale-up-cuts-junk",
    "bank-aligns-sales",
    "healthtech-pipeline",
    "retailer-abm",
    "manufacturer-revops",
)
REFERRERS = ("", "https://www.google.com/", "https://www.linkedin.com/", SITE + "/")

# Event groups; a contact's profile gives a weight per group.
GROUPS = (
    "page_home",
    "page_blog",
    "page_product",
    "page_features",
    "page_integrations",
    "page_pricing",
    "page_demo",
    "page_contact",
    "page_careers",
    "page_docs",
    "page_case_studies",
    "track_content_downloaded",
    "track_cta_clicked",
    "track_form_submitted",
    "track_demo_requested",
    "track_email_link_clicked",
    "track_video_played",
    "identify",
)
G = {name: i for i, name in enumerate(GROUPS)}

# Event kinds an anonymous visitor cannot produce (they need a known email) and the page they
# become instead when the visitor is not identified yet.
ANONYMOUS_REMAP = np.arange(len(GROUPS), dtype=np.int16)
ANONYMOUS_REMAP[G["track_form_submitted"]] = G["page_contact"]
ANONYMOUS_REMAP[G["track_demo_requested"]] = G["page_demo"]
ANONYMOUS_REMAP[G["track_email_link_clicked"]] = G["page_blog"]
ANONYMOUS_REMAP[G["identify"]] = G["page_home"]

# Rendering arity of a variant: what the per-event `%` format needs.
PLAIN = 0  # template % (context_traits,)
WITH_EMAIL = 1  # template % (email_json, context_traits)
IDENTIFY = 2  # template % (traits_json,)


@dataclass(frozen=True)
class Variant:
    group: int
    type: str
    path: str
    arity: int
    template: str  # '%s' placeholders, see arity; every literal '%' doubled

    @property
    def plain(self) -> str:
        """The tail with no context traits (only meaningful for arity PLAIN)."""
        return self.template % ("",)


def json_value(value: object) -> str:
    """Compact JSON text of a value, non-ASCII as \\u escapes: valid JSON whatever the string
    holds, and every line stays pure ASCII (joining and encoding ASCII text is a copy)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _j(value: object) -> str:
    """JSON text for a `%` template: literal '%' doubled."""
    return json_value(value).replace("%", "%%")


def _page_context(path: str) -> str:
    """'"context":{"page":{"path":..,"url":..}%s}': the %s takes the optional context traits."""
    return '"context":{"page":' + _j({"path": path, "url": SITE + path})[:-1] + "}%s}"


def _page(group: str, path: str, name: str) -> list[Variant]:
    title = f"{name} | LeadPilot"
    out = []
    for referrer in REFERRERS:
        props = {"path": path, "url": SITE + path, "title": title, "referrer": referrer}
        template = f'"type":"page","name":{_j(name)},"properties":{_j(props)},' + _page_context(path)
        out.append(Variant(G[group], "page", path, PLAIN, template))
    return out


def _track(group: str, event: str, path: str, props: dict[str, object], email: bool = False) -> Variant:
    body = _j(props)
    if email:
        body = body[:-1] + (',"email":%s}' if props else '"email":%s}')
    template = f'"type":"track","event":{_j(event)},"properties":{body},' + _page_context(path)
    return Variant(G[group], "track", path, WITH_EMAIL if email else PLAIN, template)


def _identify(path: str) -> Variant:
    template = '"type":"identify",%s,' + _page_context(path).replace("%s}", "}")
    return Variant(G["identify"], "identify", path, IDENTIFY, template)


def _build() -> list[Variant]:
    v: list[Variant] = []
    v += _page("page_home", "/", "Home")
    for slug in BLOG_SLUGS:
        v += _page("page_blog", f"/blog/{slug}", slug.replace("-", " ").capitalize())
    v += _page("page_product", "/product", "Product")
    v += _page("page_features", "/features", "Features")
    v += _page("page_integrations", "/integrations", "Integrations")
    v += _page("page_pricing", "/pricing", "Pricing")
    v += _page("page_demo", "/demo", "Book a demo")
    v += _page("page_contact", "/contact", "Contact us")
    v += _page("page_careers", "/careers", "Careers")
    for slug in DOCS_SLUGS:
        v += _page("page_docs", f"/docs/{slug}", slug.replace("-", " ").capitalize())
    for slug in CASE_STUDY_SLUGS:
        v += _page("page_case_studies", f"/case-studies/{slug}", "Case study")
    assets = (
        ("The State of RevOps 2026", "report", "/blog/revops-playbook-2026"),
        ("Lead Scoring Playbook", "ebook", "/blog/what-is-lead-scoring"),
        ("Fit vs Engagement Worksheet", "template", "/blog/fit-vs-engagement"),
        ("Warehouse-native CRM Sync", "whitepaper", "/blog/reverse-etl-guide"),
        ("Fintech Case Study", "case_study", "/case-studies/fintech-doubles-sql-rate"),
        ("Buyer Journey Benchmarks", "report", "/blog/b2b-buyer-journey"),
    )
    for asset, kind, path in assets:
        v.append(
            _track(
                "track_content_downloaded", "Content Downloaded", path, {"asset": asset, "asset_type": kind}
            )
        )
    ctas = (
        ("Book a demo", "hero", "/"),
        ("Start free trial", "hero", "/"),
        ("See pricing", "navbar", "/product"),
        ("Talk to sales", "pricing_table", "/pricing"),
        ("Start free trial", "pricing_table", "/pricing"),
        ("Subscribe", "footer", "/blog/intent-data-101"),
        ("Read the docs", "navbar", "/features"),
        ("Get the ebook", "inline", "/blog/mql-is-dead"),
    )
    for cta, location, path in ctas:
        v.append(_track("track_cta_clicked", "CTA Clicked", path, {"cta": cta, "location": location}))
    forms = (
        ("contact-us", "Contact us", "/contact"),
        ("newsletter", "Newsletter", "/blog/churn-signals"),
        ("ebook-download", "Ebook download", "/blog/what-is-lead-scoring"),
        ("webinar-registration", "Webinar registration", "/blog/webinar-recap-q3"),
    )
    for form_id, form_name, path in forms:
        v.append(
            _track(
                "track_form_submitted",
                "Form Submitted",
                path,
                {"form_id": form_id, "form_name": form_name},
                email=True,
            )
        )
    for plan in ("Growth", "Enterprise"):
        v.append(
            _track(
                "track_demo_requested",
                "Demo Requested",
                "/demo",
                {"form_id": "demo-request", "plan_interest": plan},
                email=True,
            )
        )
    campaigns = (
        ("November newsletter", "/blog/score-decay-explained"),
        ("Product update: CRM sync", "/features"),
        ("Webinar invite", "/blog/webinar-recap-q3"),
        ("Pricing change notice", "/pricing"),
    )
    for campaign, path in campaigns:
        link = f"{SITE}{path}?utm_source=hubspot&utm_medium=email"
        v.append(
            _track(
                "track_email_link_clicked",
                "Email Link Clicked",
                path,
                {"campaign": campaign, "link_url": link},
            )
        )
    for title, path in (
        ("Product tour", "/product"),
        ("Customer story", "/"),
        ("Webinar replay", "/blog/webinar-recap-q3"),
    ):
        v.append(_track("track_video_played", "Video Played", path, {"video_title": title, "position": 0}))
    for path in ("/contact", "/demo", "/blog/what-is-lead-scoring", "/"):
        v.append(_identify(path))
    return v


VARIANTS: list[Variant] = _build()
N_VARIANTS = len(VARIANTS)
GROUP_START = np.zeros(len(GROUPS), dtype=np.int32)
GROUP_SIZE = np.zeros(len(GROUPS), dtype=np.int32)
for _i, _v in enumerate(VARIANTS):
    if GROUP_SIZE[_v.group] == 0:
        GROUP_START[_v.group] = _i
    GROUP_SIZE[_v.group] += 1
VARIANTS_GROUP = np.array([v.group for v in VARIANTS], dtype=np.int16)
VARIANT_ARITY = np.array([v.arity for v in VARIANTS], dtype=np.int8)
_PLAIN_TAILS = np.array([v.plain if v.arity == PLAIN else "" for v in VARIANTS], dtype=object)
_TEMPLATES = [v.template for v in VARIANTS]
assert all(GROUP_SIZE > 0)


def pick_variants(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A uniformly chosen variant of each event's group."""
    return GROUP_START[groups] + (rng.random(len(groups)) * GROUP_SIZE[groups]).astype(np.int32)


# ---------------------------------------------------------------------------------------------
# Identifiers: deterministic, unique by construction (a bijective 64-bit mix of a unique counter).

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection of uint64, so distinct inputs give distinct outputs."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def salt(seed: int, stream: int) -> np.uint64:
    return mix64(np.array([(seed * 1_000_003 + stream) & 0xFFFF_FFFF_FFFF_FFFF], np.uint64))[0]


def uuid_strings(keys: np.ndarray, seed: int) -> list[str]:
    """UUID-4-looking strings, unique for unique keys (all 64 bits of the first mix are kept)."""
    hi = mix64(keys.astype(np.uint64) ^ salt(seed, 1)).tolist()
    lo = mix64(keys.astype(np.uint64) ^ salt(seed, 2)).tolist()
    return [
        f"{h >> 32:08x}-{(h >> 16) & 0xFFFF:04x}-4{(h >> 4) & 0xFFF:03x}-"
        f"{0x8000 | ((h & 0xF) << 10) | ((w >> 54) & 0x3FF):04x}-{w & 0xFFFF_FFFF_FFFF:012x}"
        for h, w in zip(hi, lo, strict=True)
    ]


def message_id_parts(keys: np.ndarray, seed: int) -> tuple[list[int], list[int]]:
    k = keys.astype(np.uint64)
    return mix64(k ^ salt(seed, 3)).tolist(), mix64(k ^ salt(seed, 4)).tolist()


# ---------------------------------------------------------------------------------------------
# Rendering

_LINE = '{"messageId":"ajs-next-%016x%016x",%s,"timestamp":"%s%s%03dZ",%s}\n'
_TIME_OF_DAY = np.array(
    [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86_400)], dtype=object
)


def identity_fragments(anonymous_ids: list[str], user_ids: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Per visitor: the '"anonymousId":..,"userId":..' text before and after identification."""
    anon = np.array([f'"anonymousId":"{a}","userId":null' for a in anonymous_ids], dtype=object)
    known = np.array(
        [
            f'"anonymousId":"{a}","userId":"{u}"' if u is not None else f'"anonymousId":"{a}","userId":null'
            for a, u in zip(anonymous_ids, user_ids, strict=True)
        ],
        dtype=object,
    )
    return anon, known


@dataclass
class ContactJson:
    """Per-contact JSON fragments, escaped once."""

    email: list[str]  # '"a@b.com"'
    context_traits: list[str]  # ',"traits":{"email":"a@b.com"}'
    traits: list[str]  # '"traits":{"email":..,"firstName":..,"lastName":..}'

    @classmethod
    def build(cls, emails: list[str], firsts: list[str], lasts: list[str]) -> ContactJson:
        email = [json_value(e) for e in emails]
        return cls(
            email=email,
            context_traits=[',"traits":{"email":' + e + "}" for e in email],
            traits=[
                '"traits":{"email":'
                + e
                + ',"firstName":'
                + json_value(f)
                + ',"lastName":'
                + json_value(la)
                + "}"
                for e, f, la in zip(email, firsts, lasts, strict=True)
            ],
        )


def render(
    ts_ms: np.ndarray,
    message_keys: np.ndarray,
    identity: np.ndarray,
    variant: np.ndarray,
    contact: np.ndarray,
    with_context_traits: np.ndarray,
    contacts: ContactJson,
    day_strings: np.ndarray,
    first_day_s: int,
    seed: int,
) -> str:
    """Render a batch of events (arrays of equal length) to JSONL text.

    identity: object array of identity fragments (see `identity_fragments`) per event;
    contact: the event's local contact index (-1 for anonymous noise visitors);
    with_context_traits: add context.traits.email (only where contact >= 0).
    """
    sec = ts_ms // 1000
    ms = (ts_ms - sec * 1000).tolist()
    day = (sec - first_day_s) // 86_400
    days = day_strings[day].tolist()
    tod = _TIME_OF_DAY[sec - first_day_s - day * 86_400].tolist()
    tails = _PLAIN_TAILS[variant]
    special = np.flatnonzero((VARIANT_ARITY[variant] != PLAIN) | with_context_traits)
    if len(special):
        arity = VARIANT_ARITY[variant[special]].tolist()
        ctx_flags = with_context_traits[special].tolist()
        for i, a, v, c, ctx in zip(
            special.tolist(),
            arity,
            variant[special].tolist(),
            contact[special].tolist(),
            ctx_flags,
            strict=True,
        ):
            template = _TEMPLATES[v]
            traits = contacts.context_traits[c] if ctx else ""
            if a == PLAIN:
                tails[i] = template % (traits,)
            elif a == WITH_EMAIL:
                tails[i] = template % (contacts.email[c], traits)
            else:
                tails[i] = template % (contacts.traits[c],)
    hi, lo = message_id_parts(message_keys, seed)
    return "".join(
        map(_LINE.__mod__, zip(hi, lo, identity.tolist(), days, tod, ms, tails.tolist(), strict=True))
    )
