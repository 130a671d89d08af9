"""tools/benchmark/label_efficiency.py: cached runs are reused only for the config they ran."""
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
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
    monkeypatch.setitem(harness.METHODS, 'source_only', ('supervised_synth', 'Source only'))
    harness.run('source_only', 0, tmp_path)
    assert [c[0] for c in harness.calls] == ['source_only_synth', 'supervised_synth']
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
    monkeypatch.setitem(harness.METHODS, 'source_only', ('supervised_synth', 'Source only'))
    assert harness.run('source_only', 0, tmp_path, train=False) is None
    assert len(harness.calls) == 1
    assert (tmp_path / 'source_only' / 'seed0' / 'result.json').is_file()  # left where it is


def test_finished_seeds_ignore_stale_and_other_dirs(harness, tmp_path):
    for name in ('seed0', 'seed2', 'seed1.stale-0', 'notes'):
        (tmp_path / 'labor_spl' / name).mkdir(parents=True)
    assert harness.finished_seeds(tmp_path, 'labor_spl') == [0, 2]
    assert harness.finished_seeds(tmp_path, 'labor_ppl') == []


CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
# The real configs a scratch repository links: those the tests train, and one never trained.
SCRATCH_CONFIGS = ('source_only_synth', 'supervised_synth', 'spl_synth', 'spl_gta2cs')


def sections(*names: str) -> str:
    """A README holding the empty sections ``names``."""
    return '# Results\n' + ''.join(f'<!-- BEGIN {n} -->\n<!-- END {n} -->\n' for n in names)


@pytest.fixture
def repo(harness, tmp_path, monkeypatch):
    """``(main, root)``: the harness's main (on ``source_only``) over a repository at ``root``
    with real configs (links: configs/labor/README.md and metafile.yaml are the scratch
    repository's), configs/labor/README.md holding the main, per-config and ``x3`` sections and
    the top-level README the headline."""
    root = tmp_path / 'repo'
    (root / 'configs' / 'labor').mkdir(parents=True)
    (root / 'configs' / '_base_').symlink_to(CONFIGS / '_base_')
    for name in SCRATCH_CONFIGS:
        (root / 'configs' / 'labor' / f'{name}.py').symlink_to(CONFIGS / 'labor' / f'{name}.py')
    (root / 'configs' / 'labor' / 'README.md').write_text(
        sections('label_efficiency', 'configs', 'label_efficiency_x3'))
    (root / 'README.md').write_text(sections('label_efficiency_headline'))
    monkeypatch.setattr(harness, 'REPO', root)
    monkeypatch.setattr(harness, 'ensure_synthetic_benchmark', lambda data_root: None)
    monkeypatch.setattr(harness, 'plot', lambda rows, path: path.write_bytes(b'png'))

    def main(*argv: str) -> None:
        monkeypatch.setattr(sys, 'argv', ['label_efficiency.py', '--methods', 'source_only',
                                          '--work-dir', str(root / 'work_dirs' /
                                                            'label_efficiency'), *argv])
        harness.main()

    return main, root


def test_table_survives_its_work_dirs(harness, repo):
    main, root = repo
    main('--seeds', '0', '1')
    shutil.rmtree(root / 'work_dirs')  # another machine, a fresh clone
    main('--seeds', '0', '1', '2')
    assert [c[1]['randomness.seed'] for c in harness.calls] == [0, 1, 2]  # only seed 2 is new
    table = (root / 'benchmarks' / 'label_efficiency.md').read_text()
    assert '| Source only | 12.50 ± 0.00 | 3 |' in table
    assert table.strip() in (root / 'configs' / 'labor' / 'README.md').read_text()
    main('--finished-only')
    results = (root / 'configs' / 'labor' / 'README.md').read_text()
    assert '| Source only | 12.50 ± 0.00 | 3 |' in results
    assert '![mIoU against labels](../../benchmarks/label_efficiency.png)' in results
    assert '| Source only | 12.50 ± 0.00 (3) | n/a | - | - |' in (root / 'README.md').read_text()


def test_each_finished_run_is_recorded_before_the_next_trains(harness, repo, monkeypatch):
    main, root = repo
    train = harness.train_and_test

    def killed_at_the_second(config, work_dir, cfg_options, resume):
        if harness.calls:
            raise KeyboardInterrupt  # the session ends
        return train(config, work_dir, cfg_options, resume)

    monkeypatch.setattr(harness, 'train_and_test', killed_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        main('--seeds', '0', '1')
    record = json.loads((root / 'benchmarks' / 'label_efficiency.json').read_text())
    assert [r['seed'] for r in record['runs']] == [0]


def test_a_record_is_replaced_whole_never_rewritten_in_place(harness, repo):
    """A campaign sharing the record reads it while another writes: the reader that opened
    it before a write still reads the whole record it opened (a half-written one failed a
    retrain as 'not a label-efficiency record')."""
    main, root = repo
    main('--seeds', '0')
    record = root / 'benchmarks' / 'label_efficiency.json'
    before = record.read_text()
    with record.open() as reader:
        main('--seeds', '0', '--retrain', 'a test')
        assert reader.read() == before
    assert record.read_text() != before and not list(record.parent.glob('.*.tmp'))


def test_recorded_runs_of_another_config_are_kept_aside_and_retrained(harness, repo):
    main, root = repo
    main('--seeds', '0')
    record = root / 'benchmarks' / 'label_efficiency.json'
    content = json.loads(record.read_text())
    content['runs'][0].update(mIoU=3.0, config_digest='an older config')
    record.write_text(json.dumps(content))
    shutil.rmtree(root / 'work_dirs')
    main('--seeds', '0')
    assert len(harness.calls) == 2
    content = json.loads(record.read_text())
    assert [r['mIoU'] for r in content['runs']] == [12.5]
    assert [r['mIoU'] for r in content['stale_runs']] == [3.0]  # kept, out of the table
    main('--finished-only')
    assert [r['mIoU'] for r in json.loads(record.read_text())['stale_runs']] == [3.0]


def test_a_retrain_supersedes_the_record_and_its_run_but_keeps_a_newer_one(harness, repo):
    main, root = repo
    main('--seeds', '0', '1')
    seed1 = root / 'work_dirs' / 'label_efficiency' / 'source_only' / 'seed1'
    newer = json.loads((seed1 / 'result.json').read_text())
    (seed1 / 'result.json').write_text(json.dumps({**newer, 'mIoU': 20.0}))  # trained since
    main('--seeds', '0', '1', '--retrain', 'the code changed')
    assert [c[1]['randomness.seed'] for c in harness.calls] == [0, 1, 0]  # seed 1 counts as is
    assert (seed1.parent / 'seed0.superseded-0' / 'result.json').is_file()
    content = json.loads((root / 'benchmarks' / 'label_efficiency.json').read_text())
    assert sorted(r['mIoU'] for r in content['runs']) == [12.5, 20.0]
    assert [(r['seed'], r['superseded']) for r in content['stale_runs']] == [
        (0, 'the code changed'), (1, 'the code changed')]
    main('--seeds', '0', '1')  # a plain run afterwards trains nothing
    assert len(harness.calls) == 3


def test_a_process_writing_later_cannot_bring_a_superseded_run_back(harness, repo):
    """Two campaigns may share a record, each writing when it ends: one that read the record
    before a retrain neither restores the retired run nor drops its stale entry."""
    main, root = repo
    main('--seeds', '0')
    record = root / 'benchmarks' / 'label_efficiency.json'
    read_before = json.loads(record.read_text())['runs']
    main('--seeds', '0', '--retrain', 'the code changed')  # the same mIoU, trained again
    now = json.loads(record.read_text())
    assert len(now['runs']) == 1 and now['runs'] != read_before
    results, stale = harness.settle(record, read_before + now['runs'], [])
    assert results == now['runs'] and stale == now['stale_runs']
    record.write_text(json.dumps({**now, 'runs': read_before + now['runs']}))  # written anyway
    assert harness.load_record(record)[0] == now['runs']


def test_record_without_config_digests_is_refused_before_training(harness, repo):
    main, root = repo
    (root / 'benchmarks').mkdir()
    (root / 'benchmarks' / 'label_efficiency.json').write_text(json.dumps(
        dict(runs=[dict(method='source_only', seed=0, mIoU=1.0)])))
    with pytest.raises(ValueError, match=r'label_efficiency\.json: runs \[0\] lack'):
        main('--seeds', '0')
    assert harness.calls == []


def test_config_digest_ignores_key_order_and_work_dir(harness):
    a = Config(dict(model=dict(type='X', depth=18), work_dir='a', seed=1))
    b = Config(dict(seed=1, work_dir='b', model=dict(depth=18, type='X')))
    assert harness.config_digest(a) == harness.config_digest(b)
    assert harness.config_digest(a) != harness.config_digest(Config(dict(seed=2, model=a.model)))


def test_ablation_needs_a_tag_and_keeps_its_runs_apart(harness, repo):
    main, root = repo
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
    assert '| Source only | 12.50 | 1 | 1.00 |' in table
    assert table.strip() in (root / 'configs' / 'labor' / 'README.md').read_text()
    assert 'label_efficiency_x3' not in (root / 'README.md').read_text()  # no headline
    with pytest.raises(ValueError, match='label_efficiency_other'):  # before any training
        main('--seeds', '1', '--tag', 'other', '--cfg-options', 'train_cfg.max_iters=7')
    assert len(harness.calls) == 2


@pytest.mark.parametrize('method', ['adaptseg_all_labels', 'supervised'])
def test_every_label_methods_count_all_target_pixels(harness, tmp_path, method):
    result = harness.run(method, 0, tmp_path)
    assert result['labeled_percent'] == 100.0
    row = harness.table(harness.summary([result]), 12.5).splitlines()[-1]
    assert row.endswith('| 1.00 | 100.00 | all | - |'), row  # no clicks: every label


def test_the_effort_column_is_the_mean_of_the_seeds_that_measured_it(harness):
    """Clicks per image and their estimated seconds are averaged over the seeds that recorded
    them; a seed recorded before the store measured effort is left out of the mean and the
    cell says how many seeds it comes from; with none, the effort is unknown."""
    base = dict(method='labor_spl', mIoU=50.0, labeled_percent=2.0, points_per_image=700.0)
    runs = [dict(base, seed=0, clicks_per_image=10.0, seconds_per_image=24.0),
            dict(base, seed=1, clicks_per_image=20.0, seconds_per_image=48.0)]
    row = harness.summary(runs)[0]
    assert (row['clicks_per_image'], row['seconds_per_image']) == (15.0, 36.0)
    assert harness.table([row], 50.0).endswith('| 15 (36 s) |')
    legacy = harness.summary([*runs, dict(base, seed=2)])[0]
    assert (legacy['clicks_per_image'], legacy['effort_seeds']) == (15.0, 2)
    assert harness.table([legacy], 50.0).endswith('| 15 (36 s; 2 of 3 seeds) |')
    unknown = harness.summary([dict(base, seed=2)])[0]
    assert unknown['clicks_per_image'] is None
    assert harness.table([unknown], 50.0).endswith('| - |')


def test_recipe_ceiling_trains_adaptseg_on_every_target_label():
    """The ceiling row is AdaptSeg (no selector, no selection) on the plain target dataset."""
    cfg = Config.fromfile('configs/labor/adaptseg-all-labels_synth.py')
    assert 'selector' not in cfg.model and 'custom_hooks' not in cfg
    assert cfg.train_dataloader.dataset.target.type == 'CityscapesDataset'


def test_every_method_is_its_config_file_and_nothing_else(harness):
    for method, (config, _) in harness.METHODS.items():
        config_file, options, cfg = harness.method_config(method, 3)
        assert config_file.name == f'{config}.py' and options == {'randomness.seed': 3}


@pytest.mark.parametrize('method', ['random_points', 'labor_ppl'])
def test_hook_options_reach_the_selection_hook_by_type(harness, method):
    ablation = {'hook_options': {'ActiveSelectionHook.rounds': [500]}}
    cfg = harness.method_config(method, 0, ablation)[2]
    assert [h.get('rounds') for h in cfg.custom_hooks] == [None, [500]]


def test_hook_options_for_a_method_without_that_hook_name_its_config(harness):
    with pytest.raises(ValueError, match=r'source_only_synth\.py \(source_only\): .*no '
                                         r'SPLSelectionHook'):
        harness.method_config('source_only', 0,
                              {'hook_options': {'SPLSelectionHook.boundary_radius': 0}})


def test_a_hook_option_ablation_is_named_in_its_table(harness, repo, monkeypatch):
    main, root = repo
    monkeypatch.setitem(harness.METHODS, 'source_only', ('spl_synth', 'LabOR-SPL'))
    main('--seeds', '0', '--tag', 'x3', '--hook-options', 'SPLSelectionHook.boundary_radius=0')
    assert harness.calls[0][1]['custom_hooks.1.boundary_radius'] == 0
    record = json.loads((root / 'benchmarks' / 'label_efficiency_x3.json').read_text())
    assert record['hook_options'] == {'SPLSelectionHook.boundary_radius': 0}
    assert '`SPLSelectionHook.boundary_radius=0`' in (
        root / 'configs' / 'labor' / 'README.md').read_text()


def test_a_budget_ablation_drops_the_budget_from_the_methods_name(harness, repo, monkeypatch):
    main, root = repo
    monkeypatch.setitem(harness.METHODS, 'source_only', ('spl_synth', 'LabOR-SPL, 2.2%'))
    main('--seeds', '0', '--tag', 'x3', '--hook-options', 'ActiveSelectionHook.budget=0.001')
    table = (root / 'benchmarks' / 'label_efficiency_x3.md').read_text()
    assert '| LabOR-SPL | 12.50 | 1 |' in table and '2.2%' not in table


def test_the_metafile_lists_every_config_with_its_measured_result(harness, repo):
    """MMSeg's metafile and the per-config section come from the main table's rows: a trained
    config gets its mIoU, one never trained (GTA5 -> Cityscapes) is listed without results."""
    main, root = repo
    main('--seeds', '0', '1')
    index = yaml.safe_load((root / 'configs' / 'labor' / 'metafile.yaml').read_text())
    assert [c['Name'] for c in index['Collections']] == ['LabOR']
    models = {m['Name']: m for m in index['Models']}
    assert set(models) == set(SCRATCH_CONFIGS)
    assert models['source_only_synth']['Config'] == 'configs/labor/source_only_synth.py'
    assert models['source_only_synth']['Results']['Metrics']['mIoU'] == 12.5
    assert models['source_only_synth']['Metadata']['Seeds'] == 2
    assert 'Results' not in models['spl_gta2cs'] and 'Results' not in models['spl_synth']
    assert models['spl_gta2cs']['Metadata']['Labels'] == '2.2% of target pixels'
    results = (root / 'configs' / 'labor' / 'README.md').read_text()
    assert '| [source_only_synth.py](source_only_synth.py) | Source only |' in results
    assert '12.50 ± 0.00 | 2 |' in results
    assert '| [spl_gta2cs.py](spl_gta2cs.py) | LabOR-SPL | R-101 DeepLab-v2 |' in results


def test_the_headline_shows_self_training_beside_its_method(harness):
    runs = [dict(method=m, seed=s, mIoU=v + s, labeled_percent=0.0, points_per_image=0.0)
            for m, v in (('adaptseg', 20.0), ('self_training', 30.0), ('labor_spl', 60.0),
                         ('labor_spl_st', 64.0), ('supervised', 61.0)) for s in (0, 1)]
    text = harness.headline(harness.summary(runs), 62.0)
    assert '| AdaptSeg (UDA) | 20.50 ± 0.71 (2) | 0.33 | 30.50 ± 0.71 (2) | 0.49 |' in text
    assert '| LabOR-SPL, 2.2% | 60.50 ± 0.71 (2) | 0.98 | 64.50 ± 0.71 (2) | 1.04 |' in text
    assert '| Target full supervision | 61.50 ± 0.71 (2) | 0.99 | - | - |' in text
    one_seed = harness.headline(harness.summary(runs[:1]), 62.0)  # no spread to show
    assert '| AdaptSeg (UDA) | 20.00 (1) | 0.32 | - | - |' in one_seed
    assert 'self-training (UDA)' not in text and '+ ST' not in text  # no rows of their own


def test_an_ablation_is_paired_by_seed_with_the_runs_leaving_one_option_out(harness, repo,
                                                                             monkeypatch):
    main, root = repo
    readme = root / 'configs' / 'labor' / 'README.md'
    readme.write_text(readme.read_text() + sections('label_efficiency_x4'))
    stub = harness.train_and_test
    gains = {0: 3.0, 1: 5.0}  # what max_iters=7 adds, by seed

    def train_and_test(config, work_dir, cfg_options, resume):
        seed, short = cfg_options['randomness.seed'], 'train_cfg.max_iters' in cfg_options
        return {'mIoU': stub(config, work_dir, cfg_options, resume)['mIoU']
                + seed + (gains[seed] if short else 0)}

    monkeypatch.setattr(harness, 'train_and_test', train_and_test)
    main('--seeds', '0', '1')
    main('--seeds', '0', '1', '--tag', 'x3', '--cfg-options', 'train_cfg.max_iters=7')
    table = (root / 'benchmarks' / 'label_efficiency_x3.md').read_text()
    assert ('- Source only, against the runs without `train_cfg.max_iters=7`: '
            '+4.00 ± 12.71 [-8.71, +16.71] (2 seeds)') in table
    # Two options: leaving out val_interval gives x3's runs, leaving out max_iters no run,
    # leaving out both the main table's.
    main('--seeds', '0', '1', '--tag', 'x4', '--cfg-options', 'train_cfg.max_iters=7',
         'train_cfg.val_interval=7')
    pairs = [line for line in (root / 'benchmarks' / 'label_efficiency_x4.md').read_text()
             .splitlines() if line.startswith('- ')]
    assert pairs == [
        '- Source only, against the runs without `train_cfg.val_interval=7`: '
        '+0.00 ± 0.00 [+0.00, +0.00] (2 seeds)',
        '- Source only, against the runs without `train_cfg.max_iters=7`, '
        '`train_cfg.val_interval=7`: +4.00 ± 12.71 [-8.71, +16.71] (2 seeds)']


def test_an_ablation_takes_its_ratios_to_full_supervision_trained_with_its_options(
        harness, repo, monkeypatch):
    main, root = repo
    readme = root / 'configs' / 'labor' / 'README.md'
    readme.write_text(readme.read_text() + sections('label_efficiency_x4'))
    stub = harness.train_and_test

    def train_and_test(config, work_dir, cfg_options, resume):
        longer = 'train_cfg.max_iters' in cfg_options and Path(config).stem == 'supervised_synth'
        return {'mIoU': stub(config, work_dir, cfg_options, resume)['mIoU'] + 37.5 * longer}

    monkeypatch.setattr(harness, 'train_and_test', train_and_test)
    main('--seeds', '0', '--methods', 'source_only', 'supervised')  # 12.50 each
    options = ('--cfg-options', 'train_cfg.max_iters=7')
    main('--seeds', '0', '--tag', 'x3', *options)
    table = root / 'benchmarks' / 'label_efficiency_x3.md'
    assert ("Ratios are to the main table's full supervision (12.50, mean of 1 runs)."
            in table.read_text())
    assert '| Source only | 12.50 | 1 | 1.00 |' in table.read_text()
    # Full supervision with the same option, recorded by another table: 50.00.
    main('--seeds', '0', '--methods', 'supervised', '--tag', 'x4', *options)
    main('--finished-only', '--tag', 'x3', *options)
    assert ('Ratios are to full supervision trained with the same cfg options (50.00, mean of '
            '1 runs).' in table.read_text())
    assert '| Source only | 12.50 | 1 | 0.25 |' in table.read_text()
