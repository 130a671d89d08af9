"""tools/benchmark/on_paper.py: the estimate follows the measured ratios and the recipe."""
import json
import subprocess
import sys

import pytest

from .conftest import REPO, load_script

SCRIPT = REPO / 'tools' / 'benchmark' / 'on_paper.py'


@pytest.fixture(scope='module')
def on_paper():
    return load_script('tools/benchmark/on_paper.py')


def test_selection_forward_is_priced_by_pixels(on_paper):
    recipe = on_paper.Recipe(batch=1, source_size=(2, 2), target_size=(2, 2), select_size=(4, 3),
                             backward_factor=2.0)
    # A step: 8 pixels forward and backward (3 x 8); a selection forward: 12 pixels.
    assert on_paper.selection_forward_in_steps(recipe) == pytest.approx(12 / 24)


def test_estimate_on_one_and_eight_gpus(on_paper):
    recipe = on_paper.Recipe(iters=800, batch=1, rounds=2, target_images=20, source_size=(2, 2),
                             target_size=(2, 2), select_size=(4, 3))
    one = on_paper.estimate(recipe, step_ratio=1.5, gpus=1, ddp_overhead=0.1)
    assert one['train_steps'] == pytest.approx(1200)  # no synchronisation on one GPU
    assert one['selection_steps'] == pytest.approx(2 * 20 * 0.5)
    assert one['adaptseg_steps'] == pytest.approx(800)
    eight = on_paper.estimate(recipe, step_ratio=1.5, gpus=8, ddp_overhead=0.1)
    assert eight['iters'] == 100
    assert eight['train_steps'] == pytest.approx(100 * 1.5 * 1.1)
    assert eight['selection_steps'] == pytest.approx(2 * 3 * 0.5)  # ceil(20 / 8) images each
    assert eight['total_steps'] == pytest.approx(eight['train_steps'] + eight['selection_steps'])


def test_script_writes_the_section_from_perf_json(tmp_path):
    ratios = [dict(name='train_step.labor', value=1.25)] + [
        dict(name=f'selection.{h}.{s}.time_incl_softmax', value=4.0)
        for h in ('correlated', 'independent') for s in ('spl', 'ppl')]
    perf = tmp_path / 'perf.json'
    perf.write_text(json.dumps(dict(ratios=ratios)))
    out = tmp_path / 'on_paper.md'
    proc = subprocess.run([sys.executable, str(SCRIPT), '--perf', str(perf), '--out', str(out),
                           '--step-s', '2'], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert '1.25 AdaptSeg steps' in text
    rows = [line for line in text.splitlines() if line.startswith('| 1 |')]
    assert rows and '| 40,000 | 50,000 |' in rows[0]  # 40k iterations x 1.25


def test_missing_perf_json_names_the_file(tmp_path):
    missing = tmp_path / 'nope.json'
    proc = subprocess.run([sys.executable, str(SCRIPT), '--perf', str(missing)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0 and str(missing) in proc.stderr
