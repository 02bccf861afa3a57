"""What the sandbox knows about HubSpot before any data is loaded: object types, their standard
properties and groups, default properties returned by reads, and association type ids."""

from __future__ import annotations

OBJECT_TYPES = ("contacts", "companies", "deals")

# HubSpot also accepts the object type ids in paths.
OBJECT_TYPE_ALIASES = {
    "contacts": "contacts",
    "contact": "contacts",
    "0-1": "contacts",
    "companies": "companies",
    "company": "companies",
    "0-2": "companies",
    "deals": "deals",
    "deal": "deals",
    "0-3": "deals",
}

SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}

# Properties every read returns when `properties` is not given (HubSpot's defaults).
DEFAULT_PROPERTIES = {
    "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    "deals": [
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ],
}

# Properties the server maintains; writes to them fail per input with READ_ONLY_VALUE.
READ_ONLY = {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}

# Both names map to the record's modification time, for every object type (HubSpot uses
# `lastmodifieddate` for contacts and `hs_lastmodifieddate` for companies and deals).
MODIFIED_PROPERTIES = {"lastmodifieddate", "hs_lastmodifieddate"}

GROUPS = {
    "contacts": [
        ("contactinformation", "Contact information"),
        ("analyticsinformation", "Web analytics history"),
    ],
    "companies": [("companyinformation", "Company information")],
    "deals": [("dealinformation", "Deal information")],
}

_LIFECYCLE = [
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
]
_DEAL_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]

# (name, label, type, fieldType, groupName, options)
_STANDARD: dict[str, list[tuple]] = {
    "contacts": [
        ("hs_object_id", "Record ID", "number", "number", "contactinformation", None),
        ("email", "Email", "string", "text", "contactinformation", None),
        ("firstname", "First Name", "string", "text", "contactinformation", None),
        ("lastname", "Last Name", "string", "text", "contactinformation", None),
        ("jobtitle", "Job Title", "string", "text", "contactinformation", None),
        ("country", "Country/Region", "string", "text", "contactinformation", None),
        ("city", "City", "string", "text", "contactinformation", None),
        ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", _LIFECYCLE),
        ("createdate", "Create Date", "datetime", "date", "contactinformation", None),
        ("lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation", None),
        (
            "hs_lastmodifieddate",
            "Object last modified date/time",
            "datetime",
            "date",
            "contactinformation",
            None,
        ),
        ("hs_analytics_source", "Original Traffic Source", "string", "text", "analyticsinformation", None),
        (
            "associatedcompanyid",
            "Primary Associated Company ID",
            "number",
            "number",
            "contactinformation",
            None,
        ),
    ],
    "companies": [
        ("hs_object_id", "Record ID", "number", "number", "companyinformation", None),
        ("name", "Company name", "string", "text", "companyinformation", None),
        ("domain", "Company Domain Name", "string", "text", "companyinformation", None),
        ("industry", "Industry", "string", "text", "companyinformation", None),
        ("numberofemployees", "Number of Employees", "number", "number", "companyinformation", None),
        ("annualrevenue", "Annual Revenue", "number", "number", "companyinformation", None),
        ("country", "Country/Region", "string", "text", "companyinformation", None),
        ("createdate", "Create Date", "datetime", "date", "companyinformation", None),
        ("lastmodifieddate", "Last Modified Date", "datetime", "date", "companyinformation", None),
        ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "companyinformation", None),
    ],
    "deals": [
        ("hs_object_id", "Record ID", "number", "number", "dealinformation", None),
        ("dealname", "Deal Name", "string", "text", "dealinformation", None),
        ("dealstage", "Deal Stage", "enumeration", "radio", "dealinformation", _DEAL_STAGES),
        ("pipeline", "Pipeline", "string", "text", "dealinformation", None),
        ("amount", "Amount", "number", "number", "dealinformation", None),
        ("closedate", "Close Date", "datetime", "date", "dealinformation", None),
        ("createdate", "Create Date", "datetime", "date", "dealinformation", None),
        ("lastmodifieddate", "Last Modified Date", "datetime", "date", "dealinformation", None),
        ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "dealinformation", None),
    ],
}


def property_definition(
    name: str,
    label: str,
    type_: str,
    field_type: str,
    group_name: str,
    options: list[str] | list[dict] | None = None,
    *,
    hubspot_defined: bool = False,
    now_iso: str = "2020-01-01T00:00:00.000Z",
) -> dict:
    """A property in HubSpot's response shape (every field the official client requires)."""
    opts = []
    for i, opt in enumerate(options or []):
        if isinstance(opt, dict):
            opts.append(
                {
                    "label": str(opt.get("label", opt.get("value", ""))),
                    "value": str(opt.get("value", "")),
                    "displayOrder": opt.get("displayOrder", i),
                    "hidden": bool(opt.get("hidden", False)),
                    "description": opt.get("description", ""),
                }
            )
        else:
            opts.append({"label": opt, "value": opt, "displayOrder": i, "hidden": False, "description": ""})
    return {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "description": "",
        "groupName": group_name,
        "options": opts,
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": name == "hs_object_id",
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "formField": not hubspot_defined,
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": name in READ_ONLY,
        },
        "createdAt": now_iso,
        "updatedAt": now_iso,
        "archived": False,
    }


def standard_properties(object_type: str) -> list[dict]:
    return [property_definition(*row, hubspot_defined=True) for row in _STANDARD[object_type]]


def custom_group_for(object_type: str) -> str:
    """The group custom columns found in landing CSVs are put in."""
    return GROUPS[object_type][0][0]


# HUBSPOT_DEFINED association type ids (the "primary" ones) from one type to another.
ASSOCIATION_TYPE_IDS = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
}
