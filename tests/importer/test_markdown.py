from specfake.importer.markdown import fenced_blocks

PAGE = """# Update a pathway draft

## OpenAPI Specification

```yaml
openapi: 3.1.0
```

## Examples

**Request**

```json
{"expectedVersionId": 7}
```

**Response**

````json
{"data": {"note": "``` inside"}}
````

```python Draft updated to version 8
print("hi")
```
"""


def test_blocks_carry_language_section_and_label():
    blocks = fenced_blocks(PAGE)
    assert [(b.language, b.section, b.label) for b in blocks] == [
        ("yaml", "OpenAPI Specification", ""),
        ("json", "Examples", "Request"),
        ("json", "Examples", "Response"),
        ("python", "Examples", "Response"),
    ]
    assert blocks[0].text == "openapi: 3.1.0\n"


def test_longer_fence_keeps_shorter_fences_inside():
    response = fenced_blocks(PAGE)[2]
    assert response.text == '{"data": {"note": "``` inside"}}\n'


def test_info_string_after_language_is_the_title():
    assert fenced_blocks(PAGE)[3].title == "Draft updated to version 8"


def test_unclosed_fence_runs_to_end_of_page():
    blocks = fenced_blocks("```yaml\na: 1\nb: 2")
    assert len(blocks) == 1 and blocks[0].text == "a: 1\nb: 2\n"


def test_heading_resets_label():
    blocks = fenced_blocks("**Request**\n## Other\n```json\n{}\n```\n")
    assert blocks[0].label == "" and blocks[0].section == "Other"
