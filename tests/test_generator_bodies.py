"""The generator's request side: request-side fixes on small documents, and what it writes for bodies
(shapes, dict forms, readable names, overloads) read from the generated code."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

import pytest
from bbgen.fixes import FixError, apply_fixes, load_fixes
from bbgen.normalize import NormalizeError, normalize
from bbgen.request_fixes import RequestFixError, RequestFixes
from test_generator_units import NAMES, tiny_document

from bitbucket_client.cloud import models as cloud
from bitbucket_client.cloud._generated.namespaces.pullrequests import PullrequestsNamespace
from bitbucket_client.server import models as server

SOURCE = "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-x/"
REF = "#/components/schemas/"


def entry(op: str, **fields: Any) -> dict[str, Any]:
    return {"operation": fields.pop("operation", "request model ThingInput"), "op": op, "reason": "r",
            "source": SOURCE, **fields}  # fmt: skip


def normalized(*entries: dict[str, Any], document: dict[str, Any] | None = None) -> Any:
    return normalize(
        document or tiny_document(), product="cloud", names=NAMES, request_fixes=RequestFixes(tuple(entries))
    )


def test_removed_fields_leave_the_request_model_only_and_what_they_held_goes() -> None:
    result = normalized(entry("request-remove", model="ThingInput", fields=["links", "state"]))
    schemas = result.document["components"]["schemas"]
    assert set(schemas["ThingInput"]["properties"]) == {"type", "createdDate", "secret"}
    assert {"links", "state"} <= set(schemas["Thing"]["properties"])  # answers keep them
    assert "ThingLinksInput" not in schemas and "ThingLinksInput" not in result.request_models
    assert "ThingLinks" in schemas  # still answered


def test_a_field_can_be_replaced_by_a_request_only_model() -> None:
    reference = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    result = normalized(
        entry("request-add", operation="request model ThingRef", model="ThingRef", value=reference),
        entry("request-replace", model="ThingInput", field="links", value={"$ref": REF + "ThingRef"}),
        entry("request-replace", model="ThingInput", field="type", value={"type": "string", "enum": ["a"]}),
    )
    schemas = result.document["components"]["schemas"]
    assert schemas["ThingInput"]["properties"]["links"] == {"$ref": REF + "ThingRef"}
    assert "ThingRef" in result.request_models and "ThingRef" not in result.response_models
    assert "default" not in schemas["ThingInput"]["properties"]["type"]  # an enum gets no default


def test_an_operation_may_require_body_fields() -> None:
    result = normalized(entry("request-required", operation="PUT /things/{thing_id}", fields=["state"]))
    assert result.body_required == {("PUT", "/things/{thing_id}"): ("state",)}
    with pytest.raises(NormalizeError, match=r"the document lacks: \[\('GET', '/nowhere'\)\]"):
        normalized(entry("request-required", operation="GET /nowhere", fields=["x"]))


def test_request_fixes_that_no_longer_fit_are_refused() -> None:
    with pytest.raises(RequestFixError, match="no request model 'GoneInput'"):
        normalized(entry("request-remove", model="GoneInput", fields=["x"]))
    with pytest.raises(RequestFixError, match=r"lacks the field\(s\) \['nope'\]"):
        normalized(entry("request-remove", model="ThingInput", fields=["nope"]))


def test_request_fixes_are_checked_when_loaded_and_left_out_of_the_document(tmp_path: Any) -> None:
    path = tmp_path / "fixes.json"
    remove = {"operation": "request model X", "op": "request-remove", "model": "X", "reason": "r"}
    cases = [
        ({**remove, "fields": []}, RequestFixError, "needs `source`"),
        ({**remove, "source": "https://a"}, RequestFixError, r"missing \['fields'\]"),
        ({**remove, "fields": [], "source": "https://a", "reason": " "}, FixError, "reason"),
    ]
    for fix, error, message in cases:
        path.write_text(json.dumps([fix]))
        with pytest.raises(error, match=message):
            load_fixes(path)
    document = tiny_document()
    apply_fixes(document, [entry("request-remove", model="ThingInput", fields=["links"])])
    assert document == tiny_document()


def test_a_schema_open_in_its_own_right_stays_open_on_the_request_side() -> None:
    document = tiny_document()
    document["components"]["schemas"]["other"]["additionalProperties"] = True
    document["paths"]["/others"]["post"] = {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/other"}}}},
        "responses": {"204": {"description": "ok"}},
    }
    result = normalize(document, product="cloud", names={**NAMES, "POST /others": "others.create"})
    assert "OtherInput" in result.open_request_models
    assert "ThingInput" not in result.open_request_models  # open only through Cloud's `object` base


# ---- what the generator writes ----------------------------------------------------------------------


def test_shapes_carry_defaults_openness_and_typed_extra_keys() -> None:
    fields, defaults, extra = shape(cloud.PullrequestInput)
    assert defaults == {"type": "pullrequest"} and extra is None
    assert (
        "source",
        "source",
        ("model", "pullrequest_endpoint_input", "PullrequestEndpointInput"),
        False,
    ) in fields
    assert shape(cloud.ApplicationPropertyInput)[2] == "any"
    assert shape(server.RestWebhookConfigurationInput)[2] == "str"
    target_type = next(field for field in shape(cloud.PipelineTargetInput)[0] if field[0] == "type")
    assert target_type[2][0] == "enum" and target_type[3] is True
    assert "type" not in shape(cloud.PipelineTargetInput)[1]


def test_every_request_model_has_its_dict_form_and_readable_names_are_the_same_class() -> None:
    for package in (cloud, server):
        for name in package.__all__:
            value = getattr(package, name)
            if hasattr(value, "__module__") and hasattr(inspect.getmodule(value), "REQUEST_SHAPE"):
                dict_form = getattr(package, name + "Dict", None) if not name.endswith("Dict") else value
                assert dict_form is not None, name
    assert cloud.PullRequestEndpoint is cloud.PullrequestEndpointInput
    assert cloud.PullRequestEndpointDict is cloud.PullrequestEndpointInputDict
    assert server.BuildStatusInput is server.RestBuildStatusSetRequest


def test_required_fields_make_overloads_and_the_docstring_lists_the_models() -> None:
    overloads = typing.get_overloads(PullrequestsNamespace.create)
    keyword, body = (inspect.signature(o).parameters for o in overloads)
    assert keyword["title"].default is inspect.Parameter.empty
    assert keyword["source"].default is inspect.Parameter.empty
    assert keyword["destination"].default is not inspect.Parameter.empty
    assert list(body) == ["self", "workspace", "repo_slug", "body"]
    doc = PullrequestsNamespace.create.__doc__ or ""
    assert "(required: title, source)" in doc and "`PullrequestEndpointInput` (also" in doc


def shape(model: type) -> Any:
    return inspect.getmodule(model).REQUEST_SHAPE  # type: ignore[union-attr]
