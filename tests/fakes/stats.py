"""A loopback fake of a service's own statistics endpoint, for the measurements Koers reads from
a URL during sync (`connectors/measurements.py`).

Each path answers what a test put there (`put`: JSON, CSV, an HTML page, any bytes and
Content-Type), or redirects (`redirect`: an SSO proxy sending the client to its login page).
With a `token`, every request needs `Authorization: Bearer <token>` (else 401 JSON). Failures are
scripted per path prefix (`fail`: any status, headers and body), and `down` closes connections
without an answer. Requests are logged without their Authorization header; whether one came, and
with which scheme, is kept in `auth_schemes`.

Standard library only, on `tests/fakes/loopback.py` (a `ThreadingHTTPServer` on 127.0.0.1).
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import Failure, Handler, LoopbackFake, Recorded, Server

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Inloggen</title></head>"
    "<body><form action='/login'>Log in met uw organisatie-account</form></body></html>\n"
)


class FakeStats(LoopbackFake):
    def __init__(self, token: str | None = None) -> None:
        self.url = ""
        self.down = False
        self.token = token
        self.requests: list[Recorded] = []
        self.auth_schemes: list[str | None] = []  # per request: "Bearer", "Basic", … or None
        self._routes: dict[str, tuple[int, bytes, str, dict[str, str]]] = {}
        self._lock = threading.RLock()
        self._failures: list[Failure] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- what the paths answer

    def put(self, path: str, body: Any, content_type: str = JSON_TYPE) -> None:
        """`path` answers 200 with `body`: bytes and text as they are, anything else as JSON."""
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        with self._lock:
            self._routes[path] = (200, data, content_type, {})

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        with self._lock:
            self._routes[path] = (status, b"", "text/plain", {"Location": to})

    def fail(
        self,
        path_prefix: str,
        status: int,
        *,
        times: int = 1,
        headers: dict | None = None,
        body: str | bytes | dict | list | None = None,
        content_type: str = JSON_TYPE,
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` get this answer; without
        a body, `{"error": "<status> <phrase>"}`."""
        if body is None:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = f"HTTP {status}"
            body = {"error": f"{status} {phrase}"}
        self._script(path_prefix, status, times, headers, body, content_type)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # -- request handling

    def _serve(self, handler: Handler, method: str) -> None:
        if self.down:
            handler.close_connection = True
            return
        split = urlsplit(handler.path)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "authorization"}
        record = Recorded(method, split.path, parse_qs(split.query), None, headers)
        scheme, _, credentials = (handler.headers.get("Authorization") or "").partition(" ")
        with self._lock:
            self.requests.append(record)
            self.auth_schemes.append(scheme or None)
        status, body, content_type, extra = self._answer(split.path, scheme, credentials.strip())
        record.status = status
        self._respond(handler, status, body, content_type, extra)

    def _answer(
        self, path: str, scheme: str, credentials: str
    ) -> tuple[int, bytes, str, dict[str, str]]:
        if self.token is not None and (scheme.lower() != "bearer" or credentials != self.token):
            return 401, b'{"error":"401 Unauthorized: a valid token is needed"}', JSON_TYPE, {}
        failure = self._take_failure(path)
        if failure is not None:
            return failure.status, failure.body, failure.content_type, failure.headers
        with self._lock:
            route = self._routes.get(path)
        if route is None:
            return 404, b'{"error":"404 Not Found"}', JSON_TYPE, {}
        return route
