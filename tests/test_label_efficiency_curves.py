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
    (root / 'configs' / 'labor').mkdir(parents=True)  # links: the README is the scratch one's
    (root / 'configs' / '_base_').symlink_to(REPO / 'configs' / '_base_')
    for config in (REPO / 'configs' / 'labor').glob('*.py'):
        (root / 'configs' / 'labor' / config.name).symlink_to(config)
    (root / 'configs' / 'labor' / 'README.md').write_text(
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
    monkeypatch.setattr(module, 'ensure_synthetic_benchmark', lambda data_root: None)
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
    per_seed = len(curves.PIXEL_BUDGETS) + len(curves.POINT_BUDGETS)
    assert [c[2] for c in curves.calls] == [0] * per_seed + [1] * per_seed  # seed 0 first
    assert {(c[0], min(c[1])) for c in curves.calls} == (
        {('spl_synth', b) for b in curves.PIXEL_BUDGETS}
        | {('ppl_synth', b) for b in curves.POINT_BUDGETS})
    shutil.rmtree(curves.root / 'work_dirs')  # a fresh clone: the record alone
    curves.main_('--methods', 'labor_spl', '--seeds', '0', '1')
    assert len(curves.calls) == 2 * per_seed
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    assert len(record['runs']) == 2 * per_seed and all(r['threads'] == 1 for r in record['runs'])
    table = (curves.root / 'configs' / 'labor' / 'README.md').read_text()
    assert '| LabOR-SPL | 0.25% | 10.25 ± 0.00 | 2 |' in table
    assert '| LabOR-PPL | 40 | 4010.00 ± 0.00 | 2 |' in table


def test_a_campaign_cut_short_keeps_every_finished_point(curves, monkeypatch):
    harness = sys.modules['label_efficiency']
    train = harness.train_and_test

    def killed_at_the_third(config, work_dir, cfg_options, resume):
        if len(curves.calls) == 2:
            raise KeyboardInterrupt  # the session ends
        return train(config, work_dir, cfg_options, resume)

    monkeypatch.setattr(harness, 'train_and_test', killed_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        curves.main_('--methods', 'labor_spl', '--seeds', '0')
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    assert sorted(r['budget'] for r in record['runs']) == sorted(curves.PIXEL_BUDGETS[:2])


def test_the_main_tables_run_is_the_point_at_its_budget(curves):
    main_dir = curves.root / 'work_dirs' / 'main'
    harness = sys.modules['label_efficiency']
    table_run = harness.run('labor_spl', 0, main_dir)  # trained by the main table
    (curves.root / 'benchmarks').mkdir()
    (curves.root / 'benchmarks' / 'label_efficiency.json').write_text(
        json.dumps(dict(runs=[table_run])))
    curves.main_('--methods', 'labor_spl', '--seeds', '0')
    assert [min(c[1]) for c in curves.calls] == [0.022, *curves.PIXEL_BUDGETS[:-1]]  # 2.2% once
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    point = next(r for r in record['runs'] if r['budget'] == 0.022)
    assert point['config_digest'] == table_run['config_digest']


def test_a_retrain_leaves_the_main_tables_points_to_the_main_table(curves):
    main_dir = curves.root / 'work_dirs' / 'main'
    table_run = sys.modules['label_efficiency'].run('labor_spl', 0, main_dir)
    (curves.root / 'benchmarks').mkdir()
    main_record = curves.root / 'benchmarks' / 'label_efficiency.json'
    main_record.write_text(json.dumps(dict(runs=[table_run])))
    curves.main_('--methods', 'labor_spl', '--seeds', '0')
    main_record.write_text(json.dumps(dict(runs=[{**table_run, 'mIoU': 30.0}])))  # retrained
    curves.main_('--methods', 'labor_spl', '--seeds', '0', '--budgets', '0.005', '0.022',
                 '--retrain', 'the code changed')
    assert [min(c[1]) for c in curves.calls] == [0.022, *curves.PIXEL_BUDGETS[:-1], 0.005]
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    assert {r['budget']: r['mIoU'] for r in record['runs']}[0.022] == 30.0  # the table's own
    assert [(r['budget'], r['superseded']) for r in record['stale_runs']] == [
        (0.005, 'the code changed')]


def test_a_point_at_the_main_tables_budget_fills_the_main_table(curves, monkeypatch):
    """Trained once by the curves, a run with a main config's key is the main table's too;
    retrained by the main table (recorded there yet or not), the curves' copy never comes
    back."""
    harness = sys.modules['label_efficiency']
    monkeypatch.setattr(harness, 'ensure_synthetic_benchmark', lambda data_root: None)
    monkeypatch.setattr(harness, 'plot', lambda rows, path: path.write_bytes(b'png'))
    main_record = curves.root / 'benchmarks' / 'label_efficiency.json'

    def main_table(seed: str, *argv: str) -> list[dict]:
        monkeypatch.setattr(sys, 'argv', [
            'label_efficiency.py', '--no-readme', '--methods', 'labor_spl', '--seeds', seed,
            '--work-dir', str(curves.root / 'work_dirs' / 'main'), *argv])
        harness.main()
        return sorted(json.loads(main_record.read_text())['runs'], key=lambda r: r['seed'])

    curves.main_('--methods', 'labor_spl', '--seeds', '0', '1', '--budgets', '0.022')
    points = sorted(json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json')
                               .read_text())['runs'], key=lambda r: r['seed'])
    retrained = main_table('0', '--retrain', 'the code changed')  # never recorded here yet
    assert retrained[1] == harness.without_budget(points[1])  # adopted: not trained again
    assert len(curves.calls) == 3 and retrained[0]['finished'] != points[0]['finished']
    stale = json.loads(main_record.read_text())['stale_runs']
    assert [r['finished'] for r in stale] == [points[0]['finished']]
    assert main_table('0', '--finished-only') == retrained  # the curves' copy stays retired
    copy = curves.root / 'work_dirs' / 'curves' / 'budget-0.022' / 'labor_spl' / 'seed0'
    assert (copy / 'result.json').is_file()
    curves.main_('--finished-only')  # on the machine that trained it, the copy is set aside
    assert not copy.exists() and (copy.parent / 'seed0.superseded-0' / 'result.json').is_file()
    record = json.loads((curves.root / 'benchmarks' / 'label_efficiency_curves.json').read_text())
    assert sorted(r['finished'] for r in record['runs']) == sorted(
        r['finished'] for r in retrained)


@pytest.fixture
def curve_stats():
    return load_script('tools/benchmark/curve_stats.py')


def test_parity_is_interpolated_in_log_labels_or_bounded(curve_stats):
    parity = curve_stats.parity
    # 50 at 0.25%, 70 at 1%: 60 is halfway in log budget, at 0.5%
    assert parity([(1.0, 70.0), (0.25, 50.0)], 60.0).budget == pytest.approx(0.5)
    below = parity([(0.25, 65.0), (1.0, 70.0)], 60.0)
    assert (below.budget, below.below, below.text('%')) == (0.25, True, '<= 0.25%')
    never = parity([(0.25, 50.0), (2.2, 59.0)], 60.0)
    assert never.budget is None and never.text('%') == 'not reached (up to 2.2%)'
    # a dip after the crossing does not move it: the first crossing counts
    assert parity([(0.25, 50.0), (0.5, 61.0), (1.0, 55.0)], 60.0).budget < 0.5


def test_labor_over_another_method_keeps_the_bounds(curve_stats):
    P, ratio = curve_stats.Parity, curve_stats.ratio_text
    assert ratio(P(0.5), P(2.0)) == '0.25'
    assert ratio(P(0.25, below=True), P(2.0)) == '<= 0.12'
    assert ratio(P(0.5), P(None, largest=2.2)) == '< 0.23'  # random needs more than 2.2%
    assert ratio(P(0.5), P(0.25, below=True)) == '>= 2.00'
    assert ratio(P(None, largest=2.2), P(1.0)).startswith('n/a')
    assert ratio(P(0.25, below=True), P(0.25, below=True)).startswith('n/a')


def test_seed_curves_and_the_mean_curve_use_the_complete_seeds(curve_stats, curves):
    runs = [dict(seed=s, budget=b, labeled_percent=100 * b, mIoU=m)
            for s, b, m in [(0, 0.0025, 50.0), (0, 0.01, 70.0), (1, 0.0025, 40.0),
                            (1, 0.01, 60.0), (2, 0.01, 99.0)]]  # seed 2 lacks a budget
    parities = curve_stats.seed_parities(runs, 'labeled_percent', 60.0)
    assert [p.budget for p in parities] == [pytest.approx(0.5), 1.0]
    assert curve_stats.spread_text(parities, '%') == '0.5% to 1% (2 of 2 seeds)'
    assert curve_stats.spread_text(curve_stats.seed_parities(runs[-1:] + runs[:1],
                                                             'labeled_percent', 60.0), '%') == (
        'no seed with every budget yet')
    assert curves.mean_curve(runs, 'labeled_percent') == [(0.25, 45.0), (1.0, 65.0)]


def test_the_lead_interval_is_students_t_paired_by_seed(curve_stats):
    mean, half, seeds = curve_stats.paired_lead({0: 61.0, 1: 62.0, 2: 63.0, 3: 1.0},
                                                {0: 60.0, 1: 60.0, 2: 60.0})
    assert (mean, seeds) == (2.0, 3)  # seed 3 has no partner
    assert half == pytest.approx(4.302653 / 3 ** 0.5, rel=1e-5)  # t(0.975, 2) x sd / sqrt(n)
    assert curve_stats.paired_lead({0: 61.0}, {0: 60.0}) == (1.0, None, 1)
    assert curve_stats.paired_lead({0: 61.0}, {1: 60.0}) is None


def test_the_effort_plot_only_where_efforts_are_recorded(curves, tmp_path):
    rows = [dict(method='labor_spl', name='LabOR-SPL', budget=b, mean=m, std=1.0,
                 seconds_per_image=s) for b, m, s in [(0.0025, 55.0, 30.0), (0.01, 60.0, 90.0)]]
    rows.append(dict(method='random_points', name='Random points', budget=10, mean=50.0,
                     std=0.5, seconds_per_image=None))  # a legacy store: left out
    path = tmp_path / 'effort.png'
    assert curves.plot_effort(rows, [], path) and path.read_bytes()[:4] == b'\x89PNG'
    legacy = tmp_path / 'legacy.png'
    assert not curves.plot_effort(rows[2:], [], legacy) and not legacy.exists()


def test_the_lead_table_shows_the_labels_each_side_spent(curves):
    results = [dict(method=m, budget=0.0025, seed=s, mIoU=v, labeled_percent=p)
               for m, p, values in [('labor_spl', 0.25, (62.0, 61.0)),
                                    ('ripu_regions', 0.14, (50.0, 49.0, 1.0))]
               for s, v in enumerate(values)]  # RIPU's seed 2 has no partner
    row = next(line for line in curves.lead_text(results).splitlines() if 'RIPU' in line)
    assert row.split(' | ')[1:] == ['0.25%', '+12.00 ± 0.00 [+12.00, +12.00]', '2',
                                    '0.25% / 0.14% |']


def test_the_lead_text_says_where_labor_is_not_ahead(curves):
    def runs(method, values):  # budget -> mIoU of each seed
        return [dict(method=method, budget=b, seed=s, mIoU=v, points_per_image=b)
                for b, seeds in values.items() for s, v in enumerate(seeds)]
    results = (runs('labor_ppl_st', {2: (50.0, 51.0, 52.0), 5: (50.0, 50.0, 50.0),
                                     10: (60.0,)})
               + runs('random_points_st', {2: (40.0, 41.0, 42.0), 5: (51.0, 49.0, 50.5),
                                           10: (61.0,)})
               + runs('ripu_pixels_st', {2: (55.0, 56.5, 57.0)}))
    said = curves.lead_text(results).splitlines()[-1]
    assert said.startswith('Where LabOR is not shown ahead')
    assert 'LabOR-PPL + ST - Random points + ST at 2' not in said  # +10 on every seed
    assert 'LabOR-PPL + ST - Random points + ST at 5 (-0.17, not shown either way)' in said
    assert 'LabOR-PPL + ST - Random points + ST at 10 (-1.00, one seed, no interval)' in said
    assert 'LabOR-PPL + ST - RIPU pixels + ST at 2 (-5.17, behind)' in said
    ahead = [r for r in results if r['method'] != 'ripu_pixels_st' and r['budget'] == 2]
    assert curves.lead_text(ahead).endswith('does not lie above 0): none.')


def test_self_training_gain_and_where_labels_stop_paying(curves):
    def runs(method, values):  # budget -> mIoU of seeds 0, 1, 2
        return [dict(method=method, budget=b, seed=s, mIoU=m + s * 0.1)
                for b, m in values.items() for s in range(3)]
    results = (runs('labor_spl', {0.001: 40.0, 0.022: 60.0})
               + runs('labor_spl_st', {0.0005: 50.0, 0.001: 55.0, 0.0025: 58.0, 0.022: 63.0}))
    alone = [dict(method='self_training', seed=s, mIoU=54.0 + s * 0.1) for s in range(3)]
    text = curves.self_training_text(results, alone)
    # Paired by seed: every seed gains the same, so the interval is a point.
    assert '| LabOR-SPL | 0.1% | +15.00 ± 0.00 [+15.00, +15.00] | 3 |' in text
    assert '| LabOR-SPL | 2.2% | +3.00 ± 0.00' in text
    assert '| LabOR-SPL | 0.05% |' not in text  # no run without self-training there
    assert '| LabOR-SPL + ST | 0.1% | +1.00 ± 0.00' in text
    assert '| LabOR-SPL + ST | 0.05% | -4.00' in text
    # 0.1% still beats self-training alone, 0.05% does not.
    assert 'LabOR-SPL + ST: from 0.1%' in text
    assert 'LabOR-PPL + ST: no run at 40 yet' in text
    one_seed = [r for r in results if r['seed'] == 0]
    one_seed_text = curves.self_training_text(one_seed, alone)
    assert 'LabOR-SPL + ST: one seed at 2.2%, no interval yet' in one_seed_text
    # Every budget's lead is listed, also below the one that ends the walk.
    assert '| LabOR-SPL + ST | 0.1% | +1.00 (one seed: no interval) | 1 |' in one_seed_text
    # A budget without runs ends the walk: 0.1% below it does not count.
    gap = [r for r in results if (r['method'], r['budget']) != ('labor_spl_st', 0.0025)]
    assert 'LabOR-SPL + ST: from 2.2%' in curves.self_training_text(gap, alone)
    below = [dict(r, mIoU=0.0) if r['method'] == 'labor_spl_st' else r for r in results]
    assert 'LabOR-SPL + ST: not even at 2.2%' in curves.self_training_text(below, alone)
