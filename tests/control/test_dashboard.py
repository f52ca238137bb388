"""The dashboard's routes in process: the page and every script it imports are served from
the package; an entry's detail; what is served; the server-wide faults, settable at run time;
with a control token, the page's static files need none and everything else does."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from specfake import ServerConfig
from specfake.control.dashboard import STATIC_DIR
from specfake.feed import MAX_SUBSCRIBERS
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS
from tests.e2e.test_faults import OK, UNAVAILABLE, spec_with

BUNDLED = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
_IMPORT = re.compile(r"""from '\./([\w-]+\.js)'""")


def served(scenario, config: ServerConfig = BUNDLED):
    async def run():
        async with in_process(config) as app:
            return await scenario(app.client)

    return asyncio.run(run())


def test_the_page_and_every_module_it_imports_are_served_without_caching():
    async def scenario(client):
        page = await client.get("/__specfake__/")
        wanted, answers = ["dashboard.js", "dashboard.css"], {}
        while wanted:
            name = wanted.pop()
            if name in answers:
                continue
            answers[name] = await client.get(f"/__specfake__/static/{name}")
            wanted += _IMPORT.findall(answers[name].text)
        return page, answers

    page, answers = served(scenario)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="static/dashboard.js">' in page.text
    assert set(answers) == {path.name for path in STATIC_DIR.glob("*.*")} - {"index.html"}
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert answer.headers["cache-control"] == "no-cache"
    assert answers["dashboard.js"].headers["content-type"].startswith("text/javascript")


def test_an_entry_detail_has_the_request_the_answer_and_the_field_errors():
    async def scenario(client):
        await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": "seven"})
        entry = (await client.get("/__specfake__/requests")).json()["requests"][-1]
        return entry, await client.get(f"/__specfake__/requests/{entry['id']}")

    entry, detail = served(scenario)
    body = detail.json()
    assert body["id"] == entry["id"] and body["status"] == 422
    assert body["errors"] == entry["errors"] and body["errors"][0]["path"] == "/expectedVersionId"
    assert body["request"]["url"].endswith(DRAFT)
    assert ["authorization", "Bearer dev"] in body["request"]["headers"]
    assert body["request"]["body"] == '{"expectedVersionId":"seven"}'
    assert '"/expectedVersionId"' in body["response"]["body"]
    assert not body["response"]["truncated"]


def test_an_entry_no_longer_kept_is_a_404_problem():
    async def scenario(client):
        return await client.get("/__specfake__/requests/99")

    answer = served(scenario)
    assert answer.status_code == 404
    assert "dropped off the journal" in answer.json()["detail"]


def test_operations_lists_what_answers_each_with_its_statuses_and_examples():
    async def scenario(client):
        return (await client.get("/__specfake__/operations")).json()

    body = served(scenario)
    assert body["specs"] == ["cohort-draft", "plan-definitions"]
    assert body["reload_error"] is None
    update = next(op for op in body["operations"] if op["operationId"] == "update-draft")
    assert update["answered_by"] == "resource pathways (merge)" and update["auth"] is True
    assert "not-a-draft" in update["responses"]["409"]


def test_faults_are_read_set_and_applied_to_the_next_requests(tmp_path):
    config = ServerConfig(specs=[spec_with(tmp_path, {"200": OK, "503": UNAVAILABLE})])

    async def scenario(client):
        before = (await client.get("/__specfake__/faults")).json()
        put = await client.put("/__specfake__/faults", json={"fail_rate": 1})
        failed = await client.get("/f")
        await client.put("/__specfake__/faults", json={"fail_rate": 0, "latency_ms": 150})
        started = asyncio.get_running_loop().time()
        slow = await client.get("/f")
        waited = asyncio.get_running_loop().time() - started
        return before, put, failed, slow, waited

    before, put, failed, slow, waited = served(scenario, config)
    assert before == {"latency_ms": None, "fail_rate": 0.0}
    assert put.json() == {"latency_ms": None, "fail_rate": 1.0}
    assert failed.status_code == 503
    assert slow.status_code == 200 and waited >= 0.15


def test_faults_start_from_the_command_line_and_bad_ones_are_422_naming_the_field():
    config = replace(BUNDLED, latency_ms=(10, 20), fail_rate=0.5)

    async def scenario(client):
        start = (await client.get("/__specfake__/faults")).json()
        bad = await client.put("/__specfake__/faults",
                               json={"latency_ms": [30, 5], "fail_rate": 2, "jitter": 1})
        empty = await client.put("/__specfake__/faults", json={})
        after = (await client.get("/__specfake__/faults")).json()
        return start, bad, empty, after

    start, bad, empty, after = served(scenario, config)
    assert start == {"latency_ms": [10, 20], "fail_rate": 0.5}
    assert bad.status_code == 422
    assert {error["path"] for error in bad.json()["errors"]} == {
        "/latency_ms", "/fail_rate", "/jitter"
    }
    assert empty.status_code == 422
    assert after == start  # nothing applied from a refused body


def test_with_a_control_token_only_the_static_files_and_health_are_open():
    config = replace(BUNDLED, control_token="s3cret")

    async def scenario(client):
        return {
            "script": await client.get("/__specfake__/static/dashboard.js"),
            "health": await client.get("/__specfake__/health"),
            "page": await client.get("/__specfake__/"),
            "page with token": await client.get("/__specfake__/?control_token=s3cret"),
            "events": await client.get("/__specfake__/requests/1"),
            "header": await client.get("/__specfake__/faults",
                                       headers={"Specfake-Control-Token": "s3cret"}),
            "write": await client.post("/__specfake__/static/dashboard.js"),
        }

    answers = served(scenario, config)
    assert answers["script"].status_code == 200 and answers["health"].status_code == 200
    assert answers["page"].status_code == 401
    assert answers["page with token"].status_code == 200
    assert answers["events"].status_code == 401
    assert answers["header"].status_code == 200
    assert answers["write"].status_code == 401


def test_past_the_most_open_event_streams_a_new_one_is_a_503_problem():
    async def run():
        async with in_process(BUNDLED) as app:
            for _ in range(MAX_SUBSCRIBERS):
                app.specfake.feed.subscribe()
            return await app.client.get("/__specfake__/events")

    refused = asyncio.run(run())
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert refused.json()["type"].endswith("too-many-event-streams")
