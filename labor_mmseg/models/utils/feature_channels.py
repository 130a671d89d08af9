"""Which feature channels a decode head reads, and whether they are what the backbone gives.

A backbone swap changes its channels; these helpers let B's classifiers follow A's backbone and
turn a mismatch into a build-time error naming the config fields, not a channel error at the
first forward.
"""
from collections.abc import Callable

import torch
from torch import Tensor, nn

from .segmentor_heads import as_list

# A dry forward of this many pixels a side is enough for every MMSeg backbone's strides.
DRY_RUN_SIZE = 64


@torch.no_grad()
def feature_channels(module: nn.Module,
                     forward: Callable[[Tensor], list[Tensor]] | None = None) -> list[int]:
    """Channels of each feature level ``forward`` (default ``module`` itself, e.g. a backbone;
    a segmentor's ``extract_feat``) outputs, from one dry forward of ``module`` in eval mode (no
    statistics updated, no gradient)."""
    was_training = module.training
    param = next(module.parameters())
    module.eval()
    try:
        feats = (forward or module)(param.new_zeros(1, 3, DRY_RUN_SIZE, DRY_RUN_SIZE))
    finally:
        module.train(was_training)
    return [f.shape[1] for f in feats]


def head_input_channels(channels: list[int], in_index: int | list[int],
                        input_transform: str | None) -> int | list[int]:
    """What a head with ``in_index`` and ``input_transform`` (MMSeg's ``BaseDecodeHead``) reads
    from features of ``channels``."""
    if input_transform is None:
        return channels[in_index]
    picked = [channels[i] for i in in_index]
    return sum(picked) if input_transform == 'resize_concat' else picked


def check_head_channels(head: nn.Module, channels: list[int], field: str) -> None:
    """ValueError naming ``field`` if ``head`` (a built ``BaseDecodeHead``) expects other input
    channels than features of ``channels`` give it; heads of other kinds are not checked."""
    if not all(hasattr(head, a) for a in ('in_channels', 'in_index', 'input_transform')):
        return
    try:
        given = head_input_channels(channels, head.in_index, head.input_transform)
    except IndexError:
        raise ValueError(f'{field}.in_index={head.in_index} names a feature level the backbone '
                         f'does not output: it gives {len(channels)} levels of {channels} '
                         'channels') from None
    if given != head.in_channels:
        raise ValueError(
            f'{field}.in_channels={head.in_channels} does not match the backbone: its levels '
            f'have {channels} channels, so in_index={head.in_index} gives {given}; set '
            f'{field}.in_channels={given} (or change {field}.in_index)')


def check_segmentor_channels(segmentor: nn.Module) -> None:
    """ValueError naming the head's config field if a head of A expects other channels than
    A's backbone (and neck) give, as after a backbone swap by inheritance."""
    channels = feature_channels(segmentor, segmentor.extract_feat)
    for name in ('decode_head', 'auxiliary_head'):
        heads = as_list(getattr(segmentor, name, None))
        for i, head in enumerate(heads):
            field = f'model.segmentor.{name}' + (f'[{i}]' if len(heads) > 1 else '')
            check_head_channels(head, channels, field)

