"""Self-training components of LabOR's A."""
from .mean_teacher import MeanTeacher

__all__ = ['MeanTeacher']
