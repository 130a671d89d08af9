"""Model helpers that are neither components nor losses."""
from .pseudo_labels import pseudo_labels

__all__ = ['pseudo_labels']
