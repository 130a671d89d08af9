"""Rewrite an optimizer-wrapper config for automatic mixed precision (``--amp``)."""

import logging

from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log

from ..engine.optim_constructor import WRAPPER_DEFAULTS

MULTI_CONSTRUCTOR = 'MultiOptimWrapperConstructor'
# Keys of a ``MultiOptimWrapperConstructor`` config that are not child wrappers: mmengine's
# ``build_optim_wrapper`` pops both before handing the children to the constructor.
NON_CHILD_KEYS = ('constructor', 'paramwise_cfg')


def _to_amp(wrapper: ConfigDict, name: str) -> None:
    """Turn one ``OptimWrapper`` config into an ``AmpOptimWrapper`` with dynamic loss scale."""
    wrapper_type = wrapper.get('type', 'OptimWrapper')
    if wrapper_type == 'AmpOptimWrapper':
        print_log(
            f'AMP training is already enabled for {name} in your config.',
            logger='current',
            level=logging.WARNING,
        )
        return
    if wrapper_type != 'OptimWrapper':
        raise ValueError(
            f'`--amp` is only supported when the optimizer wrapper type is `OptimWrapper`, '
            f'but {name} has type {wrapper_type!r}.'
        )
    wrapper.type = 'AmpOptimWrapper'
    wrapper.loss_scale = 'dynamic'


def enable_amp(cfg: Config) -> None:
    """Switch ``cfg.optim_wrapper`` (a single wrapper or a multi-wrapper dict) to AMP in place.

    A multi-wrapper config's top-level ``type`` is every child's default (as MMSeg's own
    ``--amp`` sets it); a child that names its own ``type`` is switched too.
    """
    optim_wrapper = cfg.optim_wrapper
    _to_amp(optim_wrapper, 'optim_wrapper')
    if optim_wrapper.get('constructor') != MULTI_CONSTRUCTOR:
        return
    for name, child in optim_wrapper.items():
        if name in NON_CHILD_KEYS or name in WRAPPER_DEFAULTS:
            continue
        if not isinstance(child, dict):
            raise TypeError(
                f'optim_wrapper.{name} of a {MULTI_CONSTRUCTOR} config must be a wrapper '
                f'config dict, got {type(child).__name__}.'
            )
        if 'type' in child:
            _to_amp(child, f'optim_wrapper.{name}')
