"""Parts of Cloud payloads that are not REST entities, so have no generated model: reviews, push changes,
the `changes` of update events. The public names are in :mod:`bitbucket_client.webhooks.cloud`.

A part declares each attribute with ``payload_field`` (its JSON key or path, and a converter), like the
events do, and decodes as leniently: a missing value, or one of the wrong JSON type, leaves the attribute
at its default (``UNSET``, ``None`` or an empty list), and the whole object stays in ``raw``.
"""

# attrs fields, not dataclass defaults: payload_field() builds an attrs.field with decoding metadata.
# ruff: noqa: RUF009

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Self

import attrs

from bitbucket_client._converters import INVALID
from bitbucket_client._types import UNSET, Unset
from bitbucket_client.cloud._generated.models import (
    Account,
    AnyRef,
    Branch,
    Commit,
    Link,
    RepositoryLinks,
    Tag,
)

from ._base import _SPEC_KEY, Path, _lookup, obj, objs, payload_field

__all__ = [
    "AccountChange",
    "FlagChange",
    "IssueChanges",
    "Part",
    "ProjectChanges",
    "PushChange",
    "PushChangeLinks",
    "RepositoryChanges",
    "RepositoryLinksChange",
    "Review",
    "TextChange",
]

Converter = Callable[[Any], Any]


@attrs.frozen(kw_only=True)
class Part:
    """Base of the hand-written payload parts. ``raw`` is the JSON object as sent."""

    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Decode a JSON object; never raises for odd or missing values."""
        values: dict[str, Any] = {}
        for name, paths, convert in _fields(cls):
            for path in paths:
                found = _lookup(data, path)
                value = INVALID if found is UNSET else convert(found)
                if value is not INVALID:
                    values[name] = value
                    break
        return cls(raw=data, **values)


_FIELDS: dict[type[Part], tuple[tuple[str, tuple[Path, ...], Converter], ...]] = {}


def _fields(cls: type[Part]) -> tuple[tuple[str, tuple[Path, ...], Converter], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            (field.name, *field.metadata[_SPEC_KEY])
            for field in attrs.fields(cls)
            if _SPEC_KEY in field.metadata
        )
    return found


# ---- converters: the JSON value, or INVALID when it does not fit ---------------------------------


def text(value: Any) -> Any:
    return value if isinstance(value, str) else INVALID


def flag(value: Any) -> Any:
    return value if isinstance(value, bool) else INVALID


def timestamp(value: Any) -> Any:
    if not isinstance(value, str):
        return INVALID
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return INVALID


def nullable(convert: Converter) -> Converter:
    """``convert``, and JSON ``null`` as None."""

    def decode(value: Any) -> Any:
        return None if value is None else convert(value)

    return decode


def either(*converters: Converter) -> Converter:
    """The first of ``converters`` that accepts the value."""

    def decode(value: Any) -> Any:
        for convert in converters:
            result = convert(value)
            if result is not INVALID:
                return result
        return INVALID

    return decode


def ref(value: Any) -> Any:
    """A ref by its ``type``: :class:`Branch`, :class:`Tag`, or :class:`AnyRef` for other kinds;
    JSON ``null`` (no ref) as None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return INVALID
    kind = value.get("type")
    if kind in ("branch", "named_branch", "bookmark"):
        return Branch.from_dict(value)
    if kind == "tag":
        return Tag.from_dict(value)
    return AnyRef.from_dict(value)


# ---- reviews and pushes --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Review(Part):
    """An approval or a change request: who (``user``) and when (``date``)."""

    user: Account | Unset = payload_field("user", obj(Account))
    date: datetime.datetime | Unset = payload_field("date", timestamp)


@attrs.frozen(kw_only=True)
class PushChangeLinks(Part):
    """Where to see a push change: ``html`` (the compare view), ``diff`` and ``commits`` (API)."""

    html: Link | Unset = payload_field("html", obj(Link))
    diff: Link | Unset = payload_field("diff", obj(Link))
    commits: Link | Unset = payload_field("commits", obj(Link))


@attrs.frozen(kw_only=True)
class PushChange(Part):
    """One ref updated by a push (an entry of ``push.changes``).

    ``old`` is ``None`` when the ref was created, ``new`` is ``None`` when it was deleted. Branches decode
    as :class:`Branch`, tags as :class:`Tag`, other kinds as :class:`AnyRef`. ``commits`` holds at most
    the newest few commits (``truncated`` says when there were more); ``links`` points at the change.
    """

    new: Branch | Tag | AnyRef | None = payload_field("new", ref, factory=lambda: None)
    old: Branch | Tag | AnyRef | None = payload_field("old", ref, factory=lambda: None)
    created: bool | Unset = payload_field("created", flag)
    closed: bool | Unset = payload_field("closed", flag)
    forced: bool | Unset = payload_field("forced", flag)
    truncated: bool | Unset = payload_field("truncated", flag)
    commits: list[Commit] = payload_field("commits", objs(Commit), factory=list)
    links: PushChangeLinks | Unset = payload_field("links", obj(PushChangeLinks))

    @property
    def ref_name(self) -> str | None:
        """The branch or tag name (from ``new``, or from ``old`` for a deletion)."""
        for changed in (self.new, self.old):
            if changed is not None and isinstance(changed.name, str):
                return changed.name
        return None


# ---- what an update changed: {"old": ..., "new": ...} per attribute ------------------------------


@attrs.frozen(kw_only=True)
class TextChange(Part):
    """A text attribute's ``old`` and ``new`` value (``None`` when it was, or became, unset)."""

    old: str | Unset | None = payload_field("old", nullable(text))
    new: str | Unset | None = payload_field("new", nullable(text))


@attrs.frozen(kw_only=True)
class FlagChange(Part):
    """A yes/no attribute's ``old`` and ``new`` value."""

    old: bool | Unset | None = payload_field("old", nullable(flag))
    new: bool | Unset | None = payload_field("new", nullable(flag))


@attrs.frozen(kw_only=True)
class AccountChange(Part):
    """A person attribute's ``old`` and ``new`` value: an account, a name (older payloads), or ``None``."""

    old: Account | str | Unset | None = payload_field("old", nullable(either(obj(Account), text)))
    new: Account | str | Unset | None = payload_field("new", nullable(either(obj(Account), text)))


@attrs.frozen(kw_only=True)
class RepositoryLinksChange(Part):
    """A repository's ``old`` and ``new`` links (they change with its name)."""

    old: RepositoryLinks | Unset | None = payload_field("old", nullable(obj(RepositoryLinks)))
    new: RepositoryLinks | Unset | None = payload_field("new", nullable(obj(RepositoryLinks)))


@attrs.frozen(kw_only=True)
class RepositoryChanges(Part):
    """What ``repo:updated`` changed: the attributes that did are set, the others stay ``UNSET``."""

    name: TextChange | Unset = payload_field("name", obj(TextChange))
    full_name: TextChange | Unset = payload_field("full_name", obj(TextChange))
    description: TextChange | Unset = payload_field("description", obj(TextChange))
    website: TextChange | Unset = payload_field("website", obj(TextChange))
    language: TextChange | Unset = payload_field("language", obj(TextChange))
    links: RepositoryLinksChange | Unset = payload_field("links", obj(RepositoryLinksChange))
    is_private: FlagChange | Unset = payload_field("is_private", obj(FlagChange))


@attrs.frozen(kw_only=True)
class ProjectChanges(Part):
    """What ``project:updated`` changed: the attributes that did are set, the others stay ``UNSET``."""

    name: TextChange | Unset = payload_field("name", obj(TextChange))
    key: TextChange | Unset = payload_field("key", obj(TextChange))
    description: TextChange | Unset = payload_field("description", obj(TextChange))
    is_private: FlagChange | Unset = payload_field("is_private", obj(FlagChange))


@attrs.frozen(kw_only=True)
class IssueChanges(Part):
    """What ``issue:updated`` changed: the attributes that did are set, the others stay ``UNSET``.
    ``status`` is the older name of ``state``, ``responsible`` of ``assignee``."""

    status: TextChange | Unset = payload_field("status", obj(TextChange))
    state: TextChange | Unset = payload_field("state", obj(TextChange))
    title: TextChange | Unset = payload_field("title", obj(TextChange))
    content: TextChange | Unset = payload_field("content", obj(TextChange))
    kind: TextChange | Unset = payload_field("kind", obj(TextChange))
    priority: TextChange | Unset = payload_field("priority", obj(TextChange))
    milestone: TextChange | Unset = payload_field("milestone", obj(TextChange))
    version: TextChange | Unset = payload_field("version", obj(TextChange))
    component: TextChange | Unset = payload_field("component", obj(TextChange))
    assignee: AccountChange | Unset = payload_field("assignee", obj(AccountChange))
    responsible: AccountChange | Unset = payload_field("responsible", obj(AccountChange))
