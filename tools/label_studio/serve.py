"""Start the Label Studio server of ``tools/label_studio/install.sh`` on 127.0.0.1, offline.

Its default SQLite database and files go to ``--data-dir``; the user of ``--username`` and
``--password`` is created at the first start; images are served from the local file system
(document root ``/``, as the tasks of a round name them); telemetry is off. Runs until
interrupted::

    bash tools/label_studio/install.sh
    python tools/label_studio/serve.py --data-dir work_dirs/label_studio \\
        --username me@example.com --password <password>

``LabelStudioServer`` does the same for a script or a test, and stops the server on leaving
its ``with`` block, whatever happens.
"""
import argparse
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / '.venv-label-studio'
HOST = '127.0.0.1'
OFFLINE = {  # what Label Studio would otherwise send out or fetch
    'COLLECT_ANALYTICS': 'false',
    'SENTRY_DSN': '',
    'FRONTEND_SENTRY_DSN': '',
    'LATEST_VERSION_CHECK': 'false',
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LabelStudioServer:
    """The server as a subprocess on ``127.0.0.1:port``; ``url`` once started.

    ``start()`` waits until ``/health`` answers (RuntimeError with the end of the server's log
    after ``timeout`` seconds or when it exits); ``stop()`` ends the process group.
    """

    def __init__(self, data_dir: str | os.PathLike, username: str, password: str,
                 port: int | None = None, venv: str | os.PathLike = VENV,
                 timeout: float = 300.0) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.username, self.password = username, password
        self.port = port or free_port()
        self.url = f'http://{HOST}:{self.port}'
        self.executable = Path(venv) / 'bin' / 'label-studio'
        self.timeout = timeout
        self.log = self.data_dir / 'server.log'
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        """The server's environment: data dir, first user, local files, offline."""
        return {**os.environ, **OFFLINE,
                'LABEL_STUDIO_BASE_DATA_DIR': str(self.data_dir),
                'LABEL_STUDIO_USERNAME': self.username,
                'LABEL_STUDIO_PASSWORD': self.password,
                'LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED': 'true',
                'LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT': '/',
                'LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK': 'true'}

    def start(self) -> 'LabelStudioServer':
        if not self.executable.is_file():
            raise FileNotFoundError(f'{self.executable}: Label Studio is not installed; run '
                                    'bash tools/label_studio/install.sh')
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                [str(self.executable), 'start', '--no-browser', '--internal-host', HOST,
                 '--port', str(self.port), '--data-dir', str(self.data_dir)],
                env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urlopen(f'{self.url}/health', timeout=5) as response:
                    if response.status == 200:
                        return self
            except (URLError, OSError):
                time.sleep(1)
        tail = self.log.read_text(errors='replace')[-3000:]
        self.stop()
        raise RuntimeError(f'Label Studio did not start at {self.url} within {self.timeout} s; '
                           f'end of {self.log}:\n{tail}')

    def stop(self) -> None:
        """Stop the server and its children (SIGTERM, then SIGKILL after 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> 'LabelStudioServer':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-dir', required=True, help='database and files of the server')
    parser.add_argument('--username', required=True, help="the first user's e-mail")
    parser.add_argument('--password', required=True)
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()
    with LabelStudioServer(args.data_dir, args.username, args.password, args.port) as server:
        print(f'Label Studio at {server.url} (data in {server.data_dir}); Ctrl-C stops it')
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    main()
