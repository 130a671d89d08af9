"""One optimizer per child module, for models trained with alternating updates."""
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn

# Top-level fields of the config that every child's wrapper takes unless it sets its own; a
# child naming its own ``type`` takes none of the fields of the top-level wrapper kind.
WRAPPER_KIND = ('type', 'loss_scale', 'dtype')
WRAPPER_DEFAULTS = (*WRAPPER_KIND, 'accumulative_counts', 'clip_grad')


def child_wrapper_cfg(defaults: dict, cfg: dict) -> dict:
    """A child's wrapper config: its own fields over the top-level ``defaults`` (less the
    wrapper-kind fields when it names its own ``type``), without its ``paramwise_cfg``."""
    inherited = {k: v for k, v in defaults.items() if 'type' not in cfg or k not in WRAPPER_KIND}
    return {**inherited, **{k: v for k, v in cfg.items() if k != 'paramwise_cfg'}}


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Builds an ``OptimWrapperDict`` with one ``OptimWrapper`` per named child of the model.

    MMEngine has no such constructor (MMagic's plays this role). Config::

        optim_wrapper = dict(
            type='OptimWrapper',  # every child's wrapper unless it names its own
            constructor='MultiOptimWrapperConstructor',
            segmentor=dict(optimizer=dict(type='SGD', lr=2.5e-4),
                           paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.)})),
            discriminator=dict(optimizer=dict(type='Adam', lr=1e-4)))

    Each entry is built by MMEngine's ``DefaultOptimWrapperConstructor`` on that child (its own
    optimizer, lr and ``paramwise_cfg``). The top-level wrapper fields (:data:`WRAPPER_DEFAULTS`)
    are every child's defaults, so MMSeg's ``tools/train.py --amp``, which sets
    ``optim_wrapper.type='AmpOptimWrapper'`` and ``loss_scale``, turns every child to AMP.
    Entries naming a child the model does not have are skipped, so one schedule serves models
    with and without a selector; a child with trainable parameters but no entry is an error.

    Args:
        optim_wrapper_cfg: Child name -> optim wrapper config, and the children's defaults.
        paramwise_cfg: Must be None; give ``paramwise_cfg`` inside each entry.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None) -> None:
        if paramwise_cfg is not None:
            raise ValueError('optim_wrapper.paramwise_cfg: give it inside each child entry of '
                             'MultiOptimWrapperConstructor, e.g. optim_wrapper.segmentor.'
                             'paramwise_cfg')
        defaults = {k: v for k, v in optim_wrapper_cfg.items() if k in WRAPPER_DEFAULTS}
        children = {k: v for k, v in optim_wrapper_cfg.items() if k not in WRAPPER_DEFAULTS}
        for name, cfg in children.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise ValueError(f'optim_wrapper.{name} must be an optim wrapper config with an '
                                 f'optimizer, got {cfg!r}')
        self.constructors = {
            name: DefaultOptimWrapperConstructor(child_wrapper_cfg(defaults, cfg),
                                                 cfg.get('paramwise_cfg'))
            for name, cfg in children.items()}

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the wrappers for ``model``'s children (unwrapping DDP-style wrappers)."""
        model = model.module if is_model_wrapper(model) else model
        children = {name: child.module if is_model_wrapper(child) else child
                    for name, child in model.named_children()}
        trainable = {name for name, child in children.items()
                     if any(p.requires_grad for p in child.parameters())}
        missing = trainable - set(self.constructors)
        if missing:
            raise ValueError(f'optim_wrapper has no entry for model children {sorted(missing)}; '
                             f'entries: {sorted(self.constructors)}')
        return OptimWrapperDict(**{
            name: constructor(children[name])
            for name, constructor in self.constructors.items() if name in children})
