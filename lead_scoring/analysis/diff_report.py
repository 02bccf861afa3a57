"""A `DiffReport` for people: rich tables in the terminal, and Markdown for a pull request."""

from __future__ import annotations

from .diff import DiffReport

BAR_WIDTH = 30


def _points(value: float | None) -> str:
    if value is None:
        return "not fired"
    return f"{value:+.2f}".rstrip("0").rstrip(".")


def rule_change(rule: dict) -> str:
    before, after = rule["points"]
    return f"{rule['rule_id']} {_points(before)} → {_points(after)}"


def _bar(count: int, largest: int) -> str:
    if not count:
        return ""
    return "█" * max(1, round(BAR_WIDTH * count / largest))


def _pair(values, fmt=str) -> str:
    before, after = values
    return fmt(before) if before == after else f"{fmt(before)} → {fmt(after)}"


def headline(r: DiffReport) -> list[str]:
    lines = [
        f"{r.contacts:,} contacts scored as of {r.score_date}: {r.before_label} → {r.after_label}",
        f"model version {_pair(r.model_versions)}",
        f"lead score changed for {r.changed:,} ({r.up:,} up, {r.down:,} down); "
        f"{r.other_changes:,} more changed fit, engagement, grade, tier or stage only",
        f"tier changed for {r.tier_changed:,}; MQLs {r.mql_before:,} → {r.mql_after:,} "
        f"(gained {r.mql_gained:,}, lost {r.mql_lost:,})",
    ]
    if r.only_before or r.only_after:
        lines.append(
            f"contacts scored on one side only: {r.only_before:,} before, {r.only_after:,} after "
            "(the data changed since the last build?)"
        )
    return lines


def crm_lines(r: DiffReport) -> tuple[str, list[str], list[str]]:
    """What the CRM sync would write: a headline, the properties that change (with counts), and
    the sync's plan against its confirmed state."""
    crm = r.crm
    head = f"{crm['payload_changes']:,} of {crm['contacts']:,} contacts would get new write-back properties"
    properties = [f"{name}: {count:,}" for name, count in crm["properties"].items()]
    if crm["properties"].get("lead_scoring_model_version", 0) == crm["contacts"] > 0:
        properties[list(crm["properties"]).index("lead_scoring_model_version")] += (
            " (every contact: the model version changes with the rules)"
        )
    state = crm["state"]
    if state is None:
        return head, properties, ["No confirmed CRM sync yet: the first sync writes every contact anyway"]
    plan = [
        f"The next sync would write {state['pending_after']:,} contacts (with the current rules: "
        f"{state['pending_before']:,}), {state['overwrites_after']:,} of them over values an earlier "
        f"sync wrote ({state['overwrite_share']:.0%} of the contacts)"
    ]
    if state["guard_refuses"]:
        plan.append(
            f"The sync's overwrite guard (max_share {state['guard_max_share']:.0%}) would refuse it: "
            "run it with --force (DAG param sync_force) once the change is reviewed"
        )
    return head, properties, plan


def render(r: DiffReport, console=None, rules_shown: int = 20) -> None:
    """Print the report as rich tables."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)

    def table(title: str) -> Table:
        return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))

    console.print("[bold]Impact of the rule change[/bold]")
    for line in headline(r):
        console.print(line)

    matrix = table("Tier transitions (rows: before, columns: after)")
    matrix.add_column("before \\ after", no_wrap=True)
    for tier in r.tiers:
        matrix.add_column(tier, justify="right", no_wrap=True)
    matrix.add_column("total", justify="right", no_wrap=True)
    for i, (tier, counts) in enumerate(zip(r.tiers, r.tier_matrix, strict=True)):
        cells = [f"[bold]{n:,}[/bold]" if i != j and n else f"{n:,}" for j, n in enumerate(counts)]
        matrix.add_row(tier, *cells, f"{sum(counts):,}")
    matrix.add_row("total", *(f"{sum(col):,}" for col in zip(*r.tier_matrix, strict=True)), f"{r.contacts:,}")
    console.print(matrix)

    largest = max((n for _, n in r.shift), default=0)
    shift = table("Lead score shift")
    shift.add_column("points", no_wrap=True)
    shift.add_column("contacts", justify="right", no_wrap=True)
    shift.add_column("")
    for label, count in r.shift:
        shift.add_row(label, f"{count:,}", _bar(count, largest))
    console.print(shift)

    if r.rules:
        rules = table("Rules whose effect changed (caps included)")
        rules.add_column("rule", no_wrap=True)
        rules.add_column("contacts", justify="right", no_wrap=True)
        rules.add_column("total points", justify="right", no_wrap=True)
        for rule in r.rules[:rules_shown]:
            rules.add_row(
                rule["rule_id"],
                _pair(rule["contacts"], lambda v: f"{v:,}"),
                _pair(rule["points"], lambda v: f"{v:,.0f}"),
            )
        console.print(rules)
        if len(r.rules) > rules_shown:
            console.print(f"... and {len(r.rules) - rules_shown} more rules")
    else:
        console.print("No rule fires for other contacts or gives other points.")

    if r.movers:
        movers = table(f"Top {len(r.movers)} movers")
        movers.add_column("contact", no_wrap=True)
        movers.add_column("email", overflow="fold")
        movers.add_column("score", no_wrap=True)
        movers.add_column("tier", no_wrap=True)
        movers.add_column("rules that moved it")
        for m in r.movers:
            movers.add_row(
                str(m["contact_id"]),
                m["email"],
                f"{m['lead_score'][0]} → {m['lead_score'][1]} ({m['shift']:+d})",
                _pair(m["tier"]),
                "\n".join(rule_change(rule) for rule in m["rules"]),
            )
        console.print(movers)
    else:
        console.print("No contact's lead score moves.")

    head, properties, plan = crm_lines(r)
    console.print(f"[bold]CRM sync[/bold]: {head}" + (":" if properties else ""))
    for line in properties:
        console.print(f"  {line}")
    for line in plan:
        console.print(line)


def markdown(r: DiffReport, rules_shown: int = 20) -> str:
    """The report as GitHub-flavoured Markdown, to paste into a pull request."""

    def row(*cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = ["## Impact of the rule change", ""]
    out += [f"- {line}" for line in headline(r)]
    out += ["", "### Tier transitions", "", "Rows: before; columns: after.", ""]
    out.append(row("before \\ after", *r.tiers, "total"))
    out.append(row(*(["---"] + ["---:"] * (len(r.tiers) + 1))))
    for i, (tier, counts) in enumerate(zip(r.tiers, r.tier_matrix, strict=True)):
        cells = [f"**{n:,}**" if i != j and n else f"{n:,}" for j, n in enumerate(counts)]
        out.append(row(tier, *cells, f"{sum(counts):,}"))
    out.append(
        row("total", *(f"{sum(col):,}" for col in zip(*r.tier_matrix, strict=True)), f"{r.contacts:,}")
    )

    largest = max((n for _, n in r.shift), default=0)
    out += ["", "### Lead score shift", "", row("points", "contacts", ""), row("---", "---:", "---")]
    out += [row(label, f"{count:,}", _bar(count, largest)) for label, count in r.shift]

    out += ["", "### Rules whose effect changed", ""]
    if r.rules:
        out += [row("rule", "contacts", "total points"), row("---", "---:", "---:")]
        for rule in r.rules[:rules_shown]:
            out.append(
                row(
                    f"`{rule['rule_id']}`",
                    _pair(rule["contacts"], lambda v: f"{v:,}"),
                    _pair(rule["points"], lambda v: f"{v:,.0f}"),
                )
            )
        if len(r.rules) > rules_shown:
            out.append(f"\n... and {len(r.rules) - rules_shown} more rules")
    else:
        out.append("No rule fires for other contacts or gives other points.")

    out += ["", f"### Top {len(r.movers)} movers", ""]
    if r.movers:
        out += [
            row("contact", "email", "score", "tier", "rules that moved it"),
            row("---:", "---", "---", "---", "---"),
        ]
        for m in r.movers:
            out.append(
                row(
                    m["contact_id"],
                    m["email"],
                    f"{m['lead_score'][0]} → {m['lead_score'][1]} ({m['shift']:+d})",
                    _pair(m["tier"]),
                    "<br>".join(
                        f"`{rule['rule_id']}` {rule_change(rule)[len(rule['rule_id']) + 1 :]}"
                        for rule in m["rules"]
                    ),
                )
            )
    else:
        out.append("No contact's lead score moves.")

    head, properties, plan = crm_lines(r)
    out += ["", "### CRM sync", "", head + (":" if properties else ""), ""]
    out += [f"- `{line.split(':', 1)[0]}`:{line.split(':', 1)[1]}" for line in properties]
    for line in plan:
        out += ["", line]
    return "\n".join(out).rstrip() + "\n"
