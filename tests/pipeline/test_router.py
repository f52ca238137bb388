"""The router's segment tree against the plain way (every template's regex, in OpenAPI's
order: fewer parameters first), on generated templates and paths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.errors import Problem
from specfake.pipeline.router import (
    REMEMBERED_LENGTH,
    REMEMBERED_PATHS,
    Router,
    _descended,
    _find,
)
from specfake.spec import compile_operations
from specfake.spec.loader import LoadedSpec

LITERALS = ["a", "b", "pets", "mine", "v1", "x.json"]
NO_CONTENT = {"description": "done"}


def operations_for(templates: list[str], methods: tuple[str, ...] = ("get",)):
    paths = {
        template: {
            method: {"operationId": f"{method} {template}", "responses": {"204": NO_CONTENT}}
            for method in methods
        }
        for template in templates
    }
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    return compile_operations(LoadedSpec("routes", None, document))  # type: ignore[arg-type]


def plain_match(operations, method: str, raw_path: str) -> str:
    """Every template's regex in turn, concrete ones first: what the tree must agree with."""
    return plain_route(operations, method, raw_path)[0]


def plain_route(operations, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
    """``plain_match``, and the path parameters the matching template's regex reads."""
    by_template: dict[str, dict[str, object]] = {}
    for operation in operations:
        by_template.setdefault(operation.path_template, {})[operation.method] = operation
    for template in sorted(by_template, key=lambda t: (t.count("{"), t)):
        methods = by_template[template]
        first = next(iter(methods.values()))
        found = first.path_regex.match(raw_path)
        if found:
            if method not in methods:
                return "405", {}
            return template, dict(zip(first.path_parameter_names, found.groups(), strict=True))
    return "404", {}


def concreteness(segment: str) -> float:
    """A literal segment beats any template; templates by their literal text."""
    if "{" not in segment:
        return float("inf")
    return len(segment) - len(segment[segment.index("{"):segment.index("}") + 1])


def tree_match(router: Router, method: str, raw_path: str) -> str:
    try:
        return router.match(method, raw_path).operation.path_template
    except Problem as problem:
        return str(problem.status)


segments = st.one_of(st.sampled_from(LITERALS), st.just("{id}"), st.just("{name}.json"))
templates = st.lists(segments, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
path_segments = st.one_of(st.sampled_from(LITERALS), st.sampled_from(["7", "q.json", "%2F", ""]))


chosen_templates = st.lists(templates, min_size=1, max_size=8, unique=True)
segmented_paths = st.lists(st.lists(path_segments, min_size=1, max_size=3), min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(chosen=chosen_templates, paths=segmented_paths)
def test_the_tree_finds_what_the_regex_scan_finds(chosen, paths):
    operations = operations_for(chosen)
    router = Router(operations)
    for parts in paths:
        raw_path = "/" + "/".join(parts)
        plain = plain_match(operations, "GET", raw_path)
        tree = tree_match(router, "GET", raw_path)
        if plain in ("404", "405") or tree in ("404", "405"):
            assert tree == plain, (chosen, raw_path)
        elif tree != plain:
            # Both match; the tree prefers the more concrete segment level by level, the scan
            # the fewest parameters overall (OpenAPI names only /pets/mine before /pets/{id},
            # where both agree). Where they part, the tree's segment is the more concrete.
            level = next(i for i, (t, p) in enumerate(zip(tree.split("/"), plain.split("/"),
                                                            strict=False)) if t != p)  # fmt: skip
            assert concreteness(tree.split("/")[level]) > concreteness(plain.split("/")[level])


@settings(max_examples=300, deadline=None)
@given(chosen=chosen_templates, paths=segmented_paths)
def test_the_walk_reads_the_parameters_the_template_regex_reads(chosen, paths):
    operations = operations_for(chosen)
    router = Router(operations)
    for parts in paths:
        raw_path = "/" + "/".join(parts)
        try:
            found = router.match("GET", raw_path)
        except Problem:
            continue
        template = found.operation.path_template
        regex = found.operation.path_regex.match(raw_path)
        assert regex is not None, (template, raw_path)
        plain = dict(zip(found.operation.path_parameter_names, regex.groups(), strict=True))
        assert found.path_parameters == plain, (template, raw_path)


@settings(max_examples=300, deadline=None)
@given(chosen=chosen_templates, paths=segmented_paths)
def test_the_first_way_down_ends_where_the_search_ends(chosen, paths):
    router = Router(operations_for(chosen))
    for parts in paths:
        first: list[str] = []
        searched: list[str] = []
        found = _descended(router._root, parts, first)
        if found is not None:
            assert found is _find(router._root, parts, 0, searched), parts
            assert first == searched, parts


@settings(max_examples=200, deadline=None)
@given(chosen=chosen_templates, paths=segmented_paths)
def test_a_remembered_walk_answers_what_the_walk_answers(chosen, paths):
    router = Router(operations_for(chosen))
    for parts in [*paths, *paths]:  # each path twice: walked, then recalled
        raw_path = "/" + "/".join(parts)
        methods, parameters = router._walked(raw_path)
        recalled = router._recalled(raw_path)
        assert recalled[0] is methods and recalled[1] == parameters, raw_path
        assert recalled[1] is not router._recalled(raw_path)[1]  # each its own parameters


def test_the_remembered_walks_stay_bounded_and_keep_no_unknown_path():
    router = Router(operations_for(["/pets/{id}"]))
    router._recalled("/nope/1")
    router._recalled("/pets/" + "7" * REMEMBERED_LENGTH)
    assert router._walks == {}
    for number in range(REMEMBERED_PATHS + 1):
        assert router._recalled(f"/pets/{number}")[1] == {"id": str(number)}
    assert len(router._walks) <= REMEMBERED_PATHS
    assert router.match("GET", "/pets/7").path_parameters == {"id": "7"}


@pytest.mark.parametrize("templated", [False, True])
def test_a_whole_literal_path_is_found_by_the_lookup_as_by_the_walk(templated):
    templates = ["/pets", "/pets/mine", "/pets/", "/a/b.json", "/"]
    router = Router(operations_for([*templates, "/pets/{id}"] if templated else templates))
    for path in [*templates, "/pets/7", "/nope", "pets", ""]:
        static = router._static_match(path)
        walked = router._walked(path)[0]
        assert static is None or static is walked, path


def test_concrete_paths_win_and_other_methods_are_405():
    router = Router(operations_for(["/pets/{id}", "/pets/mine"], ("get", "delete")))
    assert router.match("GET", "/pets/mine").operation.path_template == "/pets/mine"
    found = router.match("DELETE", "/pets/7")
    assert (found.operation.path_template, found.path_parameters) == ("/pets/{id}", {"id": "7"})
    with pytest.raises(Problem) as raised:
        router.match("POST", "/pets/7")
    assert raised.value.status == 405 and raised.value.headers["Allow"] == "DELETE, GET"


def test_a_segment_mixing_text_and_a_parameter():
    router = Router(operations_for(["/files/{name}.json"]))
    assert router.match("GET", "/files/report.json").path_parameters == {"name": "report"}
    with pytest.raises(Problem):
        router.match("GET", "/files/report.xml")
