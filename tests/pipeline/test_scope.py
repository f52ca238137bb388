"""The scope readers against Starlette's (the plain way): ``RequestHeaders`` against
``Headers`` (a scan of the list per look-up) on generated header lists with repeated and
mixed-case names, and ``url_path`` against ``URL(scope=...).path``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import URL, Headers

from specfake.pipeline.scope import RequestHeaders, url_path

NAMES = ["host", "accept", "authorization", "x-a", "origin", "content-type"]
names = st.sampled_from(NAMES)
values = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=8)
header_lists = st.lists(
    st.tuples(names.map(str.encode), values.map(lambda text: text.encode("latin-1"))),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(raw=header_lists, asked=st.lists(st.sampled_from([*NAMES, "Host", "X-A", "absent"])))
def test_request_headers_read_what_starlette_headers_read(raw, asked):
    plain = Headers(raw=raw)
    headers = RequestHeaders(raw)
    for name in asked:
        assert headers.get(name) == plain.get(name)
        assert headers.get(name, "default") == plain.get(name, "default")
        assert (name in headers) == (name in plain)
        last = plain.getlist(name)[-1] if plain.getlist(name) else None
        assert headers.last(name.lower()) == last
    assert sorted(headers) == sorted(set(plain.keys()))
    assert len(headers) == len(set(plain.keys()))
    assert {name: headers[name] for name in headers} == {name: plain[name] for name in plain}


def test_a_name_no_request_can_carry_is_absent():
    """A spec's header parameter may be named outside latin-1 (``X-Ωmega``): absent, never an
    encoding error (a 500) on every request to its operation."""
    headers = RequestHeaders([(b"x-omega", b"1")])
    assert headers.get("X-Ωmega") is None
    assert headers.get("X-Ωmega", "default") == "default"
    assert "X-Ωmega" not in headers
    assert headers.last("x-ωmega") is None
    with pytest.raises(KeyError):
        headers["X-Ωmega"]


def test_the_parse_is_kept_in_the_scope_for_the_later_stages():
    scope = {"headers": [(b"host", b"127.0.0.1")]}
    first = RequestHeaders.of(scope)
    assert RequestHeaders.of(scope) is first
    assert first.get("Host") == "127.0.0.1"


path_texts = st.text(st.sampled_from("/ab%?#\\\t\r\né~"), max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    path=st.one_of(path_texts, path_texts.map(lambda text: "/" + text)),
    server=st.sampled_from([("127.0.0.1", 4010), None, ("::1", 80)]),
    root_path=st.sampled_from(["", "/api"]),
)
def test_url_path_is_what_starlettes_url_says(path, server, root_path):
    scope = {"type": "http", "scheme": "http", "path": path, "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:4010")], "server": server,
             "root_path": root_path}
    assert url_path(scope) == URL(scope=scope).path
