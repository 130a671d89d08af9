"""ClassMix (Olsson et al., WACV 2021) as DACS (Tranheden et al., WACV 2021) uses it: pure
functions on tensors."""
import torch
from torch import Tensor


def class_mix_masks(source_labels: Tensor, ignore_index: int = 255,
                    generator: torch.Generator | None = None) -> Tensor:
    """``BoolTensor`` (N, H, W): per source label map (N, H, W), the pixels of half of the
    classes it shows (rounded up, drawn at random; ``ignore_index`` is no class), the pixels
    DACS pastes onto the target image."""
    masks = torch.zeros_like(source_labels, dtype=torch.bool)
    for i, labels in enumerate(source_labels):
        classes = labels.unique()
        classes = classes[classes != ignore_index]
        order = torch.randperm(len(classes), generator=generator, device='cpu')
        chosen = classes[order[:(len(classes) + 1) // 2].to(classes.device)]
        masks[i] = torch.isin(labels, chosen)
    return masks


def mix(masks: Tensor, pasted: Tensor, base: Tensor) -> Tensor:
    """``pasted`` where ``masks`` (N, H, W) is true, ``base`` elsewhere; images (N, C, H, W)
    and maps (N, H, W) alike (DACS: the mixed image and the mixed label)."""
    if pasted.shape != base.shape or masks.shape[-2:] != base.shape[-2:]:
        raise ValueError(f'ClassMix needs source and target of one size: source '
                         f'{tuple(pasted.shape)}, target {tuple(base.shape)}, masks '
                         f'{tuple(masks.shape)}; crop both domains to the same size')
    masks = masks if pasted.dim() == masks.dim() else masks.unsqueeze(1)
    return torch.where(masks, pasted, base)


def fit_to(images: Tensor, labels: Tensor, size: tuple[int, int], ignore_index: int = 255,
           generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """Images (N, C, H, W) and label maps (N, H, W) brought to ``size``: a random window where
    they are larger (one offset for the batch), zero images and ``ignore_index`` labels
    appended where smaller, so that a source batch of another size than the target's
    (GTA5's 1280x720 against Cityscapes' 1280x640) can be mixed into it."""
    for dim, side in ((2, size[0]), (3, size[1])):
        extra = images.shape[dim] - side
        if extra > 0:
            start = int(torch.randint(extra + 1, (1,), generator=generator))
            images = images.narrow(dim, start, side)
            labels = labels.narrow(dim - 1, start, side)
        elif extra < 0:
            pad = [0, 0, 0, 0]
            pad[1 if dim == 3 else 3] = -extra
            images = torch.nn.functional.pad(images, pad)
            labels = torch.nn.functional.pad(labels, pad, value=ignore_index)
    return images, labels
