"""Every shipped config loads, carries custom_imports and builds its model and hooks."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmseg.registry import HOOKS, MODELS

CONFIGS = sorted((Path(__file__).resolve().parents[1] / 'configs' / 'labor').glob('*.py'))
# baseline -> the LabOR config whose recipe, budget and rounds it keeps
# Baseline config -> (the LabOR config it extends, its strategy).
BASELINES = {'random-pixels': ('spl', 'random'), 'entropy-pixels': ('spl', 'entropy'),
             'random-points': ('ppl', 'random'), 'ripu-regions': ('spl', 'ripu_regions'),
             'ripu-pixels': ('ppl', 'ripu_pixels')}


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
    # an AdaptSeg variant, a method answered in Label Studio
    method = path.stem.split('_')[0].removesuffix('-all-labels').removesuffix('-label-studio')
    expected = 'LabOR' if method in ('spl', 'ppl', 'adaptseg', *BASELINES) else (
        'EncoderDecoder')
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
def test_labor_extends_adaptseg_and_adaptseg_has_no_selector(data):
    """AdaptSeg's layer is the base of SPL's; a LabOR config is a model base plus its layer
    (which defines no model); nothing deletes what its base added."""
    layers = CONFIGS[0].parents[1] / '_base_' / 'labor'
    assert Config._get_base_files(str(layers / f'spl_{data}.py')) == [f'./adaptseg_{data}.py']
    for method in ('spl', 'adaptseg'):
        bases = Config._get_base_files(str(CONFIGS[0].with_name(f'{method}_{data}.py')))
        assert bases[0].startswith('../_base_/models/')
        assert bases[1:] == [f'../_base_/labor/{method}_{data}.py']
        assert 'model' not in Config.fromfile(layers / f'{method}_{data}.py')
    adaptseg = _config(f'adaptseg_{data}')
    assert 'selector' not in adaptseg.model and 'custom_hooks' not in adaptseg
    assert _config(f'spl_{data}').model.selector.type == 'DualHeadSelector'


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
