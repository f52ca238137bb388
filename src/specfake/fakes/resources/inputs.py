"""What the resource fake reads from a request: the body members the operation documents,
the page a list asks for, the path the request named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from specfake.fakes.resources.plan import Bound
from specfake.pipeline.outcome import OperationRequest

Record = dict[str, Any]
_PAGE_SIZES = ("limit", "per_page", "perPage", "pageSize", "page_size", "size")
_OFFSETS = ("offset", "skip", "start")


def documented_only(request: OperationRequest, names: frozenset[str]) -> OperationRequest:
    """``request`` with only the body members its schema documents (``names``): a client's
    extra field (a ``status`` in a PATCH) must not write what the operation does not offer to
    change."""
    body = request.body
    if not isinstance(body, dict) or not names or names >= body.keys():
        return request
    return replace(request, body={name: value for name, value in body.items() if name in names})


def page_of(rows: list[Record], query: Mapping[str, Any]) -> list[Record]:
    """One page of ``rows`` by the recognizable paging parameters: ``limit``/``offset``, or
    ``page`` (from 1) with ``per_page``/``pageSize``/``size``."""
    size = next((query[name] for name in _PAGE_SIZES if _is_count(query.get(name))), None)
    offset = next((query[name] for name in _OFFSETS if _is_count(query.get(name))), 0)
    page = query.get("page")
    if _is_count(page) and size is not None:
        offset = max(page - 1, 0) * size
    return rows[offset : offset + size] if size is not None else rows[offset:]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def request_path(bound: Bound, request: OperationRequest) -> str:
    path = bound.operation.path_template
    for name, value in request.path.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


def storable(body: Any, control_fields: frozenset[str]) -> Record:
    """The body members a write stores: not the ``control_fields``, the ones that carry the
    expected version or the idempotency key (they say how to write, not what)."""
    if not isinstance(body, dict):
        return {}
    if not control_fields:
        return body
    return {name: value for name, value in body.items() if name not in control_fields}
