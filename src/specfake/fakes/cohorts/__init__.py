"""The cohort-draft API: ``POST /cohort/draft`` creates, patches and acknowledges drafts.

Rules (docs page 002 plus the decisions written down in ``docs/cohort-drafts.md``):

* A body with ``accept`` acknowledges the soft request whose ``idempotency_key`` it carries;
  one with ``draft_id`` (or its legacy alias ``input_draft_id``) patches that draft; any other
  body creates a draft.
* Every ``*_id``/``*_ids`` must name something of the right kind; department, simulation and
  profile names resolve against the catalog; every other value becomes a new resource. A draft
  stores ids only, under the request's id field names, and each answer renders them back into
  ``form_state``.
* ``soft`` stages a change instead of applying it: a proposal on the draft, or a whole dormant
  draft. The ack applies or discards it; while it waits, the draft takes no other change.
* An idempotency key is reserved with a compare-and-set before any work, so of N concurrent
  retries exactly one does the work and the others wait for its answer and replay it. A key
  the fake generates (the body sent none) cannot be raced for: it is remembered with its answer.
* The catalog is indexed once per store revision (``catalog``), not walked per request.
"""

from __future__ import annotations

from specfake.fakes.cohorts.catalog import ACTIVE_FLAG
from specfake.fakes.cohorts.fake import CohortFake, DraftChange
from specfake.fakes.cohorts.fields import CATALOG_KINDS, CHANGE_FIELDS, PAIRS, Json
from specfake.fakes.cohorts.schemas import (
    CATALOG,
    CATALOG_SCHEMA,
    DRAFT_SCHEMA,
    DRAFTS,
    EMPTY_CATALOG,
    KEY_SCHEMA,
    KEYS,
    RESOURCE_KINDS,
    RESOURCE_SCHEMA,
    RESOURCES,
)

__all__ = [
    "ACTIVE_FLAG",
    "CATALOG",
    "CATALOG_KINDS",
    "CATALOG_SCHEMA",
    "CHANGE_FIELDS",
    "DRAFTS",
    "DRAFT_SCHEMA",
    "EMPTY_CATALOG",
    "KEYS",
    "KEY_SCHEMA",
    "PAIRS",
    "RESOURCES",
    "RESOURCE_KINDS",
    "RESOURCE_SCHEMA",
    "CohortFake",
    "DraftChange",
    "Json",
]
