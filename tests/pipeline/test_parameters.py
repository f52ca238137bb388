"""Reading parameters in every style OpenAPI defines, typed as their schemas declare.

The expected values are the OpenAPI specification's own table ("Style Examples"): ``color``
as the string ``blue``, the array ``[blue, black, brown]`` and the object ``{R: 100, G: 200,
B: 150}``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.datastructures import QueryParams

from specfake import ServerConfig
from specfake.pipeline.parameters import ABSENT, StyleError, header_value, read_parameter
from specfake.spec import load_spec
from specfake.spec.compile import CompiledParameter, ValueShape, compile_spec
from specfake.spec.validators import SchemaValidator
from tests.asgi import in_process

STYLES_SPEC = Path(__file__).with_name("styles.openapi.yaml")
SHAPES = {
    "primitive": ({"type": "string"}, ValueShape(types=("string",))),
    "array": (
        {"type": "array", "items": {"type": "string"}},
        ValueShape(types=("array",), item_types=("string",)),
    ),
    "object": (
        {"type": "object"},
        ValueShape(types=("object",), property_types={name: ("integer",) for name in "RGB"}),
    ),
}
BLUE = "blue"
COLOURS = ["blue", "black", "brown"]
RGB = {"R": 100, "G": 200, "B": 150}


def color(location: str, style: str, explode: bool, shape: str) -> CompiledParameter:
    schema, value_shape = SHAPES[shape]
    return CompiledParameter(
        "color", location, False, SchemaValidator(schema, {}), value_shape, style, explode
    )  # type: ignore[arg-type]


def read(parameter: CompiledParameter, written: str) -> Any:
    """Read ``parameter`` from a request where it is written as ``written``: the path
    segment, the header value, or the query string."""
    if parameter.location == "query":
        params = QueryParams(written)
        return read_parameter(parameter, {}, {key: params.getlist(key) for key in params}, {})
    source = {"color": written}
    return read_parameter(parameter, source if parameter.location == "path" else {}, {}, source)


@pytest.mark.parametrize(
    ("location", "style", "explode", "shape", "written", "expected"),
    [
        ("path", "matrix", False, "primitive", ";color=blue", BLUE),
        ("path", "matrix", False, "array", ";color=blue,black,brown", COLOURS),
        ("path", "matrix", False, "object", ";color=R,100,G,200,B,150", RGB),
        ("path", "matrix", True, "primitive", ";color=blue", BLUE),
        ("path", "matrix", True, "array", ";color=blue;color=black;color=brown", COLOURS),
        ("path", "matrix", True, "object", ";R=100;G=200;B=150", RGB),
        ("path", "label", False, "primitive", ".blue", BLUE),
        ("path", "label", False, "array", ".blue,black,brown", COLOURS),
        ("path", "label", False, "object", ".R,100,G,200,B,150", RGB),
        ("path", "label", True, "primitive", ".blue", BLUE),
        ("path", "label", True, "array", ".blue.black.brown", COLOURS),
        ("path", "label", True, "object", ".R=100.G=200.B=150", RGB),
        ("path", "simple", False, "primitive", "blue", BLUE),
        ("path", "simple", False, "array", "blue,black,brown", COLOURS),
        ("path", "simple", False, "object", "R,100,G,200,B,150", RGB),
        ("header", "simple", True, "primitive", "blue", BLUE),
        ("header", "simple", True, "array", "blue,black,brown", COLOURS),
        ("header", "simple", True, "object", "R=100,G=200,B=150", RGB),
        ("query", "form", False, "primitive", "color=blue", BLUE),
        ("query", "form", False, "array", "color=blue,black,brown", COLOURS),
        ("query", "form", False, "object", "color=R,100,G,200,B,150", RGB),
        ("query", "form", True, "primitive", "color=blue", BLUE),
        ("query", "form", True, "array", "color=blue&color=black&color=brown", COLOURS),
        ("query", "form", True, "object", "R=100&G=200&B=150", RGB),
        ("query", "spaceDelimited", False, "array", "color=blue%20black%20brown", COLOURS),
        ("query", "spaceDelimited", False, "object", "color=R%20100%20G%20200%20B%20150", RGB),
        ("query", "pipeDelimited", False, "array", "color=blue|black|brown", COLOURS),
        ("query", "pipeDelimited", False, "object", "color=R|100|G|200|B|150", RGB),
        ("query", "deepObject", True, "object", "color[R]=100&color[G]=200&color[B]=150", RGB),
    ],
)
def test_the_specifications_style_examples(location, style, explode, shape, written, expected):
    assert read(color(location, style, explode, shape), written) == expected


@pytest.mark.parametrize(
    ("location", "style", "explode", "shape", "written"),
    [
        ("query", "form", True, "primitive", "other=blue"),
        ("query", "form", True, "object", "other=1"),
        ("query", "deepObject", True, "object", "colour[R]=1"),
    ],
)
def test_a_parameter_the_request_does_not_write_is_absent(location, style, explode, shape, written):
    assert read(color(location, style, explode, shape), written) is ABSENT


@pytest.mark.parametrize(
    ("style", "explode", "shape", "written", "complaint"),
    [
        ("label", False, "primitive", "blue", "label style"),
        ("matrix", False, "primitive", "blue", "matrix style"),
        ("matrix", False, "array", ";colour=blue", "matrix style"),
        ("simple", False, "object", "R,100,G", "odd number of parts"),
        ("simple", True, "object", "R=100,G", "name=value"),
    ],
)
def test_text_that_breaks_the_style_says_how_it_should_look(
    style, explode, shape, written, complaint
):
    with pytest.raises(StyleError, match=complaint):
        read(color("path", style, explode, shape), written)


def test_strings_that_are_not_the_declared_type_stay_strings_for_the_validator():
    parameter = color("query", "form", False, "object")
    assert read(parameter, "color=R,1e999,G,x") == {"R": "1e999", "G": "x"}


def test_a_response_header_is_read_in_simple_style():
    assert header_value(color("header", "simple", False, "array"), "a,b") == ["a", "b"]


# -- through the compiler and the app ---------------------------------------------------------


def serve(*urls: str) -> list[httpx.Response]:
    async def send() -> list[httpx.Response]:
        async with in_process(ServerConfig(specs=[STYLES_SPEC])) as served:
            return [await served.client.get(url) for url in urls]

    return asyncio.run(send())


def test_schemas_behind_a_reference_are_typed_and_checked():
    ok, below_minimum, not_a_number = serve("/items/5?limit=3", "/items/0", "/items/x?limit=2")
    assert ok.status_code == 200
    assert below_minimum.status_code == 422
    assert below_minimum.json()["errors"] == [
        {"in": "path", "path": "id", "message": "0 is less than the minimum of 1"}
    ]
    assert not_a_number.json()["errors"] == [
        {"in": "path", "path": "id", "message": '"x" is not of type "integer"'}
    ]


def test_styled_query_parameters_reach_the_validator_as_values():
    valid, invalid = serve(
        '/items/5?filter[status]=open&filter[min]=2&ids=1|2&where={"near":true}',
        "/items/5?filter[min]=x&ids=1|a&where={oops",
    )
    assert valid.status_code == 200, valid.text
    assert invalid.status_code == 422
    assert {(error["path"], error["message"]) for error in invalid.json()["errors"]} == {
        ("filter", '/min: "x" is not of type "integer"'),
        ("ids", '/1: "a" is not of type "integer"'),
        ("where", "is not valid JSON: Expecting property name enclosed in double quotes: "
         "line 1 column 2."),
    }  # fmt: skip


def test_json_content_parameters_are_parsed_as_strictly_as_bodies():
    deep, not_a_number, plain_text = serve(
        "/items/5?where=" + "%5B" * 1500 + "%5D" * 1500, "/items/5?where=NaN", "/notes?t=hello"
    )
    assert deep.status_code == 422 and "levels deep" in deep.json()["errors"][0]["message"]
    assert not_a_number.status_code == 422
    assert "is not valid JSON" in not_a_number.json()["errors"][0]["message"]
    assert plain_text.status_code == 200, plain_text.text  # text/plain content: the text itself


def test_an_encoded_separator_stays_inside_its_value():
    one_item, two_items = serve("/tags/ab%2Ccd", "/tags/ab,cd")
    assert one_item.status_code == 422  # one tag "ab,cd", longer than 3 characters
    assert one_item.json()["errors"][0]["message"].startswith('/0: "ab,cd" is longer than 3')
    assert two_items.status_code == 200, two_items.text
    matrix = read(color("path", "matrix", False, "primitive"), ";color=a%3Bb")
    assert matrix == "a;b"


def test_composed_and_open_schemas_are_typed_too():
    wrapped, nullable, extra = serve(
        "/composed/5?n=7&d[x]=1", "/composed/5?n=", "/composed/5?d[x]=y"
    )
    assert wrapped.status_code == 200, wrapped.text
    assert nullable.status_code == 200, nullable.text
    assert extra.json()["errors"] == [
        {"in": "query", "path": "d", "message": '/x: "y" is not of type "integer"'}
    ]


def test_mocked_headers_are_written_as_they_are_read():
    (answer,) = serve("/notes?t=x")
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Tags"] == "a,b" and answer.headers["X-Meta"] == '{"n":1}'
    assert answer.headers["X-Trace"] == "trace me"


def test_a_style_openapi_does_not_define_for_the_location_is_a_warning_and_the_default(tmp_path):
    spec = STYLES_SPEC.read_text().replace("style: pipeDelimited", "style: matrix")
    (tmp_path / "bad.openapi.yaml").write_text(spec)
    loaded = load_spec(tmp_path / "bad.openapi.yaml")
    assert any('"matrix" is not one of' in warning.message for warning in loaded.warnings)
    operations, warnings = compile_spec(loaded)
    (warning,) = warnings
    assert "style 'matrix' is not defined for the query; read as 'form'" in warning.message
    styles = {p.name: p.style for op in operations for p in op.parameters}
    assert "matrix" not in {styles[name] for name in styles if name != "id"}
