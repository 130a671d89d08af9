"""The simulated annotator of experiments: ground truth at the queried pixels."""
import os
from pathlib import Path

import numpy as np

from ...registry import ORACLES
from ..label_store import QUERIED_VOID, read_label_png
from .base import Oracle, RoundRequest


@ORACLES.register_module()
class GroundTruthOracle(Oracle):
    """Copies ground truth (train-id label files) at the queried pixels; a queried pixel whose
    ground truth is ``ignore_index`` is answered void (no class)."""

    stats_name = 'ground_truth'

    def __init__(self, num_classes: int = 19, ignore_index: int = 255) -> None:
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def query(self, seg_map_path: str | os.PathLike, mask: np.ndarray,
              num_classes: int | None = None) -> np.ndarray:
        """Ground truth at the ``True`` pixels of ``mask``, ``ignore_index`` elsewhere (uint8);
        ``num_classes`` (default the oracle's) bounds the file's values.

        Pixels whose ground truth is ``ignore_index`` stay unlabeled. Raises
        ``FileNotFoundError``/``ValueError`` naming the file if it is missing, unreadable, holds
        values out of range, or its size differs from ``mask``.
        """
        gt = read_label_png(Path(seg_map_path), num_classes or self.num_classes,
                            self.ignore_index)
        if gt.shape != mask.shape:
            raise ValueError(f'{seg_map_path}: ground truth is {gt.shape}, query mask {mask.shape}')
        return np.where(mask, gt, np.uint8(self.ignore_index))

    def ask(self, request: RoundRequest) -> dict[str, np.ndarray]:
        """Every query answered from ``request.label_paths`` (void where the truth is none)."""
        answers = {}
        for key, mask in request.queries.items():
            labels = self.query(request.label_paths[key], mask, request.num_classes)
            answers[key] = np.where(mask & (labels == self.ignore_index), np.uint8(QUERIED_VOID),
                                    labels)
        return answers
