import textwrap

import pytest

from specfake.errors import SpecfakeError
from specfake.importer.assemble import DocsPage, assemble


def page(source: str, path: str, schema_name: str, schema_type: str, extra: str = "") -> DocsPage:
    text = textwrap.dedent(
        f"""\
        # A page
        ## OpenAPI Specification
        ```yaml
        openapi: 3.1.0
        info:
          title: api
          version: 1.0.0
        paths:
          {path}:
            get:
              operationId: op-{source}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/{schema_name}'
        components:
          schemas:
            {schema_name}:
              type: {schema_type}
        ```
        """
    )
    return DocsPage(source, text + extra)


def test_paths_and_components_of_two_pages_merge():
    document = assemble([page("a.md", "/a", "A", "object"), page("b.md", "/b", "B", "string")], "t")
    assert list(document["paths"]) == ["/a", "/b"]
    assert list(document["components"]["schemas"]) == ["A", "B"]
    assert document["info"] == {"title": "api", "version": "1.0.0"}


def test_identical_component_on_two_pages_is_fine():
    document = assemble([page("a.md", "/a", "S", "object"), page("b.md", "/b", "S", "object")], "t")
    assert document["components"]["schemas"]["S"] == {"type": "object"}


def test_conflicting_component_names_both_pages():
    with pytest.raises(SpecfakeError) as raised:
        assemble([page("a.md", "/a", "S", "object"), page("b.md", "/b", "S", "string")], "t")
    assert "components/schemas/S" in str(raised.value)
    assert "a.md" in str(raised.value) and "b.md" in str(raised.value)


def test_same_operation_twice_with_differences_is_a_conflict():
    with pytest.raises(SpecfakeError, match="paths//a/get"):
        assemble([page("a.md", "/a", "A", "object"), page("b.md", "/a", "A", "object")], "t")


def test_json_examples_become_named_operation_examples():
    examples = textwrap.dedent(
        """
        ## Examples
        **Response**
        ```json
        {"ok": true}
        ```
        ```python Listing things
        print()
        ```
        """
    )
    document = assemble([page("a.md", "/a", "A", "object", examples)], "t")
    media = document["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["examples"] == {
        "listing-things": {"summary": "Listing things", "value": {"ok": True}}
    }


def test_broken_json_example_is_an_error_naming_the_page():
    broken = "\n## Examples\n**Request**\n```json\n{oops}\n```\n"
    with pytest.raises(SpecfakeError, match=r"a\.md: the Request example"):
        assemble([page("a.md", "/a", "A", "object", broken)], "t")


def test_header_parameters_openapi_ignores_are_dropped_where_covered():
    from specfake.importer import without_ignored_headers

    header = {"in": "header", "required": True, "schema": {"type": "string"}}
    document = {
        "security": [{"bearer": []}],
        "paths": {"/a": {
            "post": {"parameters": [{"name": "Authorization", **header},
                                    {"name": "Content-Type", **header},
                                    {"name": "X-Trace", **header}],
                     "requestBody": {"content": {"application/json": {}}}},
            "get": {"security": [], "parameters": [{"name": "Authorization", **header},
                                                    {"name": "accept", **header}]},
        }},
    }  # fmt: skip
    paths = without_ignored_headers(document)["paths"]["/a"]
    assert [p["name"] for p in paths["post"]["parameters"]] == ["X-Trace"]
    # No security on the GET: its Authorization header says something; no documented
    # responses: nor does its Accept go.
    assert [p["name"] for p in paths["get"]["parameters"]] == ["Authorization", "accept"]
