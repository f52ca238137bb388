"""``GET /__specfake__/requests?format=har``: the journal as HAR 1.2, bodies included, credentials
redacted; checked against the HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/)."""

from __future__ import annotations

import asyncio
import base64
import json

from jsonschema import Draft202012Validator

from specfake import ServerConfig
from tests.asgi import in_process
from tests.conftest import DOCS_PATHWAY, FIXTURES, SPECS

BUNDLED = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"

NAME_VALUE = {"type": "object", "required": ["name", "value"],
              "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}  # fmt: skip
NAME_VALUES = {"type": "array", "items": NAME_VALUE}
HAR_1_2 = {
    "type": "object", "required": ["log"],
    "properties": {"log": {
        "type": "object", "required": ["version", "creator", "entries"],
        "properties": {
            "version": {"const": "1.2"},
            "creator": {"type": "object", "required": ["name", "version"]},
            "entries": {"type": "array", "items": {
                "type": "object",
                "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
                "properties": {
                    "startedDateTime": {"type": "string", "format": "date-time"},
                    "time": {"type": "number", "minimum": 0},
                    "request": {"type": "object", "required": [
                        "method", "url", "httpVersion", "cookies", "headers", "queryString",
                        "headersSize", "bodySize"], "properties": {
                        "headers": NAME_VALUES, "queryString": NAME_VALUES,
                        "postData": {"type": "object", "required": ["mimeType", "text"]}}},
                    "response": {"type": "object", "required": [
                        "status", "statusText", "httpVersion", "cookies", "headers", "content",
                        "redirectURL", "headersSize", "bodySize"], "properties": {
                        "headers": NAME_VALUES,
                        "content": {"type": "object", "required": ["size", "mimeType"]}}},
                    "timings": {"type": "object", "required": ["send", "wait", "receive"]},
                },
            }},
        },
    }},
}  # fmt: skip


def jwt() -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'sub': 'someone'})}.c2ln"


def recorded() -> dict:
    token = jwt()

    async def scenario():
        async with in_process(BUNDLED) as served:
            client = served.client
            await client.patch(DRAFT, json={"expectedVersionId": 7, "title": f"by {token}"},
                               headers={"Authorization": f"Bearer {token}",
                                        "Cookie": "session=abc"})  # fmt: skip
            await client.post("/cohort/draft", json={"name": "x" * 70_000})
            await client.get("/v1/nowhere", params={"q": "1"})
            return (await client.get("/__specfake__/requests", params={"format": "har"})).json()

    return asyncio.run(scenario())


def test_the_export_is_har_1_2_with_both_bodies():
    har = recorded()
    Draft202012Validator(HAR_1_2, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(har)
    patch, _, unknown = har["log"]["entries"]
    assert patch["request"]["method"] == "PATCH" and patch["response"]["status"] == 200
    assert json.loads(patch["request"]["postData"]["text"])["expectedVersionId"] == 7
    answer = json.loads(patch["response"]["content"]["text"])
    assert answer["data"]["versionId"] == 8 and patch["_operationId"] == "update-draft"
    assert unknown["response"]["status"] == 404
    assert unknown["request"]["queryString"] == [{"name": "q", "value": "1"}]


def test_credentials_are_redacted():
    text = json.dumps(recorded())
    assert jwt() not in text and "session=abc" not in text
    patch = recorded()["log"]["entries"][0]
    headers = {h["name"].lower(): h["value"] for h in patch["request"]["headers"]}
    assert headers["authorization"] == headers["cookie"] == "[redacted]"
    assert "[redacted JWT]" in patch["request"]["postData"]["text"]


def test_a_body_past_the_journal_limit_is_cut_and_said_so():
    create = recorded()["log"]["entries"][1]
    assert create["request"]["bodySize"] > 70_000
    assert len(create["request"]["postData"]["text"]) == 64 * 1024
    # The answer echoes the name in its form_state: both are cut.
    assert create["comment"] == "request and response bodies cut to the journal's limit"
