"""Losses."""
from .discrepancy_loss import DiscrepancyLoss

__all__ = ["DiscrepancyLoss"]
