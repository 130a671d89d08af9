"""Options kept with a run for ``tools/train.py --resume``; ``tools/import_answers.py``'s
refusals."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from mmengine.config import Config

from labor_mmseg.labeling import import_person_answers
from labor_mmseg.utils.run_options import (
    load_run_options,
    merge_run_options,
    options_path,
    resume_run_options,
    run_options,
    save_run_options,
)

from .conftest import REPO, tiny_config
from .test_human_resume import answer_with_ground_truth

HOOK_OPTIONS = {'ActiveSelectionHook.vis_images': 0, 'ActiveSelectionHook.oracle': 'human'}
CFG_OPTIONS = {'randomness.seed': 7}


def test_recorded_options_read_back_as_given(tmp_path):
    """Values as ``DictAction`` parses them come back with their types: tuples stay tuples."""
    options = run_options({'a.b': (1, [2.5, None]), 'c': 'x', 'd': True}, HOOK_OPTIONS, amp=True)
    assert load_run_options(tmp_path) is None
    assert save_run_options(tmp_path, options) == tmp_path / 'train_options.json'
    assert load_run_options(tmp_path) == options
    assert load_run_options(tmp_path)['cfg_options']['a.b'] == (1, [2.5, None])


@pytest.mark.parametrize('text', ['{"cfg_options": {', '[]', '{"cfg_options": {}, "amp": false}',
                                  '{"cfg_options": {"a": {"x": 1}}, "hook_options": {}, '
                                  '"amp": false}'])
def test_a_corrupt_record_is_refused_naming_the_file(tmp_path, text):
    options_path(tmp_path).write_text(text)
    with pytest.raises(ValueError, match=rf'{options_path(tmp_path)}: corrupt'):
        load_run_options(tmp_path)


def test_given_options_go_on_top_of_the_recorded_ones():
    recorded = run_options({'a': 1, 'b.c': 2}, {'H.x': 0})
    assert merge_run_options(recorded, run_options()) == (recorded, run_options())
    merged, changed = merge_run_options(recorded, run_options({'b': 3, 'a': 1}, {'H.y': 1},
                                                              amp=True))
    assert merged == run_options({'b.c': 2, 'b': 3, 'a': 1}, {'H.x': 0, 'H.y': 1}, amp=True)
    assert list(merged['cfg_options']) == ['b.c', 'b', 'a']  # the given ones applied last
    assert changed == run_options({'b': 3}, {'H.y': 1}, amp=True)
    assert merge_run_options(run_options(amp=True), run_options())[0]['amp']


def test_resuming_says_what_was_recorded_and_what_changed(tmp_path):
    given = run_options(CFG_OPTIONS)
    options, line = resume_run_options(tmp_path, given)
    assert options == given and 'no options recorded' in line
    save_run_options(tmp_path, run_options(CFG_OPTIONS, HOOK_OPTIONS))
    options, line = resume_run_options(tmp_path, run_options())
    assert options == run_options(CFG_OPTIONS, HOOK_OPTIONS)
    assert line.startswith(f'resuming with the options recorded in {options_path(tmp_path)}: '
                           '--cfg-options randomness.seed=7 --hook-options '
                           'ActiveSelectionHook.vis_images=0')
    assert 'changed' not in line
    options, line = resume_run_options(tmp_path, run_options(
        {'randomness.seed': 8}, {'ActiveSelectionHook.vis_images': 0}))
    assert options == run_options({'randomness.seed': 8}, HOOK_OPTIONS)
    assert '; changed on the command line: --cfg-options randomness.seed=8; recorded now:' in line


def run_tool(*args: str) -> subprocess.CompletedProcess:
    """``python tools/<args>`` in the repository, one thread."""
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS='1'), timeout=600)


@pytest.fixture(scope='module')
def stopped_run(tiny_benchmark, tmp_path_factory):
    """``(config, work_dir)``: ``tools/train.py`` of LabOR-SPL on the tiny benchmark (a round
    after iteration 1 of 2), started with options that make the round a person's: stopped at
    it, its queries unanswered."""
    tmp = tmp_path_factory.mktemp('run_options')
    cfg = tiny_config('spl_synth', tiny_benchmark, tmp / 'unused', max_iters=2)
    cfg.custom_hooks[-1].update(rounds=[1])
    config = tmp / 'tiny_spl.py'
    cfg.dump(config)
    work_dir = tmp / 'work'
    hook_options = [f'{k}={v}' for k, v in HOOK_OPTIONS.items()]
    cfg_options = [f'{k}={v}' for k, v in CFG_OPTIONS.items()]
    done = run_tool('tools/train.py', str(config), '--work-dir', str(work_dir),
                    '--cfg-options', *cfg_options, '--hook-options', *hook_options)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (work_dir / 'iter_1.pth').is_file() and not (work_dir / 'iter_2.pth').exists()
    return config, work_dir


def test_resume_alone_trains_with_the_options_the_run_was_started_with(stopped_run,
                                                                      tiny_benchmark, tmp_path):
    config, source = stopped_run
    work_dir = tmp_path / 'work'
    shutil.copytree(source, work_dir)
    assert load_run_options(work_dir) == run_options(CFG_OPTIONS, HOOK_OPTIONS)
    answer_with_ground_truth(work_dir / 'queries' / 'round_1', tiny_benchmark,
                             tmp_path / 'answers')
    import_person_answers(work_dir / 'queries' / 'round_1', tmp_path / 'answers')
    (work_dir / config.name).unlink()  # the config the first run dumped

    done = run_tool('tools/train.py', str(config), '--work-dir', str(work_dir), '--resume')
    assert done.returncode == 0, done.stderr[-3000:]
    assert (work_dir / 'iter_2.pth').is_file()
    assert f'resuming with the options recorded in {work_dir / "train_options.json"}' in (
        done.stdout + done.stderr)
    used = Config.fromfile(work_dir / config.name)  # the config the resumed run dumped
    assert used.randomness.seed == 7
    assert used.custom_hooks[-1].vis_images == 0 and used.custom_hooks[-1].oracle == 'human'
    assert load_run_options(work_dir) == run_options(CFG_OPTIONS, HOOK_OPTIONS)


def store_files(work_dir) -> dict:
    """Every file of the run's label store, by path, as bytes."""
    root = work_dir / 'label_store'
    return {p: p.read_bytes() for p in sorted(root.rglob('*')) if p.is_file()}


def import_answers(work_dir, answers, *options: str) -> subprocess.CompletedProcess:
    """``tools/import_answers.py`` of ``answers`` into ``work_dir``."""
    return run_tool('tools/import_answers.py', str(work_dir), str(answers), *options)


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """The tool exited with one line naming ``words``, no traceback."""
    assert done.returncode != 0 and 'Traceback' not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert all(word in done.stderr for word in words), done.stderr


def test_import_answers_refuses_an_answers_path_that_does_not_exist(stopped_run, tmp_path):
    _, work_dir = stopped_run
    before = store_files(work_dir)
    missing = tmp_path / 'no_such_answers'
    assert_refused(import_answers(work_dir, missing), str(missing), 'nothing was stored')
    assert store_files(work_dir) == before


def test_import_answers_refuses_a_round_that_was_not_exported(stopped_run, tiny_benchmark,
                                                              tmp_path):
    _, work_dir = stopped_run
    answer_with_ground_truth(work_dir / 'queries' / 'round_1', tiny_benchmark, tmp_path)
    before = store_files(work_dir)
    for number in ('2', '0'):
        assert_refused(import_answers(work_dir, tmp_path, '--round', number),
                       str(work_dir / 'queries' / f'round_{number}'), f'round {number} was not '
                       'exported (exported: round_1)', 'nothing was stored')
    assert store_files(work_dir) == before


def test_import_answers_refuses_a_round_already_stored(stopped_run, tiny_benchmark, tmp_path):
    _, source = stopped_run
    work_dir = tmp_path / 'work'
    shutil.copytree(source, work_dir)
    answers = tmp_path / 'answers'
    answer_with_ground_truth(work_dir / 'queries' / 'round_1', tiny_benchmark, answers)
    first = import_answers(work_dir, answers)
    assert first.returncode == 0, first.stderr
    before = store_files(work_dir)
    manifest = json.loads((work_dir / 'label_store' / 'manifest.json').read_text())
    assert len(manifest['rounds']) == 1
    assert_refused(import_answers(work_dir, answers), 'round_1', 'round 1 is already in',
                   str(work_dir / 'label_store' / 'manifest.json'))
    assert store_files(work_dir) == before
