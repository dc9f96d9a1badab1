"""The one HTTP client of every connector (ARCHITECTURE.md, "One HTTP client").

`session()` gives a `requests.Session` with a connect and read timeout on every call, urllib3
retries that honour `Retry-After` (falling back to GitLab's `RateLimit-Reset` and Jira's
`X-RateLimit-Reset`), backoff with jitter, read-only POSTs retried, and a total time budget.
`get_json`/`post_json` turn every failure into one `KoersError` line that names the source and
says what to do. Tokens never appear in a message, a log line or an exception.
"""

from __future__ import annotations

import base64
import os
import socket
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from errors import KoersError

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
RETRY_AFTER_MAX = 300  # seconds: a longer wait asked by a server is cut to this
RETRY_STATUSES = (429, 500, 502, 503, 504)
# The first wait after a failure without Retry-After is immediate, then 2×, 4×, … this many
# seconds (plus up to half a second of jitter). Tests and impatient operators may lower it.
BACKOFF_ENV = "KOERS_RETRY_BACKOFF"


class HttpError(KoersError):
    """A request that failed for good; `status` is the HTTP status, or None when no answer came."""

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail  # what the server said, if anything (already free of secrets)


class Budget:
    """A total time budget for one sync: every request checks it, and so does every wait."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, label: str = "", wait: float = 0.0) -> None:
        if self.remaining() < wait or self.remaining() <= 0:
            where = f"{label}: " if label else ""
            raise KoersError(
                f"{where}the sync ran out of its time budget of {_duration(self.seconds)} and "
                "stopped; the warehouse was left as it was. Try again later, or allow more time "
                "with KOERS_SYNC_BUDGET (seconds)"
            )


class _Retry(Retry):
    """urllib3's Retry, plus: rate-limit reset headers as a fallback for Retry-After, a cap on
    every wait, and no wait past the sync's time budget."""

    def __init__(self, *args: Any, budget: Budget | None = None, label: str = "", **kw: Any):
        super().__init__(*args, **kw)
        self.budget = budget
        self.label = label

    def new(self, **kw: Any) -> _Retry:
        kw.setdefault("budget", self.budget)
        kw.setdefault("label", self.label)
        return super().new(**kw)

    def get_retry_after(self, response: Any) -> float | None:
        try:
            seconds = super().get_retry_after(response)
        except InvalidHeader:
            seconds = None
        if seconds is None:
            seconds = _reset_header(response.headers)
        return None if seconds is None else min(max(seconds, 0.0), self.retry_after_max)

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if not wait:
            wait = self.get_backoff_time()
        if self.budget is not None:
            self.budget.check(self.label, wait)
        if wait > 0:
            time.sleep(wait)


def _reset_header(headers: Any) -> float | None:
    """Seconds until a rate limit resets: GitLab's `RateLimit-Reset` (epoch seconds) or Jira
    Cloud's `X-RateLimit-Reset` (ISO 8601, e.g. 2026-03-04T16:21Z)."""
    value = headers.get("RateLimit-Reset")
    if value and value.strip().isdigit():
        return float(value) - time.time()
    value = headers.get("X-RateLimit-Reset")
    if value:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is not None:
            return moment.timestamp() - time.time()
    return None


class BearerAuth(AuthBase):
    """`Authorization: Bearer <token>` (Jira Data Center PATs, GitLab tokens)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class BasicAuth(AuthBase):
    """`Authorization: Basic base64(user:secret)` (Jira Cloud e-mail and API token)."""

    def __init__(self, user: str, secret: str) -> None:
        self._header = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
        self._secrets = (secret, self._header.removeprefix("Basic "))

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "BasicAuth(***)"


class Session(requests.Session):
    """A Session that always sets a timeout and checks the time budget before every request."""

    def __init__(
        self,
        *,
        label: str = "",
        token_env: str | None = None,
        email_env: str | None = None,
        budget: Budget | None = None,
    ) -> None:
        super().__init__()
        self.label = label  # the source's name, used in every message
        self.token_env = token_env
        self.email_env = email_env
        self.budget = budget

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kw: Any) -> Any:
        read = READ_TIMEOUT
        if self.budget is not None:
            self.budget.check(self.label)
            read = max(min(read, self.budget.remaining()), 0.1)
        if kw.get("timeout") is None:
            kw["timeout"] = (CONNECT_TIMEOUT, read)
        return super().request(method, url, *args, **kw)

    def secrets(self) -> list[str]:
        """Everything that must never be shown: the token and its encodings."""
        auth = self.auth
        found: list[str] = []
        if isinstance(auth, BearerAuth):
            found.append(auth._token)
        elif isinstance(auth, BasicAuth):
            found.extend(auth._secrets)
        return [s for s in found if s]


def session(
    auth: AuthBase | None,
    *,
    read_posts: bool = True,
    label: str = "",
    token_env: str | None = None,
    email_env: str | None = None,
    budget: Budget | None = None,
    backoff: float | None = None,
) -> Session:
    """The session every connector uses. `read_posts`: the session's POSTs only read (Jira's
    search and bulk fetches), so they may be re-sent; never set it on a session that writes."""
    if backoff is None:
        backoff = env_seconds(BACKOFF_ENV, 1.0)
    methods = Retry.DEFAULT_ALLOWED_METHODS | ({"POST"} if read_posts else set())
    retry = _Retry(
        total=8,
        connect=3,
        read=3,
        status=6,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=methods,
        respect_retry_after_header=True,
        backoff_factor=backoff,
        backoff_jitter=min(0.5, backoff / 2),
        backoff_max=60,
        retry_after_max=RETRY_AFTER_MAX,
        raise_on_status=False,
        budget=budget,
        label=label,
    )
    s = Session(label=label, token_env=token_env, email_env=email_env, budget=budget)
    adapter = requests.adapters.HTTPAdapter(max_retries=retry, pool_maxsize=8)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    s.auth = auth
    s.headers["Accept"] = "application/json"
    s.trust_env = True  # proxies and REQUESTS_CA_BUNDLE from the environment
    return s


def get_json(s: Session, url: str, params: dict[str, Any] | None = None) -> Any:
    return _call(s, "GET", url, params=params)


def post_json(s: Session, url: str, body: dict[str, Any]) -> Any:
    return _call(s, "POST", url, json=body)


# --- offset paging by Link rel="next" (GitLab, issue 5) ---------------------------------------


def get_page(s: Session, url: str, params: dict[str, Any] | None = None) -> tuple[Any, str | None]:
    """GET one page: the decoded JSON and the URL of the next page (`Link: <…>; rel="next"`,
    else `x-next-page`), or None on the last page. Totals (`x-total*`) are never read: GitLab
    drops them above 10,000 rows."""
    response = request(s, "GET", url, params=params)
    body = _decode(s, url, response)
    following = (response.links.get("next") or {}).get("url")
    if not following:
        page = (response.headers.get("x-next-page") or "").strip()
        if page.isdigit():
            following = _with_page(response.url, page)
    return body, following or None


def _with_page(url: str, page: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("page", page)])))


# --- turning failures into one line ---------------------------------------------------------


def request(s: Session, method: str, url: str, **kw: Any) -> requests.Response:
    """Send one request; a host that cannot be reached or a status outside 2xx becomes one
    `HttpError` line (no token in it). The body is left to the caller: JSON, CSV…"""
    try:
        response = s.request(method, url, **kw)
    except requests.exceptions.RequestException as exc:
        raise _fail(s, url, _unreachable(exc, url), None) from None
    if not 200 <= response.status_code < 300:
        _decode(s, url, response)  # raises the one-line message for the status
    return response


def _call(s: Session, method: str, url: str, **kw: Any) -> Any:
    return _decode(s, url, request(s, method, url, **kw))


def _unreachable(exc: requests.exceptions.RequestException, url: str) -> str:
    host = urlsplit(url).netloc
    if isinstance(exc, requests.exceptions.SSLError):
        return (
            f"cannot reach {host} securely: its TLS certificate is not trusted (if your "
            "organisation uses its own certificate authority, point REQUESTS_CA_BUNDLE at it)"
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"cannot reach {host} through the proxy; check HTTPS_PROXY and NO_PROXY"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        why = f"no connection within {CONNECT_TIMEOUT:g} s"
    elif isinstance(exc, requests.exceptions.ReadTimeout):
        why = "connected, but no answer in time"
    elif isinstance(exc, requests.exceptions.TooManyRedirects):
        return f"{host} keeps redirecting; check the url in the config"
    elif isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return f"the url {url} is not valid; check it in the config"
    else:
        why = _cause(exc)
    return f"cannot reach {host} ({why}); is the network down or the URL wrong?"


def _cause(exc: BaseException) -> str:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NameResolutionError | socket.gaierror):
            return "the host name does not resolve"
        if isinstance(current, ConnectionRefusedError) or (
            isinstance(current, NewConnectionError) and "refused" in str(current).lower()
        ):
            return "connection refused"
        # urllib3's NewConnectionError is a ConnectTimeoutError too: only a real timeout here
        if isinstance(current, ConnectTimeoutError) and not isinstance(current, NewConnectionError):
            return f"no connection within {CONNECT_TIMEOUT:g} s"
        if isinstance(current, ReadTimeoutError | TimeoutError):
            return "connected, but no answer in time"
        if isinstance(current, ProtocolError | ConnectionResetError) or (
            type(current).__name__ == "RemoteDisconnected"
        ):
            return "the connection was closed without an answer"
        stack.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                stack.append(inner)
    return "no answer"


def _decode(s: Session, url: str, r: requests.Response) -> Any:
    status = r.status_code
    content_type = r.headers.get("Content-Type", "").lower()
    if 200 <= status < 300:
        if _looks_like_html(r, content_type):
            raise _fail(
                s,
                url,
                f"got an HTML page where JSON was expected from {_path(url)}: a single-sign-on "
                "proxy or login page is in the way. Ask for the API to be let through for "
                "token access, or use the address the API answers on",
                status,
            )
        try:
            return r.json()
        except ValueError:
            raise _fail(
                s,
                url,
                f"the answer from {_path(url)} is not JSON ({content_type or 'no content type'});"
                " check the url in the config",
                status,
            ) from None
    detail = _server_says(r, content_type)
    code = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
    path = _path(url)
    retries = _retries(r)
    if status == 401:
        check = f"check the token in ${s.token_env}" if s.token_env else "check the token"
        if s.email_env:
            check += f" and the e-mail address in ${s.email_env}"
        message = f"the credentials were rejected ({code}); {check}"
    elif status == 403:
        who = f"the account behind ${s.token_env}" if s.token_env else "the account"
        message = (
            f"access denied to {path} ({code}); make sure {who} may read this, or ask an "
            "administrator"
        )
    elif status == 404:
        message = f"{path} was not found ({code}); check the url in the config"
    elif status == 410:
        message = (
            f"{path} has been removed from the server's API ({code}); upgrade Koers to a "
            "version that uses its successor"
        )
    elif status == 400:
        message = f"the request to {path} was refused ({code})"
    elif status == 429:
        message = (
            f"rate limited by {urlsplit(url).netloc} ({code}) even after {retries} retries; "
            "try again later"
        )
    elif status >= 500:
        after = f" after {retries} retries" if retries else ""
        message = (
            f"the server failed on {path} ({code}){after}; try again later, and tell its "
            "administrators if it persists"
        )
    else:
        message = f"unexpected answer from {path} ({code})"
    raise _fail(s, url, message, status, detail)


def _fail(s: Session, url: str, message: str, status: int | None, detail: str = "") -> HttpError:
    text = f"{s.label}: {message}" if s.label else message
    for secret in s.secrets():
        text = text.replace(secret, "***")
        detail = detail.replace(secret, "***")
    return HttpError(" ".join(text.split()), status, detail)


def _looks_like_html(r: requests.Response, content_type: str) -> bool:
    if "html" in content_type:
        return True
    head = r.content[:200].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _server_says(r: requests.Response, content_type: str) -> str:
    """The error text in a JSON error body (Jira's errorMessages/errors, GitLab's message)."""
    if "json" not in content_type:
        return "an HTML page (a single-sign-on proxy?)" if "html" in content_type else ""
    try:
        body = r.json()
    except ValueError:
        return ""
    parts: list[str] = []
    if isinstance(body, dict):
        for key in ("errorMessages", "message", "error", "error_description"):
            value = body.get(key)
            if isinstance(value, list):
                parts.extend(str(v) for v in value if v)
            elif isinstance(value, str) and value:
                parts.append(value)
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{k}: {v}" for k, v in errors.items() if v)
    text = " ".join(" ".join(parts).split()).rstrip(".")
    return text if len(text) <= 300 else text[:299] + "…"


def _retries(r: requests.Response) -> int:
    retries = getattr(getattr(r, "raw", None), "retries", None)
    return len(getattr(retries, "history", ()) or ())


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise KoersError(f"{name} must be a number of seconds, got {value!r}") from None
    if number < 0 or number != number:
        raise KoersError(f"{name} must be zero or more seconds, got {value!r}")
    return number
