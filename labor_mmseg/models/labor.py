"""LabOR: Labeling Only if Required (Shin et al., ICCV 2021), as one MMEngine model."""
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModel, is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmseg.registry import MODELS
from mmseg.utils import SampleList
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..selection import classifier_discrepancy, inconsistency_mask
from .utils import pseudo_labels
from .utils.feature_channels import (
    check_head_channels,
    check_segmentor_channels,
    feature_channels,
    feature_maps,
)
from .utils.segmentor_heads import (
    all_heads,
    decode_heads,
    final_head,
    head_fields,
    head_loss_weight,
    head_losses_as,
    logits_map,
    recorded_logits,
    single_logits,
)


def unwrap(module: nn.Module) -> nn.Module:
    """The module inside a DDP-style wrapper, or ``module`` itself."""
    return module.module if is_model_wrapper(module) else module


@contextmanager
def frozen(module: nn.Module) -> Iterator[nn.Module]:
    """Temporarily stop gradients into ``module``'s parameters (restored afterwards)."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p in params:
            p.requires_grad_(True)


@contextmanager
def tapped_output(module: nn.Module) -> Iterator[list]:
    """Collect ``module``'s forward outputs while the context is open."""
    outputs: list = []
    handle = module.register_forward_hook(lambda _m, _i, out: outputs.append(out))
    try:
        yield outputs
    finally:
        handle.remove()


@contextmanager
def frozen_norm_stats(module: nn.Module, enabled: bool = True) -> Iterator[nn.Module]:
    """While open (if ``enabled``), ``module``'s batch-norm layers (BN, SyncBN) in training mode
    normalise with batch statistics without updating their running statistics."""
    norms = [m for m in module.modules()
             if enabled and isinstance(m, _BatchNorm) and m.track_running_stats]
    for m in norms:
        m.track_running_stats = False
    try:
        yield module
    finally:
        for m in norms:
            m.track_running_stats = True


def paired_preprocessor_cfg(segmentor: dict, data_preprocessor: dict | None) -> dict:
    """A's data preprocessor config updated with ``data_preprocessor``, for source/target pairs:
    MMSeg's model configs give a ``SegDataPreProcessor`` (top-level and in the model).

    Padding is the LabOR layer's: where it gives ``size_divisor`` or ``size``, a shipped
    model's other one (its training crop ``size``, which the LabOR data need not have) is
    dropped, so the two never clash (``SegDataPreProcessor`` takes one of them).
    """
    own = dict(segmentor.get('data_preprocessor') or {})
    layer = dict(data_preprocessor or {})
    for given, other in (('size_divisor', 'size'), ('size', 'size_divisor')):
        if layer.get(given) is not None:
            own.pop(other, None)
    cfg = {**own, **layer}
    if cfg.get('size') is not None and cfg.get('size_divisor') is not None:
        raise ValueError(f'model.segmentor.data_preprocessor: size={cfg["size"]} and '
                         f'size_divisor={cfg["size_divisor"]} are both set; keep one '
                         '(SegDataPreProcessor pads to a fixed size or to a multiple)')
    if cfg.get('type', 'SegDataPreProcessor') == 'SegDataPreProcessor':
        cfg['type'] = 'PairedSegDataPreProcessor'
    return cfg


def fixed_size_hint(segmentor: nn.Module, inputs: Tensor, err: RuntimeError) -> RuntimeError:
    """``err`` of A's forward, naming ``model.segmentor.backbone.img_size`` when the backbone
    has a fixed input size other than the batch's (a position embedding that is not
    interpolated, BEiT's and MAE's): the training crops must have that size."""
    img_size = getattr(getattr(segmentor, 'backbone', None), 'img_size', None)
    size = tuple(inputs.shape[2:])
    if img_size is None or tuple(img_size) == size:
        return err
    return RuntimeError(f'{err}; model.segmentor.backbone.img_size={tuple(img_size)} but the '
                        f'training batch is {size[0]}x{size[1]}: set img_size to the crop size '
                        '(this backbone does not resize its position embedding), or crop the '
                        'data to img_size')


def selector_head_cfg(head: dict, channels: list[int] | None,
                      level: int | list[int] | None) -> dict:
    """B's classifier config with ``in_index`` and ``in_channels`` filled in where unset: the
    level of A's final decode head when it reads one (``level``), else the deepest, and its
    channels."""
    head = dict(head)
    if channels is None and (head.get('in_index') is None or head.get('in_channels') is None):
        raise ValueError('model.selector.head: set in_index and in_channels; the backbone B '
                         'reads could not be probed for its channels (see the warning above)')
    if head.get('in_index') is None:
        head['in_index'] = level if isinstance(level, int) else len(channels) - 1
    if head.get('in_channels') is None:
        head['in_channels'] = channels[head['in_index']]
    return head


def stack_labels(data_samples: SampleList) -> Tensor:
    """Ground-truth maps of a batch as one (N, H, W) long tensor."""
    return torch.stack([s.gt_sem_seg.data.squeeze(0) for s in data_samples]).long()


def stack_weights(data_samples: SampleList) -> Tensor | None:
    """Per-pixel loss weights of a batch (``gt_weight``: a mixed batch's) as one (N, H, W)
    tensor; None when the samples carry none (every labeled pixel weighs 1)."""
    if 'gt_weight' not in data_samples[0]:
        return None
    return torch.stack([s.gt_weight.data.squeeze(0) for s in data_samples])


def resize_to(logits: Tensor, size: tuple[int, int], align_corners: bool = False) -> Tensor:
    """Bilinear resize of logits (N, K, h, w) to ``size``."""
    if logits.shape[2:] == size:
        return logits
    return F.interpolate(logits, size=size, mode='bilinear', align_corners=align_corners)


class SegmentorStep(NamedTuple):
    """What A's update gives D and B: its logs, its source logits and target logits (for D;
    None when there is no D to read them) and the target logits and features B learns from
    (None: B has its own backbone)."""

    log_vars: dict[str, Tensor]
    source_logits: Tensor
    target_logits: Tensor | None
    selector_logits: Tensor
    selector_feats: list[Tensor] | None


@MODELS.register_module()
class LabOR(BaseModel):
    """Segmentor A, pixel selector B and discriminator D, trained with alternating updates.

    - A (``segmentor``, any MMSeg segmentor with a ``decode_head``, cascades and auxiliary
      heads included): its own ``loss()`` on source, every head's :meth:`target_head_loss` on
      the labeled target pixels (255 elsewhere), and the AdaptSeg adversarial loss on target
      softmax maps (weight ``adv_weight``). With ``target_norm_stats`` its
      batch-norm running statistics are those of target batches only: the source forward
      normalises with its own batch statistics and leaves them as they are.
    - D (``discriminator``, an ``OutputAlignmentHead``): source-vs-target BCE on softmax maps.
    - B (``selector``, a ``DualHeadSelector``): two classifiers on target features, trained
      with A's pseudo-labels while their discrepancy is maximised w.r.t. the classifiers only
      (weight :attr:`discrepancy_weight`, scheduled by ``DiscrepancyLossHook``). With
      ``selector_backbone=None`` B reads A's backbone features, detached (no extra backbone);
      otherwise B has its own backbone, trained on the pseudo-label loss only. The classifiers'
      ``in_index`` and ``in_channels``, where unset, follow that backbone
      (:func:`selector_head_cfg`).

    Prediction, validation and testing are A's. Without ``selector`` and with no target labels
    this is AdaptSegNet (single level); without ``discriminator`` too, plain supervised training.
    Each child has its own optimizer: ``optim_wrapper`` is an ``OptimWrapperDict`` keyed by
    child name (``segmentor``, ``discriminator``, ``selector``, ``selector_backbone``), built by
    ``MultiOptimWrapperConstructor``; wrap with ``MMSeparateDistributedDataParallel`` for DDP.

    Args:
        segmentor: Config of model A.
        discriminator: Config of D, or None for no adversarial alignment.
        selector: Config of B's classifiers, or None for no selector.
        selector_backbone: Config of B's own backbone; None shares A's (detached).
        target_loss: Loss on labeled target pixels, averaged over labeled pixels only.
        adv_weight: Weight of the adversarial loss (AdaptSegNet single-level: 0.001).
        discrepancy_weight: Initial weight of the maximised discrepancy.
        pseudo_label_threshold: Confidence below which A's prediction is no pseudo-label.
        pseudo_label_class_fraction: Share of each class's pixels in an image (A's most
            confident) kept as pseudo-labels below the threshold too (after IAST); 0 = none.
        target_norm_stats: Keep A's batch-norm running statistics from target batches only:
            A is tested on target, and statistics averaged over both domains fit neither
            (measured in docs/design.md). No effect on frozen batch norm (``norm_eval=True``,
            the ImageNet-initialised recipe) or on other norm layers.
        self_training: Config of A's self-training (a ``MeanTeacher``), or None: A then
            learns the target from the mixed batches its teacher labels, the bought labels
            included, instead of from the bought labels alone.
        data_preprocessor: A's, updated with this (e.g. the runner's top-level
            ``data_preprocessor``, or ``dict(size_divisor=32)``), made to handle source/target
            pairs (a ``SegDataPreProcessor`` becomes a ``PairedSegDataPreProcessor``).
    """

    def __init__(self,
                 segmentor: dict,
                 discriminator: dict | None = None,
                 selector: dict | None = None,
                 selector_backbone: dict | None = None,
                 target_loss: dict = dict(
                     type='CrossEntropyLoss', avg_non_ignore=True, loss_name='loss_ce'),
                 adv_weight: float = 0.001,
                 discrepancy_weight: float = 1.0,
                 pseudo_label_threshold: float = 0.9,
                 pseudo_label_class_fraction: float = 0.0,
                 target_norm_stats: bool = True,
                 self_training: dict | None = None,
                 data_preprocessor: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(
            data_preprocessor=MODELS.build(paired_preprocessor_cfg(segmentor, data_preprocessor)),
            init_cfg=init_cfg)
        self.segmentor = MODELS.build(segmentor)
        feature_levels = check_segmentor_channels(self.segmentor)
        if discriminator is not None:
            self.discriminator = MODELS.build(discriminator)
        if selector_backbone is not None:
            if selector is None:
                raise ValueError('model.selector_backbone is set but model.selector is None')
            self.selector_backbone = MODELS.build(selector_backbone)
        if selector is not None:
            # B reads A's backbone (or its own): its level and channels follow that backbone.
            if selector_backbone is not None:
                channels, level = feature_channels(self.selector_backbone), None
            elif self.segmentor.with_neck:  # A's heads read the neck's levels, not B's
                channels, level = feature_channels(self.segmentor.backbone), None
            else:  # A's heads read the backbone's levels, probed above
                channels = feature_levels
                level = getattr(final_head(self.segmentor), 'in_index', None)
            selector = dict(selector, head=selector_head_cfg(selector['head'], channels, level))
            self.selector = MODELS.build(selector)
            if channels is not None:
                check_head_channels(self.selector.head1, channels, 'model.selector.head')
        self.check_num_classes()
        for head, field in head_fields(self.segmentor):
            if getattr(head, 'num_classes', None) != self.num_classes:
                print_log(f'{field} ({type(head).__name__}, {head.num_classes} classes) learns '
                          f'from its own loss on source only: the target labels are of '
                          f'{self.num_classes} classes', 'current')
        self._through_prediction: list[nn.Module] = []  # heads of the running target forward
        self.target_loss = MODELS.build(target_loss)
        self.adv_weight = adv_weight
        self.discrepancy_weight = discrepancy_weight
        self.pseudo_label_threshold = pseudo_label_threshold
        if not 0 <= pseudo_label_class_fraction <= 1:
            raise ValueError('model.pseudo_label_class_fraction must be in [0, 1], got '
                             f'{pseudo_label_class_fraction}')
        self.pseudo_label_class_fraction = pseudo_label_class_fraction
        self.target_norm_stats = target_norm_stats
        if self_training is not None:
            self.self_training = MODELS.build(self_training)
            self.self_training.attach(self.segmentor)

    def init_weights(self) -> None:
        """Initialise every component (MMEngine's ``init_weights``, e.g. A's pretrained
        backbone), then the feature distance's reference to A's backbone as initialised."""
        super().init_weights()
        if self.feature_distance is not None:
            self.feature_distance.reset(unwrap(self.segmentor).backbone)

    @property
    def feature_distance(self) -> nn.Module | None:
        """Self-training's feature distance, or None where it is off."""
        return self.self_training.feature_distance if self.with_self_training else None

    @property
    def num_classes(self) -> int:
        """Classes of A's prediction (its final decode head)."""
        return final_head(unwrap(self.segmentor)).num_classes

    def check_num_classes(self, dataset_classes: int | None = None,
                          dataset_field: str = 'the dataset') -> None:
        """ValueError naming the config fields when A's final head, D's input, B's classifiers
        (and ``dataset_classes``, the training data's) do not count the same classes: D reads
        A's softmax maps and B learns A's pseudo-labels, so a mismatch would otherwise surface
        as a shape error deep inside a convolution or a loss."""
        counts = {'model.segmentor.decode_head.num_classes': self.num_classes}
        if self.with_discriminator:
            counts['model.discriminator.num_classes'] = unwrap(self.discriminator).num_classes
        if self.with_selector:
            counts['model.selector.head.num_classes'] = unwrap(self.selector).head1.num_classes
        if dataset_classes is not None:
            counts[f'the classes of {dataset_field}'] = dataset_classes
        if len(set(counts.values())) > 1:
            raise ValueError('these must count the same classes: ' + ', '.join(
                f'{field}={n}' for field, n in counts.items()))

    @property
    def with_discriminator(self) -> bool:
        """Whether A is aligned adversarially."""
        return hasattr(self, 'discriminator')

    @property
    def with_self_training(self) -> bool:
        """Whether A learns from a mean teacher on mixed target batches."""
        return hasattr(self, 'self_training')

    @property
    def with_selector(self) -> bool:
        """Whether model B is trained."""
        return hasattr(self, 'selector')

    @property
    def with_selector_backbone(self) -> bool:
        """Whether B has its own backbone (else it reads A's)."""
        return hasattr(self, 'selector_backbone')

    @property
    def ignore_index(self) -> int:
        """Label value of unlabeled pixels."""
        return getattr(final_head(unwrap(self.segmentor)), 'ignore_index', 255)

    def forward(self, inputs: Tensor, data_samples: SampleList | None = None,
                mode: str = 'tensor'):
        """A's forward for ``predict`` and ``tensor``; training goes through :meth:`train_step`."""
        if mode == 'loss':
            raise RuntimeError('LabOR trains with several optimizers: use train_step, which '
                               'the runner calls with an OptimWrapperDict')
        return self.segmentor(inputs, data_samples, mode=mode)

    def train_step(self, data: dict, optim_wrapper: OptimWrapperDict) -> dict[str, Tensor]:
        """One iteration: update A (and its teacher), then D, then B, each with its own
        optimizer."""
        data = self.data_preprocessor(data, True)
        source, target = data['source'], data['target']
        labels = stack_labels(target['data_samples'])  # oracle labels, 255 elsewhere
        step = self._train_segmentor(source, target, labels, optim_wrapper['segmentor'])
        log_vars = step.log_vars
        if self.with_discriminator:
            log_vars.update(self._train_discriminator(
                source['inputs'].shape[2:], step.source_logits, step.target_logits,
                optim_wrapper['discriminator']))
        if self.with_selector:
            log_vars.update(self._train_selector(
                target, labels, F.softmax(step.selector_logits, dim=1), step.selector_feats,
                optim_wrapper))
        return log_vars

    def _source_losses(self, segmentor: nn.Module, source: dict) -> tuple[dict, Tensor]:
        """A's own loss on source (every head, MMSeg's names and weights), with self-training's
        feature distance where configured (``loss_fd``), and its logits, the batch-norm
        statistics left as they are with ``target_norm_stats``."""
        head = final_head(segmentor)
        with frozen_norm_stats(segmentor, self.target_norm_stats), \
                recorded_logits(head) as source_logits, \
                tapped_output(segmentor.backbone) as feats:
            try:
                losses = self.segmentor(source['inputs'], source['data_samples'], mode='loss')
            except RuntimeError as err:
                raise fixed_size_hint(segmentor, source['inputs'], err) from err
        if self.feature_distance is not None:
            losses['loss_fd'] = self.feature_distance.loss(
                source['inputs'], stack_labels(source['data_samples']), feats[0],
                self.num_classes)
        source_logits = single_logits(source_logits, head)
        if source_logits is None:
            with torch.no_grad(), frozen_norm_stats(segmentor):
                source_logits = self.predicted_logits(segmentor, source)
        return losses, source_logits

    def _target_losses(self, segmentor: nn.Module, batch: dict) -> tuple[dict, Tensor, list]:
        """Each head's :meth:`target_head_loss` on ``batch`` (its data samples' labels, and
        their ``gt_weight`` where given), A's logits and its backbone's outputs, from one
        forward."""
        head = final_head(segmentor)
        self._through_prediction = []
        with tapped_output(segmentor.backbone) as feats, \
                head_losses_as(all_heads(segmentor), self.target_head_loss), \
                recorded_logits(head) as logits:
            losses = self.segmentor(batch['inputs'], batch['data_samples'], mode='loss')
        logits = single_logits(logits, head)
        # A final head that reads no single logits map (several outputs, points, query
        # masks): A's prediction comes from its own inference path, and heads of A's classes
        # whose loss is not over a logits map learn the target labels through it.
        if logits is None or self._through_prediction:
            predicted = self.predicted_logits(segmentor, batch)
            logits = predicted if logits is None else logits
            if self._through_prediction:
                losses.update({f'pred.{k}': v for k, v in self.label_losses(
                    predicted, batch['data_samples'], self.ignore_index).items()})
        return losses, logits, feats

    def _adversarial_loss(self, target_logits: Tensor, size: tuple[int, int]) -> Tensor:
        """AdaptSegNet's adversarial loss of A's target logits (upsampled to the input size
        ``size`` before D, as AdaptSegNet does), weighted by ``adv_weight``."""
        target_probs = F.softmax(resize_to(target_logits, size), dim=1)
        with frozen(unwrap(self.discriminator)) as discriminator:
            return self.adv_weight * discriminator.loss_adversarial(target_probs)

    def _train_segmentor(self, source: dict, target: dict, labels: Tensor,
                         wrapper) -> 'SegmentorStep':
        """Model A: its own loss on source, each head's :meth:`target_head_loss` and the
        adversarial loss on target, and with self-training the loss of the mixed batch
        (:meth:`_mixed_losses`) and the teacher's EMA step; B reads A's target outputs, or the
        teacher's (``self_training.selection``)."""
        segmentor = unwrap(self.segmentor)
        with wrapper.optim_context(self.segmentor):
            source_losses, source_logits = self._source_losses(segmentor, source)
            # One target forward gives every head's loss, the logits for D and B's features.
            target_losses, target_logits, feats = self._target_losses(segmentor, target)
            losses = {f'src.{k}': v for k, v in source_losses.items()}
            losses.update({f'tgt.{k}': v for k, v in target_losses.items()})
            if self.with_discriminator:
                losses['tgt.loss_adv'] = self._adversarial_loss(target_logits,
                                                                target['inputs'].shape[2:])
            if self.with_self_training:
                mixed_losses, teacher_logits, teacher_feats, weight = self._mixed_losses(
                    segmentor, source, target, labels)
                losses.update(mixed_losses)
            loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        target_logits = target_logits.detach()
        if not self.with_self_training:
            return SegmentorStep(log_vars, source_logits.detach(), target_logits, target_logits,
                                 self._shared_features(feats))
        self.self_training.update(segmentor)
        log_vars['mix.pseudo_weight'] = weight.mean().detach()
        if self.self_training.selection == 'teacher':
            return SegmentorStep(log_vars, source_logits.detach(), target_logits,
                                 teacher_logits, self._shared_features(teacher_feats))
        return SegmentorStep(log_vars, source_logits.detach(), target_logits, target_logits,
                             self._shared_features(feats))

    def _mixed_losses(self, segmentor: nn.Module, source: dict, target: dict,
                      labels: Tensor) -> tuple[dict, Tensor, list, Tensor]:
        """Self-training's loss (DACS, DAFormer): the teacher labels the target batch, source
        classes are pasted onto it (:class:`MeanTeacher`), and each head of A learns the mixed
        label, pixels weighted, through :meth:`target_head_loss`; A's batch-norm statistics
        are left to the unmixed target with ``target_norm_stats``. Returns the losses
        (``mix.*``), the teacher's target logits and backbone outputs, and the pseudo-labels'
        weights."""
        teaching = self.self_training
        metas = [s.metainfo for s in target['data_samples']]
        with torch.no_grad(), tapped_output(teaching.model.backbone) as teacher_feats:
            teacher_logits = teaching.model.eval().encode_decode(target['inputs'], metas)
        pseudo, weight = teaching.pseudo_labels(
            F.softmax(resize_to(teacher_logits.float(), labels.shape[1:]), dim=1))
        preprocessor = self.data_preprocessor
        mixed = teaching.mixed_batch(
            source, target, pseudo, weight, labels, preprocessor.mean.view(1, -1, 1, 1),
            preprocessor.std.view(1, -1, 1, 1), self.ignore_index)
        with frozen_norm_stats(segmentor, self.target_norm_stats):
            mixed_losses, _, _ = self._target_losses(segmentor, mixed)
        return ({f'mix.{k}': v for k, v in mixed_losses.items()}, teacher_logits.detach(),
                teacher_feats, weight)

    def _shared_features(self, feats: list) -> list[Tensor] | None:
        """B's input maps from a tapped backbone output (detached), where B reads A's
        backbone; None where it has its own."""
        if not self.with_selector or self.with_selector_backbone:
            return None
        return [f.detach() for f in feature_maps(feats[0])]

    def target_head_loss(self, head: nn.Module, *args, **kwargs) -> dict[str, Tensor]:
        """A head's loss on the labeled target pixels, in place of its ``loss_by_feat``:
        ``target_loss`` of its logits map (averaged over labeled pixels only, as they are
        sparse), weighted as the head weights its own loss. None for a head of other classes
        (a 2-class boundary head: the target labels are not its), and none for a head whose
        loss reads no logits map of A's classes (several outputs, points, query masks): it
        learns the target labels through A's prediction (``tgt.pred.loss_ce``)."""
        if getattr(head, 'num_classes', None) != self.num_classes:
            return {}
        logits = logits_map(args[0], head) if len(args) == 2 and not kwargs else None
        if logits is None:
            self._through_prediction.append(head)
            return {}
        return {k: head_loss_weight(head) * v for k, v in self.label_losses(
            logits, args[1], head.ignore_index, head.align_corners).items()}

    def label_losses(self, logits: Tensor, data_samples: SampleList, ignore_index: int,
                     align_corners: bool = False) -> dict[str, Tensor]:
        """``{loss_name: target_loss}`` of ``logits`` (resized to the labels) against the
        batch's labels (``gt_sem_seg``; each pixel weighted by ``gt_weight`` where given, a
        mixed batch's)."""
        labels = stack_labels(data_samples)
        loss = self.target_loss(resize_to(logits, labels.shape[1:], align_corners), labels,
                                weight=stack_weights(data_samples), ignore_index=ignore_index)
        return {self.target_loss.loss_name: loss}

    @staticmethod
    def predicted_logits(segmentor: nn.Module, batch: dict) -> Tensor:
        """A's per-pixel class scores of ``batch`` from its own inference path
        (``encode_decode``: the head's ``predict``, as MMSeg tests), at the input size. The
        decode heads predict in eval mode (a head may return every stage's output while
        training, K-Net's); the backbone stays as it is."""
        heads = [h for h in decode_heads(segmentor) if h.training]
        for head in heads:
            head.eval()
        try:
            return segmentor.encode_decode(batch['inputs'],
                                           [s.metainfo for s in batch['data_samples']])
        finally:
            for head in heads:
                head.train()

    def _train_discriminator(self, size: tuple[int, int], source_logits: Tensor,
                             target_logits: Tensor, wrapper) -> dict[str, Tensor]:
        """D: source maps vs target maps (both detached from A), at the source input size."""
        source_probs, target_probs = (F.softmax(resize_to(logits, size), dim=1)
                                      for logits in (source_logits, target_logits))
        with wrapper.optim_context(self.discriminator):
            loss = self.discriminator(source_probs, target_probs)
        wrapper.update_params(loss)
        return {'disc.loss_d': loss.detach()}

    def _train_selector(self, target: dict, labels: Tensor, target_probs: Tensor,
                        target_feats: list[Tensor] | None,
                        optim_wrapper: OptimWrapperDict) -> dict[str, Tensor]:
        """B: pseudo-label CE; discrepancy maximised w.r.t. the two classifiers only."""
        pseudo = pseudo_labels(resize_to(target_probs, labels.shape[1:]),
                               self.pseudo_label_threshold, labels, self.ignore_index,
                               self.pseudo_label_class_fraction)
        if target_feats is None:  # own backbone; its features feed the backbone step below
            with optim_wrapper['selector_backbone'].optim_context(self.selector_backbone):
                own_feats = self.selector_backbone(target['inputs'])
            target_feats = [f.detach() for f in own_feats]
        heads_wrapper = optim_wrapper['selector']
        with heads_wrapper.optim_context(self.selector):
            logits = self.selector(target_feats)
            selector = unwrap(self.selector)
            loss_pseudo = selector.loss_pseudo(logits, pseudo)
            discrepancy = selector.discrepancy_loss(*logits)
            # LabOR / MCD step B: the classifiers maximise their discrepancy.
            loss = loss_pseudo - self.discrepancy_weight * discrepancy
        heads_wrapper.update_params(loss)
        with torch.no_grad():
            probs = [F.softmax(x.float(), dim=1) for x in logits]
            log_vars = {
                'sel.loss_pseudo': loss_pseudo.detach(),
                'sel.discrepancy': classifier_discrepancy(*probs).mean(),
                'sel.inconsistency_ratio': inconsistency_mask(*probs).float().mean(),
                'sel.pseudo_label_ratio': (pseudo != self.ignore_index).float().mean(),
            }
        if self.with_selector_backbone:
            backbone_wrapper = optim_wrapper['selector_backbone']
            with backbone_wrapper.optim_context(self.selector_backbone):
                with frozen(unwrap(self.selector)) as heads:
                    loss_backbone = heads.loss_pseudo(heads(own_feats), pseudo)
            backbone_wrapper.update_params(loss_backbone)
            log_vars['sel.loss_backbone'] = loss_backbone.detach()
        return log_vars

    @torch.no_grad()
    def selector_probs(self, inputs: Tensor, size: tuple[int, int]) -> tuple[Tensor, Tensor]:
        """Softmax maps of B's two classifiers for ``inputs``, upsampled to ``size``."""
        if self.with_selector_backbone:
            feats = unwrap(self.selector_backbone)(inputs)
        elif self.with_self_training and self.self_training.selection == 'teacher':
            feats = self.self_training.model.eval().backbone(inputs)
        else:
            feats = unwrap(self.segmentor).backbone(inputs)
        logits = unwrap(self.selector)(feature_maps(feats))
        probs = tuple(F.softmax(resize_to(x.float(), size), dim=1) for x in logits)
        return probs[0], probs[1]
