"""What LabOR needs from an MMSeg segmentor's heads: which they are, their logits, their losses.

Every MMSeg decode head (``BaseDecodeHead`` and the cascade stages' ``BaseCascadeDecodeHead``)
computes its training loss as ``loss_by_feat(seg_logits, data_samples)`` inside ``loss()``;
that call is where LabOR reads a head's logits and, on the target, puts its own loss, so the
segmentor's own ``loss()`` runs every head (decode head, cascade stages, auxiliary heads) with
MMSeg's names (``decode.*``, ``decode_<i>.*``, ``aux.*``, ``aux_<i>.*``).
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from mmseg.utils import SampleList
from torch import Tensor, nn

HeadLoss = Callable[[nn.Module, Tensor, SampleList], dict[str, Tensor]]


def as_list(heads: nn.Module | None) -> list[nn.Module]:
    """A segmentor's ``decode_head`` or ``auxiliary_head`` (one head, a ModuleList or None)."""
    if heads is None:
        return []
    return list(heads) if isinstance(heads, nn.ModuleList) else [heads]


def decode_heads(segmentor: nn.Module) -> list[nn.Module]:
    """The decode head, or a cascade's stages in order. ValueError if there is none."""
    heads = as_list(getattr(segmentor, 'decode_head', None))
    if not heads:
        raise ValueError(f'model.segmentor ({type(segmentor).__name__}) has no decode_head: '
                         'LabOR needs an MMSeg segmentor whose decode head gives per-pixel logits')
    return heads


def final_head(segmentor: nn.Module) -> nn.Module:
    """The head whose logits are the segmentor's prediction (a cascade's last stage)."""
    return decode_heads(segmentor)[-1]


def all_heads(segmentor: nn.Module) -> list[nn.Module]:
    """Decode head (or cascade stages) and auxiliary heads."""
    return decode_heads(segmentor) + as_list(getattr(segmentor, 'auxiliary_head', None))


def head_loss_weight(head: nn.Module) -> float:
    """The weight a head gives its first loss term (MMSeg: 1.0 decode, 0.4 auxiliary heads).

    The first term is the cross-entropy in MMSeg's configs; taking its weight keeps a head's
    share of the total as MMSeg's config sets it.
    """
    losses = getattr(head, 'loss_decode', None)
    first = losses[0] if isinstance(losses, nn.ModuleList) else losses
    if not hasattr(first, 'loss_weight'):
        raise ValueError(f'{type(head).__name__} has no loss_decode with a loss_weight: LabOR '
                         "trains A's heads as MMSeg's BaseDecodeHead does")
    return float(first.loss_weight)


@contextmanager
def head_losses_as(heads: list[nn.Module], loss_fn: HeadLoss) -> Iterator[None]:
    """While open, each head's ``loss_by_feat(seg_logits, data_samples)`` is
    ``loss_fn(head, seg_logits, data_samples)`` (an instance attribute over the method; nested
    uses restore the outer one)."""
    outer = [vars(head).get('loss_by_feat') for head in heads]
    for head in heads:
        head.loss_by_feat = partial(loss_fn, head)
    try:
        yield
    finally:
        for head, previous in zip(heads, outer, strict=True):
            if previous is None:
                del head.loss_by_feat
            else:
                head.loss_by_feat = previous


@contextmanager
def recorded_logits(head: nn.Module) -> Iterator[list[Tensor]]:
    """Collect the logits ``head`` computes its own loss from, while open."""
    logits: list[Tensor] = []
    own_loss = head.loss_by_feat

    def record(_head: nn.Module, seg_logits: Tensor, data_samples: SampleList) -> dict:
        logits.append(seg_logits)
        return own_loss(seg_logits, data_samples)

    with head_losses_as([head], record):
        yield logits


def single_logits(logits: list[Tensor], head: nn.Module) -> Tensor:
    """The one logits tensor recorded from ``head`` in a forward; RuntimeError otherwise."""
    if len(logits) != 1:
        raise RuntimeError(
            f'{type(head).__name__} computed its loss {len(logits)} times in one forward: LabOR '
            "reads the decode head's logits where its loss() calls loss_by_feat(seg_logits, "
            'data_samples) once, as every MMSeg decode head does')
    return logits[0]
