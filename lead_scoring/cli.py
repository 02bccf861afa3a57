"""`lead-scoring`: one command, a sub-command per concern.

Each sub-command's module is imported only when it runs, so `lead-scoring generate` does not pay
for importing Airflow or Great Expectations.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> (module with `add_arguments(parser)` and `run(args) -> int | None`, help)
COMMANDS = {
    "generate": ("lead_scoring.generate.cli", "write sample CRM exports and web events"),
    "ingest": ("lead_scoring.ingest.cli", "load landed files of one or more days into the warehouse"),
    "transform": ("lead_scoring.transform.cli", "build the dbt project (scores) for one score date"),
    "demo": ("lead_scoring.demo", "generate data, run the daily DAG through Airflow, print tiers"),
    "crm-sandbox": ("lead_scoring.crm.sandbox.cli", "run the local HubSpot-compatible CRM sandbox"),
    "crm-show": ("lead_scoring.crm.show", "show the lead scores held by the CRM"),
    "sync": ("lead_scoring.sync.cli", "write changed scores back to the CRM"),
    "quality": ("lead_scoring.quality.cli", "run the Great Expectations gate on the warehouse"),
    "evaluate": ("lead_scoring.calibration.evaluate_cli", "measure the rules against real conversions"),
    "calibrate": ("lead_scoring.calibration.calibrate_cli", "propose rule points learned from conversions"),
    "explain": ("lead_scoring.analysis.explain_cli", "why a contact has its score: rules, caps, history"),
    "diff": ("lead_scoring.analysis.diff_cli", "what a change to the rules moves, before it ships"),
}


# Failures a user causes and can fix (a bad file, a wrong token, an unreachable CRM): printed as
# one line naming what to fix, without a traceback (`--debug` shows it). Named by module, so
# that the check imports nothing a sub-command did not import already.
EXPECTED_ERRORS = (
    ("lead_scoring.ingest.errors", "IngestError"),
    ("lead_scoring.crm.client", "CrmError"),
    ("lead_scoring.sync.reverse", "SyncError"),
    ("lead_scoring.analysis.errors", "AnalysisError"),
)


def _is_expected(exc: BaseException) -> bool:
    for module_name, class_name in EXPECTED_ERRORS:
        cls = getattr(sys.modules.get(module_name), class_name, None)
        if cls is not None and isinstance(exc, cls):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lead-scoring",
        description=__doc__.splitlines()[0],
        epilog="\n".join(f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="lead-scoring [--debug] COMMAND [options]",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of a failure (before COMMAND)"
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = bool(argv) and argv[0] == "--debug"
    if debug:
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if argv else 2
    command, rest = parser.parse_args(argv[:1]).command, argv[1:]
    module = importlib.import_module(COMMANDS[command][0])
    sub = argparse.ArgumentParser(
        prog=f"lead-scoring {command}",
        description=module.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(sub)
    args = sub.parse_args(rest)
    try:
        return module.run(args) or 0
    except Exception as exc:
        if debug or not _is_expected(exc):
            raise
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"lead-scoring {command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
