"""Self-training components of LabOR's A."""
from .feature_distance import FeatureDistance
from .mean_teacher import MeanTeacher

__all__ = ['FeatureDistance', 'MeanTeacher']
