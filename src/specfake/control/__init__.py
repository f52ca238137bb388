"""The ``/__specfake__/`` control API and dashboard; never part of a served spec."""

from specfake.control.routes import control_routes

__all__ = ["control_routes"]
