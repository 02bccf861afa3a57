"""Column mapping: lets exports from other CRMs use their own headers.

`config/column_mapping.yml` (or the file named by LEAD_SCORING_COLUMN_MAPPING) maps, per entity,
an export header to the HubSpot property name the models use, e.g.
`contacts: {"E-mail Address": email, "Contact ID": hs_object_id}`. Headers not listed keep their
own (lower-cased) name, so custom properties pass through.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from lead_scoring import paths

DEFAULT_MAPPING_FILE = paths.PROJECT_ROOT / "config" / "column_mapping.yml"
ENTITIES = ("contacts", "companies", "deals")


def load_column_mapping(path: Path | None = None) -> dict[str, dict[str, str]]:
    path = path or Path(os.environ.get("LEAD_SCORING_COLUMN_MAPPING", DEFAULT_MAPPING_FILE))
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(ENTITIES)
    if unknown:
        raise ValueError(f"{path}: unknown entity {', '.join(sorted(unknown))}; use {ENTITIES}")
    return {entity: {str(k): str(v) for k, v in (data.get(entity) or {}).items()} for entity in ENTITIES}
