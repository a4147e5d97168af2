"""Every generated module imports, and the package loads models only when they are used."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_every_generated_module_imports(product: str) -> None:
    base = f"bitbucket_client.{product}._generated"
    package = importlib.import_module(base)
    names = [info.name for info in pkgutil.walk_packages(package.__path__, base + ".")]
    assert len(names) > 300  # the models, the namespaces, the operation table
    for name in names:
        importlib.import_module(name)


def _loaded_after(code: str) -> dict[str, int]:
    script = code + (
        "\nimport json, sys\n"
        "mods = [m for m in sys.modules if '._generated.' in m]\n"
        "print(json.dumps({'models': sum('._generated.models.' in m for m in mods),"
        " 'namespaces': sum('._generated.namespaces.' in m for m in mods)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    result: dict[str, int] = json.loads(out)
    return result


def test_importing_the_package_loads_no_generated_models() -> None:
    assert _loaded_after("import bitbucket_client") == {"models": 0, "namespaces": 0}


def test_a_namespace_loads_no_model_and_one_call_only_the_models_it_needs() -> None:
    code = (
        "import asyncio, httpx\n"
        "from bitbucket_client import BitbucketServer\n"
        "async def main():\n"
        "    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={'id': 7}))\n"
        "    async with BitbucketServer('https://bb.example.com', 'T', transport=transport) as bb:\n"
        "        namespace = bb.pullrequests\n"
    )
    assert _loaded_after(code + "asyncio.run(main())") == {"models": 0, "namespaces": 1}
    code += "        assert (await namespace.get('P', 'r', 7)).id == 7\n"
    loaded = _loaded_after(code + "asyncio.run(main())")
    assert loaded["namespaces"] == 1
    assert 0 < loaded["models"] < 40  # of 472


def test_models_package_resolves_names_lazily() -> None:
    from bitbucket_client.cloud import models

    assert "Pullrequest" in dir(models)
    assert models.Pullrequest.__name__ == "Pullrequest"
    with pytest.raises(AttributeError):
        models.NoSuchModel  # noqa: B018
