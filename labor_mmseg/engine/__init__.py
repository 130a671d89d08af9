"""Engine components: the multi-optimizer constructor and the hooks."""
from .hooks import ActiveSelectionHook, DiscrepancyLossHook, PPLSelectionHook, SPLSelectionHook
from .optim_constructor import MultiOptimWrapperConstructor

__all__ = ['ActiveSelectionHook', 'DiscrepancyLossHook', 'MultiOptimWrapperConstructor',
           'PPLSelectionHook', 'SPLSelectionHook']
