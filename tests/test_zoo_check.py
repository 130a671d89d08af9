"""The compatibility table's script (tools/analysis/zoo_check.py): which config it checks per
family, what it records when a family works and when it fails, the table it writes."""
from .conftest import load_script

zoo_check = load_script('tools/analysis/zoo_check.py')


def test_it_covers_every_family_folder_and_picks_a_small_cityscapes_config():
    found = zoo_check.families()
    assert {'pspnet', 'knet', 'mask2former', 'segformer', 'point_rend'} <= set(found)
    assert '_base_' not in found and len(found) >= 50
    assert zoo_check.pick_config(found['pspnet']).name.startswith('pspnet_r18-d8')
    assert 'cityscapes' in zoo_check.pick_config(found['segformer']).name
    assert 'mit-b0' in zoo_check.pick_config(found['segformer']).name


def test_a_family_that_works_is_recorded_with_its_cost(tiny_benchmark, tmp_path):
    record = zoo_check.check_family('pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
                                    tiny_benchmark, tmp_path / 'work')
    assert record['stage'] == 'works', record
    assert record['bought'] > 0 and record['s_per_iter'] > 0 and record['params_m'] > 1
    assert 0 <= record['miou'] <= 100


def test_a_family_that_fails_is_recorded_with_its_stage_and_error(tiny_benchmark, tmp_path):
    record = zoo_check.check_family('pspnet/no_such_config.py', tiny_benchmark, tmp_path)
    assert record['stage'] == 'build' and 'ships no config pspnet/no_such_config.py' in \
        record['error']


def test_the_table_says_which_stage_failed_and_why(tmp_path, monkeypatch):
    monkeypatch.setattr(zoo_check, 'TABLE', tmp_path / 'zoo_check.md')
    zoo_check.write_table({
        'good': dict(config='good/a.py', stage='works', s_per_iter=0.5, params_m=12.3),
        'bad': dict(config='bad/b.py', stage='round', error='RuntimeError: bought | nothing',
                    s_per_iter=0.2, params_m=1.0)})
    text = (tmp_path / 'zoo_check.md').read_text()
    assert '1 of 2 families work' in text
    assert '| good | `a.py` | yes | yes | yes | yes | yes | 0.50 | 12.3 |  |' in text
    assert ('| bad | `b.py` | yes | yes | **no** | - | - | 0.20 | 1.0 | '
            'RuntimeError: bought \\| nothing |') in text
