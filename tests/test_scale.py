"""The cycle collector during a run: the objects held before it are left out of its
walks, and given back afterwards."""

import gc
import weakref
from contextlib import contextmanager

import dagster as dg
import pytest
from helpers import copy_samples

from pipelines import cli, scale


class Cycle:
    def __init__(self):
        self.me = self


def test_the_heap_held_before_is_spared_and_given_back():
    held = {"before": Cycle()}  # alive before; garbage once dropped after
    before = weakref.ref(held["before"])
    with scale.frozen_heap():
        assert gc.get_freeze_count() > 0
        made = weakref.ref(Cycle())  # garbage at once: still collected inside
        gc.collect()
        assert made() is None
        held.clear()
        gc.collect()
        assert before() is not None  # frozen: out of the collector's reach for now
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert before() is None  # and collected once given back


@pytest.mark.e2e
def test_a_run_is_made_with_the_heap_frozen(tmp_path, monkeypatch):
    frozen, real = [], scale.frozen_heap

    @contextmanager
    def watched():
        with real():
            frozen.append(gc.get_freeze_count())
            yield

    monkeypatch.setattr(scale, "frozen_heap", watched)
    data_dir = copy_samples(tmp_path / "data", ["2024-07"])
    assert cli.run_period("2024-07", data_dir, dg.DagsterInstance.ephemeral()).success
    assert len(frozen) == 1 and frozen[0] > 0 and gc.get_freeze_count() == 0
