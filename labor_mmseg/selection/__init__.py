"""Pixel selection for LabOR (SPL, PPL) and baselines, as pure functions on probability maps."""

from .baselines import select_entropy, select_random
from .discrepancy import classifier_discrepancy, inconsistency_mask
from .ppl import select_ppl
from .primitives import class_argmax
from .quotas import class_quotas, pick_per_class
from .registry import SELECTION_STRATEGIES, budget_in_pixels, get_strategy, strategy_names
from .ripu import select_ripu_pixels, select_ripu_regions
from .spl import select_spl

__all__ = [
    'SELECTION_STRATEGIES',
    'budget_in_pixels',
    'class_argmax',
    'class_quotas',
    'classifier_discrepancy',
    'get_strategy',
    'inconsistency_mask',
    'pick_per_class',
    'select_entropy',
    'select_ppl',
    'select_random',
    'select_ripu_pixels',
    'select_ripu_regions',
    'select_spl',
    'strategy_names',
]
