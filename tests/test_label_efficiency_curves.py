"""tools/benchmark/label_efficiency_curves.py: budgets set by hook type, the main table's runs
reused at its budgets, seed by seed, resumable from the record alone."""
import json
import shutil
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from .conftest import REPO, load_script


@pytest.fixture
def curves(monkeypatch, tmp_path):
    """The curves script in a scratch repository (real configs), with training replaced by a
    stub that records each run's budget and seed; ``main(*argv)`` runs it."""
    module = load_script('tools/benchmark/label_efficiency_curves.py')
    harness = sys.modules['label_efficiency']
    root = tmp_path / 'repo'
    root.mkdir()
    (root / 'configs').symlink_to(REPO / 'configs')
    (root / 'README.md').write_text(
        '# Results\n<!-- BEGIN label_efficiency_curves -->\n<!-- END label_efficiency_curves -->\n')
    calls = []

    def fake_train_and_test(config, work_dir, cfg_options, resume):
        cfg = Config.fromfile(str(config))
        cfg.merge_from_dict(cfg_options)
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        cfg.dump(str(Path(work_dir) / Path(config).name))
        budgets = {h['budget'] for h in cfg.custom_hooks if 'budget' in h}
        calls.append((Path(config).stem, budgets, cfg_options['randomness.seed']))
        return {'mIoU': 10.0 + 100 * min(budgets)}

    for target in (harness, module):
        monkeypatch.setattr(target, 'REPO', root)
    monkeypatch.setattr(harness, 'train_and_test', fake_train_and_test)
    monkeypatch.setattr(module, 'benchmark_is_current', lambda data_root: True)
    monkeypatch.setattr(module, 'plot', lambda rows, ceilings, path: path.write_bytes(b'png'))

    def main(*argv: str) -> None:
        monkeypatch.setattr(sys, 'argv', ['label_efficiency_curves.py', '--work-dir',
                                          str(root / 'work_dirs' / 'curves'), *argv])
        module.main()

    module.calls, module.root, module.main_ = calls, root, main
    return module


def test_each_budget_reaches_the_selection_hook_of_every_method(curves):
    for method, budgets in curves.CURVES.items():
        for budget in budgets:
            _, _, cfg = sys.modules['label_efficiency'].method_config(
                method, 0, curves.budget_ablation(budget))
            selection = [h for h in cfg.custom_hooks if 'budget' in h]
            assert [h['budget'] for h in selection] == [budget], (method, budget)


def test_points_train_seed_by_seed_and_survive_their_work_dirs(curves):
    curves.main_('--methods', 'labor_spl', 'labor_ppl', '--seeds', '0', '1')
    assert [c[2] for c in curves.calls] == [0] * 7 + [1] * 7  # every point of seed 0 first
    assert {(c[0], min(c[1])) for c in curves.calls} == (
        {('spl_synth', b) for b in curves.PIXEL_BUDGETS}
        | {('ppl_synth', b) for b in curves.POINT_BUDGETS})
    shutil.rmtree(curves.root / 'work_dirs')  # a fresh clone: the record alone
    curves.main_('--methods', 'labor_spl', '--seeds', '0', '1')
    assert len(curves.calls) == 14
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    assert len(record['runs']) == 14 and all(r['threads'] == 1 for r in record['runs'])
    table = (curves.root / 'README.md').read_text()
    assert '| LabOR-SPL | 0.25% | 10.25 ± 0.00 | 2 |' in table
    assert '| LabOR-PPL | 40 | 4010.00 ± 0.00 | 2 |' in table


def test_the_main_tables_run_is_the_point_at_its_budget(curves):
    main_dir = curves.root / 'work_dirs' / 'main'
    harness = sys.modules['label_efficiency']
    table_run = harness.run('labor_spl', 0, main_dir)  # trained by the main table
    (curves.root / 'benchmarks').mkdir()
    (curves.root / 'benchmarks' / 'label_efficiency.json').write_text(
        json.dumps(dict(runs=[table_run])))
    curves.main_('--methods', 'labor_spl', '--seeds', '0')
    assert [min(c[1]) for c in curves.calls] == [0.022, 0.0025, 0.005, 0.01]  # 2.2% once
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    point = next(r for r in record['runs'] if r['budget'] == 0.022)
    assert point['config_digest'] == table_run['config_digest']
