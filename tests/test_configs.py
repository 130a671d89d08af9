"""Every shipped config loads, carries custom_imports and builds its model and hooks; every LabOR
layer (configs/_base_/labor/) makes a whole method with any model base by inheritance alone."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmseg.registry import HOOKS, MODELS

CONFIGS = sorted((Path(__file__).resolve().parents[1] / 'configs' / 'labor').glob('*.py'))
BASES = CONFIGS[0].parents[1] / '_base_'
# Baseline -> (the LabOR method whose recipe, budget and rounds it keeps, its strategy).
BASELINES = {'random-pixels': ('spl', 'random'), 'entropy-pixels': ('spl', 'entropy'),
             'random-points': ('ppl', 'random'), 'ripu-regions': ('spl', 'ripu_regions'),
             'ripu-pixels': ('ppl', 'ripu_pixels')}
# Method -> (the method whose layer its layer extends, its selection hook), for each of
# configs/_base_/labor/<method>_<data>.py; AdaptSeg's layer is the root and has no hooks.
LAYERS = {'adaptseg': (None, None), 'spl': ('adaptseg', 'SPLSelectionHook'),
          'ppl': ('spl', 'PPLSelectionHook'),
          **{name: (method, 'ActiveSelectionHook') for name, (method, _) in BASELINES.items()}}
LAYER_FILES = sorted(BASES / 'labor' / f'{method}_{data}.py' for method in LAYERS
                     for data in ('synth', 'gta2cs'))
TINY_MODELS = sorted((BASES / 'models').glob('*tiny*.py'))
WRAP = 'model = dict(_delete_=True, segmentor=_base_.model, **_base_.labor)'


def test_the_issue_configs_exist():
    names = {p.stem for p in CONFIGS}
    for method in ('spl', 'ppl', 'adaptseg', *BASELINES):
        assert {f'{method}_gta2cs', f'{method}_synth'} <= names
    assert {'supervised_cs', 'supervised_synth', 'source_only_gta2cs',
            'source_only_synth'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert 'labor_mmseg' in cfg.custom_imports.imports
    model = MODELS.build(cfg.model)
    # an AdaptSeg variant, a method answered in Label Studio or with self-training
    method = path.stem.split('_')[0]
    for variant in ('-all-labels', '-label-studio', '-st'):
        method = method.removesuffix(variant)
    expected = 'LabOR' if method in ('spl', 'ppl', 'adaptseg', 'self-training',
                                     *BASELINES) else 'EncoderDecoder'
    assert type(model).__name__ == expected
    for hook in cfg.get('custom_hooks', []):
        HOOKS.build(hook)


@pytest.mark.parametrize('name', ['spl_synth', 'ppl_synth', 'spl_gta2cs', 'ppl_gta2cs'])
def test_selection_configs_give_the_selector_class_adaptive_pseudo_labels(name):
    cfg = Config.fromfile(CONFIGS[0].with_name(f'{name}.py'))
    assert cfg.model.pseudo_label_class_fraction == 0.2


def _config(name: str) -> Config:
    return Config.fromfile(CONFIGS[0].with_name(f'{name}.py'))


@pytest.mark.parametrize('data', ['synth', 'gta2cs'])
@pytest.mark.parametrize('method', list(LAYERS))
def test_a_method_config_is_a_model_base_plus_its_layer(method, data):
    """Each method's layer extends the right one and defines no model; its config in
    configs/labor/ is a model base, the layer and the wrapping line, nothing else (no
    custom_hooks of its own), so the layers stay the one place a method is defined."""
    parent = LAYERS[method][0]
    layer = BASES / 'labor' / f'{method}_{data}.py'
    bases = Config._get_base_files(str(layer))
    if parent:
        assert bases == [f'./{parent}_{data}.py']
    else:  # the root: data, runtime and schedule, no other LabOR layer
        assert not any(base.startswith('./') for base in bases)
    assert 'model' not in Config.fromfile(layer)
    path = CONFIGS[0].with_name(f'{method}_{data}.py')
    bases = Config._get_base_files(str(path))
    assert bases[0].startswith('../_base_/models/')
    assert bases[1:] == [f'../_base_/labor/{method}_{data}.py']
    code = [line for line in path.read_text().splitlines() if not line.startswith('#')]
    assert code[1:] == [WRAP] and code[0].startswith('_base_ = ')


def test_no_method_config_retypes_custom_hooks():
    """Hooks are a layer's: no config in configs/labor/ writes custom_hooks."""
    assert [p.name for p in CONFIGS if 'custom_hooks' in p.read_text()] == []


@pytest.mark.parametrize('data', ['synth', 'gta2cs'])
def test_adaptseg_has_no_selector(data):
    adaptseg = _config(f'adaptseg_{data}')
    assert 'selector' not in adaptseg.model and 'custom_hooks' not in adaptseg
    assert _config(f'spl_{data}').model.selector.type == 'DualHeadSelector'


@pytest.mark.parametrize('model_base', TINY_MODELS, ids=lambda p: p.stem)
@pytest.mark.parametrize('layer', LAYER_FILES, ids=lambda p: p.stem)
def test_a_layer_combines_with_any_model_base_by_inheritance(layer, model_base, tmp_path):
    """A model base plus a layer, and the wrapping line, is a whole method: it builds LabOR around
    the base's segmentor, with the method's selector and hooks, no custom_hooks retyped."""
    config = tmp_path / 'config.py'
    config.write_text(f'_base_ = [{str(model_base)!r}, {str(layer)!r}]\n{WRAP}\n')
    cfg = Config.fromfile(config)
    assert 'labor_mmseg' in cfg.custom_imports.imports
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'LabOR'
    assert type(model.segmentor).__name__ == Config.fromfile(model_base).model.type
    method = layer.stem.split('_')[0]
    hook_type = LAYERS[method][1]
    hooks = [HOOKS.build(hook) for hook in cfg.get('custom_hooks', [])]
    if hook_type is None:
        assert hooks == [] and 'selector' not in cfg.model
        return
    assert cfg.model.selector.type == 'DualHeadSelector'
    assert [type(hook).__name__ for hook in hooks] == ['DiscrepancyLossHook', hook_type]
    if method in BASELINES:
        assert cfg.custom_hooks[1].strategy == BASELINES[method][1]


@pytest.mark.parametrize('data', ['synth', 'gta2cs'])
@pytest.mark.parametrize('baseline', list(BASELINES))
def test_a_baseline_is_labors_config_with_another_strategy(baseline, data):
    """Same recipe, budget and rounds as the LabOR config: only the strategy (and its options)
    differs."""
    labor_method, strategy = BASELINES[baseline]
    cfg, labor = _config(f'{baseline}_{data}'), _config(f'{labor_method}_{data}')
    hook = cfg.custom_hooks[1]
    assert hook.pop('type') == 'ActiveSelectionHook'
    assert hook.pop('strategy') == strategy
    hook.pop('strategy_cfg', None)
    labor.custom_hooks[1].pop('type')
    assert cfg.to_dict() == labor.to_dict()
