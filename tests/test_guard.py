"""The guard's shortcuts against the plain checks: the remembered Host verdicts, and the
header values it judges (the last of a repeated header, as the guard always has)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.guard import MAX_HOST_VERDICTS, GuardPolicy, RequestGuard, host_name

HOSTS = ["127.0.0.1:4010", "localhost", "LOCALHOST:80", "[::1]:4010", "evil.test", "a.localhost",
         "10.0.0.5:4010", "dev.example:4010", "[::1", "", " localhost ", "x y", "127.0.0.2"]
policies = st.builds(
    GuardPolicy,
    bound_host=st.sampled_from(["127.0.0.1", "0.0.0.0", "10.0.0.5", "::1"]),
    allowed_hosts=st.lists(st.sampled_from(["dev.example", "DEV.example:4010", "*"]),
                           max_size=2).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(policy=policies, hosts=st.lists(st.one_of(st.sampled_from(HOSTS), st.text(max_size=12))))
def test_remembered_host_verdicts_are_the_plain_ones(policy, hosts):
    for host in [*hosts, *hosts]:  # the second time from the memo
        assert policy.allows_host_header(host) == policy.allows_host(host_name(host)), host


def test_made_up_hosts_are_judged_but_not_all_kept():
    policy = GuardPolicy()
    for number in range(MAX_HOST_VERDICTS * 3):
        assert not policy.allows_host_header(f"evil{number}.test")
    assert policy.allows_host_header("127.0.0.1:4010")
    assert len(policy._host_verdicts) == MAX_HOST_VERDICTS


def _scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "headers": headers,
            "query_string": b""}


def test_the_last_of_a_repeated_host_is_judged():
    guard = RequestGuard(GuardPolicy())
    refused = guard.refusal(_scope("/pets", [(b"host", b"127.0.0.1"), (b"host", b"evil.test")]))
    assert refused is not None and refused.status == 421
    served = _scope("/pets", [(b"host", b"evil.test"), (b"host", b"localhost:4010")])
    assert guard.refusal(served) is None


def test_a_control_write_from_another_origin_is_refused_whatever_came_first():
    guard = RequestGuard(GuardPolicy())
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://localhost:5173"),
               (b"origin", b"https://evil.test")]
    refused = guard.refusal(_scope("/__specfake__/reset", headers, "POST"))
    assert refused is not None and refused.status == 403
