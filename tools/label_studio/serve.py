"""Start the Label Studio server of ``tools/label_studio/install.sh`` on 127.0.0.1, offline.

Its default SQLite database and files go to ``--data-dir``; the user of ``--username`` (or
``LABEL_STUDIO_USERNAME``) is created at the first start. The password is never a command-line
argument: ``LABEL_STUDIO_PASSWORD``, else ``--password-file``, else a prompt on a terminal.
Images are uploaded to the projects by the client; serving local files is off unless
``--local-files-root DIR`` turns it on for that document root. Telemetry is off. Once started it
writes the user's API key (a personal access token) to ``<data-dir>/api_key`` (mode 0600) and
prints how to export it for the training code; it runs until SIGINT (Ctrl-C) or SIGTERM, which
stop the whole server::

    bash tools/label_studio/install.sh
    export LABEL_STUDIO_PASSWORD=...   # or --password-file FILE, or typed at the prompt
    python tools/label_studio/serve.py --data-dir work_dirs/label_studio --username me@example.com

``LabelStudioServer`` does the same for a script or a test, and stops the server on leaving
its ``with`` block, whatever happens.
"""
import argparse
import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / '.venv-label-studio'
HOST = '127.0.0.1'
DEFAULT_PORT = 8080
USERNAME_ENV, PASSWORD_ENV = 'LABEL_STUDIO_USERNAME', 'LABEL_STUDIO_PASSWORD'
API_KEY_FILE = 'api_key'  # in the data dir, mode 0600
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


def port_in_use(port: int) -> bool:
    """Whether something listens on ``port`` of 127.0.0.1 (or answers at ``localhost:port``,
    where Label Studio would look before moving to another port)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(('localhost', port)) == 0


class Session:
    """A logged-in web session of Label Studio (Django's session and CSRF cookies), as the web
    app has; ``api()`` calls the REST API with it (standard library only). A refused call
    raises ``urllib.error.HTTPError``; a refused login RuntimeError naming the e-mail."""

    def __init__(self, url: str, email: str, password: str, timeout: float = 60.0) -> None:
        self.url, self.timeout = url.rstrip('/'), timeout
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        self.open('GET', '/user/login/')  # sets the CSRF cookie the form needs
        self.open('POST', '/user/login/', urlencode(dict(
            email=email, password=password, csrfmiddlewaretoken=self.csrf())).encode(),
            'application/x-www-form-urlencoded')
        try:
            self.api('GET', '/current-user/whoami')
        except HTTPError:
            raise RuntimeError(f'login of {email!r} at {self.url} failed: wrong e-mail or '
                               'password, or no such user') from None

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == 'csrftoken'), '')

    def open(self, method: str, path: str, data: bytes | None = None,
             content_type: str | None = None) -> bytes:
        """The body of the answer to ``method path`` (HTTPError when refused)."""
        headers = {'X-CSRFToken': self.csrf(), 'Referer': self.url + '/'}
        if content_type:
            headers['Content-Type'] = content_type
        request = Request(self.url + path, data=data, headers=headers, method=method)
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.read()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON call of ``/api<path>``; its JSON answer (None when empty)."""
        data = None if body is None else json.dumps(body).encode()
        content = self.open(method, '/api' + path, data, 'application/json')
        return json.loads(content) if content.strip() else None


def refresh_access_token(url: str, api_key: str, timeout: float = 30.0) -> str:
    """A short-lived access token (minutes) from a personal access token: ``POST
    /api/token/refresh/ {"refresh": api_key}`` answers ``{"access": ...}``, sent as
    ``Authorization: Bearer <access>``. HTTPError 401 when the key is refused."""
    request = Request(url.rstrip('/') + '/api/token/refresh/', method='POST',
                      data=json.dumps({'refresh': api_key}).encode(),
                      headers={'Content-Type': 'application/json'})
    with urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())['access']


class LabelStudioServer:
    """The server as a subprocess on ``127.0.0.1:port``; ``url`` once started.

    ``start()`` refuses a busy port (RuntimeError naming it) before launching, then waits
    until ``/health`` answers and the server's log says it serves on this port (RuntimeError
    with the end of the log after ``timeout`` seconds or when it exits; the server is stopped
    on any failure or interruption of the start). ``stop()`` ends its process group. The user
    (``username``, ``password``) is created at the first start; the password reaches the
    server through its environment only. ``local_files_root``: serve local files under this
    document root (off when None).
    """

    def __init__(self, data_dir: str | os.PathLike, username: str, password: str,
                 port: int | None = None, venv: str | os.PathLike = VENV,
                 timeout: float = 300.0,
                 local_files_root: str | os.PathLike | None = None) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.username, self.password = username, password
        self.port = port or free_port()
        self.url = f'http://{HOST}:{self.port}'
        self.executable = Path(venv) / 'bin' / 'label-studio'
        self.timeout = timeout
        self.local_files_root = (None if local_files_root is None
                                 else Path(local_files_root).absolute())
        self.log = self.data_dir / 'server.log'
        self.api_key_file = self.data_dir / API_KEY_FILE
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        """The server's environment: data dir, first user, local files (off unless a root was
        given), offline, unbuffered output (its log tells the port it serves on)."""
        env = {**os.environ, **OFFLINE,
               'PYTHONUNBUFFERED': '1',
               'LABEL_STUDIO_BASE_DATA_DIR': str(self.data_dir),
               USERNAME_ENV: self.username,
               PASSWORD_ENV: self.password,
               'LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED': 'false',
               'LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK': 'true'}
        env.pop('LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT', None)
        if self.local_files_root is not None:
            env['LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED'] = 'true'
            env['LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT'] = str(self.local_files_root)
        return env

    def start(self) -> 'LabelStudioServer':
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f'Label Studio already runs at {self.url}')
        if not self.executable.is_file():
            raise FileNotFoundError(f'{self.executable}: Label Studio is not installed; run '
                                    'bash tools/label_studio/install.sh')
        if port_in_use(self.port):
            raise RuntimeError(f'port {self.port} on {HOST} is busy (another Label Studio or '
                               'another program listens there): stop it or choose another '
                               'port')
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                [str(self.executable), 'start', '--no-browser', '--internal-host', HOST,
                 '--port', str(self.port), '--data-dir', str(self.data_dir)],
                env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_until_serving(offset)
        except BaseException:  # a failure, Ctrl-C or a signal: leave nothing running
            self.stop()
            raise
        return self

    def _log_since(self, offset: int) -> str:
        with open(self.log, 'rb') as log:
            log.seek(offset)
            return log.read().decode(errors='replace')

    def _wait_until_serving(self, offset: int) -> None:
        serving = f'Starting development server at {self.url}/'
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            log = self._log_since(offset)
            if f'Port {self.port} is in use' in log:
                raise RuntimeError(f'port {self.port} on {HOST} is busy (taken while Label '
                                   'Studio started): stop what listens there or choose '
                                   'another port')
            if serving in log:
                try:
                    with urlopen(f'{self.url}/health', timeout=5) as response:
                        if response.status == 200:
                            return
                except (URLError, OSError):
                    pass
            time.sleep(1)
        state = ('exited' if self.process.poll() is not None
                 else f'did not start within {self.timeout} s')
        raise RuntimeError(f'Label Studio at {self.url} {state}; end of {self.log}:\n'
                           f'{self._log_since(offset)[-3000:]}')

    def stop(self) -> None:
        """Stop the server and its children (SIGTERM to its process group, SIGKILL after
        20 s); nothing to do when it is not running."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        try:
            os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
                self.process.wait()
        except ProcessLookupError:
            self.process.wait()

    def session(self) -> Session:
        """A logged-in web session of the user (their e-mail and password)."""
        return Session(self.url, self.username, self.password)

    def api_key(self, revoke_existing: bool = False) -> str:
        """The user's API key: a personal access token (PAT, a JWT refresh token that lives
        200 years and survives restarts: the signing key is kept in the data dir).

        Use: ``POST <url>/api/token/refresh/`` with JSON ``{"refresh": <api_key>}`` answers
        ``{"access": <token>}``; send ``Authorization: Bearer <token>`` with each API call and
        refresh again when it answers 401 (access tokens live 5 minutes). It is not a legacy
        token: ``Authorization: Token <api_key>`` is refused.

        The key of ``<data-dir>/api_key`` is returned while the server takes it; otherwise a
        new PAT is created through a session login (``POST /api/token/``) and written there
        (mode 0600). Label Studio keeps one PAT per user: if the user already has one that is
        not in that file (e.g. made in Account & Settings), RuntimeError, unless
        ``revoke_existing`` (then it is revoked first, ``POST /api/token/blacklist/``).
        """
        if self.api_key_file.is_file():
            key = self.api_key_file.read_text().strip()
            try:
                refresh_access_token(self.url, key)
                return key
            except HTTPError as err:
                if err.code not in (400, 401):
                    raise
        session = self.session()
        existing = session.api('GET', '/token/')
        if existing and not revoke_existing:
            raise RuntimeError(
                f'{self.username} already has a personal access token, not the one of '
                f'{self.api_key_file}: use that token, or revoke it (Account & Settings, or '
                'api_key(revoke_existing=True), serve.py --new-api-key) to have a new one')
        for token in existing:  # their truncated form is what the blacklist takes
            session.api('POST', '/token/blacklist/', {'refresh': token['token']})
        key = session.api('POST', '/token/')['token']
        temporary = self.api_key_file.with_name(f'.{API_KEY_FILE}.{os.getpid()}')
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as file:
            file.write(key + '\n')
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.api_key_file)
        return key

    def __enter__(self) -> 'LabelStudioServer':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def read_password(password_file: str | None) -> str:
    """The password: ``LABEL_STUDIO_PASSWORD``, else the first line of ``password_file``, else
    typed at a prompt when stdin is a terminal; SystemExit saying so otherwise."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if password_file is not None:
        try:
            lines = Path(password_file).read_text().splitlines()
        except OSError as err:
            raise SystemExit(f'cannot read the password file: {err}') from None
        if not lines or not lines[0]:
            raise SystemExit(f'{password_file}: empty password file')
        return lines[0]
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass('Label Studio password: ')
        if password:
            return password
    raise SystemExit(f'no password: set {PASSWORD_ENV}, or give --password-file FILE, or run '
                     'in a terminal to type it (it is never a command-line argument)')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], allow_abbrev=False,  # --password is no option
        epilog=f'The password comes from {PASSWORD_ENV}, --password-file or a prompt.')
    parser.add_argument('--data-dir', required=True, help='database and files of the server')
    parser.add_argument('--username', default=os.environ.get(USERNAME_ENV),
                        help=f"the first user's e-mail (default: {USERNAME_ENV})")
    parser.add_argument('--password-file', help='a file whose first line is the password')
    parser.add_argument('--port', type=int, default=DEFAULT_PORT)
    parser.add_argument('--local-files-root', help='serve local files under this document '
                        'root (off by default: images are uploaded to the projects)')
    parser.add_argument('--new-api-key', action='store_true', help="revoke the user's "
                        'personal access token if it is not the one in <data-dir>/api_key')
    args = parser.parse_args(argv)
    if not args.username:
        parser.error(f'--username or {USERNAME_ENV} is required')
    if port_in_use(args.port):  # before asking for the password
        raise SystemExit(f'port {args.port} on {HOST} is busy (another Label Studio or '
                         'another program listens there): stop it or choose another --port')
    server = LabelStudioServer(args.data_dir, args.username, read_password(args.password_file),
                               args.port, local_files_root=args.local_files_root)

    stopping = False

    def stop_on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        if not stopping:  # a second signal does not interrupt the stop
            stopping = True
            raise SystemExit(0)

    signal.signal(signal.SIGINT, stop_on_signal)
    signal.signal(signal.SIGTERM, stop_on_signal)
    print(f'[serve] starting Label Studio at {server.url} (data in {server.data_dir}; log '
          f'{server.log})', flush=True)
    try:
        try:
            server.start()
        except RuntimeError as err:
            raise SystemExit(str(err)) from None
        try:
            server.api_key(revoke_existing=args.new_api_key)
            key_line = (f'export LABEL_STUDIO_API_KEY=$(cat {server.api_key_file})  '
                        '# personal access token')
        except (RuntimeError, OSError) as err:  # the server still serves
            key_line = f'# no API key: {err}'
        print(f'Label Studio at {server.url} (data in {server.data_dir}); for the training '
              f'code:\n  export LABEL_STUDIO_URL={server.url}\n  {key_line}\n'
              'Ctrl-C or SIGTERM stops it', flush=True)
        code = server.process.wait()
        raise SystemExit(f'Label Studio exited with code {code}; see {server.log}')
    finally:
        server.stop()


if __name__ == '__main__':
    main()
