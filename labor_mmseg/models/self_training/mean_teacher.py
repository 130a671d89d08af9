"""Self-training with a mean teacher and ClassMix (DACS, DAFormer), as one LabOR component."""
import torch
from mmengine.model import MomentumAnnealingEMA
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import Tensor, nn

from ..utils import (
    class_mix_masks,
    color_jitter,
    confidence_weighted,
    fit_to,
    gaussian_blur,
    mix,
)

SELECTION_READS = ('teacher', 'student')
PASTE_FROM = ('source', 'target')


@MODELS.register_module()
class MeanTeacher(nn.Module):
    """The teacher of A and the mixed target batches A learns from (DACS; DAFormer's defaults).

    - The teacher is an exponential moving average of A, updated after each step ``t`` of A
      (DAFormer Eq. 6 with its warm-up: ``teacher = a * teacher + (1 - a) * A``, ``a = min(1 -
      1 / (t + 1), alpha)``, so the early teacher follows A; MMEngine's
      ``MomentumAnnealingEMA`` with ``gamma=1``; buffers copied from A), run in eval mode
      without gradient.
    - Its pseudo-labels on the target images as the data pipeline gives them (before mixing):
      the argmax on every pixel, weighted per image by the share of confident pixels
      (:func:`confidence_weighted`, DACS Eq. 3).
    - Each target image gets half of the classes of its paired source image pasted, with
      their pixels and labels (ClassMix, DACS Sec. 3.2; a source batch of another size is
      cropped or padded to the target's, :func:`fit_to`), except over the pixels whose labels
      were bought, then colour jitter and Gaussian blur. A learns the mixed label (source
      labels where pasted, bought labels, weight 1, and pseudo-labels, their weight, elsewhere)
      beside everything it learns without self-training (source, the bought labels on the
      unmixed target, D): ``LabOR._mixed_losses``. With ``paste_from='target'`` the classes
      come from the batch's previous target image instead, with its bought labels and
      pseudo-labels and their weights (ClassMix as Olsson et al. mix two unlabeled images):
      for a target whose classes look like other source classes, where pasted source pixels
      contradict the bought labels.
    - Optionally, A's source features on thing classes are kept near its backbone as
      initialised (``feature_distance``, DAFormer's ImageNet feature distance).

    Args:
        alpha: The teacher's EMA factor (DAFormer: 0.999).
        pseudo_threshold: Max probability from which a pixel counts as confident (0.968).
        ignore_rows: Rows at the top and bottom of each target image whose pseudo-labels weigh
            nothing (DAFormer on Cityscapes crops: (15, 120)).
        color_jitter: ``dict(strength, probability)`` of :func:`color_jitter`, or None.
        blur: ``dict(probability, sigma)`` of :func:`gaussian_blur`, or None.
        selection: Which model B reads, in training and in selection rounds, and whose
            pseudo-labels it learns: ``'teacher'`` or ``'student'`` (A).
        paste_from: Where the pasted classes come from: ``'source'`` (DACS) or ``'target'``
            (another image of the target batch; needs a target batch of two or more).
        feature_distance: Config of a :class:`FeatureDistance` (``type`` may be left out),
            or None (the default): no feature distance.
    """

    def __init__(self, alpha: float = 0.999, pseudo_threshold: float = 0.968,
                 ignore_rows: tuple[int, int] = (0, 0),
                 color_jitter: dict | None = dict(strength=0.2, probability=0.8),
                 blur: dict | None = dict(probability=0.5, sigma=(0.15, 1.15)),
                 selection: str = 'teacher', paste_from: str = 'source',
                 feature_distance: dict | None = None) -> None:
        super().__init__()
        if not 0 <= alpha < 1:
            raise ValueError(f'model.self_training.alpha must be in [0, 1), got {alpha}')
        if selection not in SELECTION_READS:
            raise ValueError(f'model.self_training.selection must be one of {SELECTION_READS}, '
                             f'got {selection!r}')
        if paste_from not in PASTE_FROM:
            raise ValueError(f'model.self_training.paste_from must be one of {PASTE_FROM}, '
                             f'got {paste_from!r}')
        self.alpha = alpha
        self.pseudo_threshold = pseudo_threshold
        self.ignore_rows = tuple(ignore_rows)
        self.color_jitter = color_jitter
        self.blur = blur
        self.selection = selection
        self.paste_from = paste_from
        self.feature_distance = None if feature_distance is None else MODELS.build(
            {'type': 'FeatureDistance', **feature_distance})

    def attach(self, segmentor: nn.Module) -> None:
        """Make the teacher: a copy of ``segmentor`` (A), without gradients; and the
        feature distance's reference, a copy of A's backbone."""
        self.teacher = MomentumAnnealingEMA(segmentor, momentum=1 - self.alpha, gamma=1)
        if self.feature_distance is not None:
            self.feature_distance.attach(segmentor.backbone)

    @property
    def model(self) -> nn.Module:
        """The teacher segmentor."""
        return self.teacher.module

    @torch.no_grad()
    def update(self, segmentor: nn.Module) -> None:
        """One EMA step towards ``segmentor`` (the first copies it)."""
        self.teacher.update_parameters(segmentor)

    def pseudo_labels(self, probs: Tensor) -> tuple[Tensor, Tensor]:
        """Pseudo-labels and weights (N, H, W) from the teacher's softmax ``probs``."""
        top, bottom = self.ignore_rows
        if top + bottom >= probs.shape[2]:
            raise ValueError(f'model.self_training.ignore_rows={self.ignore_rows} leaves no row '
                             f'of the {probs.shape[2]}-row target images')
        return confidence_weighted(probs, self.pseudo_threshold, self.ignore_rows)

    def mixed_batch(self, source: dict, target: dict, pseudo: Tensor, weight: Tensor,
                    labels: Tensor, mean: Tensor, std: Tensor,
                    ignore_index: int = 255) -> dict:
        """The target batch A learns from: ``target``'s images with the classes of another
        image pasted (not over bought pixels) and strongly augmented, its data samples
        labelled with the mixed label and its ``gt_weight``. ``pseudo``,
        ``weight`` and ``labels`` (the bought ones, ``ignore_index`` elsewhere) are (N, H, W)
        at the label size; ``mean``/``std`` the preprocessor's."""
        # Bought labels win: their pixels keep the target's content and label.
        bought = labels != ignore_index
        target_labels = torch.where(bought, labels, pseudo)
        target_weight = torch.where(bought, torch.ones_like(weight), weight)
        pasted_inputs, pasted_labels, pasted_weight = self._pasted(
            source, target['inputs'], target_labels, target_weight, ignore_index)
        masks = class_mix_masks(pasted_labels, ignore_index) & ~bought
        images = mix(masks, pasted_inputs, target['inputs']) * std + mean
        images = images / 255
        if self.color_jitter is not None:
            images = color_jitter(images, **self.color_jitter)
        if self.blur is not None:
            images = gaussian_blur(images, **self.blur)
        inputs = (images * 255 - mean) / std
        mixed_labels = mix(masks, pasted_labels, target_labels)
        mixed_weight = mix(masks, pasted_weight, target_weight)
        samples = []
        for sample, label, pixel_weight in zip(target['data_samples'], mixed_labels,
                                               mixed_weight, strict=True):
            mixed = SegDataSample(metainfo=sample.metainfo)
            mixed.gt_sem_seg = PixelData(data=label[None])
            mixed.gt_weight = PixelData(data=pixel_weight[None])
            samples.append(mixed)
        return {'inputs': inputs, 'data_samples': samples}

    def _pasted(self, source: dict, inputs: Tensor, labels: Tensor, weight: Tensor,
                ignore_index: int) -> tuple[Tensor, Tensor, Tensor]:
        """The images, labels and weights whose classes are pasted onto the target batch
        (``inputs``, ``labels`` and ``weight`` its own): the paired source batch, fitted to the
        target's size, weight 1; or, for ``paste_from='target'``, each target image's
        predecessor in the batch."""
        if self.paste_from == 'target':
            if len(inputs) < 2:
                raise ValueError('model.self_training.paste_from=\'target\' mixes two target '
                                 'images of a batch: set train_dataloader.batch_size to 2 or '
                                 'more')
            return inputs.roll(1, 0), labels.roll(1, 0), weight.roll(1, 0)
        source_labels = torch.stack([s.gt_sem_seg.data[0] for s in source['data_samples']])
        source_inputs, source_labels = fit_to(source['inputs'], source_labels,
                                              tuple(inputs.shape[-2:]), ignore_index)
        return source_inputs, source_labels, torch.ones_like(weight)
