"""A minimal client of Label Studio's REST API: what a round asked of a person needs
(projects, image uploads, tasks, annotations, the JSON export).

Standard library only (``urllib``), so it runs in our environment while the server runs in its
own. Two ways in: an API key (a personal access token, a JWT refreshed into short-lived
``Bearer`` access tokens; or a legacy token sent as ``Token <key>``), or a session login with
e-mail and password, as the web app does (Django's session and CSRF cookies).
"""
import json
import mimetypes
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener


class LabelStudioError(RuntimeError):
    """A request Label Studio refused or could not answer; the message names the method, path
    and its answer."""


class LabelStudioServerError(LabelStudioError):
    """The server failed, not the request: it answered with an HTTP 5xx (Label Studio 1.23.2
    once answered a task listing so just after a task was deleted), or, as
    :class:`LabelStudioUnreachable`, not at all."""


class LabelStudioUnreachable(LabelStudioServerError):  # noqa: N818  (a state of the server)
    """The server did not answer at all (not running, wrong URL, network)."""


class LabelStudioClient:
    """A session with the Label Studio server at ``url``.

    Args:
        url: The server's base URL, e.g. ``http://127.0.0.1:8080``.
        api_key: A personal access token (from Account & Settings; a JWT, refreshed into
            access tokens) or a legacy API token.
        email, password: A user's credentials for a session login, instead of ``api_key``.
        timeout: Seconds per request.

    Wrong credentials raise :class:`LabelStudioError` naming the URL; a server that does not
    answer :class:`LabelStudioUnreachable`; one that answers a 5xx :class:`LabelStudioServerError`.
    """

    def __init__(self, url: str, api_key: str | None = None, email: str | None = None,
                 password: str | None = None, timeout: float = 60.0) -> None:
        self.url = url.rstrip('/')
        self.timeout = timeout
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        self.api_key = api_key
        self.access: str | None = None
        if api_key is not None:
            if api_key.count('.') == 2:  # a JWT: a personal access token
                self._refresh()
            who = 'the API key (LABEL_STUDIO_API_KEY)'
        elif email is not None and password is not None:
            self._open('GET', '/user/login/')  # sets the CSRF cookie the form needs
            self._open('POST', '/user/login/', form=dict(
                email=email, password=password, csrfmiddlewaretoken=self._csrf()))
            who = f'login of {email!r}'
        else:
            raise ValueError('LabelStudioClient needs api_key, or email and password')
        try:
            self.api('GET', '/current-user/whoami')
        except LabelStudioServerError:
            raise  # not the credentials' fault
        except LabelStudioError:
            raise LabelStudioError(f'{who} at {self.url} failed: wrong e-mail, password or '
                                   'key, or no such user') from None

    def _refresh(self) -> None:
        """A new access token from the personal access token (they live minutes)."""
        try:
            answer = self._open('POST', '/api/token/refresh/', body=dict(refresh=self.api_key),
                                auth=False)
        except LabelStudioServerError:
            raise  # not the credentials' fault
        except LabelStudioError as err:
            raise LabelStudioError(f'the API key (LABEL_STUDIO_API_KEY) at {self.url} was '
                                   f'refused as a personal access token: {err}') from None
        self.access = json.loads(answer)['access']

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == 'csrftoken'), '')

    def _headers(self) -> dict[str, str]:
        if self.access is not None:
            return {'Authorization': f'Bearer {self.access}'}
        if self.api_key is not None:
            return {'Authorization': f'Token {self.api_key}'}
        return {'X-CSRFToken': self._csrf(), 'Referer': self.url + '/'}

    def _open(self, method: str, path: str, body: Any = None, form: dict | None = None,
              query: dict | None = None, data: bytes | None = None,
              content_type: str | None = None, auth: bool = True,
              refresh: bool = True) -> bytes:
        """The answer of one request; on a 401 with an expired access token (``refresh``),
        the request once more with a new one."""
        url = self.url + path + (f'?{urlencode(query, doseq=True)}' if query else '')
        headers = self._headers() if auth else {}
        if form is not None:
            data = urlencode(form).encode()
            content_type = 'application/x-www-form-urlencoded'
        elif body is not None:
            data = json.dumps(body).encode()
            content_type = 'application/json'
        if content_type is not None:
            headers['Content-Type'] = content_type
        request = Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except HTTPError as err:
            if err.code == 401 and auth and refresh and self.access is not None:
                self._refresh()  # the access token expired
                return self._open(method, path, body, form, query, data, content_type,
                                  refresh=False)
            kind = LabelStudioServerError if err.code >= 500 else LabelStudioError
            raise kind(f'{method} {path}: HTTP {err.code}: '
                       f'{err.read()[:500].decode(errors="replace")}') from None
        except (URLError, OSError) as err:
            raise LabelStudioUnreachable(f'Label Studio at {self.url} does not answer '
                                         f'({method} {path}: {err})') from None

    def api(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        """One call of the REST API (``/api/...``), its JSON answer (None when empty)."""
        content = self._open(method, '/api' + path, body, query=query or None)
        return json.loads(content) if content.strip() else None

    def projects(self) -> list[dict]:
        """Every project the user sees."""
        found, page = [], 1
        while True:
            answer = self.api('GET', '/projects/', page=page, page_size=100)
            items = answer['results'] if isinstance(answer, dict) else answer
            found += items
            if not isinstance(answer, dict) or not answer.get('next'):
                return found
            page += 1

    def create_project(self, title: str, label_config: str, **fields: Any) -> int:
        """A new project with the labeling config (XML) and other ``fields``; its id."""
        return self.api('POST', '/projects/', dict(title=title, label_config=label_config,
                                                   **fields))['id']

    def update_project(self, project: int, **fields: Any) -> dict:
        """Change fields of ``project`` (e.g. ``model_version``); the project."""
        return self.api('PATCH', f'/projects/{project}/', fields)

    def upload(self, project: int, path: str | Path) -> str:
        """Upload the file at ``path`` to ``project`` without making a task of it; the URL
        the server serves it at (``/data/upload/<project>/...``), for a task's data."""
        path = Path(path)
        boundary = uuid.uuid4().hex
        kind = mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
        data = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{path.name}"\r\nContent-Type: {kind}\r\n\r\n').encode() \
            + path.read_bytes() + f'\r\n--{boundary}--\r\n'.encode()
        answer = json.loads(self._open(
            'POST', f'/api/projects/{project}/import', query=dict(commit_to_project='false'),
            data=data, content_type=f'multipart/form-data; boundary={boundary}'))
        ids = answer['file_upload_ids']
        uploads = self.api('GET', f'/projects/{project}/file-uploads', ids=json.dumps(ids))
        return '/data/' + uploads[0]['file'].lstrip('/')

    def import_tasks(self, project: int, tasks: list[dict]) -> int:
        """Import tasks (with their predictions) into ``project``; how many it took."""
        return self.api('POST', f'/projects/{project}/import', tasks)['task_count']

    def tasks(self, project: int) -> list[dict]:
        """Every task of ``project``: id, data, annotation counts."""
        found, page = [], 1
        while True:
            answer = self.api('GET', '/tasks/', project=project, page=page, page_size=100)
            found += answer['tasks']
            if not answer['tasks'] or len(found) >= answer['total']:
                return found
            page += 1

    def export(self, project: int) -> list[dict]:
        """The project's JSON export: every task with its data, annotations and predictions."""
        return self.api('GET', f'/projects/{project}/export', exportType='JSON',
                        download_all_tasks='true')

    def annotate(self, task: int, result: list[dict]) -> int:
        """Save an annotation of ``task`` with these results, as a person would; its id."""
        return self.api('POST', f'/tasks/{task}/annotations/', dict(result=result))['id']
