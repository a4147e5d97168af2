"""The official documents as Prism serves them, and schema helpers over them.

The served copy is the upstream document with, in this order:

1. the project's own fixes (`specs/fixes/<product>.json`, the corrections the client is generated
   with: a schema for answers the document leaves without one, integer ids, ...), except those that
   turn an answer into a binary media type, which Prism has no serializer for (upstream's schema-less
   JSON is served there; the client reads the bytes either way);
2. examples for what Prism cannot make up itself (`_add_examples`): a body for the two reaction answers
   and for every Cloud JSON answer without an example of its own (SCHEMA_TOO_COMPLEX), a media type for
   the snippet file answer whose `Content-Type` header is only typed `string`, and a `Location` on the
   mock for the answers that are only a redirect (to a file host, or to another endpoint of the API);
3. array properties of multipart bodies that also accept one item, since Prism reads form fields as
   plain values (`_single_files_as_arrays`);
4. every path under the server's base path (`/2.0` for Cloud, `/rest` for Data Center), since Prism
   routes on the paths and ignores the server URL: the clients are then pointed at the mock exactly as
   at a real server.

The copy is written to a temporary folder at test time; nothing derived from the documents is kept in
the repository.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

Json = Any

PRODUCTS = ("cloud", "server")
SPEC_FILES = {"cloud": "bitbucket-cloud-2.0.json", "server": "bitbucket-datacenter-9.4.json"}
BASE_PATHS = {"cloud": "/2.0", "server": "/rest"}
ROOT = Path(__file__).resolve().parents[2]

REACTION = "/comment-likes/latest/projects/{projectKey}/repos/{repositorySlug}"
PULL_REQUEST_DC = "/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests/{pullRequestId}"
REPOSITORY = "/repositories/{workspace}/{repo_slug}"
REVSPEC = "0123456..89abcde"
PULL_REQUEST = f"{REPOSITORY}/pullrequests/{{pull_request_id}}"
ON_MOCK = "/2.0/repositories/ws/repo"
# Where the mock sends a client that follows a redirect-only answer: the endpoint the document says it
# redirects to, or a file of the repository standing in for Bitbucket's file host.
REDIRECTS = {
    f"{PULL_REQUEST}/diff": f"{ON_MOCK}/diff/{REVSPEC}",
    f"{PULL_REQUEST}/patch": f"{ON_MOCK}/patch/{REVSPEC}",
    f"{PULL_REQUEST}/diffstat": f"{ON_MOCK}/diffstat/{REVSPEC}",
    f"{PULL_REQUEST}/conflicts": f"{ON_MOCK}/file-conflicts/{REVSPEC}",
    f"{REPOSITORY}/downloads/{{filename}}": f"{ON_MOCK}/src/0123456/artifact.txt",
    f"{REPOSITORY}/issues/{{issue_id}}/attachments/{{path}}": f"{ON_MOCK}/src/0123456/a.png",
    "/snippets/{workspace}/{encoded_id}/files/{path}": "/2.0/snippets/ws/snippet/0123456/files/a.txt",
}


def _add_examples(product: str, doc: Document, served: Json) -> None:
    paths = served["paths"]
    if product == "server":
        # Prism's sampler gives up (SCHEMA_TOO_COMPLEX, over 2,500 nodes) on the deeply recursive
        # RestUserReaction, and on a page of activities (each may hold a comment, its anchor's pull
        # request, a diff with its comments, and commits).
        for method, path in (
            ("put", f"{REACTION}/commits/{{commitId}}/comments/{{commentId}}/reactions/{{emoticon}}"),
            (
                "put",
                f"{REACTION}/pull-requests/{{pullRequestId}}/comments/{{commentId}}/reactions/{{emoticon}}",
            ),
            ("get", f"{PULL_REQUEST_DC}/activities"),
        ):
            for media in paths[path][method]["responses"]["200"]["content"].values():
                media["example"] = doc.example(media["schema"])
        return
    # The file's media type is only typed `string`: Prism would take its sample, "string", as the
    # media type of the answer, and has no serializer for it.
    file_answer = paths["/snippets/{workspace}/{encoded_id}/{node_id}/files/{path}"]["get"]["responses"][
        "200"
    ]
    file_answer["headers"]["Content-Type"]["example"] = "text/plain"
    # Prism samples an answer within 2,500 schema nodes (prism-http's static generator). Cloud's entities
    # embed one another (a pull request's accounts, repositories, commits and theirs), and with the
    # fields real Bitbucket sends typed (specs/fixes/cloud.json) most answers exceed that budget.
    for item in paths.values():
        for operation in item.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                for media_type, media in (doc.resolve(response).get("content") or {}).items():
                    has_example = "example" in media or "examples" in media
                    if "json" in media_type and "schema" in media and not has_example:
                        media["example"] = doc.example(media["schema"])
    for path, target in REDIRECTS.items():
        response = paths[path]["get"]["responses"]["302"]
        response.setdefault("headers", {})["Location"] = {"schema": {"type": "string"}, "example": target}


def _prism_can_serve(fix: dict[str, Any]) -> bool:
    """False for a fix that makes an answer binary (removes its JSON, or adds a non-JSON media type)."""
    pointer = str(fix.get("path", ""))
    if "/responses/" not in pointer or "/content" not in pointer:
        return True
    if fix["op"] == "remove":
        return False
    after = pointer.split("/content", 1)[1]
    media_types = [after.split("/")[1]] if after.startswith("/") else list(fix["value"])
    return all("json" in media for media in media_types)


def _apply_project_fixes(product: str, document: Json) -> None:
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    from bbgen.fixes import apply_fixes, load_fixes

    entries = load_fixes(ROOT / "specs" / "fixes" / f"{product}.json")
    apply_fixes(document, [entry for entry in entries if _prism_can_serve(entry)])


def spec_path(product: str) -> Path:
    folder = os.environ.get("BITBUCKET_SPECS_DIR")
    base = Path(folder) if folder else ROOT.parent / "shared" / "specs"
    return base / SPEC_FILES[product]


@cache
def _load(product: str) -> Json | None:
    path = spec_path(product)
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def load_document(product: str) -> Json | None:
    """The upstream document, unchanged (None when it is not available)."""
    return _load(product)


@cache
def contract_document(product: str) -> Json:
    """The document Prism serves, before its paths are moved under the base path: what the suite builds
    arguments from and checks answers against."""
    upstream = _load(product)
    if upstream is None:
        raise FileNotFoundError(spec_path(product))
    served = copy.deepcopy(upstream)
    _apply_project_fixes(product, served)
    _add_examples(product, Document(served), served)
    _single_files_as_arrays(Document(served), served)
    return served


def _single_files_as_arrays(doc: Document, served: Json) -> None:
    """Prism reads a form field sent once as a plain value, never as an array of one (nor a repeated
    field as an array): an array property of a multipart body also accepts its item, so that a request
    sending two files is not reported as breaking the document."""
    for item in served["paths"].values():
        for operation in item.values():
            body = doc.resolve(operation.get("requestBody", {})) if isinstance(operation, dict) else {}
            media = (body.get("content") or {}).get("multipart/form-data") or {}
            schema = doc.resolve(media.get("schema") or {})
            for name, prop in list((schema.get("properties") or {}).items()):
                if prop.get("type") == "array":
                    schema["properties"][name] = {"anyOf": [prop, prop.get("items", {})]}


def served_document(product: str) -> Json:
    """The copy Prism serves (see the module docstring)."""
    served = dict(contract_document(product))
    prefix = BASE_PATHS[product]
    served["paths"] = {prefix + path: item for path, item in served["paths"].items()}
    served.pop("servers", None)
    return served


class Document:
    """Reference resolution and `allOf` merging over one document."""

    def __init__(self, raw: Json) -> None:
        self.raw = raw

    def resolve(self, node: Json) -> Json:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            parts = node["$ref"].lstrip("#/").split("/")
            target: Json = self.raw
            for part in parts:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
            if seen > 50:
                raise ValueError(f"reference loop at {parts}")
        return node

    def schema(self, node: Json) -> Json:
        """A schema with references followed and `allOf` parts merged (properties and required united)."""
        node = self.resolve(node)
        if not isinstance(node, dict) or "allOf" not in node:
            return node if isinstance(node, dict) else {}
        merged: dict[str, Any] = {key: value for key, value in node.items() if key != "allOf"}
        properties: dict[str, Any] = dict(merged.pop("properties", {}))
        required: list[str] = list(merged.pop("required", []))
        for part in node["allOf"]:
            part = self.schema(part)
            for key, value in part.items():
                if key == "properties":
                    properties.update(value)
                elif key == "required":
                    required += [name for name in value if name not in required]
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def operation(self, method: str, path: str) -> Json:
        return self.raw["paths"][path][method.lower()]

    def parameters(self, method: str, path: str) -> list[Json]:
        """Path-item and operation parameters, references resolved, the operation's winning."""
        item = self.raw["paths"][path]
        own = [self.resolve(p) for p in self.operation(method, path).get("parameters", [])]
        keys = {(p["name"], p["in"]) for p in own}
        shared = [self.resolve(p) for p in item.get("parameters", [])]
        return [p for p in shared if (p["name"], p["in"]) not in keys] + own

    def request_body(self, method: str, path: str, *, form: bool = False) -> tuple[str, Json] | None:
        """(content type, schema) of the first declared request body content (of the first form
        content with `form=True`), if any."""
        body = self.operation(method, path).get("requestBody")
        if not body:
            return None
        content = self.resolve(body).get("content") or {}
        if form:
            content = {key: value for key, value in content.items() if "form" in key}
        if not content:
            return None
        content_type, media = next(iter(content.items()))
        return content_type, media.get("schema") or {}

    def success_statuses(self, method: str, path: str) -> list[str]:
        """The documented 2xx statuses, or the 3xx ones of an operation that only redirects."""
        responses = self.operation(method, path).get("responses", {})
        for first in "23":
            found = sorted(s for s in responses if len(s) == 3 and s.startswith(first))
            if found:
                return found
        return []

    def response_content(self, method: str, path: str, status: str) -> dict[str, Json]:
        response = self.resolve(self.operation(method, path).get("responses", {}).get(status, {}))
        return dict(response.get("content") or {})

    # ---- JSON examples ---------------------------------------------------------------------------

    def example(self, node: Json, depth: int = 0, stack: tuple[int, ...] = ()) -> Json:
        """A JSON value valid against the schema: every property down to a depth, then the required
        ones only; recursion into a schema already being built stops at its required properties."""
        schema = self.schema(node)
        key = id(self.resolve(node))
        if "example" in schema and not isinstance(schema["example"], dict | list):
            return schema["example"]
        if "enum" in schema:
            return next(value for value in schema["enum"] if value is not None)
        for union in ("oneOf", "anyOf"):
            if union in schema:
                return self.example(schema[union][0], depth, stack)
        kind = schema.get("type")
        if kind == "array" or "items" in schema:
            count = max(1, int(schema.get("minItems", 1))) if depth < 4 and key not in stack else 0
            count = max(count, int(schema.get("minItems", 0)))
            return [self.example(schema.get("items", {}), depth + 1, (*stack, key)) for _ in range(count)]
        if kind == "object" or "properties" in schema:
            required = set(schema.get("required", []))
            full = depth < 3 and key not in stack
            return {
                name: self.example(prop, depth + 1, (*stack, key))
                for name, prop in schema.get("properties", {}).items()
                if name in required or (full and not self.schema(prop).get("writeOnly"))
            }
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1.5))
        if kind == "boolean":
            return True
        if kind == "string":
            from .arguments import example_string

            return example_string(schema, "value")
        return {}
