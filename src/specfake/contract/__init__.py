"""Semantic contract checks against any server: ``specfake check`` and a Schemathesis extension.

Schemathesis checks shapes; these rules check what the docs promise beyond shapes (optimistic
locking, immutability after publish, idempotent replay, soft drafts). Import nothing from the
app: the checks must work against any implementation of the API.
"""

from specfake.contract.report import RuleResult
from specfake.contract.runner import CheckOptions, run_checks

__all__ = ["CheckOptions", "RuleResult", "run_checks"]
