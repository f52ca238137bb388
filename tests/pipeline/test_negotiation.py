import pytest

from specfake.pipeline.negotiation import accepts


@pytest.mark.parametrize(
    ("accept", "media_type", "expected"),
    [
        (None, "application/json", True),
        ("*/*", "application/json", True),
        ("application/*", "application/json", True),
        ("application/json", "application/problem+json", True),
        ("text/html", "application/json", False),
        ("application/json;q=0", "application/json", False),
        ("text/html, application/json;q=0.5", "application/json", True),
    ],
)
def test_accept_header_matching(accept, media_type, expected):
    assert accepts(accept, media_type) is expected
