"""The dashboard in a real browser (Debian's chromium through Playwright, ``tests/browser.py``)
against a real ``specfake serve``: requests appear live, expand to their bodies, field errors
and a curl command that replays them; filters; state edit and reset; overrides and faults set
from the page; spec warnings; a broken watched edit; a control token passed on by the page.
Screenshots go to ``reports/``."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import yaml

from tests.browser import chromium, screenshot
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS
from tests.servers import running_server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
LIVE_MS = 1000  # "the dashboard shows a request within a second"


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


@pytest.fixture(scope="module")
def dashboard_server() -> Iterator[str]:
    with running_server("--no-watch") as url:
        yield url


@pytest.fixture
def api(dashboard_server: str) -> Iterator[httpx.Client]:
    """The server, back to its fixtures with an empty journal and no overrides or faults."""
    with httpx.Client(base_url=dashboard_server, timeout=10) as client:
        client.post("/__specfake__/reset").raise_for_status()
        client.delete("/__specfake__/requests").raise_for_status()
        client.delete("/__specfake__/overrides").raise_for_status()
        faults = {"latency_ms": None, "fail_rate": 0}
        client.put("/__specfake__/faults", json=faults).raise_for_status()
        yield client


@pytest.fixture
def page(browser, api: httpx.Client):
    from playwright.sync_api import expect

    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{api.base_url}/__specfake__/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#live")).to_have_text("live")
    yield page
    page.close()
    assert not errors, errors  # no script error on the page, whatever the test did


def rows(page):
    return page.locator("#journal tbody tr.entry")


def test_a_request_appears_live_and_expands_to_its_bodies_errors_and_curl(page, api):
    from playwright.sync_api import expect

    api.patch(DRAFT, headers=AUTH, json={"expectedVersionId": "it's seven"})  # a quote for curl
    first = rows(page).first
    expect(first).to_contain_text("422", timeout=LIVE_MS)
    expect(first.locator("td.error")).to_contain_text("/expectedVersionId")
    first.click()
    detail = page.locator("tr.detail")
    expect(detail.locator("ul.field-errors")).to_contain_text(
        'body /expectedVersionId: "it\'s seven" is not of type "number"'
    )
    expect(detail.locator("pre.request-body")).to_contain_text('"expectedVersionId": "it\'s seven"')
    expect(detail.locator("pre.response-body")).to_contain_text('"status": 422')
    screenshot(page, "request-detail")
    curl = detail.locator("pre.curl").inner_text()
    replayed = subprocess.run(["bash", "-c", f"{curl} -s -w '\n%{{http_code}}'"],
                              capture_output=True, text=True, timeout=30)  # fmt: skip
    body, status = replayed.stdout.rsplit("\n", 1)
    assert status == "422"  # a shell runs the command: it sends what the page showed
    assert json.loads(body)["errors"][0]["message"] == '"it\'s seven" is not of type "number"'
    expect(rows(page)).to_have_count(2, timeout=LIVE_MS)  # and the replay shows up too


def test_filters_by_status_and_operation(page, api):
    from playwright.sync_api import expect

    api.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})  # 200
    api.patch(DRAFT, headers=AUTH, json={})  # 422
    api.post("/cohort/draft", json={"name": "Spring", "idempotency_key": "k"})  # 200
    api.get("/nowhere")  # 404, no operation
    unknown = {"name": "Autumn", "departments": ["Nope"], "idempotency_key": "k2"}
    api.post("/cohort/draft", json=unknown)  # the fake's own 422, its field error journaled
    expect(rows(page)).to_have_count(5, timeout=LIVE_MS)
    expect(rows(page).first.locator("td.error")).to_have_text(
        "body /departments/0: no department is named 'Nope'"
    )
    page.select_option("#filters select[name=status]", "4")
    expect(rows(page)).to_have_count(3)
    page.select_option("#filters select[name=operation]", "update-draft")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("td.status")).to_have_text("422")
    page.select_option("#filters select[name=status]", "")
    expect(rows(page)).to_have_count(2)
    page.select_option("#filters select[name=operation]", "")
    page.fill("#filters input[name=code]", "200")
    expect(rows(page)).to_have_count(2)
    screenshot(page, "filtered")


def open_pathway(page):
    page.click("#tabs button[data-tab=state]")
    section = page.locator("details.section[data-section=pathways]")
    section.locator("> summary").click()
    resource = section.locator(f"details.resource[data-key='{DOCS_PATHWAY}']")
    resource.locator("> summary").click()
    return resource


def test_a_state_edit_is_saved_and_a_bad_one_names_the_field(page, api):
    from playwright.sync_api import expect

    resource = open_pathway(page)
    resource.locator("button.edit").click()
    editor = resource.locator("textarea")
    record = yaml.safe_load(editor.input_value())
    editor.fill(yaml.safe_dump({**record, "versionId": "two"}))  # YAML flow is not JSON
    resource.locator("button.save").click()
    expect(resource.locator(".problem")).to_contain_text("Unexpected token")  # not JSON
    editor.fill(json.dumps({**record, "versionId": "two"}))
    resource.locator("button.save").click()
    expect(resource.locator(".problem")).to_contain_text("/pathways/0/versionId")
    editor.fill(json.dumps({**record, "title": "Edited from the dashboard"}))
    resource.locator("button.save").click()
    expect(page.locator("#state-message")).to_contain_text("saved pathways")
    state = api.get("/__specfake__/state").json()
    row = next(row for row in state["pathways"] if row["id"] == DOCS_PATHWAY)
    assert row["title"] == "Edited from the dashboard"
    assert len(state["pathways"]) == 4  # the other records untouched
    expect(open_pathway_pre(page)).to_contain_text("Edited from the dashboard")
    screenshot(page, "state-edited")


def open_pathway_pre(page):
    section = page.locator("details.section[data-section=pathways]")
    return section.locator(f"details.resource[data-key='{DOCS_PATHWAY}'] pre")


def test_reset_from_the_page_goes_back_to_the_fixtures(page, api):
    from playwright.sync_api import expect

    assert api.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}).status_code == 200
    open_pathway(page)
    expect(open_pathway_pre(page)).to_contain_text('"versionId": 8')
    page.click("#reset-state")
    expect(page.locator("#state-message")).to_have_text("reset to the fixtures")
    expect(open_pathway_pre(page)).to_contain_text('"versionId": 7')
    state = api.get("/__specfake__/state").json()
    assert next(r for r in state["pathways"] if r["id"] == DOCS_PATHWAY)["versionId"] == 7


def test_an_override_added_on_the_page_answers_the_next_call(page, api):
    from playwright.sync_api import expect

    page.click("#tabs button[data-tab=faults]")
    form = page.locator("#override-form")
    form.locator("select[name=operationId]").select_option("update-draft")
    form.locator("select[name=status]").select_option("409")
    form.locator("select[name=example]").select_option("not-a-draft")
    form.locator("input[name=times]").fill("1")
    form.locator("button[type=submit]").click()
    expect(page.locator("#overrides tbody tr")).to_have_count(1)
    screenshot(page, "override")
    forced = api.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
    assert forced.status_code == 409 and forced.json()["currentStatus"] == "active"
    expect(page.locator("#overrides tbody tr")).to_have_count(0)  # used up, shown live
    assert api.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}).status_code == 200
    form.locator("select[name=status]").select_option("404")
    form.locator("select[name=example]").select_option("")
    form.locator("input[name=times]").fill("0")
    form.locator("button[type=submit]").click()
    expect(page.locator("#override-problem")).to_contain_text("/times")
    form.locator("input[name=times]").fill("")
    form.locator("button[type=submit]").click()  # a 404 until deleted
    expect(page.locator("#overrides tbody tr")).to_have_count(1)
    expect(page.locator("#override-problem")).to_be_hidden()
    page.locator("#overrides tbody tr button").click()
    expect(page.locator("#overrides tbody tr")).to_have_count(0)
    assert api.get("/__specfake__/overrides").json() == {"overrides": []}


def test_faults_are_set_from_the_page(page, api):
    from playwright.sync_api import expect

    page.click("#tabs button[data-tab=faults]")
    faults = page.locator("#faults")
    faults.locator("input[name=low]").fill("20")
    faults.locator("input[name=high]").fill("40")
    faults.locator("input[name=fail_rate]").fill("0.25")
    faults.locator("button[type=submit]").click()
    expect(page.locator("#faults-now")).to_have_text("now: latency 20 to 40 ms, fail rate 0.25")
    assert api.get("/__specfake__/faults").json() == {"latency_ms": [20, 40], "fail_rate": 0.25}
    faults.locator("input[name=fail_rate]").fill("3")
    faults.locator("button[type=submit]").click()
    expect(page.locator("#faults-problem")).to_contain_text("/fail_rate")


def test_a_full_journal_keeps_the_table_capped(page, api):
    from playwright.sync_api import expect

    for _ in range(1100):  # past the journal's 1,000 entries
        api.get("/nowhere")
    expect(page.locator("#shown")).to_contain_text("of 1100 matching", timeout=10_000)
    expect(rows(page)).to_have_count(300)
    page.reload()
    expect(page.locator("#shown")).to_have_text("showing 300 of 1000 matching (1000 kept)")


DEFECTIVE = {
    "openapi": "3.1.0",
    "info": {"title": "defective", "version": "1"},
    "paths": {"/things": {"get": {
        "operationId": "list-things",
        "parameters": [{"name": "on", "in": "query", "schema": {"type": "date"}}],
        "responses": {"200": {"description": "ok",
                              "content": {"application/json": {"example": []}}}},
    }}},
}  # fmt: skip


def test_warnings_and_a_control_token_with_a_defective_spec(browser, tmp_path):
    from playwright.sync_api import expect

    spec = tmp_path / "defective.openapi.yaml"
    spec.write_text(yaml.safe_dump(DEFECTIVE))
    with running_server(spec, "--no-watch", "--control-token", "t0ken") as url:
        page = browser.new_page()
        page.goto(f"{url}/__specfake__/?control_token=t0ken")
        expect(page.locator("#live")).to_have_text("live")  # the stream got the token too
        expect(page.locator("#warning-count")).not_to_have_text("")
        page.click("#tabs button[data-tab=warnings]")
        expect(page.locator("#warnings")).to_contain_text("'date' is not a JSON Schema type")
        screenshot(page, "warnings")
        httpx.get(f"{url}/things")
        expect(rows(page)).to_have_count(1, timeout=LIVE_MS)
        page.click("#tabs button[data-tab=state]")
        page.click("#reset-state")  # a write, with Origin and the token
        expect(page.locator("#state-message")).to_have_text("reset to the fixtures")
        page.close()


def test_a_broken_watched_edit_shows_on_the_page_until_it_is_fixed(browser, tmp_path):
    from playwright.sync_api import expect

    spec = tmp_path / "plan-definitions.openapi.yaml"
    shutil.copy(SPECS / "plan-definitions.openapi.yaml", spec)
    good = spec.read_text()
    with running_server(spec, "--fixtures", FIXTURES) as url:  # watched: serve's default
        page = browser.new_page()
        page.goto(f"{url}/__specfake__/")
        expect(page.locator("#live")).to_have_text("live")
        banner = page.locator("#reload-error")
        expect(banner).to_be_hidden()
        spec.write_text("openapi: 3.1.0\npaths: [broken\n")
        expect(banner).to_be_visible(timeout=3000)  # pushed by the stream, no reload of the page
        expect(banner).to_contain_text("plan-definitions.openapi.yaml")
        screenshot(page, "reload-error")
        spec.write_text(good)
        expect(banner).to_be_hidden(timeout=3000)
        page.close()
