"""The ``/__specfake__/`` control API and dashboard; never part of a served spec."""

from specfake.control.routes import CONTROL_PREFIX, control_routes

__all__ = ["CONTROL_PREFIX", "control_routes"]
