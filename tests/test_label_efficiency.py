"""tools/benchmark/label_efficiency.py: cached runs are reused only for the config they ran."""
import json
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from .conftest import load_script


@pytest.fixture
def harness(monkeypatch):
    """The harness module with training replaced by a stub that records its calls."""
    module = load_script('tools/benchmark/label_efficiency.py')
    calls = []

    def fake_train_and_test(config, work_dir, cfg_options, resume):
        """Dump the merged config as the runner does, and report a fixed mIoU."""
        cfg = Config.fromfile(str(config))
        cfg.merge_from_dict(cfg_options)
        cfg.work_dir = str(work_dir)
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        cfg.dump(str(Path(work_dir) / Path(config).name))
        calls.append((Path(config).stem, dict(cfg_options), resume))
        return {'mIoU': 12.5}

    monkeypatch.setattr(module, 'train_and_test', fake_train_and_test)
    module.calls = calls
    return module


def test_finished_run_is_reused(harness, tmp_path):
    first = harness.run('source_only', 0, tmp_path)
    second = harness.run('source_only', 0, tmp_path)
    assert first == second == json.loads(
        (tmp_path / 'source_only' / 'seed0' / 'result.json').read_text())
    assert first['mIoU'] == 12.5
    assert len(harness.calls) == 1


def test_run_of_another_config_is_set_aside_and_retrained(harness, tmp_path, monkeypatch):
    harness.run('source_only', 0, tmp_path)
    config, name, options = harness.METHODS['source_only']
    monkeypatch.setitem(harness.METHODS, 'source_only',
                        (config, name, {**options, 'train_cfg.max_iters': 7}))
    harness.run('source_only', 0, tmp_path)
    assert len(harness.calls) == 2
    assert harness.calls[1][1]['train_cfg.max_iters'] == 7
    stale = tmp_path / 'source_only' / 'seed0.stale-0'
    assert (stale / 'result.json').is_file()  # the old run is kept, not deleted
    assert (tmp_path / 'source_only' / 'seed0' / 'result.json').is_file()


def test_other_seed_is_another_run(harness, tmp_path):
    harness.run('source_only', 0, tmp_path)
    harness.run('source_only', 1, tmp_path)
    assert [c[1]['randomness.seed'] for c in harness.calls] == [0, 1]
    assert not list((tmp_path / 'source_only').glob('*.stale-*'))


def test_finished_only_trains_nothing_and_skips_stale_runs(harness, tmp_path, monkeypatch):
    assert harness.run('source_only', 0, tmp_path, train=False) is None
    harness.run('source_only', 0, tmp_path)
    assert harness.run('source_only', 0, tmp_path, train=False)['mIoU'] == 12.5
    config, name, options = harness.METHODS['source_only']
    monkeypatch.setitem(harness.METHODS, 'source_only',
                        (config, name, {**options, 'train_cfg.max_iters': 7}))
    assert harness.run('source_only', 0, tmp_path, train=False) is None
    assert len(harness.calls) == 1
    assert (tmp_path / 'source_only' / 'seed0' / 'result.json').is_file()  # left where it is


def test_finished_seeds_ignore_stale_and_other_dirs(harness, tmp_path):
    for name in ('seed0', 'seed2', 'seed1.stale-0', 'notes'):
        (tmp_path / 'labor_spl' / name).mkdir(parents=True)
    assert harness.finished_seeds(tmp_path, 'labor_spl') == [0, 2]
    assert harness.finished_seeds(tmp_path, 'labor_ppl') == []


def test_ablation_needs_a_tag_and_keeps_its_runs_apart(harness, tmp_path, monkeypatch):
    root = tmp_path / 'repo'
    root.mkdir()
    (root / 'configs').symlink_to(Path(__file__).resolve().parents[1] / 'configs')
    section = '<!-- BEGIN label_efficiency_x3 -->\n<!-- END label_efficiency_x3 -->'
    (root / 'README.md').write_text(f'# Results\n{section}\n')
    monkeypatch.setattr(harness, 'REPO', root)
    monkeypatch.setattr(harness, 'benchmark_is_current', lambda data_root: True)
    monkeypatch.setattr(harness, 'plot', lambda rows, path: path.write_bytes(b'png'))

    def main(*argv: str) -> None:
        monkeypatch.setattr(sys, 'argv', ['label_efficiency.py', '--methods', 'source_only',
                                          *argv])
        harness.main()

    with pytest.raises(SystemExit):  # would replace the main table's runs
        main('--seeds', '0', '--cfg-options', 'train_cfg.max_iters=7')
    harness.calls.clear()
    harness.run('supervised', 0, root / 'work_dirs' / 'label_efficiency')  # the main table's
    main('--seeds', '0', '--tag', 'x3', '--cfg-options', 'train_cfg.max_iters=7')
    main('--seeds', '0', '--tag', 'x3', '--cfg-options', 'train_cfg.max_iters=7')  # reused
    assert [c[1].get('train_cfg.max_iters') for c in harness.calls] == [None, 7]
    runs = root / 'work_dirs' / 'label_efficiency_x3' / 'source_only'
    assert [p.name for p in runs.iterdir()] == ['seed0']
    assert not (root / 'work_dirs' / 'label_efficiency' / 'source_only').exists()
    table = (root / 'benchmarks' / 'label_efficiency_x3.md').read_text()
    assert '`train_cfg.max_iters=7`' in table
    assert "main table's full supervision (12.50, mean of 1 runs)" in table
    assert '| Source only | 12.50 ± 0.00 | 1 | 1.00 |' in table
    assert table.strip() in (root / 'README.md').read_text()
    with pytest.raises(ValueError, match='label_efficiency_other'):  # before any training
        main('--seeds', '1', '--tag', 'other', '--cfg-options', 'train_cfg.max_iters=7')
    assert len(harness.calls) == 2


@pytest.mark.parametrize('method', ['adaptseg_all_labels', 'supervised'])
def test_every_label_methods_count_all_target_pixels(harness, tmp_path, method):
    result = harness.run(method, 0, tmp_path)
    assert result['labeled_percent'] == 100.0
    row = harness.table(harness.summary([result]), 12.5).splitlines()[-1]
    assert row.endswith('| 1.00 | 100.00 | all |'), row


def test_recipe_ceiling_trains_adaptseg_on_every_target_label():
    """The ceiling row is AdaptSeg (no selector, no selection) on the plain target dataset."""
    cfg = Config.fromfile('configs/labor/adaptseg-all-labels_synth.py')
    assert cfg.model.selector is None and cfg.custom_hooks == []
    assert cfg.train_dataloader.dataset.target.type == 'CityscapesDataset'
