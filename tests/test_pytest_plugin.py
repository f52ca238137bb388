"""The pytest plugin, run by pytester in a fresh pytest: the fixtures a user's tests get."""

from __future__ import annotations

import pytest

from tests.conftest import SPECS

pytestmark = pytest.mark.e2e

USER_TESTS = '''
import httpx

DRAFT = "/v1/plan-definitions/a1b2c3d4-e5f6-4789-9abc-def012345678/draft"
AUTH = {"Authorization": "Bearer dev"}


def test_a_write_is_remembered(specfake):
    answer = httpx.patch(specfake.url + DRAFT, json={"expectedVersionId": 7}, headers=AUTH)
    assert answer.status_code == 200
    rows = {row["id"]: row for row in specfake.state()["pathways"]}
    assert rows["a1b2c3d4-e5f6-4789-9abc-def012345678"]["versionId"] == 8
    assert specfake.requests()[-1]["status"] == 200


def test_the_next_test_starts_from_the_fixtures(specfake):
    stale = httpx.patch(specfake.url + DRAFT, json={"expectedVersionId": 8}, headers=AUTH)
    assert stale.status_code == 409 and stale.json()["currentVersionId"] == 7


def test_put_state_replaces_what_it_names(specfake):
    specfake.put_state({"pathways": []})
    missing = httpx.patch(specfake.url + DRAFT, json={"expectedVersionId": 7}, headers=AUTH)
    assert missing.status_code == 404
    assert specfake.state()["cohort_catalog"]["departments"]


def test_the_session_server_is_one_process(specfake_server, specfake):
    assert specfake_server.url == specfake.url
'''


def test_the_fixtures_serve_the_bundled_specs_and_reset_between_tests(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_options_choose_the_specs(pytester):
    pytester.makepyfile(test_user='''
import httpx

def test_only_the_cohort_api_is_served(specfake):
    assert httpx.post(specfake.url + "/cohort/draft", json={"name": "x"}).status_code == 200
    plan = httpx.patch(specfake.url + "/v1/plan-definitions/x/draft", json={})
    assert plan.status_code == 404
''')
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--specfake-spec", str(SPECS / "cohort-draft.openapi.yaml")
    )
    result.assert_outcomes(passed=1)
