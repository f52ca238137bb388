"""``specfake diff``: what changed between two versions of a spec, classified for clients.

Breaking means a client written against the old spec may fail against the new one: an
operation or documented response gone, a request that must now carry more or may carry
less, a response that may now hold what the old one never did. The rules follow oasdiff's
(the usual, Go, tool); each change names its rule, its JSON Pointer and what changed.
"""

from __future__ import annotations

from specfake.diff.changes import Change
from specfake.diff.operations import compare_documents
from specfake.diff.render import FORMATS, render
from specfake.spec import LoadedSpec

__all__ = ["FORMATS", "Change", "diff_specs", "render"]


def diff_specs(old: LoadedSpec, new: LoadedSpec) -> list[Change]:
    """Every change from ``old`` to ``new`` (both loaded, so multi-file specs are bundled)."""
    return compare_documents(old.document, new.document).found
