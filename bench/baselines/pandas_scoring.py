"""Lead scores by hand in pandas, straight from the landing files: the benchmark's first baseline.

What an analytics engineer would write without the warehouse: read the CSV exports and the JSONL
web events, apply the rules of the dbt seeds (read at run time) and return the scores of
`marts.fct_lead_scores`. To be a fair comparison it does what ingestion and the dbt models do,
quirks included; each step names the model (or ingestion) it mirrors. Points are kept in integer
hundredths, the model's numeric(18, 2), so sums and roundings are exact. Events are parsed a few
days (about 500,000 events) at a time and only the fields scoring needs are kept, so 30M events fit
in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import gzip
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bench.baselines.inputs import (
    DEDUP_WINDOW_DAYS,
    SEGMENT_TYPES,
    landed_days,
    scoring_vars,
    seeds_dir_or_default,
)

# DuckDB's trim() removes the Unicode space separators (category Zs), not tabs or newlines.
TRIM = "".join(map(chr, (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)))
RE2_SPACE = "[\t\n\f\r ]"  # RE2's \s, for Python's re

# Columns stg_crm__contacts / stg_crm__companies name: never passed through as custom properties.
KNOWN_CONTACT_COLUMNS = {
    "hs_object_id", "email", "firstname", "lastname", "jobtitle", "country", "city",
    "lifecyclestage", "createdate", "lastmodifieddate", "hs_analytics_source",
    "associatedcompanyid", "phone", "persona",
    "contact_id", "company_id", "email_domain", "email_local_part", "created_at", "updated_at",
}
KNOWN_COMPANY_COLUMNS = {
    "hs_object_id", "name", "domain", "industry", "numberofemployees", "annualrevenue", "country",
    "createdate", "lastmodifieddate", "company_id", "created_at", "updated_at",
}
# int_junk_signals' patterns (RE2, matched with _search like DuckDB's regexp_matches(..., 'i')).
NAME_WITH_EMAIL_OR_URL = r"(@|https?:|www[.]|[.](com|net|org|io|info|biz|co|de|ru|xyz)([^a-z]|$))"
PLAUSIBLE_EMAIL = r"^[^@\s(),:;<>]+@[^@\s(),:;<>_]+[.][a-z]{2,}$"
REPEATED_LETTER = "^(" + "|".join(f"{letter}{{2,}}" for letter in "abcdefghijklmnopqrstuvwxyz") + ")$"


def score(
    landing_dir: Path,
    score_date: dt.date,
    seeds_dir: Path | None = None,
    *,
    vars: dict | None = None,  # noqa: A002 - dbt's name for them
) -> pd.DataFrame:
    """Scores of every contact as of `score_date`: contact_id, fit_score, engagement_score,
    lead_score, grade, tier; one row per contact, like marts.fct_lead_scores."""
    settings = scoring_vars(vars, seeds_dir)
    rules = Rules.read(seeds_dir_or_default(seeds_dir), settings["default_window_days"])
    days = landed_days(Path(landing_dir), score_date)
    contacts, contact_properties = _contacts(_latest_crm_versions(days, "contacts"))
    company_properties = _company_properties_of_contacts(
        contacts, _companies(_latest_crm_versions(days, "companies")))

    fit = _fit_points(contacts, contact_properties, company_properties, rules)
    junk = _junk_points(contacts, company_properties["country"], rules,
                        settings["junk_consonant_run_length"])
    events = _attributed_events(_staged_events(days, score_date), contacts)
    engagement = _engagement_points(events, rules, score_date)
    return _scores(contacts, fit, junk, engagement, rules, settings)


# -- rules --------------------------------------------------------------------------------------
def _read_seed(seeds_dir: Path, name: str) -> pd.DataFrame:
    """A seed as dbt-duckdb loads it (COPY ... FROM the CSV): text kept as is, empty -> null."""
    frame = pd.read_csv(seeds_dir / f"{name}.csv", dtype="str", keep_default_na=False,
                        encoding="utf-8-sig")
    return frame.mask(frame == "")


def _integer(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.strip(), errors="raise").astype("Int64")


def _boolean(values: pd.Series) -> pd.Series:
    truth = {"true": True, "t": True, "1": True, "yes": True, "y": True,
             "false": False, "f": False, "0": False, "no": False, "n": False}
    return values.str.strip().str.lower().map(truth).astype("boolean")


def _strip(values: pd.Series) -> pd.Series:
    return values.str.strip(TRIM)


@dataclass
class Rules:
    fit: pd.DataFrame
    engagement: pd.DataFrame
    groups: pd.DataFrame
    thresholds: pd.DataFrame
    junk_signals: pd.DataFrame
    fictional_names: set[str]
    disposable_domains: list[str]
    role_prefixes: set[str]
    out_of_market_countries: set[str]
    keyboard_patterns: pd.DataFrame

    @classmethod
    def read(cls, seeds_dir: Path, default_window_days: int) -> Rules:
        """Every rule file, prepared as the models prepare it (trimmed, lower-cased, typed)."""
        groups = _read_seed(seeds_dir, "scoring_rule_groups")
        for column in ("max_points", "min_points", "window_days", "decay_period_days"):
            groups[column] = _integer(groups[column])
        groups["decay_percent"] = pd.to_numeric(groups["decay_percent"]).round(2)

        fit = _read_seed(seeds_dir, "scoring_fit_rules")
        fit["object"] = _strip(fit["object"]).str.lower()
        fit["property"] = _strip(fit["property"]).str.lower()
        fit["operator"] = _strip(fit["operator"]).str.lower()
        fit["rule_value"] = _strip(fit["value"])
        fit["match_value"] = fit["rule_value"].str.lower()
        fit["match_list"] = "|" + fit["match_value"].str.replace(
            f"{RE2_SPACE}*[|]{RE2_SPACE}*", "|", regex=True) + "|"
        # split_part(value, '..', 1 and 2); expand + reindex: no `between` rule leaves no lists
        bounds = fit["rule_value"].where(fit["operator"] == "between").str.split(
            "..", regex=False, expand=True).reindex(columns=[0, 1])
        fit["min_value"] = _decimal(bounds[0])
        fit["max_value"] = _decimal(bounds[1])
        fit["points"] = _integer(fit["points"])
        fit["disqualify"] = _boolean(fit["disqualify"]).fillna(False)

        engagement = _read_seed(seeds_dir, "scoring_engagement_rules")
        engagement["event_type"] = _strip(engagement["event_type"]).str.lower()
        engagement["operator"] = _strip(engagement["operator"]).str.lower()
        engagement["rule_value"] = _strip(engagement["value"])
        engagement["points"] = _integer(engagement["points"])
        engagement["max_points"] = _integer(engagement["max_points"])
        engagement = engagement.merge(
            groups[["rule_group", "window_days", "decay_percent", "decay_period_days"]],
            on="rule_group", how="left")
        engagement["window_days"] = engagement["window_days"].fillna(default_window_days)
        engagement["decay_percent"] = engagement["decay_percent"].fillna(0)

        thresholds = _read_seed(seeds_dir, "scoring_thresholds")
        thresholds["min_score"] = _integer(thresholds["min_score"])
        junk_signals = _read_seed(seeds_dir, "junk_signals")
        junk_signals["points"] = _integer(junk_signals["points"])
        junk_signals["disqualify"] = _boolean(junk_signals["disqualify"]).fillna(False)

        keyboard = _read_seed(seeds_dir, "junk_keyboard_patterns")
        keyboard = pd.DataFrame({
            "pattern": _normalize_name(keyboard["pattern"]),
            "match": _strip(keyboard["match"]).str.lower().fillna("contains"),
        }).drop_duplicates()
        fictional = set(_normalize_name(_read_seed(seeds_dir, "junk_fictional_names")["name"]).dropna())

        def lowered_set(name: str, column: str) -> pd.Series:
            return _strip(_read_seed(seeds_dir, name)[column]).str.lower().dropna().drop_duplicates()

        return cls(
            fit=fit, engagement=engagement, groups=groups, thresholds=thresholds,
            junk_signals=junk_signals, fictional_names=fictional - {""},
            disposable_domains=lowered_set("junk_disposable_email_domains", "domain").tolist(),
            role_prefixes=set(lowered_set("junk_role_email_prefixes", "prefix")),
            out_of_market_countries=set(lowered_set("junk_out_of_market_countries", "country")),
            keyboard_patterns=keyboard,
        )


# -- typing helpers (dbt's macros, as DuckDB evaluates them) -------------------------------------
def _clean(values: pd.Series) -> pd.Series:
    """clean_string(): trimmed, empty -> null."""
    text = values.astype("str").str.strip(TRIM)
    return text.mask(text == "")


def _search(values: pd.Series, pattern: str, ignore_case: bool = True) -> pd.Series:
    """regexp_matches(value, pattern, 'i'), null -> False. DuckDB matches with RE2, and so does
    pyarrow's regex kernel, so a seed's pattern means the same here (Python's re would not: its `$`
    also matches before a final newline, and it lacks some RE2 syntax)."""
    hits = pc.match_substring_regex(pa.array(values.astype("str"), type=pa.string()), pattern,
                                    ignore_case=ignore_case)
    return pd.Series(hits.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)


def _round_half_away(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def _bigint(values: pd.Series) -> pd.Series:
    """safe_to_bigint(): DuckDB casts '12.5' to 13 (half away from zero)."""
    number = pd.to_numeric(values.astype("str").str.strip(), errors="coerce").astype("float64")
    number = number.where(np.isfinite(number))
    return pd.Series(_round_half_away(number.to_numpy()), index=values.index).astype("Int64")


def _decimal(values: pd.Series) -> pd.Series:
    """safe_to_numeric() as a float: try_cast(trim(replace(x, ',', '')) as decimal)."""
    text = values.astype("str").str.replace(",", "", regex=False).str.strip(TRIM)
    number = pd.to_numeric(text, errors="coerce").astype("float64")
    return number.where(np.isfinite(number))


def _decimal_text(values: pd.Series, quantum: str) -> pd.Series:
    """safe_to_numeric(x, p, s) printed as DuckDB prints a decimal: '1,250,000.555' -> '1250000.56'."""
    def text(value: str) -> str | None:
        try:
            return str(Decimal(value.replace(",", "").strip(TRIM)).quantize(Decimal(quantum), ROUND_HALF_UP))
        except ArithmeticError:  # not a number, or infinite
            return None
    return values.map(text, na_action="ignore").astype("str")


def _timestamp(values: pd.Series) -> pd.Series:
    """safe_to_timestamp(): try_cast(trim(x) as timestamp), which drops a UTC offset unapplied."""
    text = values.astype("str").str.strip(TRIM).str.replace(
        r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$",
        r"\1", regex=True)
    return pd.to_datetime(text, format="ISO8601", errors="coerce")


def _timestamptz(values: pd.Series) -> pd.Series:
    """try_cast(x as timestamptz) in UTC, without the zone: an offset is applied."""
    parsed = pd.to_datetime(values.astype("str").str.strip(), format="ISO8601", errors="coerce",
                            utc=True)
    return parsed.dt.tz_convert(None)


def _timestamp_text(values: pd.Series) -> pd.Series:
    """A timestamp as DuckDB casts it to text: '2026-10-01 09:00:00', fractions without trailing 0s."""
    text = values.dt.strftime("%Y-%m-%d %H:%M:%S")
    micros = values.dt.microsecond
    fraction = micros.map(lambda us: f".{int(us):06d}".rstrip("0") if us else "", na_action="ignore")
    return (text + fraction.fillna("")).where(values.notna())


def _normalize_name(values: pd.Series) -> pd.Series:
    """normalize_name(): accents stripped, lower case, letters only."""
    decomposed = values.astype("str").str.normalize("NFD").str.lower()
    return decomposed.str.replace("[^a-z]", "", regex=True)


def _property_name(header: str) -> str:
    """The staging column of a custom CRM column: crm_columns.sql's property_name()."""
    name = re.sub("[^a-z0-9_]+", "_", header.lower()).strip("_")
    return "p_" + name if name == "" or re.match("^[0-9]", name) else name


# -- CRM exports (ingestion, then staging's latest_crm_versions) ----------------------------------
def _read_export(path: Path) -> tuple[tuple[str, ...], list[list[str]]] | None:
    """One export as ingestion reads it: header names stripped and lower-cased, every value text, a
    row with the wrong number of fields rejected. pandas.read_csv would pad a short row instead of
    rejecting it, so the csv module splits the records."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    if not records or not records[0]:
        return None
    header = tuple(name.strip().lower() for name in records[0])
    return header, [row for row in records[1:] if len(row) == len(header)]


def _latest_crm_versions(days, entity: str) -> pd.DataFrame:
    """The newest version of each record loaded by the score date (staging's latest_crm_versions)
    of what ingestion loads: rows whose id is an integer and whose timestamps parse, and of those
    only the latest version of each id in its file, ranked among those rows (a quarantined newer
    row does not supersede a good older one)."""
    by_header: dict[tuple[str, ...], list[list[str]]] = {}  # one frame per header, not per file
    files = [(d.day, p) for d in days for p in d.crm_files[entity]]
    for number, (day, path) in enumerate(files):
        if (export := _read_export(path)) is not None:
            header, records = export
            by_header.setdefault(header, []).extend(
                [*row, str(line), str(number), day.isoformat()] for line, row in enumerate(records, start=2))
    if not by_header:
        raise ValueError(f"no {entity} export landed by the score date")
    rows = pd.concat([pd.DataFrame(records, columns=[*header, "_line", "_file", "_load_date"], dtype="str")
                      for header, records in by_header.items()], ignore_index=True)
    rows = rows.astype({"_line": "int64", "_file": "int64"})
    rows["_load_date"] = pd.to_datetime(rows["_load_date"])
    text = rows.columns.difference(["_line", "_file", "_load_date"])
    rows[text] = rows[text].mask(rows[text] == "")  # DuckDB's reader reads an empty field as null

    modified_utc = _timestamptz(rows["lastmodifieddate"])
    valid = (_bigint(rows["hs_object_id"]).notna() & _timestamptz(rows["createdate"]).notna()
             & modified_utc.notna())
    ranked = rows.assign(_modified=modified_utc)[valid].sort_values(
        ["_file", "_modified", "_line"], ascending=[True, False, False], na_position="last")
    rows = ranked[~ranked.duplicated(["_file", "hs_object_id"])]

    rows = rows[_clean(rows["hs_object_id"]).notna()]
    rows = rows.assign(_key=rows["hs_object_id"].str.strip(TRIM),
                       _modified=_timestamp(rows["lastmodifieddate"]))
    rows = rows.sort_values(["_modified", "_load_date", "_line"], ascending=False, na_position="last")
    return rows.drop_duplicates("_key").drop(columns=["_key", "_modified", "_file"]) \
        .reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """optional_column(): the cleaned column, or nulls when the export never had it."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="str")
    return _clean(frame[name])


def _custom_properties(frame: pd.DataFrame, known: set[str]) -> dict[str, pd.Series]:
    """custom_property_columns(): every other column, cleaned, under its property name."""
    out: dict[str, pd.Series] = {}
    for header in frame.columns:
        alias = _property_name(header)
        if header.startswith("_") or header in known or alias in known or alias in out:
            continue
        out[alias] = _clean(frame[header])
    return out


def _contacts(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """stg_crm__contacts, and its columns as int_contact_properties turns them into text."""
    email = _column(raw, "email").str.lower()
    has_at = email.str.contains("@", regex=False).fillna(False).astype(bool)
    parts = email.str.split("@", regex=False)
    contacts = pd.DataFrame({
        "contact_id": _bigint(raw["hs_object_id"]),
        "email": email,
        "firstname": _column(raw, "firstname"),
        "lastname": _column(raw, "lastname"),
        "country": _column(raw, "country"),
        "company_id": _bigint(_column(raw, "associatedcompanyid")),
        "created_at": _timestamp(raw["createdate"]),
        "email_domain": _clean(parts.str.get(-1)).where(has_at),
        "email_local_part": _clean(parts.str.get(0)).where(has_at),
    })
    properties = {
        "email": email,
        **{name: _column(raw, name) for name in ("firstname", "lastname", "jobtitle", "country", "city")},
        "lifecyclestage": _column(raw, "lifecyclestage").str.lower(),
        **{name: _column(raw, name) for name in ("hs_analytics_source", "phone", "persona")},
        "createdate": _timestamp_text(contacts["created_at"]),
        "lastmodifieddate": _timestamp_text(_timestamp(raw["lastmodifieddate"])),
        **_custom_properties(raw, KNOWN_CONTACT_COLUMNS),
        "email_domain": contacts["email_domain"],
        "email_local_part": contacts["email_local_part"],
    }
    keep = contacts["contact_id"].notna()
    contacts = contacts[keep].reset_index(drop=True)
    properties = {name: values[keep].reset_index(drop=True) for name, values in properties.items()}
    return contacts, properties


def _companies(raw: pd.DataFrame) -> pd.DataFrame:
    """stg_crm__companies as the text int_contact_properties makes of it (numbers as DuckDB prints
    them), keyed by company_id."""
    employees = _bigint(_column(raw, "numberofemployees"))
    companies = pd.DataFrame({
        "company_id": _bigint(raw["hs_object_id"]),
        "name": _column(raw, "name"),
        "domain": _column(raw, "domain").str.lower(),
        "industry": _column(raw, "industry"),
        "numberofemployees": employees.astype("str").where(employees.notna()),
        "annualrevenue": _decimal_text(_column(raw, "annualrevenue"), "0.01"),
        "country": _column(raw, "country"),
        "createdate": _timestamp_text(_timestamp(raw["createdate"])),
        "lastmodifieddate": _timestamp_text(_timestamp(raw["lastmodifieddate"])),
        **_custom_properties(raw, KNOWN_COMPANY_COLUMNS),
    })
    return companies[companies["company_id"].notna()].drop_duplicates("company_id")


def _company_properties_of_contacts(contacts: pd.DataFrame, companies: pd.DataFrame) -> dict[str, pd.Series]:
    """The properties of each contact's company, aligned with `contacts` (null without one)."""
    joined = contacts[["company_id"]].merge(companies, on="company_id", how="left")
    return {name: joined[name].set_axis(contacts.index) for name in companies.columns
            if name != "company_id"}


# -- fit (int_fit_points) -----------------------------------------------------------------------
def _fit_matches(rule, value: pd.Series) -> pd.Series:
    lowered = value.str.strip(TRIM).str.lower()
    if rule.operator == "equals":
        hit = lowered == rule.match_value
    elif rule.operator == "in":
        items = set(rule.match_list.split("|")) if pd.notna(rule.match_list) else set()
        hit = lowered.isin(items)
        piped = lowered.str.contains("|", regex=False).fillna(False).astype(bool)
        if piped.any():  # the model tests '|value|' as text in '|a|b|'
            hit[piped] = [f"|{v}|" in rule.match_list for v in lowered[piped]]
    elif rule.operator == "contains":
        hit = lowered.str.contains(rule.match_value, regex=False) if pd.notna(rule.match_value) else False
    elif rule.operator == "pattern":
        hit = _search(value, rule.rule_value) if pd.notna(rule.rule_value) else False
    elif rule.operator == "between":
        number = _decimal(value)
        hit = number.notna()
        if pd.notna(rule.min_value):
            hit &= number >= rule.min_value
        if pd.notna(rule.max_value):
            hit &= number <= rule.max_value
    elif rule.operator == "is_empty":
        hit = value.isna()
    else:
        hit = False
    return pd.Series(hit, index=value.index).fillna(False).astype(bool)


def _fit_points(contacts, contact_properties, company_properties, rules: Rules) -> pd.DataFrame:
    """One row per contact and fit rule that matched: contact_id, rule_group, points (hundredths),
    disqualifies."""
    missing = pd.Series(np.nan, index=contacts.index, dtype="str")
    fired = []
    for rule in rules.fit.itertuples():
        properties = company_properties if rule.object == "company" else contact_properties
        if rule.object not in ("contact", "company"):
            properties = {}
        hit = _fit_matches(rule, properties.get(rule.property, missing))
        fired.append(pd.DataFrame({"contact_id": contacts.loc[hit, "contact_id"].to_numpy(),
                                   "rule_group": rule.rule_group, "points": int(rule.points) * 100,
                                   "disqualifies": bool(rule.disqualify)}))
    return pd.concat(fired, ignore_index=True)


def _capped_by_group(points: pd.DataFrame, groups: pd.DataFrame) -> pd.Series:
    """Per contact, the sum over groups of each group's total clamped to its bounds (group_caps.sql)."""
    totals = points.groupby(["contact_id", "rule_group"], as_index=False, dropna=False)["points"].sum()
    totals = totals.merge(groups[["rule_group", "min_points", "max_points"]].drop_duplicates("rule_group"),
                          on="rule_group", how="left")
    upper = totals["max_points"].astype("float64") * 100
    lower = totals["min_points"].astype("float64") * 100
    capped = totals["points"].astype("float64")
    capped = capped.where(~(upper.notna() & (capped > upper)), upper)
    capped = capped.where(~(lower.notna() & (capped < lower)), lower)
    return capped.groupby(totals["contact_id"]).sum().astype("int64")


# -- junk (int_junk_signals) --------------------------------------------------------------------
def _like_suffix_regex(domains: list[str]) -> str:
    """`email_domain like '%.' || domain` for every domain, as one regular expression."""
    def like(domain: str) -> str:
        return "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in domain)
    return r"(?s)^.*\.(?:" + "|".join(like(d) for d in domains) + ")$"


def _flag(values: pd.Series) -> pd.Series:
    """A condition with SQL's null-is-not-true: missing -> False."""
    return values.fillna(False).astype(bool)


def _junk_points(contacts, company_country, rules: Rules, consonant_run: int) -> pd.DataFrame:
    """One row per contact and junk signal that fired: contact_id, points (hundredths), disqualifies."""
    first = _normalize_name(contacts["firstname"]).fillna("")
    last = _normalize_name(contacts["lastname"]).fillna("")
    full_name = contacts["firstname"].fillna("") + " " + contacts["lastname"].fillna("")
    name_has_email_or_url = _search(full_name, NAME_WITH_EMAIL_OR_URL)
    email, domain = contacts["email"], contacts["email_domain"]
    hits: dict[str, pd.Series] = {}

    hits["fictional_name"] = (first + last).isin(rules.fictional_names) | (last + first).isin(
        rules.fictional_names)

    keyboard = pd.Series(False, index=contacts.index)
    for pattern, match in rules.keyboard_patterns.itertuples(index=False):
        if pd.isna(pattern) or pattern == "":
            continue
        if match == "contains":
            keyboard |= first.str.contains(pattern, regex=False) | last.str.contains(pattern, regex=False)
        elif match == "equals":
            keyboard |= (first == pattern) | (last == pattern)
    run = f"[bcdfghjklmnpqrstvwxz]{{{consonant_run},}}"
    shape = (_search(first, run) | _search(last, run)
             | _search(first, REPEATED_LETTER) | _search(last, REPEATED_LETTER))
    hits["keyboard_mash"] = (keyboard | shape) & ~name_has_email_or_url

    disposable = domain.isin(rules.disposable_domains)
    if rules.disposable_domains:
        disposable |= _search(domain, _like_suffix_regex(rules.disposable_domains), ignore_case=False)
    hits["disposable_email"] = disposable
    hits["malformed_email"] = email.notna() & (
        ~_search(email, PLAUSIBLE_EMAIL)
        | _flag(email.str.contains("..", regex=False)) | _flag(email.str.startswith("."))
        | _flag(email.str.contains(".@", regex=False)))
    hits["role_address"] = contacts["email_local_part"].str.split("+", regex=False).str.get(0).isin(
        rules.role_prefixes)
    hits["name_has_email_or_url"] = name_has_email_or_url
    with_email = contacts[email.notna()].sort_values(["email", "created_at", "contact_id"],
                                                     na_position="last")
    hits["duplicate_email"] = pd.Series(with_email.duplicated("email"), index=with_email.index).reindex(
        contacts.index, fill_value=False)
    country = _strip(contacts["country"].fillna(company_country)).str.lower()
    hits["out_of_market"] = country.isin(rules.out_of_market_countries)

    signals = rules.junk_signals.set_index("reason_code")
    fired = []
    for reason, hit in hits.items():
        if reason not in signals.index:
            continue
        hit = _flag(hit)
        signal = signals.loc[[reason]].iloc[0]
        fired.append(pd.DataFrame({"contact_id": contacts.loc[hit, "contact_id"].to_numpy(),
                                   "points": int(signal["points"]) * 100,
                                   "disqualifies": bool(signal["disqualify"])}))
    return pd.concat(fired, ignore_index=True)


# -- web events (ingestion, then stg_web__events) -------------------------------------------------
def _json_text(value) -> str | None:
    """A JSON value as json_transform(..., 'VARCHAR') gives it: strings as they are, the rest as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _text(values: pd.Series) -> pd.Series:
    """A column of JSON values as json_transform(..., 'VARCHAR') gives them."""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.map(_json_text, na_action="ignore")
    return values.astype("str")


def _member(values: pd.Series, key: str) -> pd.Series:
    """`value.key` of a column of JSON values: null unless the value is an object that has it."""
    return pd.Series([value.get(key) if type(value) is dict else None for value in values],
                     index=values.index, dtype="object")


def _json_objects(path: Path) -> list[dict]:
    """The lines of a JSONL file that are JSON objects: ingestion quarantines the others."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        lines = handle.read().split(b"\n")
    objects = []
    for line in lines:
        if line.strip():
            try:
                value = json.loads(line.decode("utf-8"))
            except ValueError:
                continue
            if type(value) is dict:
                objects.append(value)
    return objects


def _staged_lines(objects: list[dict], load_dates: list[str]) -> pd.DataFrame:
    """Whole days of events as ingestion loads them (lines without the required fields quarantined,
    the first line of each messageId of a day kept), renamed and typed as stg_web__events does."""
    raw = {key: pd.Series([event.get(key) for event in objects], dtype="object")
           for key in ("messageId", "type", "event", "anonymousId", "userId", "timestamp", "properties",
                       "traits", "context")}  # a comprehension per field: faster than DataFrame(objects)
    message_id, type_, name = _text(raw["messageId"]), _text(raw["type"]), _text(raw["event"])
    anonymous_id, user_id = _text(raw["anonymousId"]), _text(raw["userId"])
    anonymous_id, user_id = anonymous_id.mask(anonymous_id == ""), user_id.mask(user_id == "")
    timestamp = _timestamptz(_text(raw["timestamp"]))
    loaded = (message_id.str.strip(TRIM).fillna("").ne("") & type_.isin(SEGMENT_TYPES) & timestamp.notna()
              & (anonymous_id.notna() | user_id.notna()) & ~((type_ == "track") & name.fillna("").eq("")))
    email = (_text(_member(raw["traits"], "email"))
             .fillna(_text(_member(_member(raw["context"], "traits"), "email")))
             .fillna(_text(_member(raw["properties"], "email"))))
    page_path = _clean(_text(_member(_member(raw["context"], "page"), "path"))).fillna(
        _clean(_text(_member(raw["properties"], "path"))))
    events = pd.DataFrame({
        "load_date": pd.to_datetime(pd.Series(load_dates, dtype="str")),
        "message_id": message_id,
        "event_type": _clean(type_).str.lower().astype("category"),
        "event_name": _clean(name).astype("category"),
        "anonymous_id": _clean(anonymous_id),
        "user_contact_id": _bigint(_clean(user_id)),
        "event_timestamp": timestamp,
        "page_path": page_path.astype("category"),
        "email": _clean(email).str.lower(),
    })
    # only identify calls and submitted forms link a browser by email: drop the others' to save memory
    form = events["event_name"].astype("str").str.lower().eq("form submitted")
    events["email"] = events["email"].where(
        (events["event_type"] == "identify") | ((events["event_type"] == "track") & form))
    return events[loaded].drop_duplicates(["load_date", "message_id"])


def _read_events(days, batch_rows: int = 500_000) -> list[pd.DataFrame]:
    """Every landed event file, parsed and staged a few whole days at a time. Python's cyclic garbage
    collector is off meanwhile: it would scan the growing heap of parsed objects again and again
    (it more than doubles the time), and they hold no reference cycles."""
    batches, objects, load_dates = [], [], []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for landed in days:
            for path in landed.event_files:
                parsed = _json_objects(path)
                objects.extend(parsed)
                load_dates.extend([landed.day.isoformat()] * len(parsed))
            if len(objects) >= batch_rows:
                batches.append(_staged_lines(objects, load_dates))
                objects, load_dates = [], []
        if objects or not batches:
            batches.append(_staged_lines(objects, load_dates))
    finally:
        if collecting:
            gc.enable()
    return batches


def _loaded_copies(load_dates: pd.Series) -> list[bool]:
    """Which copies of one messageId ingestion loads when the days load in date order: a copy is a
    duplicate when a copy was loaded by a day at most DEDUP_WINDOW_DAYS away."""
    loaded, last = [], None
    for day in load_dates:
        keep = last is None or (day - last).days > DEDUP_WINDOW_DAYS
        loaded.append(keep)
        last = day if keep else last
    return loaded


def _staged_events(days, score_date: dt.date) -> pd.DataFrame:
    """stg_web__events: one row per messageId (the copy loaded last) up to the end of the score date."""
    events = pd.concat(_read_events(days), ignore_index=True)
    for column in ("event_type", "event_name", "page_path"):
        events[column] = events[column].astype("str").astype("category")
    repeated = events["message_id"].duplicated(keep=False)
    if repeated.any():
        copies = events.loc[repeated, ["message_id", "load_date"]]
        loaded = copies.groupby("message_id", sort=False)["load_date"].transform(
            lambda dates: _loaded_copies(dates))
        events = events.drop(index=loaded.index[~loaded.astype(bool)])
    cutoff = pd.Timestamp(score_date + dt.timedelta(days=1))
    events = events[events["event_timestamp"] < cutoff]
    events = events.drop_duplicates("message_id", keep="last")
    return events.assign(event_date=events["event_timestamp"].dt.normalize())


def _attributed_events(events: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """int_identity_map + int_events_attributed: events with the contact they belong to."""
    known = contacts["contact_id"]
    by_email = contacts[contacts["email"].notna()].sort_values(
        ["email", "created_at", "contact_id"], na_position="last").drop_duplicates("email")
    with_anonymous_id = events[events["anonymous_id"].notna()]
    user_links = with_anonymous_id[with_anonymous_id["user_contact_id"].isin(known)]
    user_links = user_links.assign(contact_id=user_links["user_contact_id"], priority=1)
    identifying = with_anonymous_id[
        (with_anonymous_id["event_type"] == "identify")
        | ((with_anonymous_id["event_type"] == "track")
           & (with_anonymous_id["event_name"].astype("str").str.lower() == "form submitted"))]
    email_links = identifying.merge(by_email[["email", "contact_id"]], on="email", how="inner")
    email_links = email_links.assign(priority=2)
    columns = ["anonymous_id", "contact_id", "priority", "event_timestamp", "message_id"]
    links = pd.concat([user_links[columns], email_links[columns]], ignore_index=True)
    identity_map = links.sort_values(["anonymous_id", "priority", "event_timestamp", "message_id"]) \
        .drop_duplicates("anonymous_id").set_index("anonymous_id")["contact_id"]

    own = events["user_contact_id"].where(events["user_contact_id"].isin(known))
    contact_id = own.fillna(events["anonymous_id"].map(identity_map)).astype("Int64")
    attributed = events.assign(contact_id=contact_id)
    return attributed[attributed["contact_id"].notna()]


# -- engagement (int_engagement_points) ---------------------------------------------------------
def _matching_values(scored: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """(event_type, matched_value, rule_id) for every distinct event name / page path a rule matches."""
    values = scored[["event_type", "matched_value"]].drop_duplicates().dropna()
    pairs = values.merge(rules.engagement, on="event_type")
    is_pattern = pairs["operator"] == "pattern"
    hit = pd.Series(False, index=pairs.index)
    for pattern, group in pairs[is_pattern].groupby("rule_value"):
        hit[group.index] = _search(group["matched_value"], pattern)
    hit[~is_pattern] = (pairs.loc[~is_pattern, "matched_value"].str.strip(TRIM).str.lower()
                        == pairs.loc[~is_pattern, "rule_value"].str.lower()).fillna(False)
    return pairs.loc[hit.astype(bool), ["event_type", "matched_value", "rule_id"]]


def _decayed_hundredths(occurrences: pd.DataFrame) -> np.ndarray:
    """to_points(points * (1 - decay%)^floor(age / period)) in hundredths: DuckDB scales the double to
    decimal(28, 6) and rounds half away from zero, then rounds that to 2 decimals the same way."""
    decay = occurrences["decay_percent"].astype("float64").to_numpy()
    period = occurrences["decay_period_days"].astype("float64").to_numpy()
    age = occurrences["age_days"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where((decay > 0) & (period > 0), (1 - decay / 100) ** np.floor(age / period), 1.0)
    micros = _round_half_away(occurrences["points"].to_numpy(dtype="float64") * factor * 1e6)
    return (np.sign(micros) * np.floor((np.abs(micros) + 5000) / 10000)).astype("int64")


def _engagement_points(events: pd.DataFrame, rules: Rules, score_date: dt.date) -> pd.Series:
    """Engagement points per contact in hundredths, after rule and group caps."""
    scored = events[events["event_type"].isin(["page", "track"])]
    scored = pd.DataFrame({
        "contact_id": scored["contact_id"],
        "event_type": scored["event_type"].astype("str"),
        "matched_value": scored["event_name"].astype("str").where(
            scored["event_type"] == "track", scored["page_path"].astype("str")),
        "event_date": scored["event_date"],
        "age_days": (pd.Timestamp(score_date) - scored["event_date"]).dt.days,
    })

    matched = _matching_values(scored, rules)
    event_occurrences = scored.merge(matched, on=["event_type", "matched_value"])[
        ["contact_id", "rule_id", "age_days"]]
    active_days = scored.drop_duplicates(["contact_id", "event_date"])[["contact_id", "age_days"]]
    visit_rules = rules.engagement.loc[rules.engagement["event_type"] == "visit", ["rule_id"]]
    visit_occurrences = active_days.merge(visit_rules, how="cross")
    occurrences = pd.concat([event_occurrences, visit_occurrences], ignore_index=True).merge(
        rules.engagement, on="rule_id")
    occurrences = occurrences[(occurrences["age_days"] >= 0)
                              & (occurrences["age_days"] < occurrences["window_days"])]
    occurrences = occurrences.assign(points=_decayed_hundredths(occurrences))

    per_rule = occurrences.groupby(["contact_id", "rule_id", "rule_group"], as_index=False, dropna=False).agg(
        points=("points", "sum"), max_points=("max_points", "first"))
    cap = per_rule["max_points"].astype("float64") * 100
    capped = per_rule["points"].astype("float64").clip(lower=-cap, upper=cap)
    per_rule["points"] = capped.where(cap.notna(), per_rule["points"]).astype("int64")
    return _capped_by_group(per_rule, rules.groups)


# -- scores (int_lead_scores) -------------------------------------------------------------------
def _band(scores: pd.Series, thresholds: pd.DataFrame, dimension: str) -> pd.Series:
    """score_band(): the label of the highest min_score reached (ties: the first label)."""
    bands = thresholds[thresholds["dimension"] == dimension].sort_values(
        ["min_score", "label"], ascending=[False, True])
    label = pd.Series(pd.NA, index=scores.index, dtype="str")
    for min_score, band_label in reversed(list(bands[["min_score", "label"]].itertuples(index=False))):
        label = label.mask(scores >= min_score, band_label)
    return label


def _scores(contacts, fit, junk, engagement, rules: Rules, settings: dict) -> pd.DataFrame:
    ids = contacts["contact_id"]
    fit_points = _capped_by_group(fit, rules.groups).add(
        junk.groupby("contact_id")["points"].sum(), fill_value=0)
    fit_hundredths = (fit_points.reindex(ids, fill_value=0).to_numpy(dtype="int64")
                      + 100 * settings["fit_base_points"]).clip(0, 10_000)
    engagement_hundredths = (engagement.reindex(ids, fill_value=0).to_numpy(dtype="int64")
                             + 100 * settings["engagement_base_points"]).clip(0, 10_000)
    fit_score = (fit_hundredths + 50) // 100  # round(clamp(points, 0, 100)), half away from zero
    engagement_score = (engagement_hundredths + 50) // 100
    fit_micros, engagement_micros = (int(settings[w] * 1_000_000)
                                     for w in ("fit_weight", "engagement_weight"))
    lead_score = (fit_micros * fit_score + engagement_micros * engagement_score + 500_000) // 1_000_000
    disqualified = pd.concat([fit.loc[fit["disqualifies"], "contact_id"],
                              junk.loc[junk["disqualifies"], "contact_id"]])
    out = pd.DataFrame({"contact_id": ids.astype("int64").to_numpy(), "fit_score": fit_score,
                        "engagement_score": engagement_score, "lead_score": lead_score})
    thresholds = rules.thresholds
    out["grade"] = (_band(out["fit_score"], thresholds, "fit_letter").fillna("")
                    + _band(out["engagement_score"], thresholds, "engagement_number").fillna(""))
    out["tier"] = _band(out["lead_score"], thresholds, "tier").mask(
        out["contact_id"].isin(disqualified), "disqualified")
    return out.sort_values("contact_id", ignore_index=True)
