"""The model of a config MMSeg ships (or any config file), for A in a LabOR config.

MMEngine refuses two whole configs as bases of one (``Duplicate key is not allowed among
bases``: both define the data, schedule and runtime), so a LabOR config inherits LabOR's layer
and takes only the model of the shipped one, in one line::

    from labor_mmseg.utils import shipped_model
    _base_ = ['../../_base_/labor/spl_synth.py']
    model = dict(segmentor=shipped_model('mmseg::pspnet/pspnet_r50-d8_4xb2-40k_cityscapes-'
                                         '512x1024.py'), **_base_.labor)

(``_base_`` first: MMEngine then reads the file as a classic config, where an import only
brings a function, which is not kept in the config.)
"""
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmengine.config import Config, ConfigDict

# Packages a shipped config may import (``custom_imports``) and the extra that installs them.
EXTRAS = {'mmdet': 'zoo', 'mmpretrain': 'zoo'}


def import_custom_modules(imports: dict | None, where: str) -> None:
    """Import a config's ``custom_imports`` now (they register the model's components);
    ImportError naming the config and the extra that installs a missing package."""
    if not imports:
        return
    names = imports.get('imports', [])
    for name in [names] if isinstance(names, str) else names:
        try:
            importlib.import_module(name)
        except ImportError as err:
            package = name.split('.')[0]
            missing = (getattr(err, 'name', None) or '').split('.')[0]
            extra = EXTRAS.get(package)
            if missing and missing != package:  # the package is there, one it needs is not
                raise ImportError(f'{where} imports {name} (custom_imports), which needs '
                                  f'{missing}: install it (beside your torch); {err}') from None
            hint = (f"pip install -e '.[{extra}]' (or bash tools/install.sh, which installs "
                    'it)') if extra else f'install {package}'
            raise ImportError(f'{where} imports {name} (custom_imports), which is not '
                              f'installed: {hint}; {err}') from None


def config_file(path: str) -> str:
    """The file of ``path``: a file, or ``<package>::<config>`` (MMEngine's cross-package
    form), a config the package ships in its ``.mim/configs``; FileNotFoundError naming it."""
    if '::' not in path:
        return path
    package, relative = path.split('::', 1)
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f'{path}: package {package} is not installed')
    file = Path(spec.origin).parent / '.mim' / 'configs' / relative
    if not file.is_file():
        raise FileNotFoundError(f'{path}: {package} ships no config {relative} '
                                f'(looked in {file.parent})')
    return str(file)


def _rewrite(cfg: Any, value_of: Callable[[str, Any], Any],
             keep: Callable[[Any], bool] = lambda item: True) -> Any:
    """``cfg`` (nested dicts and lists) with each ``key: value`` replaced by
    ``key: value_of(key, value)``, rewritten in turn, and list items ``keep`` refuses dropped."""
    if isinstance(cfg, list | tuple):
        return type(cfg)(_rewrite(c, value_of, keep) for c in cfg if keep(c))
    if not isinstance(cfg, dict):
        return cfg
    out = type(cfg)()
    for key, value in cfg.items():
        out[key] = _rewrite(value_of(key, value), value_of, keep)
    return out


def _is_pretrained(cfg: Any) -> bool:
    return isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'


def without_pretrained(cfg: Any) -> Any:
    """``cfg`` (a model config) with every pretrained-weight reference removed: ``pretrained``
    set to None and ``init_cfg`` entries of type ``Pretrained`` dropped (training from scratch,
    e.g. where nothing can be downloaded)."""
    def value_of(key: str, value: Any) -> Any:
        if key == 'pretrained' or (key == 'init_cfg' and _is_pretrained(value)):
            return None
        return value
    return _rewrite(cfg, value_of, keep=lambda item: not _is_pretrained(item))


def with_num_classes(cfg: Any, num_classes: int) -> Any:
    """``cfg`` with every ``num_classes`` in it (each head's) set to ``num_classes``: a model
    shipped for another dataset (ADE20K's 150 classes) on the data at hand. A per-class
    ``class_weight`` list of another length follows: its first weight for each class, and a
    last weight of another value kept as the trailing "no object" weight of query-based heads;
    one of these classes (and "no object") is kept as it is (CGNet's Cityscapes weights)."""
    def value_of(key: str, value: Any) -> Any:
        if key == 'num_classes':
            return num_classes
        if (key == 'class_weight' and isinstance(value, list | tuple) and len(value) > 1
                and len(value) not in (num_classes, num_classes + 1)):  # not of these classes
            return [value[0]] * num_classes + ([value[-1]] if value[-1] != value[0] else [])
        return value
    return _rewrite(cfg, value_of)


def shipped_model(path: str, weights: bool = True, num_classes: int | None = None,
                  **overrides: Any) -> ConfigDict:
    """The ``model`` of the config at ``path`` (``mmseg::<family>/<file>.py`` or a file), with
    ``overrides`` merged into it as a child config's ``model = dict(...)`` would be
    (``_delete_`` included); the config's ``custom_imports`` are imported now. ``weights=False``
    drops its pretrained weights (:func:`without_pretrained`); ``num_classes`` sets every
    head's (:func:`with_num_classes`)."""
    cfg = Config.fromfile(config_file(path), import_custom_modules=False)
    import_custom_modules(cfg.get('custom_imports'), path)
    if 'model' not in cfg:
        raise KeyError(f'{path} has no model')
    model = cfg.model if weights else without_pretrained(cfg.model)
    if num_classes is not None:
        model = with_num_classes(model, num_classes)
    model = Config(dict(model=model))
    model.merge_from_dict(dict(model=overrides), allow_list_keys=False)
    return model.model


def shipped_optim_wrapper(path: str) -> ConfigDict:
    """The ``optim_wrapper`` of the config at ``path``, for A's own optimizer in a LabOR config
    (``optim_wrapper = dict(segmentor=dict(_delete_=True, **shipped_optim_wrapper(...)))``:
    AdamW and the head's learning-rate multiplier where MMSeg trains the model so)."""
    cfg = Config.fromfile(config_file(path), import_custom_modules=False)
    if 'optim_wrapper' not in cfg:
        raise KeyError(f'{path} has no optim_wrapper')
    return cfg.optim_wrapper
