"""The operation table entry type behind `bitbucket_client.cloud.OPERATIONS` and `.server.OPERATIONS`."""

from __future__ import annotations

import attrs


@attrs.frozen
class Operation:
    """One operation of an official document, under the name users call it by.

    `path` is the document's path template: relative to `/2.0` on Cloud and to `/rest` on Data Center.
    `module` is the generated module whose namespace class has the method (`namespaces.pullrequests`),
    relative to the product's `_generated` package. `path_kinds` names the path parameters that are not
    one segment, with their kind (`("path", "file_path")`: a file path keeps its `/`). `variants` are
    the names of the typed variants of the operation in the same namespace (`source.get` has
    `get_file`, `get_file_meta` and `list_directory`): other methods sending the same request.
    """

    namespace: str
    name: str
    http_method: str
    path: str
    deprecated: bool
    paginated: bool
    summary: str
    module: str
    path_kinds: tuple[tuple[str, str], ...] = ()
    """(path parameter, kind) for each parameter that is not a plain segment."""
    variants: tuple[str, ...] = ()
    """Method names of the operation's typed variants."""

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.name}"
