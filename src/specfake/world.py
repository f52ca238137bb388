"""The served world: everything read from the specs and fixtures, frozen, built by one function.

A :class:`World` holds the loaded specs, their compiled operations, the router, the fakes
bound to those operations, the state schemas and the fixtures. The running server keeps one
reference to it; a reload builds a new world and swaps that reference in one assignment, so
every request is answered wholly by one world or the other, never by a new router with old
handlers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from specfake.config import ServerConfig
from specfake.errors import SpecfakeError, json_pointer
from specfake.fakes import Fake, build_fakes
from specfake.fakes.resources import ResourceFake, plan_resources
from specfake.fixtures import load_fixture_dir
from specfake.importer import regenerate
from specfake.pipeline.outcome import Handler
from specfake.pipeline.router import Router
from specfake.pipeline.run import HandlerKey
from specfake.spec import CompiledOperation, LoadedSpec, load_spec
from specfake.spec.compile import compile_spec
from specfake.spec.defects import SpecWarning
from specfake.store.base import StateStore


@dataclass(frozen=True, slots=True)
class World:
    config: ServerConfig
    specs: tuple[LoadedSpec, ...]
    operations: tuple[CompiledOperation, ...]
    router: Router
    fakes: tuple[Fake, ...]  # those bound to at least one served operation
    handlers: Mapping[HandlerKey, Handler]
    # Every installed fake's sections, so the bundled fixtures work with a subset of the
    # specs; sections of fakes whose operations are not served are checked, then ignored.
    state_schemas: Mapping[str, dict[str, Any]]
    checkers: tuple[Fake, ...]  # every installed fake, for the checks beyond the schemas
    fixtures: Mapping[str, Any]
    defects: tuple[Sequence[SpecWarning], ...] = ()  # per spec: its loader's, its compiler's
    descriptions: Mapping[HandlerKey, str] = field(default_factory=dict)  # resources: name, role

    @property
    def warnings(self) -> tuple[SpecWarning, ...]:
        """The spec defects served around (``GET /__specfake__/warnings``)."""
        return tuple(warning for part in self.defects for warning in part)

    def answered_by(self, operation: CompiledOperation) -> str:
        """``resource things (create)``, ``stateful fake`` or ``mock from spec``: the banner's
        and the dashboard's column."""
        key = (operation.spec_name, operation.operation_id)
        if key in self.descriptions:
            return self.descriptions[key]
        return "stateful fake" if key in self.handlers else "mock from spec"

    def banner(self) -> str:
        """The start-up listing of what is served, and by what."""
        lines = []
        for operation in self.operations:
            lock = "  (bearer auth)" if operation.requires_auth else ""
            lines.append(
                f"  {operation.method:7} {operation.path_template:40} {operation.operation_id:24}"
                f" {self.answered_by(operation)}{lock}"
            )
        return "\n".join(lines)


def build_world(config: ServerConfig, store: StateStore) -> World:
    """Read, check and compile everything ``config`` names; the fakes write to ``store``.

    Spec defects are served around and listed in ``World.warnings``. What cannot be served (a
    file that is not YAML/JSON or not OpenAPI, a fixture breaking its schema, a fake whose
    operationId a spec has elsewhere) is a :class:`SpecfakeError` naming the file (and field,
    where known), raised before anything is served: at start-up, or by a reload that then keeps
    the old world.
    """
    generated = {path.resolve(): text for path, text in _generated_specs(config).items()}
    specs = tuple(load_spec(path, generated.get(path.resolve())) for path in config.specs)
    compiled = [_compiled(spec) for spec in specs]
    operations = tuple(operation for of_spec, _ in compiled for operation in of_spec)
    # The compilers' lists themselves: a schema that fails to compile on first use (they are
    # compiled lazily) adds its warning there later.
    defects = tuple(
        part
        for spec, (_, compile_warnings) in zip(specs, compiled, strict=True)
        for part in (spec.warnings, compile_warnings)
    )
    try:
        router = Router(list(operations))
    except ValueError as error:  # one method and path in two specs
        raise SpecfakeError(str(error)) from error
    installed: list[Fake] = list(build_fakes(store, config))
    handlers: dict[HandlerKey, Handler] = {}
    bound: list[Fake] = []
    by_name = {spec.name: spec for spec in specs}
    for fake in [] if config.stateless else installed:
        fake_handlers = _bind(fake, operations, by_name)
        if fake_handlers:
            bound.append(fake)
            handlers.update(fake_handlers)
    resource_warnings: list[SpecWarning] = []  # filled while serving (undocumented 404s)
    descriptions: dict[HandlerKey, str] = {}
    seeds: dict[str, Any] = {}  # the spec's examples, for the collections fixtures leave out
    if not config.stateless:
        taken = set(_state_schemas(installed))
        unbound = [op for op in operations if (op.spec_name, op.operation_id) not in handlers]
        plan = plan_resources(unbound, by_name, taken)
        if plan:
            resources = ResourceFake(store, plan, config, resource_warnings)
            installed.append(resources)
            bound.append(resources)
            handlers.update(resources.handlers())
            descriptions, seeds = resources.descriptions, resources.seeds()
    state_schemas = _state_schemas(installed)
    fixture_warnings: list[SpecWarning] = []
    fixtures = (
        load_fixture_dir(config.fixtures, state_schemas, fixture_warnings.append)
        if config.fixtures
        else {}
    )
    fixtures = {**seeds, **fixtures}
    world = World(
        config=config,
        specs=specs,
        operations=operations,
        router=router,
        fakes=tuple(bound),
        handlers=MappingProxyType(handlers),
        state_schemas=MappingProxyType(state_schemas),
        checkers=tuple(installed),
        fixtures=MappingProxyType(fixtures),
        defects=(*defects, fixture_warnings, resource_warnings),
        descriptions=MappingProxyType(descriptions),
    )
    _check_fixture_references(world)
    return world


def _compiled(spec: LoadedSpec) -> tuple[list[CompiledOperation], list[SpecWarning]]:
    """``compile_spec``, where a failure no defect rule covers still names the spec: a bug in
    specfake, but one that must stop start-up (exit 2) or a reload (422), not crash either."""
    try:
        return compile_spec(spec)
    except SpecfakeError:
        raise
    except Exception as error:
        raise SpecfakeError(
            f"{spec.path}: specfake cannot compile this spec ({error!r}); please report it",
            file=spec.path,
        ) from error


def _generated_specs(config: ServerConfig) -> dict[Path, str]:
    return regenerate(config.manifest) if config.manifest else {}


def _bind(
    fake: Fake, operations: tuple[CompiledOperation, ...], specs: Mapping[str, LoadedSpec]
) -> dict[HandlerKey, Handler]:
    """``fake``'s handlers by (spec, operationId), for the served operations it names.

    An operationId the fake names but a spec has under another method or path is an error
    naming both: the fake would silently stop answering, and the mock would take over.
    """
    handlers: dict[HandlerKey, Handler] = {}
    for binding in fake.bindings():
        for operation in operations:
            if operation.operation_id != binding.operation_id:
                continue
            if (operation.method, operation.path_template) != (binding.method, binding.path):
                raise SpecfakeError(
                    f"fake {fake.name!r} answers operationId {binding.operation_id!r} as "
                    f"{binding.method} {binding.path}, but spec {operation.spec_name!r} has it "
                    f"as {operation.method} {operation.path_template}; rename one of them",
                    file=specs[operation.spec_name].path,
                    pointer=json_pointer(["paths", operation.path_template]),
                )
            handlers[(operation.spec_name, operation.operation_id)] = binding.handler
    return handlers


def _state_schemas(fakes: list[Fake]) -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for fake in fakes:
        for name, schema in fake.state_schema().items():
            if name in owners:
                raise SpecfakeError(
                    f"state section {name!r} is claimed by two fakes, {owners[name]!r} and "
                    f"{fake.name!r}; uninstall or rename one"
                )
            schemas[name], owners[name] = schema, fake.name
    return schemas


def _check_fixture_references(world: World) -> None:
    """The fixtures' checks beyond their schemas (duplicate ids, unknown references)."""
    errors = [error for fake in world.checkers for error in fake.state_errors(world.fixtures)]
    if errors:
        lines = "\n".join(f"  {error.path}: {error.message}" for error in errors)
        raise SpecfakeError(
            f"{world.config.fixtures}: invalid fixtures\n{lines}",
            file=world.config.fixtures,
            pointer=errors[0].path,
        )
