"""The per-product tally printed at the end of the run (`pytest_terminal_summary` in conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from bitbucket_client import cloud, server

from .exclusions import EXCLUDED

OPERATIONS = {"cloud": cloud.OPERATIONS, "server": server.OPERATIONS}
TITLES = {"cloud": "Cloud 2.0", "server": "Data Center 9.4"}


@attrs.define
class Outcome:
    product: str
    qualified: str
    excluded: bool = False
    exercised: bool = False  # called through the facade against Prism
    accepted: bool = False  # Prism found no request-side violation and answered the documented 2xx
    parsed: bool = False  # the answer decoded into the documented type, every field
    body_mode: str = "none"
    tolerated: list[str] = attrs.Factory(list)  # values refused where Prism's own sample breaks the document
    variant_of: str | None = None  # a typed variant of this operation
    typed_any: bool = False  # the answer is typed `Any`: the document gives it no schema
    answer_unchecked: bool = False  # a variant whose answer the document does not describe


RESULTS: dict[tuple[str, str], Outcome] = {}


def record(product: str, qualified: str, *, variant_of: str | None = None) -> Outcome:
    outcome = Outcome(product, qualified, excluded=(product, qualified) in EXCLUDED, variant_of=variant_of)
    RESULTS[(product, qualified)] = outcome
    return outcome


def write_json(path: Path) -> None:
    """Every outcome as JSON (`CONTRACT_REPORT=path pytest -m contract`), for a closer look."""
    path.write_text(json.dumps([attrs.asdict(o) for o in RESULTS.values()], indent=1))


def summary_lines() -> list[str]:
    lines = []
    for product, table in OPERATIONS.items():
        outcomes = [o for o in RESULTS.values() if o.product == product]
        if not outcomes:
            continue
        run = [o for o in outcomes if not o.excluded]
        excluded = [o for o in outcomes if o.excluded]
        accepted = sum(o.accepted for o in run)
        parsed = sum(o.accepted and o.parsed for o in run)
        bodies = {mode: sum(o.body_mode == mode for o in run) for mode in ("body", "keywords", "form")}
        tolerated = sum(len(o.tolerated) for o in run)
        variants = [o for o in outcomes if o.variant_of]
        typed_any = [o for o in run if o.typed_any and o.accepted and o.parsed]
        lines.append(
            f"{TITLES[product]}: {len(table)} operations and {len(variants)} variants, {len(outcomes)} "
            f"tested: {len(run)} exercised, {accepted} accepted, {parsed} parsed; {len(excluded)} excluded"
        )
        lines.append(
            f"    parsed as typed models or values: {parsed - len(typed_any)}; typed Any (no schema in the "
            f"document): {len(typed_any)}; variants whose answer the document lacks (request checked): "
            f"{sum(o.answer_unchecked for o in run)}"
        )
        lines.append(
            f"    request bodies: {bodies['keywords']} as keyword fields, {bodies['body']} as body=, "
            f"{bodies['form']} as form fields; {tolerated} values left undecoded where Prism's own sample "
            "breaks the document"
        )
        for outcome in excluded:
            lines.append(f"    excluded {outcome.qualified}: {EXCLUDED[(product, outcome.qualified)].reason}")
        failed = [o.qualified for o in run if not (o.accepted and o.parsed)]
        if failed:
            lines.append(f"    not accepted or not parsed ({len(failed)}): {', '.join(sorted(failed))}")
    return lines
