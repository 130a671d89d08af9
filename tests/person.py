"""A simulated person who answers Label Studio tasks through the REST API only, as the web app
would: fetches each task's image through the server, corrects A's proposals to the ground truth
(keeps a right one, changes a wrong one's class, repaints a mixed one) and submits."""
import json
import threading
import time
from pathlib import Path
from urllib.request import Request

import cv2
import numpy as np

from labor_mmseg.labeling.label_studio import (
    BRUSH_NAME,
    IMAGE_NAME,
    VOID_LABEL,
    brush_to_rle,
    rle_to_brush,
)
from labor_mmseg.labeling.label_studio_client import LabelStudioClient


def fetch_image(client: LabelStudioClient, url: str) -> np.ndarray:
    """The task's image as the browser gets it (HTTP 200 and a PNG that decodes)."""
    request = Request(client.url + url, headers=client._headers())
    with client.opener.open(request, timeout=client.timeout) as response:
        assert response.status == 200, url
        image = cv2.imdecode(np.frombuffer(response.read(), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, f'{url}: not an image'
    return image


def corrected(task: dict, gt: np.ndarray, classes: list[str]) -> tuple[list[dict], dict]:
    """The results a person submits for ``task`` and what they did: proposals right as they
    are, relabeled (one other class), repainted (several classes: one brush per class)."""
    names = {**dict(enumerate(classes)), 255: VOID_LABEL}
    done = dict(accepted=0, relabeled=0, repainted=0)
    results = []
    for result in task['predictions'][0]['result']:
        value = result['value']
        height, width = result['original_height'], result['original_width']
        if result['type'] == 'keypointlabels':
            y, x = int(value['y'] / 100 * height), int(value['x'] / 100 * width)
            truth = names[int(gt[y, x])]
            done['accepted' if value['keypointlabels'] == [truth] else 'relabeled'] += 1
            results.append({**result, 'value': {**value, 'keypointlabels': [truth]}})
            continue
        region = rle_to_brush(value['rle'], height, width)
        truths = np.unique(gt[region])
        if len(truths) == 1:
            truth = names[int(truths[0])]
            done['accepted' if value['brushlabels'] == [truth] else 'relabeled'] += 1
            results.append({**result, 'value': {**value, 'brushlabels': [truth]}})
            continue
        done['repainted'] += 1
        for c in truths.tolist():
            results.append(dict(
                id=f'{result["id"]}-{c}', type='brushlabels', from_name=BRUSH_NAME,
                to_name=IMAGE_NAME, original_width=width, original_height=height,
                image_rotation=0, value=dict(format='rle', rle=brush_to_rle(region & (gt == c)),
                                             brushlabels=[names[c]])))
    return results, done


class Person(threading.Thread):
    """Answers every unanswered task of the project of the run in ``work_dir`` (once the run
    has made it) until stopped; ``only`` limits how many it answers; records what it saw."""

    def __init__(self, url: str, api_key: str, work_dir: Path, gt_root: Path, classes: list[str],
                 only: int | None = None) -> None:
        super().__init__(daemon=True)
        self.client = LabelStudioClient(url, api_key=api_key)
        self.record = Path(work_dir) / 'queries' / 'label_studio_project.json'
        self.gt_root, self.classes, self.only = gt_root, classes, only
        self.image_shapes: dict[str, tuple] = {}
        self.answered: list[str] = []
        self.done = dict(accepted=0, relabeled=0, repainted=0)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                if self.record.is_file():
                    project = json.loads(self.record.read_text())['project']
                    for task in self.client.tasks(project):
                        if self.only is not None and len(self.answered) >= self.only:
                            break
                        if task['total_annotations'] == 0:
                            self.answer(self.client.api('GET', f'/tasks/{task["id"]}/'))
                time.sleep(0.2)
        except BaseException as err:  # noqa: BLE001  (handed to the test)
            self.error = err

    def answer(self, task: dict) -> None:
        key = task['data']['labor_key']
        self.image_shapes[key] = fetch_image(self.client, task['data']['image']).shape[:2]
        gt = cv2.imread(str(self.gt_root / f'{key}_gtFine_labelTrainIds.png'),
                        cv2.IMREAD_UNCHANGED)
        results, done = corrected(task, gt, self.classes)
        self.client.annotate(task['id'], results)
        self.answered.append(key)
        for name, n in done.items():
            self.done[name] += n

    def finish(self) -> None:
        self.stop.set()
        self.join(30)
        if self.error is not None:
            raise self.error
