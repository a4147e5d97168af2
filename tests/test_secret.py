"""`_secret`: a credential never shows in text, pickles or comparisons' timing; redaction of echoes."""

from __future__ import annotations

import pickle

import httpx
import pytest

from bitbucket_client._secret import REDACTED, Secret, redact, redact_bytes, sent_secrets


def test_a_secret_prints_as_stars_everywhere() -> None:
    secret = Secret("hunter2")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>20}"):
        assert "hunter2" not in text
    assert secret.reveal() == "hunter2"
    assert not hasattr(secret, "__dict__")


def test_a_secret_cannot_be_pickled_and_compares_by_value() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret("hunter2"))
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]


def test_the_credentials_a_request_carried_are_redacted_from_what_a_server_echoes() -> None:
    request = httpx.Request("GET", "https://x.example/", headers={"Authorization": "Bearer tok-123"})
    secrets = sent_secrets(request)
    assert "tok-123" in secrets
    assert "tok-123" not in redact("Invalid credentials: Bearer tok-123", secrets)
    assert REDACTED in redact("Invalid credentials: Bearer tok-123", secrets)
    assert b"tok-123" not in redact_bytes(b'{"error": "tok-123"}', secrets)
