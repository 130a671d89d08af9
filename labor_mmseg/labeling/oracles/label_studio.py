"""A person answers each round in Label Studio while training waits: the live loop."""
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from mmengine.logging import MMLogger

from ...registry import ORACLES
from ..label_store import write_atomic
from ..label_studio import VOID_LABEL, model_version, project_config, read_export, round_tasks
from ..label_studio_client import (
    LabelStudioClient,
    LabelStudioError,
    LabelStudioServerError,
    LabelStudioUnreachable,
)
from .base import AnswersPending, Oracle, RoundRequest

URL_VARIABLE = 'LABEL_STUDIO_URL'
KEY_VARIABLE = 'LABEL_STUDIO_API_KEY'
TITLE_LENGTH = 50  # Label Studio's limit on a project title


@ORACLES.register_module()
class LabelStudioOracle(Oracle):
    """Asks a person in Label Studio, in the training process, and waits for the answers.

    At each round: finds the run's project (recorded in ``<work_dir>/queries/
    label_studio_project.json``, else by its title, else creates it with the dataset's classes
    and colours and only the tool the queries need: brushes for regions, keypoints for points),
    uploads each queried image to it and creates one task per image (``data``: ``image``,
    ``labor_run``, ``labor_round``, ``labor_key``) with A's proposals as pre-annotations,
    unless the task is there already (a resumed run asks the same tasks). Then it polls the
    server, logging ``round 2: 17/40 tasks answered``, until every task (or ``min_share`` of
    them) has a submitted annotation, reads them as ``tools/import_answers.py`` does
    (:func:`~..label_studio.read_export`) and returns them; tasks left unanswered under
    ``min_share`` are not stored (nothing of them spent).

    Args:
        min_share: Share of the round's tasks whose answers suffice (0 < share <= 1).
        timeout: Seconds to wait for them; then :class:`AnswersPending` stops the run cleanly
            at the round (its checkpoint is saved) with the command to go on. None: no limit.
        poll_interval: Seconds between two looks at the server.
        unreachable_after: Seconds the server may not answer, or answer only with server
            errors (HTTP 5xx), while waiting before the run stops with an error naming it (it
            is polled again until then: hours of polling outlast a passing failure).
        api_key_file: A file holding the API key, when ``LABEL_STUDIO_API_KEY`` is not set.

    The server's URL comes from ``LABEL_STUDIO_URL``, the key from ``LABEL_STUDIO_API_KEY``
    (a personal access token or a legacy token) or ``api_key_file``: never from the command
    line, where other users would see them.
    """

    person = True
    stats_name = 'human'

    def __init__(self, min_share: float = 1.0, timeout: float | None = None,
                 poll_interval: float = 10.0, unreachable_after: float = 120.0,
                 api_key_file: str | None = None) -> None:
        if not 0 < min_share <= 1:
            raise ValueError(f'min_share must be in (0, 1], got {min_share!r}')
        if timeout is not None and timeout <= 0:
            raise ValueError(f'timeout must be positive seconds or None, got {timeout!r}')
        self.min_share = min_share
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.unreachable_after = unreachable_after
        self.api_key_file = api_key_file

    def connect(self) -> LabelStudioClient:
        """A client of the server named by the environment; errors name the variables."""
        url = os.environ.get(URL_VARIABLE)
        key = os.environ.get(KEY_VARIABLE)
        if not key and self.api_key_file:
            path = Path(self.api_key_file).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f'oracle.api_key_file {path}: no such file')
            key = path.read_text().strip()
        if not url or not key:
            raise LabelStudioError(
                f'LabelStudioOracle needs {URL_VARIABLE} and {KEY_VARIABLE} (or oracle.'
                f'api_key_file) in the environment; set: {URL_VARIABLE}={url!r}, '
                f'{KEY_VARIABLE}={"<set>" if key else None}')
        return LabelStudioClient(url, api_key=key)

    def ask(self, request: RoundRequest) -> dict[str, np.ndarray]:
        """Create the round's tasks (once), wait for the answers, return them."""
        logger = MMLogger.get_current_instance()
        client = self.connect()
        project = self.project(client, request)
        tasks = self.ensure_tasks(client, project, request)
        link = f'{client.url}/projects/{project}/data'
        logger.info(f'selection round {request.number}: {len(tasks)} tasks for a person in '
                    f'Label Studio, project {project}: {link} (training waits)')
        self.wait(client, project, request, {t['id'] for t in tasks.values()})
        mine = [t for t in client.export(project) if _is_of(t, request)]
        read = read_export(mine, request.classes, request.queries, request.run_id,
                           request.number, VOID_LABEL)
        logger.info(f'selection round {request.number}: answers of {len(read.answers)} images '
                    f'read from Label Studio ({sum(read.clipped.values())} painted pixels '
                    'outside the queries dropped)')
        return read.answers

    def project(self, client: LabelStudioClient, request: RoundRequest) -> int:
        """The run's project id: the recorded one, else the one of its title, else a new one;
        its ``model_version`` set so that it shows this run's proposals."""
        record = request.query_dir.parent / 'label_studio_project.json'
        suffix = f' [{request.run_id}]'
        title = request.title[:TITLE_LENGTH - len(suffix)] + suffix
        version = model_version(request.strategy)
        project = None
        if record.is_file():
            saved = json.loads(record.read_text())
            if saved['url'] == client.url and saved['run'] == request.run_id:
                try:
                    client.update_project(saved['project'], model_version=version)
                    return saved['project']
                except LabelStudioUnreachable:
                    raise
                except LabelStudioError:
                    MMLogger.get_current_instance().warning(
                        f'Label Studio project {saved["project"]} of {record} is gone: '
                        'creating the run\'s project again')
        project = next((p['id'] for p in client.projects() if p['title'] == title), None)
        if project is None:
            project = client.create_project(title, project_config(request),
                                            show_collab_predictions=True, model_version=version)
        else:
            client.update_project(project, model_version=version)
        write_atomic(record, json.dumps(dict(url=client.url, project=project,
                                             run=request.run_id)).encode())
        return project

    def ensure_tasks(self, client: LabelStudioClient, project: int,
                    request: RoundRequest) -> dict[str, dict[str, Any]]:
        """The round's task per image key, created where missing (images uploaded first).
        LabelStudioError naming the tasks when two ask one image."""
        tasks = self.existing(client, project, request)
        missing = sorted(set(request.queries) - set(tasks))
        if missing:
            urls = {key: client.upload(project, request.image_paths[key]) for key in missing}
            client.import_tasks(project, round_tasks(request, lambda key, _: urls[key], missing))
            tasks = self.existing(client, project, request)
        return tasks

    def existing(self, client: LabelStudioClient, project: int,
                 request: RoundRequest) -> dict[str, dict[str, Any]]:
        """The round's tasks in ``project`` by image key."""
        tasks: dict[str, dict[str, Any]] = {}
        for task in client.tasks(project):
            if not _is_of(task, request):
                continue
            key = task['data'].get('labor_key')
            if key in tasks:
                raise LabelStudioError(
                    f'Label Studio project {project}: tasks {tasks[key]["id"]} and {task["id"]} '
                    f'both ask image {key!r} of round {request.number} (a duplicate task): '
                    'delete one, then resume')
            if key not in request.queries:
                raise LabelStudioError(f'Label Studio project {project}: task {task["id"]} '
                                       f'asks image {key!r}, not queried in round '
                                       f'{request.number}')
            tasks[key] = task
        return tasks

    def wait(self, client: LabelStudioClient, project: int, request: RoundRequest,
             ids: set[int]) -> None:
        """Poll until ``min_share`` of the tasks ``ids`` have a submitted annotation.

        :class:`AnswersPending` after ``timeout``; LabelStudioError naming the task when one
        is deleted, or naming the server when it does not answer, or answers only HTTP 5xx,
        for ``unreachable_after``.
        """
        logger = MMLogger.get_current_instance()
        need = math.ceil(self.min_share * len(ids))
        start = reached = time.monotonic()
        shown = None
        while True:
            try:
                tasks = self.existing(client, project, request)
                reached = time.monotonic()
            except LabelStudioServerError as err:  # unreachable too
                if time.monotonic() - reached > self.unreachable_after:
                    raise type(err)(
                        f'{err} for {self.unreachable_after:.0f} s while round {request.number} '
                        'waited for answers; the answers given so far stay in Label Studio: '
                        f'mend or start it again, then go on with: {request.resume_command}'
                    ) from None
                time.sleep(self.poll_interval)
                continue
            gone = ids - {t['id'] for t in tasks.values()}
            if gone:
                raise LabelStudioError(
                    f'Label Studio project {project}: task(s) {sorted(gone)} of round '
                    f'{request.number} were deleted; resume ({request.resume_command}) to '
                    'create them again')
            answered = sum(1 for t in tasks.values() if t.get('total_annotations', 0) > 0)
            if answered != shown:
                logger.info(f'round {request.number}: {answered}/{len(ids)} tasks answered')
                shown = answered
            if answered >= need:
                return
            if self.timeout is not None and time.monotonic() - start > self.timeout:
                raise AnswersPending(
                    f'round {request.number}: {answered}/{len(ids)} tasks answered in '
                    f'{self.timeout:.0f} s ({need} needed); training stopped at iter '
                    f'{request.iteration} with a checkpoint. Answer the rest in Label Studio '
                    f'({client.url}/projects/{project}/data), then go on with: '
                    f'{request.resume_command}')
            time.sleep(self.poll_interval)


def _is_of(task: dict, request: RoundRequest) -> bool:
    """Whether ``task`` is one of ``request``'s run and round."""
    data = task.get('data') or {}
    return data.get('labor_run') == request.run_id and data.get('labor_round') == request.number
