"""Pseudo-labels from model A for training the selector (LabOR Sec. 3.2, after IAST)."""
import torch
from torch import Tensor


def pseudo_labels(probs: Tensor, threshold: float, labels: Tensor | None = None,
                  ignore_index: int = 255, class_fraction: float = 0.0) -> Tensor:
    """Confident argmax of A's softmax ``probs`` (N, K, H, W); true labels win where given.

    y_hat = argmax_k p_k where max_k p_k >= ``threshold``, else ``ignore_index``. With
    ``class_fraction`` > 0, every class A predicts in an image also keeps that fraction (rounded
    up) of its pixels, the most confident, whatever their confidence: instance- and
    class-adaptive, after IAST (Mei et al. 2020), so that classes A is rarely sure of still
    reach the selector. Where ``labels`` (N, H, W) holds an oracle label (not
    ``ignore_index``), that label is used.
    """
    if not 0 <= class_fraction <= 1:
        raise ValueError(f'class_fraction must be in [0, 1], got {class_fraction}')
    confidence, pseudo = probs.max(dim=1)
    keep = confidence >= threshold
    if class_fraction > 0:
        keep |= most_confident_per_class(confidence, pseudo, probs.shape[1], class_fraction)
    pseudo = pseudo.masked_fill(~keep, ignore_index)
    if labels is not None:
        pseudo = torch.where(labels != ignore_index, labels, pseudo)
    return pseudo


def most_confident_per_class(confidence: Tensor, pred: Tensor, num_classes: int,
                             fraction: float) -> Tensor:
    """``BoolTensor`` like ``pred`` (N, H, W): per image and predicted class, the ``fraction``
    (rounded up) of its pixels of highest ``confidence`` (ties: lower row-major index)."""
    num = pred.shape[0]
    group = (pred + num_classes * torch.arange(num, device=pred.device).view(-1, 1, 1)).view(-1)
    # Groups ascending, each by confidence descending: one stable sort of a combined key.
    key = group.double() * 2 + (1 - confidence.view(-1).double())
    order = key.argsort(stable=True)
    counts = torch.bincount(group, minlength=num * num_classes)
    start = counts.cumsum(0) - counts
    rank = torch.arange(order.numel(), device=pred.device) - start[group[order]]
    quota = (counts.double() * fraction).ceil().long()
    keep = torch.zeros_like(group, dtype=torch.bool)
    keep[order] = rank < quota[group[order]]
    return keep.view_as(pred)


def confidence_weighted(probs: Tensor, threshold: float,
                        ignore_rows: tuple[int, int] = (0, 0)) -> tuple[Tensor, Tensor]:
    """A mean teacher's pseudo-labels and their weights (DACS Eq. 3, DAFormer Sec. 3.3).

    Every pixel's label is the argmax of the teacher's softmax ``probs`` (N, K, H, W); each
    image's weight (N, H, W) is the share of its pixels whose max probability is at least
    ``threshold`` (DAFormer: 0.968), the same for all its pixels, and 0 in the first and last
    ``ignore_rows`` rows (DAFormer ignores 15 and 120 rows of Cityscapes: ego car, sky
    artefacts; the share counts the other rows only).
    """
    confidence, pseudo = probs.max(dim=1)
    top, bottom = ignore_rows
    rows = torch.ones(probs.shape[2], dtype=torch.bool, device=probs.device)
    rows[:top] = False
    rows[rows.numel() - bottom:] = False
    share = (confidence[:, rows] >= threshold).float().mean(dim=(1, 2))
    weight = share.view(-1, 1, 1) * rows.view(1, -1, 1).to(share.dtype)
    return pseudo, weight.expand_as(confidence).contiguous()
