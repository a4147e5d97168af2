"""The generator's rules as data (specs/rules/<product>.json, read by scripts/bbgen/rules.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bbgen.rules import RULES_DIR, RulesError, load_rules


def test_each_product_has_its_rules() -> None:
    cloud, server = load_rules("cloud"), load_rules("server")
    assert cloud.paging_parameters == ("page", "pagelen") and cloud.page_marker == "next"
    assert server.paging_parameters == ("start", "limit") and server.page_marker == "isLastPage"
    assert cloud.long_running == {"pullrequests.merge": 202} and server.long_running == {}
    assert cloud.request_type_default and not server.request_type_default
    assert cloud.timestamp_names is None
    assert server.timestamp_names is not None and server.timestamp_names.search("createdDate")
    assert (cloud.deprecated_tag, server.deprecated_tag) == (None, "Deprecated")
    assert "{version}" in server.reference_url and "{version}" not in cloud.reference_url


def _edited(tmp_path: Path, edit: dict[str, object]) -> Path:
    shutil.copy(RULES_DIR / "cloud.json", tmp_path / "cloud.json")
    data = json.loads((tmp_path / "cloud.json").read_text())
    data.update(edit)
    (tmp_path / "cloud.json").write_text(json.dumps(data))
    return tmp_path


def test_every_rule_says_why(tmp_path: Path) -> None:
    directory = _edited(tmp_path, {"long_running": {"pullrequests.merge": {"accepted_status": 202}}})
    with pytest.raises(RulesError, match="'long_running' needs a `reason`"):
        load_rules("cloud", directory)


def test_an_unknown_rule_is_refused(tmp_path: Path) -> None:
    directory = _edited(tmp_path, {"retry_everything": {"reason": "why not"}})
    with pytest.raises(RulesError, match="expected the keys"):
        load_rules("cloud", directory)
