"""Pictures and reports of what the selection rounds pick and what they cost a person."""

from .label_report import write_label_report
from .selection_overlay import selection_overlay

__all__ = ['selection_overlay', 'write_label_report']
