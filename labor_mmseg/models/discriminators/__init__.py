"""Discriminators for adversarial alignment."""
from .output_alignment_head import OutputAlignmentHead

__all__ = ["OutputAlignmentHead"]
