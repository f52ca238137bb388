"""specfake: a local mock and contract-testing server driven by OpenAPI specs."""

from specfake.app import create_app
from specfake.config import ServerConfig
from specfake.errors import FieldError, Problem, SpecfakeError
from specfake.runtime import Specfake

__all__ = ["FieldError", "Problem", "ServerConfig", "Specfake", "SpecfakeError", "create_app"]
