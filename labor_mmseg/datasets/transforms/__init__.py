"""Data transforms for sparse target labels."""
from .load_sparse_annotations import LoadSparseAnnotations
from .sparse_label_resize import SparseLabelResize

__all__ = ['LoadSparseAnnotations', 'SparseLabelResize']
