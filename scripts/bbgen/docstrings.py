"""Write docstrings from the documents' text: HTML turned into Markdown, trimmed for an IDE hover.

Cloud writes Markdown (hard-wrapped, with code fences and site-relative links); Data Center writes HTML
(`<strong>`, `<code>`, tables, `<pre>`). Both become Markdown that reads well as plain text, cut to the
first paragraphs that fit a line budget (the reference link has the rest).
"""

from __future__ import annotations

import html
import re
import textwrap

DOCS_SITE = "https://developer.atlassian.com"
WIDTH = 96  # text width inside a method's docstring (indented by 8: lines stay under 110)
ELLIPSIS = " …"

_FENCE = "```"
_LIST_ITEM = re.compile(r"^(?:[-*+] |\d+[.)] |\| )")
_KNOWN_TAG = re.compile(
    r"</?(?:p|br|strong|b|em|i|u|code|tt|pre|table|thead|tbody|tr|td|th|ul|ol|li|a|h[1-6]|span|div)\b[^>]*>",
    re.IGNORECASE,
)


# ---- HTML to Markdown ---------------------------------------------------------------------------


def to_markdown(text: str) -> str:
    """`text` with the HTML it uses turned into Markdown, entities decoded, and site-relative links
    (`](/cloud/...)`) made absolute. Angle-bracket placeholders that are not HTML (`<username>`) stay."""
    if _KNOWN_TAG.search(text):
        text = _html_to_markdown(text)
    if "&" in text:
        text = html.unescape(text)
    return re.sub(r"\]\((/[^)\s]*)\)", lambda m: f"]({DOCS_SITE}{m.group(1)})", text)


def _html_to_markdown(text: str) -> str:
    def code_block(match: re.Match[str]) -> str:
        inner = html.unescape(_KNOWN_TAG.sub("", match.group(1))).strip("\n")
        return f"\n\n{_FENCE}\n{textwrap.dedent(inner).strip()}\n{_FENCE}\n\n"

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), _KNOWN_TAG.sub("", match.group(2)).strip()
        if target.startswith("/"):
            target = DOCS_SITE + target
        return label if not target or target == label else f"[{label}]({target})"

    def inline(marker: str) -> str:
        return marker + r"\2" + marker

    flags = re.IGNORECASE | re.DOTALL
    text = re.sub(r"<pre\b[^>]*>(.*?)</pre>", code_block, text, flags=flags)
    text = re.sub(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', link, text, flags=flags)
    text = re.sub(r"<h[1-6]\b[^>]*>\s*(.*?)\s*</h[1-6]>", r"\n\n**\1**\n\n", text, flags=flags)
    text = re.sub(r"<(strong|b)\b[^>]*>\s*(.*?)\s*</\1>", inline("**"), text, flags=flags)
    text = re.sub(r"<(em|i)\b[^>]*>\s*(.*?)\s*</\1>", inline("*"), text, flags=flags)
    text = re.sub(r"<(code|tt)\b[^>]*>\s*(.*?)\s*</\1>", inline("`"), text, flags=flags)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</?(p|ul|ol|table)\b[^>]*>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<li\b[^>]*>", "\n- ", text, flags=re.IGNORECASE)
    text = re.sub(r"<tr\b[^>]*>", "\n| ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*</t[dh]>\s*", " | ", text, flags=re.IGNORECASE)
    text = _KNOWN_TAG.sub("", text)
    # Table cells and list items arrive with the source's indentation: one space between words.
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(
        re.sub(r"^\| (.*?)\s*\|?$", r"| \1", line) if line.startswith("| ") else line for line in lines
    )


# ---- blocks and trimming ------------------------------------------------------------------------


def blocks(markdown: str) -> list[list[str]]:
    """The text's blocks: a paragraph (one string), list items or table rows (one string each, so they
    keep their own lines), or a code block (its lines verbatim, fences included)."""
    out: list[list[str]] = []
    current: list[str] = []
    code: list[str] | None = None
    for raw in markdown.strip().splitlines():
        line = raw.rstrip()
        if code is not None:
            code.append(line)
            if line.strip().startswith(_FENCE):
                out.append(code)
                code = None
            continue
        if line.strip().startswith(_FENCE):
            if current:
                out.append(current)
                current = []
            code = [line.strip()]
            continue
        stripped = line.strip()
        if not stripped:
            if current:
                out.append(current)
                current = []
        elif current and not _LIST_ITEM.match(stripped):
            current[-1] += " " + stripped
        else:
            current.append(stripped)
    if code is not None:
        out.append([*code, _FENCE])
    if current:
        out.append(current)
    return out


def wrap_block(block: list[str], width: int) -> list[str]:
    if block and block[0].startswith(_FENCE):
        return block
    lines: list[str] = []
    for item in block:
        hanging = "  " if _LIST_ITEM.match(item) and not item.startswith("| ") else ""
        lines += textwrap.wrap(
            item, width, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
        ) or [""]
    return lines


def trimmed(text: str, *, width: int = WIDTH, max_lines: int = 12, paragraphs: int = 99) -> list[str]:
    """The first blocks of `text` (as Markdown) that fit in `max_lines` wrapped lines (at most
    `paragraphs` blocks), separated by blank lines; `…` marks a cut."""
    out: list[str] = []
    all_blocks = blocks(to_markdown(text))
    for index, block in enumerate(all_blocks):
        lines = wrap_block(block, width)
        room = max_lines - len(out) - (1 if out else 0)
        if index >= paragraphs or len(lines) > room:
            if not out:  # even the first block is too long: cut it
                out = lines[:max_lines]
                if out[0].startswith(_FENCE):
                    out = [*out[: max_lines - 1], _FENCE]
                else:
                    out[-1] += ELLIPSIS
            elif not out[-1].startswith(_FENCE):
                out[-1] += ELLIPSIS
            return out
        out += ([""] if out else []) + lines
    return out


def escape(text: str) -> str:
    """`text` safe inside a triple-quoted docstring."""
    text = text.replace("\\", "\\\\")
    if text.endswith('"'):  # it would run into the closing quotes
        text = text[:-1] + '\\"'
    return text.replace('"""', '\\"\\"\\"')


def same_text(a: str, b: str) -> bool:
    """Whether two texts say the same thing (a description that only repeats the summary)."""

    def words(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    return words(a) == words(b)


# ---- reference links ------------------------------------------------------------------------------


def slug(text: str) -> str:
    """How Atlassian's reference spells a tag or a path in its URLs: lower case, every character other
    than a letter or digit a hyphen (`Mirroring (Upstream)` -> `mirroring--upstream-`)."""
    return re.sub(r"[^a-z0-9]", "-", text.lower())


def reference_link(
    template: str, *, version: str, tags: list[str], declared_tags: list[str], http_method: str, path: str
) -> str:
    """The operation's page on Atlassian's reference. Its group is its first tag; operations without a
    declared tag are under "Other operations"."""
    group = tags[0] if tags and tags[0] in declared_tags else "Other operations"
    anchor = slug(path.replace("{", "").replace("}", "")).strip("-") + "-" + http_method.lower()
    major, _, minor = version.partition(".")
    numeric_version = f"{major}{int(minor or 0):02d}" if major.isdigit() else version
    return template.format(group=slug(group), anchor=anchor, version=numeric_version)


# ---- a method's docstring -----------------------------------------------------------------------


def method_docstring(
    *,
    summary: str,
    description: str,
    deprecated: bool,
    arguments: list[tuple[str, str]],
    returns: str,
    reference: str,
    body_models: str = "",
) -> str:
    """A namespace method's docstring (Google style), quotes included: the summary, the deprecation
    note, the description's first paragraphs, `Args:` (each described parameter's first paragraph),
    `Returns:`, the models its body takes (`Body:`), and the link to the operation on Atlassian's
    reference."""
    first = to_markdown(summary).strip() or "Call the operation"
    lines = [first if first.endswith((".", "?", "!")) else first + "."]
    if deprecated:
        lines += ["", "Deprecated by Atlassian: calling it emits a `DeprecationWarning`."]
    if description and not same_text(description, summary):
        lines += ["", *trimmed(description)]
    described = [(name, text) for name, text in arguments if text.strip()]
    if described:
        lines += ["", "Args:"]
        for name, text in described:
            lines += [f"    {line}" for line in _argument(name, text)]
    if returns:
        lines += ["", "Returns:", *(f"    {line}" for line in trimmed(returns, width=WIDTH - 4, max_lines=4))]
    if body_models:
        lines += ["", "Body:", *(f"    {line}" for line in textwrap.wrap(body_models, WIDTH - 4))]
    lines += ["", f"Reference: {reference}"]
    return '"""' + escape("\n".join(lines)) + '\n"""'


def _argument(name: str, text: str, max_lines: int = 4) -> list[str]:
    """`name: text` (its paragraphs up to the first list or code block, joined), continuation lines
    indented, cut to `max_lines`."""
    paragraphs: list[str] = []
    for block in blocks(to_markdown(text)):
        if paragraphs and (len(block) > 1 or block[0].startswith(_FENCE) or _LIST_ITEM.match(block[0])):
            break
        paragraphs.append(" ".join(block))
    first = " ".join(paragraphs)
    lines = textwrap.wrap(
        f"{name}: {first}",
        WIDTH - 4,
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += ELLIPSIS
    return lines


def attribute_docstring(text: str, *, width: int = WIDTH + 4, max_lines: int = 6) -> str:
    """The docstring of a model field or class (without quotes): the description's first paragraphs."""
    return escape("\n".join(trimmed(text, width=width, max_lines=max_lines)))
