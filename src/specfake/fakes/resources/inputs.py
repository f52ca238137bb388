"""What the resource fake reads from a request: the body members the operation documents,
the page a list asks for, the path the request named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from specfake.fakes.resources.patching import JSON_PATCH
from specfake.fakes.resources.plan import Bound
from specfake.fakes.resources.schemas import property_names
from specfake.pipeline.outcome import OperationRequest

Record = dict[str, Any]
_PAGE_SIZES = ("limit", "per_page", "perPage", "pageSize", "page_size", "size")
_OFFSETS = ("offset", "skip", "start")


def documented_only(bound: Bound, request: OperationRequest) -> OperationRequest:
    """``request`` with only the body members its schema documents: a client's extra field
    (a ``status`` in a PATCH) must not write what the operation does not offer to change."""
    body = request.body
    if not isinstance(body, dict):
        return request
    names = bound.memoized("body names", lambda: _body_names(bound))
    if not names or names >= body.keys():
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


def _body_names(bound: Bound) -> set[str]:
    names: set[str] = set()
    for media_type, media in bound.operation.body_media.items():
        if media.validator is not None and media_type != JSON_PATCH:
            names |= property_names(media.validator.schema, bound.operation.schema_root)
    return names
