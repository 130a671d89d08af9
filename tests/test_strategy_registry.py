"""Strategies plug in by registry: a user's module, imported by a config, named in a hook."""
import json
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from labor_mmseg.registry import SELECTION_STRATEGIES
from labor_mmseg.selection import get_strategy, select_spl, strategy_names

from .conftest import tiny_config


def test_our_strategies_are_registered_under_their_names():
    assert {'spl', 'ppl', 'random', 'entropy'} <= set(strategy_names())
    assert SELECTION_STRATEGIES.get('spl') is select_spl is get_strategy('spl')
    assert SELECTION_STRATEGIES.scope == 'labor_mmseg'


def test_a_config_names_a_strategy_from_a_user_module(tiny_benchmark, tmp_path):
    sys.modules.pop('tests.user_strategy', None)
    SELECTION_STRATEGIES.module_dict.pop('top_rows_first', None)
    with pytest.raises(KeyError, match='top_rows_first'):
        get_strategy('top_rows_first')  # unknown until the config imports the user's module
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp_path, max_iters=2)
    cfg.custom_imports = dict(imports=['labor_mmseg', 'tests.user_strategy'],
                              allow_failed_imports=False)
    cfg.custom_hooks = [dict(type='ActiveSelectionHook', strategy='top_rows_first', budget=5,
                             rounds=[1])]
    cfg.dump(str(tmp_path / 'user.py'))
    Runner.from_cfg(Config.fromfile(str(tmp_path / 'user.py'))).train()  # as tools/train.py
    labels = sorted((tmp_path / 'label_store' / 'labels').rglob('*.png'))
    assert len(labels) == 6
    for path in labels:
        queried = cv2.imread(str(path), cv2.IMREAD_UNCHANGED) != 255
        assert np.flatnonzero(queried).tolist() == [0, 1, 2, 3, 4]
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    assert manifest['rounds'][0]['strategy'] == 'top_rows_first'
