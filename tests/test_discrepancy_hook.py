"""DiscrepancyLossHook: the warm-up schedule of the discrepancy weight."""
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

from labor_mmseg.engine import DiscrepancyLossHook


def test_linear_warmup_after_begin():
    hook = DiscrepancyLossHook(weight=2.0, warmup_iters=4, begin_iter=10)
    assert [hook.weight_at(i) for i in (0, 9, 10, 11, 13, 100)] == [0, 0, 0.5, 1.0, 2.0, 2.0]
    assert DiscrepancyLossHook(weight=0.5, warmup_iters=0).weight_at(0) == 0.5


def test_sets_the_models_weight_and_logs_it():
    hook = DiscrepancyLossHook(weight=1.0, warmup_iters=10)
    model = SimpleNamespace(discrepancy_weight=123.0)
    hub = MessageHub.get_instance('test_discrepancy_hook')
    runner = SimpleNamespace(model=model, iter=4, message_hub=hub)
    hook.before_train_iter(runner, batch_idx=4)
    assert model.discrepancy_weight == pytest.approx(0.5)
    assert hub.get_scalar('train/discrepancy_weight').current() == pytest.approx(0.5)


def test_errors():
    with pytest.raises(ValueError, match='warmup_iters'):
        DiscrepancyLossHook(warmup_iters=-1)
    runner = SimpleNamespace(model=SimpleNamespace(), iter=0, message_hub=None)
    with pytest.raises(TypeError, match='LabOR'):
        DiscrepancyLossHook().before_train_iter(runner, batch_idx=0)
