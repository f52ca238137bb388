"""The server process collects garbage less often; a process that only imports specfake
keeps its own settings."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from specfake.cli import main
from specfake.cli.garbage import YOUNG_COLLECTION_EVERY, collect_garbage_less_often
from specfake.cli.stoppable import StoppableServer


@pytest.fixture
def thresholds_restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_only_the_young_generations_threshold_changes(thresholds_restored: None) -> None:
    gc.set_threshold(700, 11, 12)
    collect_garbage_less_often()
    assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, 11, 12)


def test_serve_sets_it_before_serving(
    thresholds_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(StoppableServer, "run", lambda server: seen.append(gc.get_threshold()))
    gc.set_threshold(700, 10, 10)
    main(["serve", "--no-watch", "--quiet", "--port", "0"])
    assert seen == [(YOUNG_COLLECTION_EVERY, 10, 10)]


def test_building_an_app_leaves_the_process_settings_alone(thresholds_restored: None) -> None:
    from specfake import ServerConfig, create_app
    from specfake.resources import bundled_specs

    gc.set_threshold(700, 10, 10)
    create_app(ServerConfig(specs=bundled_specs()))
    assert gc.get_threshold() == (700, 10, 10)
