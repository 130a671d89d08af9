"""Datasets, dataset wrappers, transforms and the synthetic benchmark."""
from .gta import GTADataset
from .paired_dataset import PairedDataset
from .sparse_label_dataset import SparseLabelDataset
from .transforms import LoadSparseAnnotations

__all__ = ['GTADataset', 'LoadSparseAnnotations', 'PairedDataset', 'SparseLabelDataset']
