"""Clone URLs: the user name each credential needs, path segments that stay segments, and a credential
that never shows in str, repr, f-strings, tracebacks or pickles."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest

from bitbucket_client import (
    CloneUrl,
    cloud_clone_url,
    git_bearer_env,
    server_clone_url,
    server_repository_url,
)

TOKEN = "s3cr:et/t+ken"  # characters a URL must escape


def test_cloud_access_token_goes_with_x_token_auth() -> None:
    url = cloud_clone_url("acme", "shop", access_token=TOKEN)
    assert url.reveal() == "https://x-token-auth:s3cr%3Aet%2Ft%2Bken@bitbucket.org/acme/shop.git"
    assert url.username == "x-token-auth"
    assert url.plain == "https://bitbucket.org/acme/shop.git"


def test_cloud_api_token_uses_the_username_or_the_static_name() -> None:
    assert cloud_clone_url("acme", "shop", api_token="t", username="alice").reveal() == (
        "https://alice:t@bitbucket.org/acme/shop.git"
    )
    assert cloud_clone_url("acme", "shop", api_token="t").username == "x-bitbucket-api-token-auth"


def test_cloud_api_token_refuses_the_email_address() -> None:
    with pytest.raises(ValueError, match="Bitbucket username"):
        cloud_clone_url("acme", "shop", api_token="t", username="alice@example.com")


def test_cloud_app_password_needs_the_username() -> None:
    assert cloud_clone_url("acme", "shop", app_password="p", username="bob").reveal() == (
        "https://bob:p@bitbucket.org/acme/shop.git"
    )
    with pytest.raises(ValueError, match="username"):
        cloud_clone_url("acme", "shop", app_password="p")


@pytest.mark.parametrize(
    "credentials",
    [{}, {"access_token": "a", "api_token": "b"}, {"api_token": "b", "app_password": "c", "username": "u"}],
)
def test_cloud_needs_exactly_one_credential(credentials: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        cloud_clone_url("acme", "shop", **credentials)


def test_an_access_token_with_a_username_is_refused() -> None:
    with pytest.raises(ValueError, match="x-token-auth"):
        cloud_clone_url("acme", "shop", access_token="a", username="alice")


def test_data_center_url_is_under_scm_with_the_context_path() -> None:
    url = server_clone_url(
        "https://git.example.com/bitbucket/rest", "PRJ", "shop", username="ci", token=TOKEN
    )
    assert url.reveal() == "https://ci:s3cr%3Aet%2Ft%2Bken@git.example.com/bitbucket/scm/prj/shop.git"
    personal = server_clone_url("https://git.example.com", "~Alice", "dots", username="alice", token="t")
    assert personal.reveal() == "https://alice:t@git.example.com/scm/~alice/dots.git"


def test_data_center_keeps_the_port_and_refuses_plain_http_unless_allowed() -> None:
    with pytest.raises(ValueError, match="plain http"):
        server_clone_url("http://git.internal:7990", "PRJ", "shop", username="ci", token="t")
    url = server_clone_url(
        "http://git.internal:7990", "PRJ", "shop", username="ci", token="t", allow_http=True
    )
    assert url.reveal() == "http://ci:t@git.internal:7990/scm/prj/shop.git"


@pytest.mark.parametrize("slug", ["", "..", "a/b", "a b", "x?y", "x#y", "x@y"])
def test_a_path_value_stays_one_segment(slug: str) -> None:
    with pytest.raises(ValueError, match="one path segment"):
        cloud_clone_url("acme", slug, access_token="t")
    with pytest.raises(ValueError, match="one path segment"):
        server_clone_url("https://git.example.com", slug, "shop", username="ci", token="t")


def test_the_server_must_be_an_absolute_url() -> None:
    with pytest.raises(ValueError, match="absolute"):
        server_clone_url("git.example.com", "PRJ", "shop", username="ci", token="t")


def test_empty_credentials_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        server_clone_url("https://git.example.com", "PRJ", "shop", username="ci", token="  ")
    with pytest.raises(ValueError, match="non-empty"):
        server_clone_url("https://git.example.com", "PRJ", "shop", username="", token="t")


def test_the_credential_never_shows() -> None:
    url = cloud_clone_url("acme", "shop", access_token=TOKEN)
    shown = [str(url), repr(url), f"{url}", f"{url:>80}", "%s" % url, url.redacted]  # noqa: UP031
    for text in shown:
        assert "s3cr" not in text
    assert str(url) == "https://x-token-auth:***@bitbucket.org/acme/shop.git"
    assert repr(url) == "CloneUrl('https://x-token-auth:***@bitbucket.org/acme/shop.git')"
    assert not hasattr(url, "__dict__")
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(url)


def test_tracebacks_with_locals_do_not_show_it() -> None:
    def fail(url: CloneUrl) -> None:
        raise RuntimeError("git failed")

    try:
        fail(cloud_clone_url("acme", "shop", access_token=TOKEN))
    except RuntimeError as error:
        text = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert "x-token-auth:***@" in text
    assert "s3cr" not in text


def test_equal_urls_compare_equal() -> None:
    first = cloud_clone_url("acme", "shop", access_token="a")
    assert first == cloud_clone_url("acme", "shop", access_token="a")
    assert first != cloud_clone_url("acme", "shop", access_token="b")
    assert len({first, cloud_clone_url("acme", "shop", access_token="a")}) == 1


def test_a_repository_url_without_credentials() -> None:
    assert server_repository_url("https://git.example.com/bb/rest/", "PRJ", "shop") == (
        "https://git.example.com/bb/scm/prj/shop.git"
    )
    with pytest.raises(ValueError, match="one path segment"):
        server_repository_url("https://git.example.com", "PRJ", "../x")


def test_project_tokens_go_to_git_as_a_bearer_header_it_really_reads(tmp_path: Path) -> None:
    env = git_bearer_env(TOKEN)
    assert dict(env) == {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Bearer {TOKEN}",
    }
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shown = subprocess.run(
        ["git", "config", "--get", "http.extraHeader"],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == f"Authorization: Bearer {TOKEN}"


def test_the_bearer_env_never_shows_the_token() -> None:
    env = git_bearer_env(TOKEN)
    for text in (repr(env), str(env), f"{env}"):
        assert "s3cr" not in text and "'GIT_CONFIG_VALUE_0': '***'" in text
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(env)
    for bad in ("", "  ", "a\nb"):
        with pytest.raises(ValueError, match="one line"):
            git_bearer_env(bad)
