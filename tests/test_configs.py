"""Every shipped config loads, carries custom_imports and builds its model and hooks."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmseg.registry import HOOKS, MODELS

CONFIGS = sorted((Path(__file__).resolve().parents[1] / 'configs' / 'labor').glob('*.py'))


def test_the_issue_configs_exist():
    names = {p.stem for p in CONFIGS}
    for method in ('spl', 'ppl', 'adaptseg'):
        assert {f'{method}_gta2cs', f'{method}_synth'} <= names
    assert {'supervised_cs', 'supervised_synth', 'source_only_gta2cs',
            'source_only_synth'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert 'labor_mmseg' in cfg.custom_imports.imports
    model = MODELS.build(cfg.model)
    method = path.stem.split('_')[0].split('-')[0]  # adaptseg-all-labels: an AdaptSeg variant
    expected = 'LabOR' if method in ('spl', 'ppl', 'adaptseg') else (
        'EncoderDecoder')
    assert type(model).__name__ == expected
    for hook in cfg.get('custom_hooks', []):
        HOOKS.build(hook)


@pytest.mark.parametrize('name', ['spl_synth', 'ppl_synth', 'spl_gta2cs', 'ppl_gta2cs'])
def test_selection_configs_give_the_selector_class_adaptive_pseudo_labels(name):
    cfg = Config.fromfile(CONFIGS[0].with_name(f'{name}.py'))
    assert cfg.model.pseudo_label_class_fraction == 0.2
