"""What a person sees: a live run's task of an SPL round and of a PPL round opened in Label
Studio in headless Chromium (Debian's, installed by tools/label_studio/install.sh); checked on
the screenshot's pixels: the image is there, each proposal drawn in its class's colour.

``UPDATE_DOCS=1`` also writes the screenshots to ``docs/`` (the README shows them)."""
import json
import os
import shutil

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner
from mmseg.datasets import CityscapesDataset

from labor_mmseg.labeling.label_studio_client import LabelStudioClient
from labor_mmseg.labeling.selection_round import load_request

from .conftest import LABEL_STUDIO_EMAIL, REPO
from .label_studio_browser import task_screenshot
from .test_label_studio_live import live_config

PALETTE = np.array(CityscapesDataset.METAINFO['palette'], float)


def asked_round(method, tiny_benchmark, work_dir):
    """A live run of ``method`` that asked its first round and stopped waiting (timeout):
    its request and the tasks the person has."""
    cfg = live_config(f'{method}-label-studio_synth', tiny_benchmark, work_dir)
    cfg.custom_hooks = [h for h in cfg.custom_hooks if h['type'] != 'RecordTrainSteps']
    cfg.custom_hooks[-1].update(rounds=[2])
    cfg.oracle.timeout = 0.5
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # stopped at the round, its tasks waiting
    return load_request(work_dir / 'queries' / 'round_1')


@pytest.mark.parametrize('method', ['spl', 'ppl'])
def test_a_person_sees_the_image_and_the_proposals_in_their_colours(method, label_studio,
                                                                   monkeypatch, tiny_benchmark,
                                                                   tmp_path):
    monkeypatch.setenv('LABEL_STUDIO_URL', label_studio.url)
    monkeypatch.setenv('LABEL_STUDIO_API_KEY', label_studio.api_key())
    request = asked_round(method, tiny_benchmark, tmp_path / 'run')
    client = LabelStudioClient(label_studio.url, api_key=label_studio.api_key())
    project = json.loads((tmp_path / 'run' / 'queries' / 'label_studio_project.json')
                         .read_text())['project']
    tasks = {t['data']['labor_key']: t['id'] for t in client.tasks(project)}
    # The image with the most proposals: the most to check.
    key = max(request.proposals, key=lambda k: len(request.proposals[k]))
    proposals = request.proposals[key]
    png = tmp_path / f'label_studio_{method}.png'
    shot, box = task_screenshot(label_studio.url, LABEL_STUDIO_EMAIL, label_studio.password,
                                project, tasks[key], png)
    if os.environ.get('UPDATE_DOCS'):
        shutil.copy(png, REPO / 'docs' / png.name)

    image = cv2.imread(request.image_paths[key])[:, :, ::-1].astype(float)  # RGB
    assert (box.natural_height, box.natural_width) == image.shape[:2]
    # The image is shown: screen pixels over unqueried pixels look like the image's.
    ys, xs = np.nonzero(proposals.ids == 0)
    screen, shown = [], []
    for y, x in zip(ys[::7], xs[::7], strict=True):
        column, row = box.to_screen(x, y)
        if box.shows(column, row):
            screen.append(shot[row, column])
            shown.append(image[y, x])
    screen, shown = np.array(screen, float), np.array(shown, float)
    assert len(screen) > 200, 'the image is not on the screen'
    assert screen.std() > 10, 'the image area is blank'
    agree = np.corrcoef(screen.mean(1), shown.mean(1))[0, 1]
    assert agree > 0.8, f'the screen does not show the image (correlation {agree:.2f})'
    # Each proposal in its class's colour: its pixels on screen are nearer that colour than
    # the image's own pixels there.
    nearer = []
    for i, cls in enumerate(proposals.classes.tolist()):
        y, x = np.argwhere(proposals.mask(i))[0]
        column, row = box.to_screen(x, y)
        if not box.shows(column, row):
            continue
        colour = PALETTE[cls]
        nearer.append(np.linalg.norm(shot[row, column] - colour)
                      < np.linalg.norm(image[y, x] - colour))
    assert len(nearer) >= min(5, len(proposals)), 'the proposals are not on the screen'
    assert np.mean(nearer) > 0.8, f'{np.mean(nearer):.2f} of the proposals in their colour'
