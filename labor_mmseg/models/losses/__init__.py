"""Losses."""
from .discrepancy_loss import DiscrepancyLoss
from .pseudo_label import pseudo_labels

__all__ = ["DiscrepancyLoss", "pseudo_labels"]
