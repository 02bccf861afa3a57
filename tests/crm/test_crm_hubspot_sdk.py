"""The official `hubspot-api-client` package works against the sandbox unchanged."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate

from .conftest import TOKEN


def sdk(url: str, token: str = TOKEN) -> HubSpot:
    return HubSpot(access_token=token, host=url)


@pytest.fixture
def seeded(sandbox):
    sandbox.store.bulk_insert(
        "contacts",
        [
            {
                "hs_object_id": i,
                "email": f"u{i}@example.com",
                "firstname": f"F{i}",
                "createdate": "2026-01-01T00:00:00Z",
                "lastmodifieddate": f"2026-01-{1 + i % 9:02d}T00:00:00Z",
            }
            for i in range(1, 31)
        ],
    )
    return sandbox


def test_list_and_get(seeded):
    api = sdk(seeded.url)
    page = api.crm.contacts.basic_api.get_page(limit=10, properties=["email", "firstname"])
    assert [c.id for c in page.results] == [str(i) for i in range(1, 11)]
    assert page.results[0].properties["email"] == "u1@example.com"
    assert page.paging.next.after == "10"
    everything = api.crm.contacts.get_all(properties=["email"])
    assert len(everything) == 30
    one = api.crm.contacts.basic_api.get_by_id("u5@example.com", id_property="email")
    assert one.id == "5"


def test_api_client_configuration_host(seeded):
    """The documented way: point each API's configuration at the sandbox."""
    api = HubSpot(access_token=TOKEN)
    basic = api.crm.contacts.basic_api
    basic.api_client.configuration.host = seeded.url
    assert len(basic.get_page(limit=5).results) == 5


def test_search(seeded):
    api = sdk(seeded.url)
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[
                    Filter(property_name="lastmodifieddate", operator="GTE", value="2026-01-05T00:00:00Z"),
                    Filter(property_name="lastmodifieddate", operator="LT", value="2026-01-07T00:00:00Z"),
                ]
            )
        ],
        sorts=["hs_object_id"],
        properties=["email"],
        limit=5,
    )
    found = api.crm.contacts.search_api.do_search(public_object_search_request=request)
    # days 5 and 6 -> i % 9 in (4, 5)
    expected = sorted(i for i in range(1, 31) if i % 9 in (4, 5))
    assert found.total == len(expected)
    assert [int(r.id) for r in found.results] == expected[:5]


def test_properties_groups_and_batch_update(seeded):
    api = sdk(seeded.url)
    api.crm.properties.groups_api.create(
        object_type="contacts",
        property_group_create=PropertyGroupCreate(name="lead_scoring", label="Lead scoring"),
    )
    api.crm.properties.core_api.create(
        object_type="contacts",
        property_create=PropertyCreate(
            name="lead_tier",
            label="Lead tier",
            type="enumeration",
            field_type="select",
            group_name="lead_scoring",
            options=[
                OptionInput(label="Hot", value="hot", display_order=0, hidden=False),
                OptionInput(label="Cold", value="cold", display_order=1, hidden=False),
            ],
        ),
    )
    names = {p.name for p in api.crm.properties.core_api.get_all(object_type="contacts").results}
    assert "lead_tier" in names
    with pytest.raises(Exception) as dup:
        api.crm.properties.core_api.create(
            object_type="contacts",
            property_create=PropertyCreate(
                name="lead_tier", label="x", type="string", field_type="text", group_name="lead_scoring"
            ),
        )
    assert getattr(dup.value, "status", None) == 409

    batch = BatchInputSimplePublicObjectBatchInput(
        inputs=[
            SimplePublicObjectBatchInput(id="1", properties={"lead_tier": "hot"}),
            SimplePublicObjectBatchInput(id="2", properties={"lead_tier": "cold"}),
        ]
    )
    done = api.crm.contacts.batch_api.update(batch_input_simple_public_object_batch_input=batch)
    assert done.status == "COMPLETE" and sorted(r.id for r in done.results) == ["1", "2"]

    partial = api.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id="3", properties={"lead_tier": "hot"}),
                SimplePublicObjectBatchInput(id="3000", properties={"lead_tier": "hot"}),
            ]
        )
    )
    assert [r.id for r in partial.results] == ["3"]
    assert partial.num_errors == 1 and partial.errors[0].category == "OBJECT_NOT_FOUND"

    read = api.crm.contacts.batch_api.read(
        batch_read_input_simple_public_object_id={
            "inputs": [SimplePublicObjectId(id="1")],
            "properties": ["lead_tier"],
            "propertiesWithHistory": [],
        }
    )
    assert read.results[0].properties["lead_tier"] == "hot"


def test_create_conflict_archive_and_batch_archive_with_the_sdk(seeded):
    api = sdk(seeded.url)
    with pytest.raises(ApiException) as dup:
        api.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": "u5@example.com"}
            )
        )
    assert dup.value.status == 409
    assert json.loads(dup.value.body)["message"] == "Contact already exists. Existing ID: 5"

    api.crm.contacts.basic_api.archive(contact_id="5")
    api.crm.contacts.batch_api.archive(
        batch_input_simple_public_object_id=BatchInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id="6"), SimplePublicObjectId(id="7")]
        )
    )
    with pytest.raises(ApiException) as missing:
        api.crm.contacts.basic_api.get_by_id(contact_id="6")
    assert missing.value.status == 404
    assert seeded.store.count("contacts") == 27


def test_bad_token_raises_the_sdk_error(seeded):
    api = sdk(seeded.url, token="nope")
    with pytest.raises(ApiException) as info:
        api.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 401
    assert json.loads(info.value.body)["category"] == "INVALID_AUTHENTICATION"
