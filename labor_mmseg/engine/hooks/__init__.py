"""Training hooks: the discrepancy schedule and the selection rounds."""
from .discrepancy_hook import DiscrepancyLossHook
from .selection_hook import ActiveSelectionHook, PPLSelectionHook, SPLSelectionHook

__all__ = ['ActiveSelectionHook', 'DiscrepancyLossHook', 'PPLSelectionHook', 'SPLSelectionHook']
