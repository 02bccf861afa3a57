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
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lead-scoring",
        description=__doc__.splitlines()[0],
        epilog="\n".join(f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else argv
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
    return module.run(sub.parse_args(rest)) or 0


if __name__ == "__main__":
    sys.exit(main())
