"""Stateful resources for any spec: inferred from its paths, shaped by its schemas, with the
behaviour paths cannot say declared in ``x-specfake`` (``docs/resources.md``)."""

from __future__ import annotations

from specfake.fakes.resources.fake import ResourceFake
from specfake.fakes.resources.plan import Bound, Resource, plan_resources

__all__ = ["Bound", "Resource", "ResourceFake", "plan_resources"]
