"""Rules for the pathway API: auth, errors, optimistic locking, publish, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from specfake.contract.probe import Exchange
from specfake.contract.report import RuleResult
from specfake.contract.rules import Needs, RuleContext, expect_status, rule

API = "pathways"
CONCURRENT_WRITERS = 16


def draft_path(pathway_id: str) -> str:
    return f"/v1/plan-definitions/{pathway_id}/draft"


def publish_path(pathway_id: str) -> str:
    return f"/v1/plan-definitions/{pathway_id}/publish"


def unknown_id(context: RuleContext) -> str:
    return f"specfake-check-unknown-{context.run_id}"


@rule("auth-required", "no token or a bad one is 401 with WWW-Authenticate", API, Needs.NOTHING)
def auth_required(context: RuleContext, result: RuleResult) -> None:
    """PATCH and publish an unknown id with no token, a non-JWT bearer and Basic credentials."""
    pathway = unknown_id(context)
    for authorization in (None, "Bearer specfake-check-not-a-token", "Basic c3BlY2Zha2U6Y2hlY2s="):
        for method, path, body in (
            ("PATCH", draft_path(pathway), {"expectedVersionId": 1}),
            ("POST", publish_path(pathway), None),
        ):
            what = f"{method} {path} with Authorization {authorization!r}"
            sent = context.probe.send(method, path, json_body=body, authorization=authorization)
            if expect_status(result, what, sent.status, {401}) and not sent.headers.get(
                "www-authenticate"
            ):
                result.fail(f"{what}: 401 without a WWW-Authenticate header")


@rule("unknown-pathway-404", "an unknown id is 404 for PATCH and publish", API, Needs.NOTHING)
def unknown_pathway(context: RuleContext, result: RuleResult) -> None:
    """PATCH and publish an id no server has."""
    pathway = unknown_id(context)
    patched = context.probe.send("PATCH", draft_path(pathway), json_body={"expectedVersionId": 1})
    expect_status(result, "PATCH of an unknown id", patched.status, {404})
    published = context.probe.send("POST", publish_path(pathway))
    expect_status(result, "publish of an unknown id", published.status, {404})


@rule("pathway-malformed-json-400", "malformed JSON is 400, never 5xx", API, Needs.NOTHING)
def malformed_json(context: RuleContext, result: RuleResult) -> None:
    """PATCH an unknown id with a truncated JSON body."""
    sent = context.probe.send(
        "PATCH", draft_path(unknown_id(context)), content=b'{"expectedVersionId": '
    )
    expect_status(result, "truncated JSON body", sent.status, {400})


@rule("pathway-invalid-body-422", "a body that breaks the schema is 422 naming the field", API,
      Needs.NOTHING)  # fmt: skip
def invalid_body(context: RuleContext, result: RuleResult) -> None:
    """PATCH an unknown id with ``expectedVersionId`` as a string."""
    sent = context.probe.send(
        "PATCH", draft_path(unknown_id(context)), json_body={"expectedVersionId": "seven"}
    )
    if expect_status(result, "expectedVersionId as a string", sent.status, {422}):
        paths = [error.get("path") for error in (sent.body or {}).get("errors", [])]
        if "/expectedVersionId" not in paths:
            result.fail(f"the 422 names {paths}, not /expectedVersionId")


@rule("wrong-method-405", "another method is 405 with Allow", API, Needs.NOTHING)
def wrong_method(context: RuleContext, result: RuleResult) -> None:
    """GET the draft path of an unknown id (GET is not defined there)."""
    sent = context.probe.send("GET", draft_path(unknown_id(context)))
    allow = sent.headers.get("allow", "")
    if expect_status(result, "GET on the draft path", sent.status, {405}) and "PATCH" not in allow:
        result.fail(f"405 with Allow {allow!r}, which lacks PATCH")


def current_version(context: RuleContext, pathway: str, result: RuleResult) -> int | None:
    """The draft's version, read from the 409 a version no row has (-1) must produce."""
    sent = context.probe.send("PATCH", draft_path(pathway), json_body={"expectedVersionId": -1})
    if sent.status == 200:
        result.fail(f"{pathway}: expectedVersionId -1 was accepted (200); locking is not enforced")
        return None
    if not expect_status(result, f"{pathway}: expectedVersionId -1", sent.status, {409}):
        return None
    body = sent.body if isinstance(sent.body, dict) else {}
    if body.get("currentStatus", "draft") != "draft":
        result.skip(f"{pathway} is {body.get('currentStatus')}, not a draft; give another one")
        return None
    version = body.get("currentVersionId")
    if isinstance(version, bool) or not isinstance(version, int | float):
        result.fail(f"{pathway}: the 409 has no numeric currentVersionId")
        return None
    return int(version)


def _sandbox_versions(context: RuleContext, result: RuleResult):
    if not context.sandbox_drafts:
        result.skip("needs --sandbox-draft ID")
        return
    for pathway in context.sandbox_drafts:
        version = current_version(context, pathway, result)
        if version is not None:
            yield pathway, version


def _first_sandbox(context: RuleContext, result: RuleResult) -> tuple[str, int] | None:
    """The first sandbox draft that is still a draft, and its version (rules that change it
    for good, or hammer it, use one draft only)."""
    return next(_sandbox_versions(context, result), None)


@rule("stale-version-409", "a stale or ahead expectedVersionId is 409 and changes nothing", API,
      Needs.SANDBOX)  # fmt: skip
def stale_version(context: RuleContext, result: RuleResult) -> None:
    """PATCH each sandbox draft with its version - 1 and + 1, then read the version again."""
    for pathway, version in _sandbox_versions(context, result):
        for wrong in (version - 1, version + 1):
            sent = context.probe.send(
                "PATCH", draft_path(pathway), json_body={"expectedVersionId": wrong, "title": "x"}
            )
            what = f"{pathway}: expectedVersionId {wrong} when the row is at {version}"
            if expect_status(result, what, sent.status, {409}):
                reported = (sent.body or {}).get("currentVersionId")
                if reported != version:
                    result.fail(f"{what}: currentVersionId {reported!r}, expected {version}")
        after = current_version(context, pathway, result)
        if after is not None and after != version:
            result.fail(f"{pathway}: refused PATCHes moved the version from {version} to {after}")


@rule("version-bump-by-one", "each accepted PATCH raises versionId by exactly one; omitted "
      "fields are preserved", API, Needs.SANDBOX)  # fmt: skip
def version_bump(context: RuleContext, result: RuleResult) -> None:
    """PATCH each sandbox draft twice with its current version: a title, then nothing."""
    for pathway, version in _sandbox_versions(context, result):
        title = f"specfake check {context.run_id}"
        for body in (
            {"expectedVersionId": version, "title": title},
            {"expectedVersionId": version + 1},
        ):
            sent = context.probe.send("PATCH", draft_path(pathway), json_body=body)
            if not expect_status(result, f"{pathway}: PATCH {body}", sent.status, {200}):
                return
            got = ((sent.body or {}).get("data") or {}).get("versionId")
            if got != body["expectedVersionId"] + 1:
                result.fail(
                    f"{pathway}: PATCH at {body['expectedVersionId']} returned version {got}"
                )
                return
        if context.has_state_api:
            row = _state_row(context, pathway)
            if row is not None and row.get("title") != title:
                result.fail(f"{pathway}: a PATCH without title changed it to {row.get('title')!r}")
        else:
            result.messages.append(
                "field preservation not verifiable: the API has no read operation"
            )


def _state_row(context: RuleContext, pathway: str) -> dict | None:
    state = context.probe.send("GET", "/__specfake__/state", record=False).body or {}
    return next((row for row in state.get("pathways", []) if row.get("id") == pathway), None)


@rule("concurrent-patch-one-winner", f"of {CONCURRENT_WRITERS} concurrent PATCHes with one "
      "expectedVersionId exactly one wins", API, Needs.SANDBOX)  # fmt: skip
def concurrent_patches(context: RuleContext, result: RuleResult) -> None:
    """Send concurrent PATCHes carrying the same version to the first sandbox draft."""
    first = _first_sandbox(context, result)
    if first is None:
        return
    pathway, version = first

    def patch(_: int) -> Exchange:
        return context.probe.send(
            "PATCH", draft_path(pathway), json_body={"expectedVersionId": version}
        )

    with ThreadPoolExecutor(CONCURRENT_WRITERS) as pool:
        statuses = sorted(sent.status for sent in pool.map(patch, range(CONCURRENT_WRITERS)))
    if statuses.count(200) != 1 or set(statuses) - {200, 409}:
        result.fail(f"{pathway}: statuses {statuses}; expected one 200, the rest 409")


@rule("publish-makes-immutable", "publish raises the version; the row then refuses PATCH and a "
      "second publish", API, Needs.PUBLISH)  # fmt: skip
def publish_immutable(context: RuleContext, result: RuleResult) -> None:
    """Publish the first sandbox draft, then PATCH it and publish it again."""
    first = _first_sandbox(context, result)
    if first is None:
        return
    pathway, version = first
    published = context.probe.send("POST", publish_path(pathway))
    if not expect_status(result, f"{pathway}: publish", published.status, {200}):
        return
    data = (published.body or {}).get("data") or {}
    if data.get("versionId") != version + 1 or data.get("status") != "active":
        result.fail(f"{pathway}: publish returned {data}; expected {version + 1} and active")
    again = context.probe.send(
        "PATCH", draft_path(pathway), json_body={"expectedVersionId": version + 1}
    )
    expect_status(result, f"{pathway}: PATCH after publish", again.status, {409})
    twice = context.probe.send("POST", publish_path(pathway))
    expect_status(result, f"{pathway}: second publish", twice.status, {409})
