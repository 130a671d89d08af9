"""Models from MMSeg's zoo as A: each config is a few lines over MMSeg's own model config, keeps
that model's optimizer for A, builds, and (the CPU-sized variants) trains with a selection round."""
import json

import pytest
from mmengine.hub import get_config
from mmengine.runner import Runner
from mmseg.registry import MODELS

from labor_mmseg.utils import hook_cfg_options
from tests.conftest import REPO, tiny_config

# config -> (MMSeg's config whose optimizer A keeps, channels of the level B reads)
FULL_SIZE = {
    'spl_deeplabv3plus-r50_gta2cs': ('deeplabv3plus/deeplabv3plus_r50-d8_4xb2-40k_cityscapes-'
                                     '512x1024.py', 2048),
    'spl_deeplabv3plus-r101_gta2cs': ('deeplabv3plus/deeplabv3plus_r101-d8_4xb2-40k_cityscapes-'
                                      '512x1024.py', 2048),
    'spl_upernet-r50_gta2cs': ('upernet/upernet_r50_4xb2-40k_cityscapes-512x1024.py', 2048),
    'spl_ocrnet-r50_gta2cs': (None, 2048),  # MMSeg ships no OCRNet R50 Cityscapes config
    'spl_segformer-mit-b0_gta2cs': ('segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py',
                                    256),
    'spl_segformer-mit-b5_gta2cs': ('segformer/segformer_mit-b5_8xb2-160k_ade20k-512x512.py',
                                    512),
}
CPU_SIZED = ['spl_deeplabv3plus-r18-tiny_synth', 'spl_upernet-r18-tiny_synth',
             'spl_ocrnet-r18-tiny_synth', 'spl_segformer-mit-tiny_synth']


def config_lines(name: str) -> int:
    """Lines of a config file that are not comments or blank."""
    text = (REPO / 'configs' / 'labor' / f'{name}.py').read_text().splitlines()
    return sum(1 for line in text if line.strip() and not line.lstrip().startswith('#'))


@pytest.mark.parametrize('name', FULL_SIZE)
def test_a_zoo_config_builds_with_mmsegs_model_and_optimizer(name):
    from mmengine.config import Config
    cfg = Config.fromfile(REPO / 'configs' / 'labor' / f'{name}.py')
    assert config_lines(name) <= 15
    mmseg_config, channels = FULL_SIZE[name]
    if mmseg_config is not None:
        mmseg_optim = get_config(f'mmseg::{mmseg_config}').optim_wrapper
        ours = cfg.optim_wrapper.segmentor
        assert ours.optimizer == mmseg_optim.optimizer
        assert ours.get('paramwise_cfg') == mmseg_optim.get('paramwise_cfg')
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'LabOR'
    assert type(model.data_preprocessor).__name__ == 'PairedSegDataPreProcessor'
    assert model.selector.head1.in_channels == channels


@pytest.mark.parametrize('name', CPU_SIZED)
def test_a_cpu_sized_zoo_model_trains_with_a_selection_round(name, tiny_benchmark, tmp_path):
    assert config_lines(name) <= 15
    cfg = tiny_config(name, tiny_benchmark, tmp_path, max_iters=3)
    cfg.merge_from_dict(hook_cfg_options(cfg.custom_hooks, {'ActiveSelectionHook.rounds': [2]}))
    runner = Runner.from_cfg(cfg)
    runner.train()
    manifest = json.loads((tmp_path / 'label_store' / 'manifest.json').read_text())
    assert [r['iteration'] for r in manifest['rounds']] == [2]
    assert manifest['rounds'][0]['queried'] > 0
