"""Regenerate the typed async code of both products from the official OpenAPI documents.

    python scripts/generate.py                      # both products, write bitbucket_client/*/_generated
    python scripts/generate.py --product server     # one product
    python scripts/generate.py --check              # exit 1 if the committed code is not what we'd write
    python scripts/generate.py --report             # JSON: operations, warnings, models per product

Pipeline: find the document (see scripts/bbgen/sources.py) -> check its sha256 against specs/lock.json
-> apply specs/fixes/<product>.json -> normalise (scripts/bbgen/normalize.py, with specs/names and the
rules in specs/rules) -> models by openapi-python-client with specs/openapi-python-client.yaml and
scripts/templates -> namespaces and the operation table from scripts/templates (plan_namespaces.py)
-> header, format, replace the tree whole. docs/architecture.md has the steps and the layers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bbgen.fixes import apply_fixes, load_fixes
from bbgen.normalize import normalize
from bbgen.normalize_operations import iter_operations
from bbgen.render import render, replace_tree, tree_differences
from bbgen.request_fixes import RequestFixes
from bbgen.sources import ROOT, Locked, SpecError, load_document, read_lock, write_lock

PRODUCTS = ("cloud", "server")


def generated_dir(product: str) -> Path:
    return ROOT / "bitbucket_client" / product / "_generated"


def build(product: str, lock: Locked, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    upstream, digest, origin = load_document(lock, args.spec, accept_new=args.accept_new_spec)
    names = json.loads((ROOT / "specs" / "names" / f"{product}.json").read_text())
    fixes = load_fixes(ROOT / "specs" / "fixes" / f"{product}.json")
    apply_fixes(upstream, fixes)
    normalized = normalize(
        upstream, product=product, names=names, request_fixes=RequestFixes.from_entries(fixes)
    )
    rendered = render(normalized, product, workdir / product)
    return {
        "lock": Locked(
            product, lock.file, lock.url, str(upstream.get("info", {}).get("version", "")), digest
        ),
        "origin": origin,
        "rendered": rendered,
        "report": {
            "operations_in_spec": len(iter_operations(upstream)),
            "operations_generated": rendered.operations,
            "variants": rendered.variants,
            "warnings": len(rendered.warnings),
            "models": rendered.model_modules,
            "paginated": sum(row.paginated for row in normalized.operations),
            "deprecated": sum(row.deprecated for row in normalized.operations),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--product", choices=PRODUCTS, help="only this product (default: both)")
    parser.add_argument("--check", action="store_true", help="compare with the committed code; write nothing")
    parser.add_argument("--report", action="store_true", help="print the generation report as JSON")
    parser.add_argument("--spec", type=Path, help="path of the upstream document (needs --product)")
    parser.add_argument(
        "--accept-new-spec",
        action="store_true",
        help="accept a document whose sha256 differs from specs/lock.json, and update the lock",
    )
    parser.add_argument("--verbose", action="store_true", help="print every generator warning")
    args = parser.parse_args(argv)
    if args.spec and not args.product:
        parser.error("--spec needs --product")

    locks = read_lock()
    products = [args.product] if args.product else list(PRODUCTS)
    report: dict[str, Any] = {}
    status = 0
    with tempfile.TemporaryDirectory(prefix="bbgen-") as tmp:
        for product in products:
            try:
                result = build(product, locks[product], args, Path(tmp))
            except SpecError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            rendered = result["rendered"]
            report[product] = result["report"]
            if args.verbose or rendered.warnings:
                for warning in rendered.warnings:
                    print(f"warning ({product}): {warning}", file=sys.stderr)
            if args.check:
                differences = tree_differences(rendered.package_dir, generated_dir(product))
                if differences:
                    status = 1
                    print(
                        f"{product}: {len(differences)} generated file(s) differ from what "
                        f"scripts/generate.py writes, e.g. {differences[:5]}",
                        file=sys.stderr,
                    )
                else:
                    print(f"{product}: generated code is up to date ({result['origin']})", file=sys.stderr)
            else:
                replace_tree(rendered.package_dir, generated_dir(product))
                if result["lock"] != locks[product]:
                    locks[product] = result["lock"]
                    write_lock(locks)
                print(
                    f"{product}: wrote {generated_dir(product).relative_to(ROOT)} from {result['origin']}",
                    file=sys.stderr,
                )
    if args.report:
        print(json.dumps(report, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
