"""Data transforms."""
from .load_sparse_annotations import LoadSparseAnnotations

__all__ = ["LoadSparseAnnotations"]
