"""The generator's normalisation steps, on small hand-written documents."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from bbgen.fixes import FixError, apply_fixes, load_fixes
from bbgen.normalize import NormalizeError, normalize
from bbgen.sources import Locked, SpecError, load_document

LINK = {"type": "object", "title": "Link", "properties": {"href": {"type": "string"}}}


def tiny_document() -> dict[str, Any]:
    """Two resources that both embed the same inline link object, one shared by request and response."""
    return {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{thing_id}": {
                "parameters": [
                    {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json;charset=UTF-8": {
                                    "schema": {"$ref": "#/components/schemas/thing"}
                                }
                            },
                        },
                        "404": {
                            "description": "missing",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "properties": {"errors": {"type": "array"}}}
                                }
                            },
                        },
                    }
                },
                "put": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/thing"}}
                            },
                        }
                    },
                },
            },
            "/others": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/other"}}
                            },
                        }
                    }
                }
            },
        },
        "components": {
            "schemas": {
                "object": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"type": "string"}},
                    "discriminator": {"propertyName": "type"},
                },
                "thing": {
                    "allOf": [
                        {"$ref": "#/components/schemas/object"},
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer", "readOnly": True},
                                "secret": {"type": "string", "writeOnly": True},
                                "createdDate": {"type": "integer", "format": "int64"},
                                "state": {"type": "string", "enum": ["OPEN", "CLOSED"]},
                                "links": {"type": "object", "properties": {"self": copy.deepcopy(LINK)}},
                            },
                        },
                    ]
                },
                "other": {
                    "type": "object",
                    "properties": {
                        "home": copy.deepcopy(LINK),
                        "state": {"type": "string", "enum": ["OPEN", "CLOSED"]},
                    },
                },
            }
        },
    }


NAMES = {
    "GET /things/{thing_id}": "things.get",
    "PUT /things/{thing_id}": "things.update",
    "GET /others": "others.list",
}


def test_identical_inline_objects_become_one_named_component() -> None:
    result = normalize(tiny_document(), product="cloud", names=NAMES)
    schemas = result.document["components"]["schemas"]
    assert "Link" in schemas
    assert schemas["Other"]["properties"]["home"] == {"$ref": "#/components/schemas/Link"}
    assert schemas["ThingLinks"]["properties"]["self"] == {"$ref": "#/components/schemas/Link"}
    # Both `state` enums have one shape, so one enum class serves both models.
    assert schemas["Thing"]["properties"]["state"] == schemas["Other"]["properties"]["state"]


def test_allof_is_flattened_and_schemas_split_into_request_and_response_families() -> None:
    result = normalize(tiny_document(), product="cloud", names=NAMES)
    schemas = result.document["components"]["schemas"]
    response, request = schemas["Thing"], schemas["ThingInput"]
    assert "allOf" not in response
    assert {"type", "id", "links"} <= set(response["properties"])
    assert "secret" not in response["properties"]  # write-only: never in answers
    assert "id" not in request["properties"]  # read-only: never sent
    assert request["properties"]["type"]["default"] == "thing"  # Cloud's discriminator is filled in
    assert request["properties"]["links"] == {"$ref": "#/components/schemas/ThingLinksInput"}
    assert "Thing" in result.response_models and "ThingInput" in result.request_models
    body = result.document["paths"]["/things/{thing_id}"]["put"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ThingInput"}


def test_only_success_responses_remain_with_one_json_content_type() -> None:
    result = normalize(tiny_document(), product="cloud", names=NAMES)
    responses = result.document["paths"]["/things/{thing_id}"]["get"]["responses"]
    assert list(responses) == ["200"]
    assert list(responses["200"]["content"]) == ["application/json"]


def test_data_center_timestamps_accept_both_forms_in_responses_only() -> None:
    result = normalize(tiny_document(), product="server", names=NAMES)
    schemas = result.document["components"]["schemas"]
    assert schemas["Thing"]["properties"]["createdDate"]["anyOf"] == [
        {"type": "integer", "format": "int64"},
        {"type": "string", "format": "date-time"},
    ]
    assert schemas["ThingInput"]["properties"]["createdDate"] == {"type": "integer", "format": "int64"}


def test_operations_get_their_table_names_and_path_parameters_move_in() -> None:
    result = normalize(tiny_document(), product="cloud", names=NAMES)
    operation = result.document["paths"]["/things/{thing_id}"]["put"]
    assert operation["operationId"] == "things_update"
    assert operation["tags"] == ["things"]
    assert [p["name"] for p in operation["parameters"]] == ["thing_id"]
    rows = {f"{r.namespace}.{r.method}": r for r in result.operations}
    assert rows["things.update"].http_method == "PUT"
    assert rows["things.update"].path == "/things/{thing_id}"


def test_an_operation_without_a_name_is_refused_with_its_key() -> None:
    with pytest.raises(NormalizeError, match="GET /others"):
        normalize(
            tiny_document(), product="cloud", names={k: v for k, v in NAMES.items() if k != "GET /others"}
        )


def test_an_undeclared_path_parameter_is_refused() -> None:
    document = tiny_document()
    document["paths"]["/others/{other_id}"] = document["paths"].pop("/others")
    names = {**NAMES, "GET /others/{other_id}": "others.list"}
    del names["GET /others"]
    with pytest.raises(NormalizeError, match="other_id"):
        normalize(document, product="cloud", names=names)


# ---- fixes ----------------------------------------------------------------------------------------


def test_fixes_apply_as_json_patch() -> None:
    document = tiny_document()
    apply_fixes(
        document,
        [
            {
                "operation": "GET /others",
                "op": "add",
                "path": "/paths/~1others/get/summary",
                "value": "List others",
                "reason": "r",
            },
            {
                "operation": "schema other",
                "op": "replace",
                "path": "/components/schemas/other/properties/state/enum/1",
                "value": "DONE",
                "reason": "r",
            },
            {
                "operation": "schema thing",
                "op": "remove",
                "path": "/components/schemas/thing/allOf/0",
                "reason": "r",
            },
        ],
    )
    assert document["paths"]["/others"]["get"]["summary"] == "List others"
    assert document["components"]["schemas"]["other"]["properties"]["state"]["enum"] == ["OPEN", "DONE"]
    assert len(document["components"]["schemas"]["thing"]["allOf"]) == 1


def test_a_fix_for_something_upstream_removed_is_reported() -> None:
    with pytest.raises(FixError, match="does not exist upstream"):
        apply_fixes(
            tiny_document(),
            [
                {
                    "operation": "GET /gone",
                    "op": "replace",
                    "path": "/paths/~1gone/get/summary",
                    "value": "x",
                    "reason": "r",
                }
            ],
        )


def test_every_fix_needs_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "fixes.json"
    path.write_text(json.dumps([{"operation": "x", "op": "add", "path": "/a", "value": 1, "reason": " "}]))
    with pytest.raises(FixError, match="reason"):
        load_fixes(path)


def test_the_project_fix_registry_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    for product in ("cloud", "server"):
        for entry in load_fixes(root / "specs" / "fixes" / f"{product}.json"):
            assert entry["reason"].strip()


# ---- locating documents ---------------------------------------------------------------------------


def _lock_for(payload: bytes) -> Locked:
    return Locked(
        "cloud", "doc.json", "https://example.invalid/doc.json", "1", hashlib.sha256(payload).hexdigest()
    )


def test_documents_are_found_in_order_and_checked_against_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = json.dumps({"openapi": "3.0.0", "info": {"version": "1"}}).encode()
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    (env_dir / "doc.json").write_bytes(payload)
    monkeypatch.setenv("BITBUCKET_SPECS_DIR", str(env_dir))
    _document, digest, origin = load_document(_lock_for(payload), allow_download=False)
    assert origin.startswith("$BITBUCKET_SPECS_DIR")
    assert digest == hashlib.sha256(payload).hexdigest()

    explicit = tmp_path / "explicit.json"
    explicit.write_bytes(payload)
    _, _, origin = load_document(_lock_for(payload), explicit, allow_download=False)
    assert origin.startswith("--spec")


def test_a_document_that_differs_from_the_lock_is_refused_unless_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BITBUCKET_SPECS_DIR", str(tmp_path))
    (tmp_path / "doc.json").write_bytes(b'{"changed": true}')
    lock = _lock_for(b"{}")
    with pytest.raises(SpecError, match="--accept-new-spec"):
        load_document(lock, allow_download=False)
    document, digest, _ = load_document(lock, accept_new=True, allow_download=False)
    assert document == {"changed": True}
    assert digest != lock.sha256
