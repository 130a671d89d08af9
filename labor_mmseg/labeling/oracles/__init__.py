"""Oracles: who answers a selection round's label queries (registered in ``ORACLES``)."""
from .base import AnswersPending, Oracle, RoundRequest
from .files import FileOracle
from .ground_truth import GroundTruthOracle
from .label_studio import LabelStudioOracle

__all__ = ['AnswersPending', 'FileOracle', 'GroundTruthOracle', 'LabelStudioOracle',
           'Oracle', 'RoundRequest']
