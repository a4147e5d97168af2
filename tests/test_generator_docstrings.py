"""The generator's docstrings (scripts/bbgen/docstrings.py): the documents' text made readable in an
IDE hover, and the links to Atlassian's reference."""

from __future__ import annotations

import ast

import pytest
from bbgen.docstrings import (
    ELLIPSIS,
    WIDTH,
    attribute_docstring,
    escape,
    method_docstring,
    reference_link,
    to_markdown,
    trimmed,
)

CLOUD_URL = "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-{group}/#api-{anchor}"
SERVER_URL = (
    "https://developer.atlassian.com/server/bitbucket/rest/v{version}/api-group-{group}/#api-{anchor}"
)


def test_data_center_html_becomes_markdown() -> None:
    text = (
        "Merge it when <strong> all checks </strong> pass, with <code>version</code> set.<p>"
        'See <a href="/server/bitbucket/rest/v904/intro/">the intro</a> &amp; <em>more</em>.<br>'
        '<pre><code> {"a": 1}</code></pre>'
    )
    assert trimmed(text) == [
        "Merge it when **all checks** pass, with `version` set.",
        "",
        "See [the intro](https://developer.atlassian.com/server/bitbucket/rest/v904/intro/) & *more*.",
        "",
        "```",
        '{"a": 1}',
        "```",
    ]


def test_tables_become_one_line_per_row_and_placeholders_stay() -> None:
    text = (
        "Parameters:<table><tr><th>Name</th><th>Type</th></tr>"
        "<tr><td> title </td><td>String</td></tr></table>"
    )
    assert trimmed(text) == ["Parameters:", "", "| Name | Type", "| title | String"]
    assert to_markdown("Use <username> or `{uuid}`.") == "Use <username> or `{uuid}`."


def test_cloud_markdown_is_rewrapped_and_its_links_made_absolute() -> None:
    text = "Returns all pull\nrequests. See\n[filtering](/cloud/bitbucket/rest/intro/#filtering).\n\n"
    text += "* one\n* two\n"
    assert trimmed(text) == [
        "Returns all pull requests. See",
        "[filtering](https://developer.atlassian.com/cloud/bitbucket/rest/intro/#filtering).",
        "",
        "* one",
        "* two",
    ]


def test_long_text_is_cut_at_a_paragraph_and_says_so() -> None:
    paragraph = " ".join(["word"] * 40)  # three lines at the docstring width
    lines = trimmed("\n\n".join([paragraph] * 6), max_lines=8)
    assert len(lines) == 7  # two paragraphs and the blank line between them
    assert lines[-1].endswith(ELLIPSIS)
    assert all(len(line) <= WIDTH + len(ELLIPSIS) for line in lines)
    one_long = trimmed(" ".join(["word"] * 400), max_lines=3)
    assert len(one_long) == 3 and one_long[-1].endswith(ELLIPSIS)


def test_docstrings_cannot_be_broken_by_the_text() -> None:
    for text in ['ends with a quote "', 'has """ inside', "a \\ backslash", 'x"""']:
        assert ast.literal_eval('"""' + escape(text) + '"""') == text


def test_a_method_docstring_has_every_part() -> None:
    docstring = method_docstring(
        summary="Merge a pull request",
        description="Merges the pull request.\n\nIt can take a while.",
        deprecated=True,
        arguments=[("workspace", "The workspace slug."), ("undocumented", ""), ("async_", "Default false.")],
        returns="The merged pull request.",
        reference="https://example.com/#merge",
    )
    text = ast.literal_eval(docstring)
    assert text.splitlines() == [
        "Merge a pull request.",
        "",
        "Deprecated by Atlassian: calling it emits a `DeprecationWarning`.",
        "",
        "Merges the pull request.",
        "",
        "It can take a while.",
        "",
        "Args:",
        "    workspace: The workspace slug.",
        "    async_: Default false.",
        "",
        "Returns:",
        "    The merged pull request.",
        "",
        "Reference: https://example.com/#merge",
    ]


def test_a_description_that_repeats_the_summary_is_left_out() -> None:
    text = ast.literal_eval(
        method_docstring(
            summary="Get a user",
            description="Get a user.",
            deprecated=False,
            arguments=[],
            returns="",
            reference="R",
        )
    )
    assert text.splitlines() == ["Get a user.", "", "Reference: R"]


def test_model_field_docstrings_are_short() -> None:
    assert attribute_docstring("The title.\n\nMore about it.") == "The title.\n\nMore about it."
    assert len(attribute_docstring(" ".join(["word"] * 300)).splitlines()) == 6


@pytest.mark.parametrize(
    ("template", "version", "tags", "method", "path", "url"),
    [
        (
            CLOUD_URL,
            "2.0",
            ["Pullrequests"],
            "POST",
            "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/merge",
            "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-pullrequests/"
            "#api-repositories-workspace-repo-slug-pullrequests-pull-request-id-merge-post",
        ),
        (
            CLOUD_URL,
            "2.0",
            ["Issue tracker"],
            "GET",
            "/repositories/{workspace}/{repo_slug}/issues",
            "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-issue-tracker/"
            "#api-repositories-workspace-repo-slug-issues-get",
        ),
        (
            SERVER_URL,
            "9.4",
            ["Pull Requests"],
            "GET",
            "/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests/{pullRequestId}.diff",
            "https://developer.atlassian.com/server/bitbucket/rest/v904/api-group-pull-requests/"
            "#api-api-latest-projects-projectkey-repos-repositoryslug-pull-requests-pullrequestid-diff-get",
        ),
        (
            SERVER_URL,
            "9.4",
            ["Mirroring (Upstream)"],
            "GET",
            "/mirroring/latest/analyticsSettings",
            "https://developer.atlassian.com/server/bitbucket/rest/v904/api-group-mirroring--upstream-/"
            "#api-mirroring-latest-analyticssettings-get",
        ),
        (
            SERVER_URL,
            "9.4",
            [],
            "GET",
            "/api/latest/hooks/{hookKey}/avatar",
            "https://developer.atlassian.com/server/bitbucket/rest/v904/api-group-other-operations/"
            "#api-api-latest-hooks-hookkey-avatar-get",
        ),
    ],
)
def test_reference_links_follow_atlassians_urls(
    template: str, version: str, tags: list[str], method: str, path: str, url: str
) -> None:
    declared = ["Pullrequests", "Issue tracker", "Pull Requests", "Mirroring (Upstream)"]
    assert (
        reference_link(
            template, version=version, tags=tags, declared_tags=declared, http_method=method, path=path
        )
        == url
    )
