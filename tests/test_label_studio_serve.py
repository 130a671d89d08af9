"""tools/label_studio/serve.py with a real Label Studio (its own venv, 127.0.0.1, offline): the
API key, a busy port refused by name, SIGTERM and SIGINT stopping the whole server, no password
in any process's argv, and a task's image with its pre-annotated brush region as a person sees
it in Chromium (tests/label_studio_browser.py)."""
import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import cv2
import numpy as np
import pytest

from labor_mmseg.labeling.label_studio import brush_to_rle

from . import label_studio_browser as browser
from .conftest import REPO, load_script

SERVE = REPO / 'tools' / 'label_studio' / 'serve.py'
serve = load_script('tools/label_studio/serve.py')
EMAIL = 'serve@example.com'
CELL, ROWS, COLS = 40, 6, 8  # the test image: a 320x240 checkerboard of 40-pixel cells
DARK, LIGHT = 25, 230
MASK_CELLS = (slice(2, 5), slice(2, 6))  # the predicted region: cells rows 2-4, columns 2-5
LABELS = {'road': (255, 0, 0), 'sky': (0, 0, 255)}  # the region is 'road'
CONFIG = ('<View><Image name="image" value="$image"/>'
          '<BrushLabels name="label" toName="image">'
          + ''.join(f'<Label value="{name}" background="#{r:02x}{g:02x}{b:02x}"/>'
                    for name, (r, g, b) in LABELS.items())
          + '</BrushLabels></View>')


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """One server for the module, stopped when its tests end, whatever happens."""
    ls = serve.LabelStudioServer(tmp_path_factory.mktemp('label_studio'), EMAIL,
                                 secrets.token_urlsafe(16))
    with ls:
        yield ls
    assert ls.process.poll() is not None


def get(url: str, headers: dict) -> int:
    """The HTTP status of GET ``url``."""
    try:
        with urlopen(Request(url, headers=headers), timeout=30) as response:
            return response.status
    except HTTPError as err:
        return err.code


def processes_with(secret: str) -> list[str]:
    """The command lines (of all processes) that contain ``secret``."""
    found = []
    for cmdline in Path('/proc').glob('[0-9]*/cmdline'):
        try:
            argv = cmdline.read_bytes()
        except OSError:  # gone meanwhile
            continue
        if secret.encode() in argv:
            found.append(argv.replace(b'\0', b' ').decode(errors='replace'))
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def cli_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in (serve.PASSWORD_ENV, serve.USERNAME_ENV)}


# --- the API key -------------------------------------------------------------------------------

def test_api_key_is_a_personal_access_token_refreshed_into_bearer_tokens(server):
    key = server.api_key()
    assert server.api_key_file.read_text().strip() == key
    assert stat.S_IMODE(server.api_key_file.stat().st_mode) == 0o600
    access = serve.refresh_access_token(server.url, key)  # POST /api/token/refresh/
    assert get(f'{server.url}/api/projects', {'Authorization': f'Bearer {access}'}) == 200
    assert get(f'{server.url}/api/projects', {'Authorization': f'Token {key}'}) == 401
    assert get(f'{server.url}/api/projects', {'Authorization': 'Bearer wrong'}) == 401
    assert server.api_key() == key  # the one of the file, while the server takes it


def test_api_key_lost_is_not_replaced_silently(server):
    old = server.api_key()
    server.api_key_file.unlink()
    with pytest.raises(RuntimeError, match='already has a personal access token'):
        server.api_key()
    new = server.api_key(revoke_existing=True)
    assert new != old
    with pytest.raises(HTTPError):
        serve.refresh_access_token(server.url, old)  # revoked
    access = serve.refresh_access_token(server.url, new)
    assert get(f'{server.url}/api/projects', {'Authorization': f'Bearer {access}'}) == 200


# --- a busy port, the password -----------------------------------------------------------------

def test_a_busy_port_is_refused_by_name_before_launching(server, tmp_path):
    other = serve.LabelStudioServer(tmp_path, EMAIL, 'x', port=server.port)
    with pytest.raises(RuntimeError, match=f'port {server.port} on 127.0.0.1 is busy'):
        other.start()
    assert other.process is None  # nothing launched
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(SERVE), '--data-dir', str(tmp_path / 'cli'), '--username', EMAIL,
         '--port', str(server.port)], env={**cli_env(), serve.PASSWORD_ENV: 'x'},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f'port {server.port} on 127.0.0.1 is busy' in result.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / 'cli').exists()


def test_the_cli_needs_a_password_but_never_in_argv(tmp_path):
    args = [sys.executable, str(SERVE), '--data-dir', str(tmp_path), '--username', EMAIL]
    result = subprocess.run(args, env=cli_env(), stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert 'no password: set LABEL_STUDIO_PASSWORD' in result.stderr
    result = subprocess.run(args + ['--password', 'secret'], env=cli_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and 'unrecognized arguments: --password' in result.stderr
    empty = tmp_path / 'empty'
    empty.write_text('')
    result = subprocess.run(args + ['--password-file', str(empty)], env=cli_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and 'empty password file' in result.stderr


def test_no_process_has_the_password_in_its_argv(server):
    assert server.process.poll() is None
    assert processes_with(server.password) == []


# --- the CLI: signals stop the whole server ----------------------------------------------------

@pytest.fixture(scope='module')
def cli_data(tmp_path_factory):
    """A data dir and password file shared by the CLI runs (the second skips migrations)."""
    root = tmp_path_factory.mktemp('serve_cli')
    password = secrets.token_urlsafe(16)
    (root / 'password').write_text(password + '\n')
    (root / 'password').chmod(0o600)
    return root / 'data', root / 'password', password


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT], ids=['SIGTERM', 'SIGINT'])
def test_the_cli_stops_the_whole_server_on(signum, cli_data, tmp_path):
    data_dir, password_file, password = cli_data
    port = serve.free_port()
    out = tmp_path / 'serve.out'
    cli, group = None, None
    with open(out, 'wb') as output:
        cli = subprocess.Popen(
            [sys.executable, str(SERVE), '--data-dir', str(data_dir), '--username', EMAIL,
             '--password-file', str(password_file), '--port', str(port)],
            env=cli_env(), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while 'export LABEL_STUDIO_URL' not in out.read_text() and cli.poll() is None:
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(1)
        printed = out.read_text()
        assert cli.poll() is None, printed
        children = Path(f'/proc/{cli.pid}/task/{cli.pid}/children').read_text().split()
        assert len(children) == 1, children
        group = os.getpgid(int(children[0]))
        assert group == int(children[0])  # its own process group, stopped as a whole

        assert f'export LABEL_STUDIO_URL=http://127.0.0.1:{port}\n' in printed
        key_file = data_dir / 'api_key'
        assert f'export LABEL_STUDIO_API_KEY=$(cat {key_file})' in printed
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        access = serve.refresh_access_token(f'http://127.0.0.1:{port}',
                                            key_file.read_text().strip())
        assert get(f'http://127.0.0.1:{port}/api/projects',
                   {'Authorization': f'Bearer {access}'}) == 200
        assert processes_with(password) == []

        cli.send_signal(signum)
        assert cli.wait(60) == 0, out.read_text()
        deadline = time.monotonic() + 30
        while group_alive(group):
            assert time.monotonic() < deadline, f'process group {group} still runs'
            time.sleep(0.5)
        assert not serve.port_in_use(port)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        if group is not None and group_alive(group):
            os.killpg(group, signal.SIGKILL)


# --- what a person sees ------------------------------------------------------------------------

def checkerboard() -> np.ndarray:
    """The test image (RGB): light and dark grey cells, nothing like a blank page."""
    rows, cols = np.mgrid[:ROWS * CELL, :COLS * CELL] // CELL
    grey = np.where((rows + cols) % 2 == 0, LIGHT, DARK).astype(np.uint8)
    return np.dstack([grey] * 3)


def upload(session, project: int, name: str, png: bytes) -> str:
    """Upload an image to ``project`` without making a task of it; its URL for task data."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: image/png\r\n\r\n').encode() + png + \
        f'\r\n--{boundary}--\r\n'.encode()
    answer = json.loads(session.open('POST', f'/api/projects/{project}/import'
                                     '?commit_to_project=false', body,
                                     f'multipart/form-data; boundary={boundary}'))
    assert answer['task_count'] == 1 and len(answer['file_upload_ids']) == 1, answer
    uploaded = session.api('GET', f'/import/file-upload/{answer["file_upload_ids"][0]}')
    return '/data/' + uploaded['file']  # e.g. /data/upload/1/8c0e6a3b-checker.png


def test_a_person_sees_the_image_and_the_pre_annotated_region(server, tmp_path):
    image = checkerboard()
    height, width = image.shape[:2]
    cells = np.zeros((ROWS, COLS), bool)
    cells[MASK_CELLS] = True
    mask = np.kron(cells, np.ones((CELL, CELL), bool))
    session = server.session()
    project = session.api('POST', '/projects/', dict(title='browser', label_config=CONFIG))['id']
    image_url = upload(session, project, 'checker.png', cv2.imencode('.png', image)[1].tobytes())
    assert len(session.open('GET', image_url)) > 0
    region = dict(id='query', from_name='label', to_name='image', type='brushlabels',
                  original_width=width, original_height=height, image_rotation=0,
                  value=dict(format='rle', rle=brush_to_rle(mask), brushlabels=['road']))
    task = dict(data=dict(image=image_url),
                predictions=[dict(model_version='labor', score=1.0, result=[region])])
    imported = json.loads(session.open('POST', f'/api/projects/{project}/import'
                                       '?return_task_ids=true', json.dumps([task]).encode(),
                                       'application/json'))
    assert imported['prediction_count'] == 1, imported
    task_id = imported['task_ids'][0]
    settings = session.api('PATCH', f'/projects/{project}',
                           dict(show_collab_predictions=True, model_version='labor'))
    assert settings['show_collab_predictions'] and settings['model_version'] == 'labor'

    shot, box = browser.task_screenshot(server.url, EMAIL, server.password, project, task_id,
                                        tmp_path / 'task.png')
    assert (box.natural_width, box.natural_height) == (width, height)

    def colour_at_cell(row: int, col: int) -> np.ndarray | None:
        """The median colour of a 5x5 patch at the cell's centre, None if not shown."""
        x, y = box.to_screen((col + 0.5) * CELL, (row + 0.5) * CELL)
        if not (box.shows(x - 2, y - 2) and box.shows(x + 2, y + 2)):
            return None
        return np.median(shot[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3), axis=0)

    seen = {(r, c): colour_at_cell(r, c) for r in range(ROWS) for c in range(COLS)}
    seen = {cell: colour for cell, colour in seen.items() if colour is not None}
    outside = {cell: colour for cell, colour in seen.items() if not cells[cell]}
    inside = {cell: colour for cell, colour in seen.items() if cells[cell]}
    assert len(outside) >= 20 and len(inside) == cells.sum(), sorted(seen)
    wrong = {(row, col): colour for (row, col), colour in outside.items()  # the image, as it is
             if np.abs(colour - (LIGHT if (row + col) % 2 == 0 else DARK)).max() >= 40}
    assert len(wrong) <= len(outside) // 10, wrong  # a few may lie under the zoom tools
    for (row, col), colour in inside.items():  # the road colour over the image
        red, green, blue = colour
        assert red - max(green, blue) > 60, ((row, col), colour)
    light = [c.sum() for (r, k), c in inside.items() if (r + k) % 2 == 0]
    dark = [c.sum() for (r, k), c in inside.items() if (r + k) % 2 == 1]
    assert min(light) > max(dark) + 60  # the image shows through the region
    area = browser.crop_image_area(shot, box).astype(int)
    sky = (area[..., 2] - area[..., :2].max(-1)) > 60
    assert sky.mean() < 0.001  # no region of the other class


def test_local_files_are_served_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv('LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT', '/')
    env = serve.LabelStudioServer(tmp_path, EMAIL, 'pw', port=1).environment()
    assert env['LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED'] == 'false'
    assert 'LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT' not in env
    assert env['COLLECT_ANALYTICS'] == 'false' and env['LATEST_VERSION_CHECK'] == 'false'
    env = serve.LabelStudioServer(tmp_path, EMAIL, 'pw', port=1,
                                  local_files_root=tmp_path).environment()
    assert env['LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED'] == 'true'
    assert env['LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT'] == str(tmp_path)


def test_the_browser_says_what_failed(server, tmp_path, monkeypatch):
    shot = tmp_path / 'refused.png'
    with pytest.raises(browser.BrowserError, match='login of .* was refused'):
        browser.screenshot_task(server.url, EMAIL, 'wrong password', 1, 1, shot, timeout=5)
    assert shot.stat().st_size > 0  # what the browser showed
    monkeypatch.setattr(browser, 'CHROMEDRIVER', tmp_path / 'no-chromedriver')
    with pytest.raises(RuntimeError, match='install.sh` as root'):
        browser.screenshot_task(server.url, EMAIL, server.password, 1, 1, shot)
