import base64
import json
import time

import pytest
from starlette.datastructures import Headers

from specfake.errors import Problem
from specfake.pipeline.auth import authenticate, jwt_problem
from specfake.spec.compile import SecurityScheme


def b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def jwt(payload: dict) -> str:
    return f"{b64({'alg': 'RS256', 'typ': 'JWT'})}.{b64(payload)}.c2lnbmF0dXJl"


class Operation:
    def __init__(self, security):
        self.security = security

    @property
    def requires_auth(self):
        return bool(self.security) and all(self.security)


BEARER = Operation([[SecurityScheme("bearer")]])


def check(operation, authorization=None, tokens=("dev",)):
    headers = Headers({"authorization": authorization} if authorization else {})
    authenticate(operation, headers, {}, tokens)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer dev", "bearer dev", f"Bearer {jwt({'sub': 'u'})}", f"Bearer {jwt({'exp': 4e9})}"],
)
def test_accepted_credentials(authorization):
    check(BEARER, authorization)


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "no Authorization header"),
        ("Basic ZGV2OmRldg==", "Bearer scheme"),
        ("Bearer", "Bearer scheme"),
        ("Bearer SCHEMATHESIS-INVALID-VALUE", "not a JWT"),
        ("Bearer a.b.c", "not base64url-encoded JSON"),
        (f"Bearer {jwt({'exp': 1000})}", "expired"),
        (f"Bearer {jwt({'exp': 'soon'})}", "not a number"),
    ],
)
def test_rejected_credentials_are_401_with_www_authenticate(authorization, reason):
    with pytest.raises(Problem) as raised:
        check(BEARER, authorization)
    assert raised.value.status == 401
    assert raised.value.headers["WWW-Authenticate"].startswith("Bearer")
    assert reason in raised.value.detail


def test_configured_tokens_replace_the_default():
    check(BEARER, "Bearer s3cret", tokens=("s3cret",))
    with pytest.raises(Problem):
        check(BEARER, "Bearer dev", tokens=("s3cret",))


def test_operations_without_security_need_nothing():
    check(Operation([]))
    check(Operation([[SecurityScheme("bearer")], []]))  # an empty alternative makes auth optional


def test_api_key_in_header():
    operation = Operation([[SecurityScheme("apiKey", "header", "X-Api-Key")]])
    authenticate(operation, Headers({"x-api-key": "k"}), {}, ())
    with pytest.raises(Problem):
        authenticate(operation, Headers({}), {}, ())


def test_jwt_expiry_is_checked_against_now():
    token = jwt({"exp": 2000})
    assert jwt_problem(token, now=1999) is None
    assert "expired" in jwt_problem(token, now=2001)
    assert jwt_problem(jwt({"exp": time.time() + 60})) is None


@pytest.mark.parametrize(
    "token",
    [
        f"{b64({'alg': 'none'})}.{b64({'sub': 'u'})}.!!!",  # signature not base64url
        f"{b64({'alg': 'none'})}.{b64({'sub': 'u'})}.sïg",
        f"{b64({'alg': 'none'})}." + base64.urlsafe_b64encode(b'{"exp": NaN}').decode().rstrip("="),
    ],
)
def test_malformed_jwts_are_refused(token):
    assert jwt_problem(token + ("" if token.count(".") == 2 else ".sig")) is not None


def test_unsecured_jwt_with_empty_signature_is_well_formed():
    assert jwt_problem(f"{b64({'alg': 'none'})}.{b64({'sub': 'u'})}.") is None
