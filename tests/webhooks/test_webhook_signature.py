"""X-Hub-Signature: signing, constant-time verification, and every way a signature can be wrong."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from webhook_testkit import SECRET, cloud_headers, load_body, server_headers

from bitbucket_client._exceptions import BitbucketError
from bitbucket_client.webhooks import (
    InvalidPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    SecretRequiredError,
    SignatureError,
    SignatureMismatchError,
    UnsupportedAlgorithmError,
    WebhookError,
    sign,
    unwrap,
    verify_signature,
)

BODY = load_body("cloud", "repo:push")


def expected_hex(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def test_sign_is_sha256_hmac_of_the_raw_body() -> None:
    assert sign("s3cret", b'{"a": 1}') == "sha256=" + expected_hex("s3cret", b'{"a": 1}')
    # A str secret is its UTF-8 bytes.
    assert sign(SECRET, BODY) == sign(SECRET.encode(), BODY)


@pytest.mark.parametrize("secret", [SECRET, SECRET.encode(), "x"])
def test_a_correct_signature_verifies(secret: str | bytes) -> None:
    verify_signature(secret, BODY, sign(secret, BODY))


@pytest.mark.parametrize(
    "header",
    [
        "SHA256=" + expected_hex(SECRET, BODY),
        "sha256=" + expected_hex(SECRET, BODY).upper(),
        "  sha256=" + expected_hex(SECRET, BODY) + "  ",
    ],
)
def test_algorithm_and_hex_case_and_surrounding_space_are_tolerated(header: str) -> None:
    verify_signature(SECRET, BODY, header)


def test_tampered_body_is_rejected() -> None:
    header = sign(SECRET, BODY)
    tampered = BODY.replace(b"analytical/engine", b"analytical/enginf", 1)
    assert tampered != BODY
    with pytest.raises(SignatureMismatchError, match="secret is wrong or the body was modified"):
        verify_signature(SECRET, tampered, header)


def test_one_flipped_bit_is_rejected() -> None:
    header = sign(SECRET, BODY)
    tampered = bytes([BODY[0] ^ 1]) + BODY[1:]
    with pytest.raises(SignatureMismatchError):
        verify_signature(SECRET, tampered, header)


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(SignatureMismatchError):
        verify_signature("another secret", BODY, sign(SECRET, BODY))


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_signature_is_rejected(header: str | None) -> None:
    with pytest.raises(MissingSignatureError, match="no X-Hub-Signature header"):
        verify_signature(SECRET, BODY, header)


def test_sha1_is_rejected_as_unsupported_algorithm() -> None:
    sha1 = "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    with pytest.raises(UnsupportedAlgorithmError, match="unsupported algorithm 'sha1'") as info:
        verify_signature(SECRET, BODY, sha1)
    assert info.value.algorithm == "sha1"
    assert "sha256" in str(info.value)


@pytest.mark.parametrize("algorithm", ["md5", "sha512", "SHA1"])
def test_other_algorithms_are_unsupported(algorithm: str) -> None:
    with pytest.raises(UnsupportedAlgorithmError) as info:
        verify_signature(SECRET, BODY, f"{algorithm}=abcdef")
    assert info.value.algorithm == algorithm.lower()


@pytest.mark.parametrize(
    "header",
    [
        "sha256",  # no '='
        "sha256=",  # no digest
        "sha256=not-hex-at-all-" + "0" * 46,  # right length, not hex
        "sha256=" + "a" * 63,  # one digit short
        "sha256=" + "a" * 65,  # one digit long
        "=" + "a" * 64,  # no algorithm
        "sha 256=" + "a" * 64,  # not a token
        "Bearer abc",
    ],
)
def test_malformed_signatures_are_rejected(header: str) -> None:
    with pytest.raises(MalformedSignatureError):
        verify_signature(SECRET, BODY, header)


def test_empty_body_with_the_signature_of_another_body_is_rejected() -> None:
    with pytest.raises(SignatureMismatchError):
        verify_signature(SECRET, b"", sign(SECRET, BODY))


def test_empty_body_even_correctly_signed_is_not_an_event() -> None:
    headers = cloud_headers("repo:push", b"")
    verify_signature(SECRET, b"", headers["X-Hub-Signature"])  # the HMAC itself is fine...
    with pytest.raises(InvalidPayloadError, match="empty"):  # ...but there is nothing to read
        unwrap(headers, b"", SECRET)


def test_unwrap_rejects_each_bad_case() -> None:
    good = server_headers("repo:refs_changed", BODY)
    cases: list[tuple[dict[str, str], bytes, str, type[SignatureError]]] = [
        (good, BODY + b" ", SECRET, SignatureMismatchError),
        (good, BODY, "wrong", SignatureMismatchError),
        ({k: v for k, v in good.items() if k != "X-Hub-Signature"}, BODY, SECRET, MissingSignatureError),
        (
            good | {"X-Hub-Signature": "sha1=" + hmac.new(SECRET.encode(), BODY, "sha1").hexdigest()},
            BODY,
            SECRET,
            UnsupportedAlgorithmError,
        ),
        (good | {"X-Hub-Signature": "sha256=zz"}, BODY, SECRET, MalformedSignatureError),
    ]
    for headers, body, secret, error in cases:
        with pytest.raises(error):
            unwrap(headers, body, secret)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # _signature calls hmac.compare_digest
    verify_signature(SECRET, BODY, sign(SECRET, BODY))
    with pytest.raises(SignatureMismatchError):
        verify_signature("wrong", BODY, sign(SECRET, BODY))
    assert len(calls) == 2
    assert all(isinstance(a, bytes) and isinstance(b, bytes) and len(a) == len(b) == 32 for a, b in calls)


def test_errors_never_reveal_the_secret_or_the_expected_signature() -> None:
    secret = "hunter2-very-secret"
    expected = expected_hex(secret, BODY)
    attempts = [
        None,
        "sha1=" + "a" * 40,
        "sha256=" + "b" * 64,
        "sha256=" + expected[:-1],
        "sha256=" + "0" * 64,
    ]
    for header in attempts:
        with pytest.raises(SignatureError) as info:
            verify_signature(secret, BODY, header)
        for text in (str(info.value), repr(info.value), repr(info.value.args)):
            assert secret not in text
            assert expected not in text
            assert expected.upper() not in text


def test_the_hierarchy_is_rooted_in_bitbucket_error() -> None:
    for error in (
        MissingSignatureError,
        MalformedSignatureError,
        UnsupportedAlgorithmError,
        SignatureMismatchError,
    ):
        assert issubclass(error, SignatureError)
    assert issubclass(SignatureError, WebhookError)
    assert issubclass(SecretRequiredError, WebhookError)
    assert issubclass(WebhookError, BitbucketError)


@pytest.mark.parametrize("secret", ["", b""])
def test_an_empty_secret_is_refused(secret: str | bytes) -> None:
    with pytest.raises(SecretRequiredError):
        verify_signature(secret, BODY, sign("x", BODY))
    with pytest.raises(SecretRequiredError):
        sign(secret, BODY)


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError, match="secret"):
        verify_signature(123, BODY, "sha256=" + "a" * 64)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="raw request bytes"):
        verify_signature(SECRET, BODY.decode(), "sha256=" + "a" * 64)  # type: ignore[arg-type]
