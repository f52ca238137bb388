"""Load OpenAPI files, check them once, and compile what the request path needs."""

from specfake.spec.compile import (
    CompiledOperation,
    CompiledParameter,
    CompiledResponse,
    compile_operations,
)
from specfake.spec.loader import LoadedSpec, load_spec
from specfake.spec.validators import SchemaValidator

__all__ = [
    "CompiledOperation",
    "CompiledParameter",
    "CompiledResponse",
    "LoadedSpec",
    "SchemaValidator",
    "compile_operations",
    "load_spec",
]
