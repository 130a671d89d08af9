"""Pseudo-labels from model A for training the selector (LabOR Sec. 3.2, after IAST)."""
import torch
from torch import Tensor


def pseudo_labels(probs: Tensor, threshold: float, labels: Tensor | None = None,
                  ignore_index: int = 255) -> Tensor:
    """Confident argmax of A's softmax ``probs`` (N, K, H, W); true labels win where given.

    y_hat = argmax_k p_k where max_k p_k >= ``threshold``, else ``ignore_index``. Where
    ``labels`` (N, H, W) holds an oracle label (not ``ignore_index``), that label is used.
    """
    confidence, pseudo = probs.max(dim=1)
    pseudo = pseudo.masked_fill(confidence < threshold, ignore_index)
    if labels is not None:
        pseudo = torch.where(labels != ignore_index, labels, pseudo)
    return pseudo
