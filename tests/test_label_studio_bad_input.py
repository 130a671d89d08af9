"""Bad input to the live loop, each against the real server: a clear error naming what is
wrong, and the label store byte-identical (nothing spent, nothing lost)."""
import json
import math
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from mmengine.runner import Runner

from labor_mmseg.labeling import AnswersPending, LabelStore
from labor_mmseg.labeling.label_studio import (
    BRUSH_NAME,
    IMAGE_NAME,
    LabelStudioExportError,
    brush_to_rle,
)
from labor_mmseg.labeling.label_studio_client import (
    LabelStudioClient,
    LabelStudioError,
    LabelStudioServerError,
    LabelStudioUnreachable,
)
from labor_mmseg.labeling.oracles import LabelStudioOracle
from labor_mmseg.labeling.selection_round import load_request, store_request, with_dataset_files

from .conftest import LABEL_STUDIO_EMAIL, tiny_config
from .test_human_oracle import store_bytes


@pytest.fixture(scope='module')
def stopped_round(tiny_benchmark, tmp_path_factory):
    """A work dir whose run stopped at an SPL round asked of a person (its queries kept)."""
    work_dir = tmp_path_factory.mktemp('asked')
    cfg = tiny_config('spl_synth', tiny_benchmark, work_dir, max_iters=4)
    cfg.custom_hooks[-1].update(rounds=[2], oracle='human', vis_images=0)
    cfg.default_hooks.checkpoint.interval = 100
    runner = Runner.from_cfg(cfg)
    runner.train()
    return work_dir, runner.train_dataloader.dataset.target


class Asked:
    """The round of a copy of the stopped run asked in Label Studio from a thread, as the
    training does; ``result()`` is the answers or the error."""

    def __init__(self, stopped_round, tmp_path, run_id, **options):
        source, dataset = stopped_round
        self.work_dir = tmp_path / 'work'
        shutil.copytree(source, self.work_dir)
        self.request = with_dataset_files(
            load_request(self.work_dir / 'queries' / 'round_1'), dataset)
        self.request.run_id = run_id  # a project of its own on the shared server
        self.store = self.work_dir / 'label_store'
        self.before = store_bytes(self.store)
        self.oracle = LabelStudioOracle(poll_interval=0.1, **options)
        self.outcome = None
        self.thread = threading.Thread(target=self.ask, daemon=True)
        self.thread.start()

    def ask(self):
        try:
            answers = self.oracle.ask(self.request)
            store = LabelStore.open(self.store)
            self.outcome = store_request(store, self.request, answers, 'human')
        except BaseException as err:  # noqa: BLE001  (handed to the test)
            self.outcome = err

    def tasks(self, client, count=None):
        """The round's tasks once the oracle made them."""
        record = self.work_dir / 'queries' / 'label_studio_project.json'
        for _ in range(600):
            if record.is_file():
                project = json.loads(record.read_text())['project']
                tasks = [t for t in client.tasks(project)
                         if t['data']['labor_run'] == self.request.run_id]
                if tasks and (count is None or len(tasks) >= count):
                    return project, tasks
            time.sleep(0.1)
        raise AssertionError('the oracle made no tasks')

    def result(self, timeout=60):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), 'the oracle is still waiting'
        assert store_bytes(self.store) == self.before  # nothing stored, nothing lost
        return self.outcome


@pytest.fixture
def client(label_studio, monkeypatch):
    monkeypatch.setenv('LABEL_STUDIO_URL', label_studio.url)
    monkeypatch.setenv('LABEL_STUDIO_API_KEY', label_studio.api_key())
    return LabelStudioClient(label_studio.url, api_key=label_studio.api_key())


def brush(shape, mask, name):
    return dict(id='b', type='brushlabels', from_name=BRUSH_NAME, to_name=IMAGE_NAME,
                original_width=shape[1], original_height=shape[0], image_rotation=0,
                value=dict(format='rle', rle=brush_to_rle(mask), brushlabels=[name]))


def test_wrong_credentials_and_missing_settings_name_what_is_wrong(stopped_round, tmp_path,
                                                                   label_studio, monkeypatch):
    monkeypatch.setenv('LABEL_STUDIO_URL', label_studio.url)
    for key, words in (('not-a-key', 'the API key (LABEL_STUDIO_API_KEY)'),
                       ('a.b.c', 'refused as a personal access token')):
        monkeypatch.setenv('LABEL_STUDIO_API_KEY', key)
        err = Asked(stopped_round, tmp_path / key, 'wrongkey').result()
        assert isinstance(err, LabelStudioError) and words in str(err), err
        assert label_studio.url in str(err)
    monkeypatch.delenv('LABEL_STUDIO_API_KEY')
    err = Asked(stopped_round, tmp_path / 'none', 'nokey').result()
    assert isinstance(err, LabelStudioError) and 'LABEL_STUDIO_API_KEY' in str(err), err


def test_a_timeout_stops_cleanly_with_the_command_to_go_on(stopped_round, tmp_path, client):
    asked = Asked(stopped_round, tmp_path, 'timeout', timeout=2)
    err = asked.result()
    assert isinstance(err, AnswersPending), err
    assert '0/6 tasks answered' in str(err) and '--resume' in str(err)


def test_a_deleted_task_is_named(stopped_round, tmp_path, client):
    asked = Asked(stopped_round, tmp_path, 'deleted')
    _, tasks = asked.tasks(client, 6)
    client.api('DELETE', f'/tasks/{tasks[2]["id"]}/')
    err = asked.result()
    assert isinstance(err, LabelStudioError), err
    assert f'[{tasks[2]["id"]}]' in str(err) and 'were deleted' in str(err)


def test_a_duplicate_task_is_named(stopped_round, tmp_path, client):
    asked = Asked(stopped_round, tmp_path, 'duplicate')
    project, tasks = asked.tasks(client, 6)
    client.import_tasks(project, [dict(data=tasks[0]['data'])])
    err = asked.result()
    assert isinstance(err, LabelStudioError), err
    assert 'duplicate task' in str(err) and str(tasks[0]['id']) in str(err)


@pytest.mark.parametrize('answer', ['unknown class', 'brush outside the query'])
def test_a_bad_annotation_is_named_and_nothing_is_stored(stopped_round, tmp_path, client,
                                                         answer):
    asked = Asked(stopped_round, tmp_path, answer.split()[-1])
    queries = asked.request.queries
    _, tasks = asked.tasks(client, 6)
    for n, task in enumerate(tasks):
        mask = queries[task['data']['labor_key']]
        name = 'building'
        if n == 3 and answer == 'unknown class':
            name = 'unicorn'
        elif n == 3:
            mask = ~mask
        client.annotate(task['id'], [brush(mask.shape, mask, name)])
    err = asked.result()
    assert isinstance(err, LabelStudioExportError), err
    words = "'unicorn' is not one of" if answer == 'unknown class' else 'none of them queried'
    assert f'task {tasks[3]["id"]}' in str(err) and words in str(err), err


SERVER_ERROR = (b'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n'
                b'Content-Length: 14\r\nConnection: close\r\n\r\n{"detail":"9"}')


class Proxy(threading.Thread):
    """A TCP relay on 127.0.0.1 to the server, closed on demand: the server gone mid-wait;
    or answering the next ``failing`` requests itself with HTTP 500, as Label Studio once
    answered a task listing just after a delete."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.target = port
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.url = f'http://127.0.0.1:{self.listener.getsockname()[1]}'
        self.failing = 0
        self.failed = 0

    def run(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.failing > 0:  # urllib sends one request per connection
                self.failing -= 1
                self.failed += 1
                request = b''
                while b'\r\n\r\n' not in request and (data := client.recv(65536)):
                    request += data
                client.sendall(SERVER_ERROR)
                client.close()
                continue
            upstream = socket.create_connection(('127.0.0.1', self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def test_the_server_gone_mid_wait_is_named(stopped_round, tmp_path, client, label_studio,
                                           monkeypatch):
    proxy = Proxy(int(label_studio.url.rsplit(':', 1)[1]))
    proxy.start()
    monkeypatch.setenv('LABEL_STUDIO_URL', proxy.url)
    asked = Asked(stopped_round, tmp_path, 'gone', unreachable_after=1.0)
    asked.tasks(client, 6)
    proxy.close()  # the server no longer answers at the URL the run knows
    err = asked.result()
    assert isinstance(err, LabelStudioUnreachable), err
    assert f'Label Studio at {proxy.url} does not answer' in str(err)
    assert 'the answers given so far stay in Label Studio' in str(err)
    assert Path(asked.work_dir / 'queries' / 'round_1' / 'round.json').is_file()


def test_server_errors_mid_wait_are_outlasted_then_named(stopped_round, tmp_path, client,
                                                         label_studio, monkeypatch):
    """HTTP 5xx while waiting is polled through for ``unreachable_after`` (the deleted task
    still named after three), then names the server; a 5xx is never taken for bad
    credentials."""
    proxy = Proxy(int(label_studio.url.rsplit(':', 1)[1]))
    proxy.start()
    monkeypatch.setenv('LABEL_STUDIO_URL', proxy.url)
    asked = Asked(stopped_round, tmp_path, 'failing', unreachable_after=30.0)
    _, tasks = asked.tasks(client, 6)
    proxy.failing = 3
    client.api('DELETE', f'/tasks/{tasks[2]["id"]}/')
    err = asked.result()
    assert proxy.failed == 3
    assert isinstance(err, LabelStudioError) and f'[{tasks[2]["id"]}]' in str(err), err

    asked = Asked(stopped_round, tmp_path / 'down', 'down', unreachable_after=1.0)
    asked.tasks(client, 6)
    proxy.failing = math.inf
    err = asked.result()
    assert isinstance(err, LabelStudioServerError), err
    assert 'HTTP 500' in str(err) and 'the answers given so far stay in Label Studio' in str(err)
    with pytest.raises(LabelStudioServerError, match='HTTP 500'):
        LabelStudioClient(proxy.url, api_key=label_studio.api_key())
    proxy.close()


def test_the_key_may_come_from_a_file_named_in_the_config(label_studio, monkeypatch, tmp_path):
    """``oracle.api_key_file`` when ``LABEL_STUDIO_API_KEY`` is not set; a missing file is
    named."""
    monkeypatch.setenv('LABEL_STUDIO_URL', label_studio.url)
    monkeypatch.delenv('LABEL_STUDIO_API_KEY', raising=False)
    key_file = tmp_path / 'key'
    key_file.write_text(label_studio.api_key() + '\n')
    client = LabelStudioOracle(api_key_file=str(key_file)).connect()
    assert client.api('GET', '/current-user/whoami')['email'] == LABEL_STUDIO_EMAIL
    with pytest.raises(FileNotFoundError, match=r'oracle.api_key_file .*/nowhere: no such file'):
        LabelStudioOracle(api_key_file=str(tmp_path / 'nowhere')).connect()


def test_an_expired_access_token_is_refreshed_once(label_studio):
    """Access tokens of a personal access token live minutes: a 401 gets a new one and the
    request is sent again."""
    client = LabelStudioClient(label_studio.url, api_key=label_studio.api_key())
    client.access = 'expired.access.token'
    assert client.api('GET', '/current-user/whoami')['email'] == LABEL_STUDIO_EMAIL
    assert client.access != 'expired.access.token'
