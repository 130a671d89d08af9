"""A minimal client of Label Studio's REST API: a session login, projects, task import,
annotations and the JSON export, what a selection round's round trip needs.

Standard library only (``urllib``), so it runs in our environment while the server runs in its
own. Label Studio 1.23 turns legacy API tokens off by default; its REST API accepts the
session of a login, as its web app does (Django's session and CSRF cookies).
"""
import json
from http.cookiejar import CookieJar
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener


class LabelStudioError(RuntimeError):
    """A request Label Studio refused; the message names the method, path and its answer."""


class LabelStudioClient:
    """A logged-in session with the Label Studio server at ``url``.

    Args:
        url: The server's base URL, e.g. ``http://127.0.0.1:8080``.
        email, password: An existing user's credentials (``LABEL_STUDIO_USERNAME`` and
            ``LABEL_STUDIO_PASSWORD`` create one when the server starts).
        timeout: Seconds per request.
    """

    def __init__(self, url: str, email: str, password: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip('/')
        self.timeout = timeout
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        self._open('GET', '/user/login/')  # sets the CSRF cookie the form needs
        self._open('POST', '/user/login/', form=dict(
            email=email, password=password, csrfmiddlewaretoken=self._csrf()))
        try:
            self.api('GET', '/current-user/whoami')
        except LabelStudioError:
            raise LabelStudioError(f'login of {email!r} at {self.url} failed: wrong e-mail or '
                                   'password, or no such user') from None

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == 'csrftoken'), '')

    def _open(self, method: str, path: str, body: Any = None, form: dict | None = None,
              query: dict | None = None) -> bytes:
        url = self.url + path + (f'?{urlencode(query)}' if query else '')
        headers = {'X-CSRFToken': self._csrf(), 'Referer': self.url + '/'}
        data = None
        if form is not None:
            data = urlencode(form).encode()
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        elif body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        request = Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except HTTPError as err:
            raise LabelStudioError(f'{method} {path}: HTTP {err.code}: '
                                   f'{err.read()[:500].decode(errors="replace")}') from None

    def api(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        """One call of the REST API (``/api/...``), its JSON answer (None when empty)."""
        content = self._open(method, '/api' + path, body, query=query or None)
        return json.loads(content) if content.strip() else None

    def create_project(self, title: str, label_config: str) -> int:
        """A new project with the labeling config (XML); its id."""
        return self.api('POST', '/projects/', dict(title=title, label_config=label_config))['id']

    def import_tasks(self, project: int, tasks: list[dict]) -> int:
        """Import tasks (with their predictions) into ``project``; how many it took."""
        return self.api('POST', f'/projects/{project}/import', tasks)['task_count']

    def export(self, project: int) -> list[dict]:
        """The project's JSON export: every task with its data, annotations and predictions."""
        return self.api('GET', f'/projects/{project}/export', exportType='JSON',
                        download_all_tasks='true')

    def annotate(self, task: int, result: list[dict]) -> int:
        """Save an annotation of ``task`` with these results, as a person would; its id."""
        return self.api('POST', f'/tasks/{task}/annotations/', dict(result=result))['id']
