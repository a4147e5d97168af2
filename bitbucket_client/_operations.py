"""The operation table entry type behind `bitbucket_client.cloud.OPERATIONS` and `.server.OPERATIONS`."""

from __future__ import annotations

import attrs


@attrs.frozen
class Operation:
    """One operation of an official document, under the name users call it by.

    `path` is the document's path template: relative to `/2.0` on Cloud and to `/rest` on Data Center.
    `module` is the generated module whose namespace class has the method (`namespaces.pullrequests`),
    relative to the product's `_generated` package.
    """

    namespace: str
    name: str
    http_method: str
    path: str
    deprecated: bool
    paginated: bool
    summary: str
    module: str

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.name}"
