"""Schedules the selector's discrepancy weight."""
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ...models.labor import unwrap


@HOOKS.register_module()
class DiscrepancyLossHook(Hook):
    """Warms up LabOR's discrepancy weight and logs it.

    The weight grows linearly from 0 to ``weight`` over ``warmup_iters`` iterations after
    ``begin_iter`` (0 before it), so the two classifiers first learn the pseudo-labels and only
    then are pushed apart. The model logs the discrepancy value and the target inconsistency
    ratio of every step (``sel.discrepancy``, ``sel.inconsistency_ratio``); this hook adds
    ``train/discrepancy_weight``.

    Args:
        weight: Final weight of the maximised discrepancy.
        warmup_iters: Length of the linear warm-up.
        begin_iter: Iteration before which the weight is 0.
    """

    priority = 'NORMAL'

    def __init__(self, weight: float = 1.0, warmup_iters: int = 1000, begin_iter: int = 0) -> None:
        if weight < 0 or warmup_iters < 0 or begin_iter < 0:
            raise ValueError('DiscrepancyLossHook: weight, warmup_iters and begin_iter must be '
                             f'>= 0, got {weight}, {warmup_iters}, {begin_iter}')
        self.weight = weight
        self.warmup_iters = warmup_iters
        self.begin_iter = begin_iter

    def weight_at(self, iteration: int) -> float:
        """The scheduled weight at ``iteration``."""
        if iteration < self.begin_iter:
            return 0.0
        if self.warmup_iters == 0:
            return self.weight
        return self.weight * min(1.0, (iteration - self.begin_iter + 1) / self.warmup_iters)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Set the weight for this iteration."""
        model = unwrap(runner.model)
        if not hasattr(model, 'discrepancy_weight'):
            raise TypeError(f'DiscrepancyLossHook needs a model with discrepancy_weight (LabOR), '
                            f'got {type(model).__name__}')
        model.discrepancy_weight = self.weight_at(runner.iter)
        runner.message_hub.update_scalar('train/discrepancy_weight', model.discrepancy_weight)
