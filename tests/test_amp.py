"""Tests for ``labor_mmseg.utils.enable_amp`` (the ``--amp`` config rewrite)."""

import pytest
from mmengine.config import Config

from labor_mmseg.utils import enable_amp

SGD = dict(type='SGD', lr=0.01, momentum=0.9)
ADAM = dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))


def test_single_wrapper() -> None:
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer=SGD, clip_grad=None)))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.optimizer.to_dict() == SGD
    assert cfg.optim_wrapper.clip_grad is None


def test_single_wrapper_without_type_defaults_to_optim_wrapper() -> None:
    cfg = Config(dict(optim_wrapper=dict(optimizer=SGD)))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'


def test_existing_amp_wrapper_is_kept() -> None:
    cfg = Config(dict(optim_wrapper=dict(type='AmpOptimWrapper', optimizer=SGD, loss_scale=512.0)))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 512.0


def test_unsupported_wrapper_type() -> None:
    cfg = Config(dict(optim_wrapper=dict(type='ApexOptimWrapper', optimizer=SGD)))
    with pytest.raises(ValueError, match='ApexOptimWrapper'):
        enable_amp(cfg)


MULTI_CONFIG = """
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    segmentor=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9),
        clip_grad=dict(max_norm=10.0)),
    discriminator=dict(
        type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))),
    paramwise_cfg=dict(segmentor=dict(custom_keys=dict(head=dict(lr_mult=10.0)))))
"""


def test_multi_wrapper_from_file(tmp_path) -> None:
    config_file = tmp_path / 'multi.py'
    config_file.write_text(MULTI_CONFIG)
    cfg = Config.fromfile(str(config_file))
    enable_amp(cfg)
    wrappers = cfg.optim_wrapper
    assert wrappers.constructor == 'MultiOptimWrapperConstructor'
    for name, optimizer in (('segmentor', SGD), ('discriminator', ADAM)):
        assert wrappers[name].type == 'AmpOptimWrapper'
        assert wrappers[name].loss_scale == 'dynamic'
        assert wrappers[name].optimizer.to_dict() == optimizer
    assert wrappers.segmentor.clip_grad.to_dict() == dict(max_norm=10.0)
    assert wrappers.type == 'AmpOptimWrapper' and wrappers.loss_scale == 'dynamic'
    assert wrappers.paramwise_cfg.to_dict() == dict(
        segmentor=dict(custom_keys=dict(head=dict(lr_mult=10.0)))
    )


def test_multi_wrapper_with_one_child_already_amp() -> None:
    cfg = Config(
        dict(
            optim_wrapper=dict(
                constructor='MultiOptimWrapperConstructor',
                segmentor=dict(type='AmpOptimWrapper', optimizer=SGD, loss_scale=256.0),
                discriminator=dict(optimizer=ADAM),
            )
        )
    )
    enable_amp(cfg)
    assert cfg.optim_wrapper.segmentor.loss_scale == 256.0
    # The discriminator names no type: it takes the top-level one, which is now AMP.
    assert 'type' not in cfg.optim_wrapper.discriminator
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'


def test_top_level_wrapper_fields_are_every_childs_default(amp_on_cpu) -> None:
    """What MMSeg's own --amp writes (``optim_wrapper.type``, ``loss_scale``) reaches every
    child of the multi-wrapper; a child naming its own type keeps it, without the AMP fields."""
    import torch
    from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

    model = torch.nn.Module()
    model.segmentor, model.discriminator = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    cfg = dict(type='AmpOptimWrapper', loss_scale=64.0, segmentor=dict(optimizer=SGD),
               discriminator=dict(type='OptimWrapper', optimizer=ADAM))
    wrappers = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg))(model)
    assert type(wrappers['segmentor']).__name__ == 'AmpOptimWrapper'
    assert type(wrappers['discriminator']).__name__ == 'OptimWrapper'


def test_multi_wrapper_rejects_non_dict_child() -> None:
    cfg = Config(
        dict(optim_wrapper=dict(constructor='MultiOptimWrapperConstructor', segmentor='SGD'))
    )
    with pytest.raises(TypeError, match='optim_wrapper.segmentor'):
        enable_amp(cfg)
