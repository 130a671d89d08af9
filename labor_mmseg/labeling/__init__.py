"""Sparse label storage and the oracles that answer label queries."""

from .label_store import (
    QUERIED_UNANSWERED,
    QUERIED_VOID,
    LabelStore,
    StoreInUseError,
    label_stats,
    read_label_png,
    write_atomic,
)
from .oracle import export_queries, import_answers, read_queries
from .oracles import AnswersPending, FileOracle, GroundTruthOracle, Oracle, RoundRequest
from .selection_round import PRESETS, SelectionRound, import_person_answers, round_budgets

__all__ = [
    'QUERIED_UNANSWERED',
    'QUERIED_VOID',
    'PRESETS',
    'AnswersPending',
    'FileOracle',
    'GroundTruthOracle',
    'Oracle',
    'RoundRequest',
    'LabelStore',
    'SelectionRound',
    'StoreInUseError',
    'export_queries',
    'import_answers',
    'import_person_answers',
    'label_stats',
    'read_label_png',
    'read_queries',
    'round_budgets',
    'write_atomic',
]
