"""The layers, read from the source: generated code imports only the support layer, the support layer
never imports generated code, and no modules import each other except recursive schemas.

Imports are read with `ast`, in three kinds: at import time (module and class bodies), lazy (inside a
function) and for type checkers only (`if TYPE_CHECKING:`). The exceptions that remain until the core
split (issue #12, item 1) are listed below with their reason, so that tightening the layering is
deleting a line here.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import attrs
import pytest
from conftest import ROOT

PACKAGE = "bitbucket_client"
GENERATED_PREFIXES = ("bitbucket_client.cloud._generated", "bitbucket_client.server._generated")
THIRD_PARTY_FOR_GENERATED = {"httpx", "attrs"}

# The product layer: hand-written modules that sit ABOVE the generated code (they assemble it into the
# clients and the product packages), so they may import it. Every other `bitbucket_client._*` module is
# the support layer, below the generated code.
PRODUCT_LAYER = {
    "bitbucket_client._client": "the product clients inherit the generated namespace mixins",
    "bitbucket_client._lazy": "the product packages' lazy loader of OPERATIONS and models",
}


@attrs.frozen
class Import:
    target: str
    kind: str  # "runtime" (import time), "lazy" (in a function) or "typing" (TYPE_CHECKING)
    line: int


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dynamic_generated_import(node: ast.stmt) -> bool:
    """`importlib.import_module(f"{package}._generated...")` in a simple statement (the product is not
    known, so it counts as the first product's generated package)."""
    if isinstance(
        node,
        ast.If
        | ast.For
        | ast.While
        | ast.With
        | ast.Try
        | ast.FunctionDef
        | ast.AsyncFunctionDef
        | ast.ClassDef,
    ):
        return False
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "import_module"
        ):
            if call.args and "._generated" in ast.unparse(call.args[0]):
                return True
    return False


def imports_of(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text())
    found: list[Import] = []

    def visit(nodes: list[ast.stmt], kind: str) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(Import(alias.name, kind, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node)
                submodules = [f"{target}.{alias.name}" for alias in node.names]
                if all(name in MODULES for name in submodules):  # `from . import _runtime`
                    found.extend(Import(name, kind, node.lineno) for name in submodules)
                else:
                    found.append(Import(target, kind, node.lineno))
            elif _dynamic_generated_import(node):
                found.append(Import(GENERATED_PREFIXES[0], kind, node.lineno))
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.body, "typing")
                visit(node.orelse, kind)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, "typing" if kind == "typing" else "lazy")
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        visit([child for child in children if isinstance(child, ast.stmt)], kind)
                for handler in getattr(node, "handlers", []) or []:
                    visit(handler.body, kind)

    visit(tree.body, "runtime")
    return found


def _internal(target: str) -> str | None:
    """The module of this package that `target` names (the closest enclosing one), else None."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _is_generated(module: str) -> bool:
    return module.startswith(GENERATED_PREFIXES)


def _is_support(module: str) -> bool:
    """The hand-written core under generated code: `bitbucket_client._*` modules but the product layer."""
    return module.count(".") == 1 and module.split(".")[1].startswith("_") and module not in PRODUCT_LAYER


def _graph(kinds: set[str]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for module in MODULES:
        for found in imports_of(module):
            target = _internal(found.target)
            if found.kind in kinds and target is not None and target != module:
                graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(frozenset(component))

    # The graph has ~1,000 modules: room for the recursion, given back afterwards (other tests rely on
    # the default limit, e.g. to see that deeply nested JSON is refused).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(graph):
            if node not in index:
                connect(node)
    finally:
        sys.setrecursionlimit(limit)
    return out


# ---- the checks -------------------------------------------------------------------------------------


def test_the_reader_sees_every_kind_of_import() -> None:
    namespace = imports_of("bitbucket_client.cloud._generated.namespaces.pullrequests")
    kinds = {(found.target, found.kind) for found in namespace}
    assert ("bitbucket_client._request", "runtime") in kinds
    assert ("bitbucket_client._base_client", "typing") in kinds
    assert ("bitbucket_client.cloud._generated.models.pullrequest", "lazy") in kinds
    assert ("bitbucket_client.cloud._generated.models.pullrequest", "typing") in kinds


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_generated_code_imports_only_the_support_layer(product: str) -> None:
    wrong = []
    for module in (m for m in MODULES if m.startswith(f"bitbucket_client.{product}._generated")):
        for found in imports_of(module):
            if found.kind == "typing":
                continue
            target = _internal(found.target)
            top = found.target.split(".")[0]
            if target is None:
                if top not in sys.stdlib_module_names and top not in THIRD_PARTY_FOR_GENERATED:
                    wrong.append(f"{module}:{found.line} imports {found.target}")
            elif not (_is_generated(target) or _is_support(target)):
                wrong.append(f"{module}:{found.line} imports {found.target}")
    assert wrong == []


def test_the_support_layer_never_imports_generated_code() -> None:
    wrong = []
    for module in (m for m in MODULES if _is_support(m)):
        for found in imports_of(module):
            target = _internal(found.target)
            if (
                found.kind != "typing"
                and target is not None
                and not (_is_support(target) or target == PACKAGE)
            ):
                wrong.append(f"{module}:{found.line} imports {found.target} ({found.kind})")
    assert wrong == []


def test_the_product_layer_is_what_imports_generated_code() -> None:
    # Each product-layer module is there because it needs the generated code; one that stops needing it
    # belongs to the support layer.
    for module in PRODUCT_LAYER:
        assert any(_is_generated(_internal(found.target) or "") for found in imports_of(module)), module


def test_no_modules_import_each_other_at_import_time() -> None:
    assert [sorted(cycle) for cycle in _cycles(_graph({"runtime"}))] == []


def test_only_recursive_schemas_import_each_other_when_run() -> None:
    """With imports in functions counted (models import the models that contain them lazily), the only
    cycles left are among model modules: schemas that contain themselves, through each other."""
    cycles = _cycles(_graph({"runtime", "lazy"}))
    assert cycles, "Cloud's repository contains its parent repository: expected at least one cycle"
    for cycle in cycles:
        assert all(".models." in module for module in cycle), sorted(cycle)
