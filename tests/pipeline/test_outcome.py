"""A producer's refusal carries its problem and its answer; its text is the problem's."""

from __future__ import annotations

from specfake.errors import conflict, not_found
from specfake.pipeline.outcome import Outcome, Refusal, problem_outcome


def test_a_refusal_reads_as_its_problem():
    for problem in (conflict("version 6 is not 7", currentVersionId=7), not_found("No x.")):
        outcome = problem_outcome(problem)
        refusal = Refusal(problem, outcome)
        assert str(refusal) == str(problem) == f"{problem.status} {problem.title}: {problem.detail}"
        assert refusal.problem is problem and refusal.outcome is outcome


def test_a_problem_answers_as_problem_json():
    problem = conflict("stale", currentVersionId=7)
    problem.headers["Retry-After"] = "1"
    outcome = problem_outcome(problem)
    assert outcome == Outcome(409, problem.to_json(), "application/problem+json",
                              {"Retry-After": "1"})  # fmt: skip
    assert outcome.headers is not problem.headers  # the answer's headers are its own
