"""A loopback fake of Jira Cloud (REST v3) and Jira Data Center (REST v2) for connector tests.

The real connectors are only ever tested against this server, so it reproduces what the reference
(shared/reference/jira-gitlab-apis.md, sections 1-8 and 15-17) documents about the two
flavours as they are today: the shapes of every response, token paging on Cloud (`search/jql`, no
`nextPageToken` key on the last page, optionally short pages), offset paging on Data Center (the
`maxResults` cap echoed, HTTP 500 past the result window), the embedded changelog truncated on
Cloud and complete on Data Center, `changelog/bulkfetch` and the paged changelog bean, the 410 of
Cloud's removed `/search`, authentication (Cloud Basic `email:token`, Data Center Bearer PAT with
Basic disabled), and a JQL subset parsed honestly in the account's time zone.

Failures are injected per test: `fail()` (429/503 with headers, any status and body),
`sso_login_page` (a single-sign-on proxy answering HTML), `down` (connections closed without an
answer) and `forbidden_projects`.

Standard library only: a `ThreadingHTTPServer` on 127.0.0.1 in a daemon thread. Issues are
serialised when they are stored (field by field, plus the embedded changelog; single histories on
first use) and responses are assembled from those fragments, so a request never copies the data.

Choices where the reference is silent:
* Cloud `search/jql` with only `id` requested (the default) answers `{"id": ...}` per issue (plus
  `changelog` when expanded); any other field gives the full `expand/id/self/key/fields` envelope.
* Tokens are offsets (base64 of offset + JQL hash), so data changing between pages shifts rows,
  as offset paging on Data Center does. Without ORDER BY the order is `key DESC`; ties fall back
  to the issue id. `EMPTY` sorts after every date in ASC.
* `changelog/bulkfetch`: `maxResults` counts histories (default and cap 1000); a page keeps the
  global order (date, then issue id), so one issue can have several entries in one page.
* The result window is checked against the capped `maxResults` (the value DC echoes).
* `key > "ABC-9"` does not need ABC-9 to exist; `key = X` and `key in (...)` do (400 otherwise).
  A moved issue keeps answering to its former key on the issue endpoints and in `key =`.
* `forbidden_projects` hide their issues everywhere (search, bulkfetch, issue endpoints).
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import operator
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

from tests.fakes.loopback import Failure, Handler, LoopbackFake, Recorded, Server

if TYPE_CHECKING:
    from demo.jira import JiraPayloads

Flavour = Literal["cloud", "dc"]

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"

# Texts as Jira sends them (reference §1, §2.1, §4, §6, §16).
REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
NOT_AUTHENTICATED = "Client must be authenticated to access this resource."
BASIC_DISABLED = "Basic Authentication has been disabled on this instance."
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."
DATE_FORMATS_HINT = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
    "or a period format e.g. '-5d', '4w 2d'."
)
SSO_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head><body>\n"
    '<form id="login-form" action="/login" method="post">\n'
    '<input type="text" name="username" autocomplete="username">\n'
    '<input type="password" name="password" autocomplete="current-password">\n'
    '<input type="hidden" name="RelayState" value="/rest/api">\n'
    '<button type="submit">Sign in</button>\n</form>\n</body></html>\n'
)

BULKFETCH_MAX_ISSUES = 1000
BULKFETCH_MAX_FIELDS = 10
BULKFETCH_PAGE = 1000  # default and cap of `maxResults` (histories per page)
ISSUE_BULKFETCH_MAX = 100
CHANGELOG_PAGE = 100  # default and cap of the paged changelog bean

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-(\d+)$")


class _Reply(Exception):
    """Raised anywhere in a handler to answer with this response."""

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = JSON_TYPE,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


def _errors(status: int, *messages: str) -> _Reply:
    return _Reply(status, {"errorMessages": list(messages), "errors": {}})


def _to_ms(value: Any) -> int | None:
    """Jira's '2026-03-04T16:20:11.512+0100' (or epoch milliseconds) → epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return int(value)
    return int(datetime.fromisoformat(str(value)).timestamp() * 1000)


def _jira_time(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}" + dt.strftime("%z")


# --- stored issues ------------------------------------------------------------------------------


class _History:
    """One changelog history. Its own JSON and the bulkfetch match keys are made when first needed
    (the embedded changelog is serialised per issue in one go, which is what most syncs read)."""

    __slots__ = ("id", "ms", "order", "data", "_json", "_match")

    def __init__(self, raw: dict) -> None:
        self.id = str(raw.get("id", ""))
        self.ms = _to_ms(raw.get("created")) or 0
        self.order = (self.ms, int(self.id) if self.id.isdigit() else 0, self.id)
        self.data = raw
        self._json: str | None = None
        self._match: tuple[str, ...] | None = None

    @property
    def json(self) -> str:
        if self._json is None:
            self._json = _encode(self.data)
        return self._json

    @property
    def match(self) -> tuple[str, ...]:
        """What a bulkfetch `fieldIds` entry matches: each item's fieldId, else its field name
        lower-cased (`status`, `resolution`)."""
        if self._match is None:
            self._match = tuple(
                str(i.get("fieldId") or i.get("field") or "").lower()
                for i in self.data.get("items") or ()
            )
        return self._match


class _Issue:
    """One issue as stored by `put_issue`: its fields serialised one by one, its histories oldest
    first, its embedded changelog serialised as this flavour returns it, and what JQL compares."""

    __slots__ = (
        "id",
        "id_num",
        "key",
        "project",
        "number",
        "expand",
        "self_url",
        "fields",
        "frags",
        "fields_json",
        "histories",
        "embedded",
        "updated",
        "created",
        "resolved",
        "project_names",
    )

    def __init__(self, raw: dict, flavour: Flavour, cap: int) -> None:
        self.id = str(raw["id"])
        self.id_num = int(self.id) if self.id.isdigit() else 0
        self.key = str(raw["key"])
        match = _KEY_RE.match(self.key)
        if not match:
            raise ValueError(f"issue key {self.key!r} is not PROJECT-NUMBER")
        self.project = match.group(1).upper()
        self.number = int(match.group(2))
        self.expand = raw.get("expand") or (
            "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
            if flavour == "cloud"
            else "operations,versionedRepresentations,editmeta,changelog,renderedFields"
        )
        self.self_url = raw.get("self")
        self.fields = dict(raw.get("fields") or {})
        self.frags = {name: f"{_encode(name)}:{_encode(v)}" for name, v in self.fields.items()}
        self.fields_json = '"fields":{' + ",".join(self.frags.values()) + "}"
        histories = [_History(h) for h in (raw.get("changelog") or {}).get("histories") or ()]
        histories.sort(key=lambda h: h.order)  # oldest first, whatever order the payload had
        self.histories = histories
        total = len(histories)
        if flavour == "cloud":  # the most recent ones, newest first (reference §3.2)
            shown = [h.data for h in reversed(histories[max(0, total - cap) :])]
        else:  # Data Center: the complete history, oldest first (reference §3.3)
            shown = [h.data for h in histories]
        self.embedded = (
            f'{{"startAt":0,"maxResults":{len(shown)},"total":{total},'
            f'"histories":{_encode(shown)}}}'
        )
        self.updated = _to_ms(self.fields.get("updated"))
        self.created = _to_ms(self.fields.get("created"))
        self.resolved = _to_ms(self.fields.get("resolutiondate"))
        names = {self.project.lower()}
        project = self.fields.get("project")
        if isinstance(project, dict):
            names |= {str(project[k]).lower() for k in ("key", "name", "id") if project.get(k)}
        self.project_names = names


class _Select:
    """A request's `fields` list: `*all`, `*navigable`, names and `-name` exclusions."""

    def __init__(self, tokens: Iterable[str], default: str, non_navigable: frozenset[str]) -> None:
        names: set[str] = set()
        excluded: set[str] = set()
        self.all = self.navigable = False
        given = False
        for raw in tokens:
            token = raw.strip()
            if not token:
                continue
            given = True
            if token == "*all":
                self.all = True
            elif token == "*navigable":
                self.navigable = True
            elif token.startswith("-"):
                excluded.add(token[1:])
            else:
                names.add(token)
        if not given or (not names and not self.all and not self.navigable):
            if default == "*navigable":
                self.navigable = True
            elif default == "*all":
                self.all = True
            else:
                names.add(default)
        self.names = frozenset(names)
        self.excluded = frozenset(excluded)
        self.non_navigable = non_navigable
        self.id_only = not self.all and not self.navigable and self.names <= {"id"}
        self.everything = not self.excluded and (self.all or (self.navigable and not non_navigable))

    def render(self, issue: _Issue) -> str:
        if self.everything:
            return issue.fields_json
        parts = [frag for name, frag in issue.frags.items() if self._wants(name)]
        return '"fields":{' + ",".join(parts) + "}"

    def _wants(self, name: str) -> bool:
        if name in self.excluded:
            return False
        if self.all or name in self.names:
            return True
        return self.navigable and name not in self.non_navigable


# --- JQL ------------------------------------------------------------------------------------------


class JqlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word", "str", "op" or "end"
    text: str  # as written
    value: str  # unescaped for strings
    pos: int


@dataclass(frozen=True)
class _Val:
    text: str
    quoted: bool


@dataclass(frozen=True)
class _Func:
    name: str
    args: tuple[str, ...]


class _EmptyType:
    def __repr__(self) -> str:
        return "EMPTY"


_EMPTY = _EmptyType()
_KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
_TOKEN = re.compile(
    r"""(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"|(?P<op>!=|>=|<=|!~|&&|\|\||[=<>~(),!])"
    r"""|(?P<word>[^\s"'=!<>~(),&|]+)"""
)
_OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_ALIASES = {
    "issuekey": "key",
    "issue": "key",
    "id": "key",
    "type": "issuetype",
    "updateddate": "updated",
    "createddate": "created",
    "resolutiondate": "resolved",
    "category": "statuscategory",
}
_DATE_FIELDS = {"updated": "updated", "created": "created", "resolved": "resolved"}
_RELATIVE = re.compile(r"^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$", re.IGNORECASE)
_UNITS = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}


def _tokenize(jql: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while True:
        while pos < len(jql) and jql[pos].isspace():
            pos += 1
        if pos >= len(jql):
            tokens.append(_Tok("end", "", "", pos))
            return tokens
        m = _TOKEN.match(jql, pos)
        if m is None:
            char = jql[pos]
            if char in "\"'":
                raise JqlError(
                    f"Error in the JQL Query: The quoted string '{jql[pos + 1 :]}' has not been "
                    f"completed. (line 1, character {pos + 1})"
                )
            raise JqlError(
                f"Error in the JQL Query: The character '{char}' is a reserved JQL character. You "
                f"must enclose it in a string or use the escape '\\u{ord(char):04x}' instead. "
                f"(line 1, character {pos + 1})"
            )
        kind = m.lastgroup or "word"
        text = m.group()
        value = re.sub(r"\\(.)", r"\1", text[1:-1]) if kind == "str" else text
        tokens.append(_Tok(kind, text, value, pos))
        pos = m.end()


@dataclass
class _Query:
    where: Callable[[_Issue], bool] | None
    order: list[tuple[Callable[[_Issue], Any], bool]]
    volatile: bool  # relative dates or now(): the result depends on the clock


class _Jql:
    """Parses one JQL text against the fake's current data into a predicate and an ordering.

    Grammar: [expr] [ORDER BY field [ASC|DESC], ...]; expr = OR / AND / NOT / parentheses over
    clauses `field op value`, `field [NOT] IN (v, ...)`, `field IS [NOT] EMPTY`.
    """

    def __init__(self, fake: FakeJira, jql: str) -> None:
        self.fake = fake
        self.tz = fake._tz
        self.tokens = _tokenize(jql)
        self.i = 0
        self.volatile = False

    # -- token helpers

    def _peek(self) -> _Tok:
        return self.tokens[self.i]

    def _next(self) -> _Tok:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    @staticmethod
    def _kw(tok: _Tok, *words: str) -> bool:
        return tok.kind == "word" and tok.value.lower() in words

    @staticmethod
    def _op(tok: _Tok, *ops: str) -> bool:
        return tok.kind == "op" and tok.value in ops

    @staticmethod
    def _expected(what: str, tok: _Tok, hint: str = "") -> JqlError:
        if tok.kind == "end":
            return JqlError(
                f"Error in the JQL Query: Expecting {what} before the end of the query."
            )
        extra = f" {hint}" if hint else ""
        return JqlError(
            f"Error in the JQL Query: Expecting {what} but got '{tok.text}'.{extra} "
            f"(line 1, character {tok.pos + 1})"
        )

    # -- grammar

    def parse(self) -> _Query:
        where = None
        if not (self._peek().kind == "end" or self._kw(self._peek(), "order")):
            where = self._or()
        order: list[tuple[Callable[[_Issue], Any], bool]] = []
        if self._kw(self._peek(), "order"):
            self._next()
            if not self._kw(self._peek(), "by"):
                raise self._expected("'by'", self._peek())
            self._next()
            while True:
                tok = self._next()
                if tok.kind not in ("word", "str") or (
                    tok.kind == "word" and tok.value.lower() in _KEYWORDS
                ):
                    raise self._expected("a field name", tok)
                descending = False
                if self._kw(self._peek(), "asc", "desc"):
                    descending = self._next().value.lower() == "desc"
                order.append((self._sort_key(tok.value), descending))
                if not self._op(self._peek(), ","):
                    break
                self._next()
        tok = self._peek()
        if tok.kind != "end":
            if order:
                raise self._expected("either ',', 'ASC' or 'DESC'", tok)
            raise self._expected("either 'OR' or 'AND'", tok)
        return _Query(where, order, self.volatile)

    def _or(self) -> Callable[[_Issue], bool]:
        parts = [self._and()]
        while self._kw(self._peek(), "or") or self._op(self._peek(), "||"):
            self._next()
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        return lambda issue: any(p(issue) for p in parts)

    def _and(self) -> Callable[[_Issue], bool]:
        parts = [self._not()]
        while self._kw(self._peek(), "and") or self._op(self._peek(), "&&"):
            self._next()
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]
        return lambda issue: all(p(issue) for p in parts)

    def _not(self) -> Callable[[_Issue], bool]:
        tok = self._peek()
        if self._kw(tok, "not") or self._op(tok, "!"):
            self._next()
            inner = self._not()
            return lambda issue: not inner(issue)
        if self._op(tok, "("):
            self._next()
            inner = self._or()
            if not self._op(self._peek(), ")"):
                raise self._expected("')'", self._peek())
            self._next()
            return inner
        return self._clause()

    def _clause(self) -> Callable[[_Issue], bool]:
        tok = self._next()
        if tok.kind not in ("word", "str") or (
            tok.kind == "word" and tok.value.lower() in _KEYWORDS
        ):
            raise self._expected("a field name", tok)
        op = self._operator()
        if op in ("is", "is not"):
            value_tok = self._next()
            if not self._kw(value_tok, "empty", "null"):
                raise self._expected("'EMPTY'", value_tok)
            operand: Any = _EMPTY
        elif op in ("in", "not in"):
            if not self._op(self._next(), "("):
                raise self._expected("'('", self.tokens[self.i - 1])
            values = [self._value()]
            while self._op(self._peek(), ","):
                self._next()
                values.append(self._value())
            if not self._op(self._peek(), ")"):
                raise self._expected("')'", self._peek())
            self._next()
            operand = values
        else:
            operand = self._value()
        return self._compile(tok.value, op, operand)

    def _operator(self) -> str:
        tok = self._next()
        if tok.kind == "op" and tok.value in ("=", "!=", ">", ">=", "<", "<=", "~", "!~"):
            return tok.value
        if self._kw(tok, "in"):
            return "in"
        if self._kw(tok, "not") and self._kw(self._peek(), "in"):
            self._next()
            return "not in"
        if self._kw(tok, "is"):
            if self._kw(self._peek(), "not"):
                self._next()
                return "is not"
            return "is"
        raise self._expected("operator", tok, _OPERATORS)

    def _value(self) -> Any:
        tok = self._next()
        if tok.kind == "str":
            return _Val(tok.value, True)
        if tok.kind == "word" and tok.value.lower() not in _KEYWORDS - {"empty", "null"}:
            if self._kw(tok, "empty", "null"):
                return _EMPTY
            if self._op(self._peek(), "("):  # a function call
                self._next()
                args: list[str] = []
                while not self._op(self._peek(), ")"):
                    arg = self._next()
                    if arg.kind == "end":
                        raise self._expected("')'", arg)
                    if not self._op(arg, ","):
                        args.append(arg.value)
                self._next()
                return _Func(tok.value, tuple(args))
            return _Val(tok.value, False)
        raise self._expected("either a value, list or function", tok)

    # -- clauses

    def _compile(self, name: str, op: str, operand: Any) -> Callable[[_Issue], bool]:
        field = _ALIASES.get(name.lower(), name.lower())
        if field not in _DATE_FIELDS:
            for value in self._listed(operand):
                if isinstance(value, _Func):
                    raise JqlError(
                        f"FakeJira does not support the JQL function '{value.name}()' yet; "
                        "extend tests/fakes/jira.py."
                    )
        if field == "project":
            return self._project(name, op, operand)
        if field == "key":
            return self._key(name, op, operand)
        if field in _DATE_FIELDS:
            return self._date(name, _DATE_FIELDS[field], op, operand)
        if field in _SET_FIELDS:
            return self._set(name, field, op, operand)
        if name.lower() in self.fake._catalogue_names:
            raise JqlError(
                f"FakeJira does not support the JQL field '{name}' yet (it exists on this "
                "instance); extend tests/fakes/jira.py."
            )
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")

    @staticmethod
    def _unsupported(op: str, name: str) -> JqlError:
        return JqlError(f"The operator '{op.upper()}' is not supported by the '{name}' field.")

    @staticmethod
    def _listed(operand: Any) -> list[Any]:
        return operand if isinstance(operand, list) else [operand]

    def _project(self, name: str, op: str, operand: Any) -> Callable[[_Issue], bool]:
        if op in ("is", "is not"):
            return lambda issue: op == "is not"
        if op not in ("=", "!=", "in", "not in"):
            raise self._unsupported(op, name)
        keys: set[str] = set()
        for value in self._listed(operand):
            if not isinstance(value, _Val):
                raise JqlError(f"The value '{value}' does not exist for the field 'project'.")
            key = self.fake._projects.get(value.text.lower())
            if key is None:
                raise JqlError(f"The value '{value.text}' does not exist for the field 'project'.")
            if key in self.fake.forbidden_projects:
                raise JqlError(
                    f"You do not have permission to browse project '{value.text}'.", status=403
                )
            keys.add(key)
        if op in ("=", "in"):
            return lambda issue: issue.project in keys
        return lambda issue: issue.project not in keys

    def _key(self, name: str, op: str, operand: Any) -> Callable[[_Issue], bool]:
        if op in ("is", "is not"):
            return lambda issue: op == "is not"
        if op in ("=", "!=", "in", "not in"):
            ids: set[str] = set()
            for value in self._listed(operand):
                issue = self._issue_for(name, value)
                if issue is None:
                    raise JqlError(
                        f"An issue with key '{getattr(value, 'text', value)}' does not exist for "
                        f"field '{name}'."
                    )
                ids.add(issue.id)
            if op in ("=", "in"):
                return lambda issue: issue.id in ids
            return lambda issue: issue.id not in ids
        if op not in _CMP:
            raise self._unsupported(op, name)
        if not isinstance(operand, _Val):
            raise JqlError(f"The issue key '{operand}' for field '{name}' is invalid.")
        text = operand.text.strip()
        match = _KEY_RE.match(text)
        if match:  # the key need not exist: same project → by number, else by project key
            bound = (match.group(1).upper(), int(match.group(2)))
        else:
            target = self._issue_for(name, operand)
            if target is None:
                raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
            bound = (target.project, target.number)
        cmp = _CMP[op]
        return lambda issue: cmp((issue.project, issue.number), bound)

    def _issue_for(self, name: str, value: Any) -> _Issue | None:
        if not isinstance(value, _Val):
            raise JqlError(f"The issue key '{value}' for field '{name}' is invalid.")
        text = value.text.strip()
        if not (_KEY_RE.match(text) or text.isdigit()):
            raise JqlError(f"The issue key '{text}' for field '{name}' is invalid.")
        return self.fake._lookup(text)

    def _date(self, name: str, attr: str, op: str, operand: Any) -> Callable[[_Issue], bool]:
        get = operator.attrgetter(attr)
        if op in ("is", "is not"):
            want_empty = op == "is"
            return lambda issue: (get(issue) is None) == want_empty
        if op in ("in", "not in"):
            values = {self._date_ms(name, v) for v in operand}
            inside = op == "in"
            return lambda issue: (v := get(issue)) is not None and (v in values) == inside
        if op not in _CMP:
            raise self._unsupported(op, name)
        bound = self._date_ms(name, operand)
        cmp = _CMP[op]
        return lambda issue: (v := get(issue)) is not None and cmp(v, bound)

    def _date_ms(self, name: str, value: Any) -> int:
        if isinstance(value, _Func):
            if value.name.lower() == "now" and not value.args:
                self.volatile = True
                return int(time.time() * 1000)
            raise JqlError(
                f"FakeJira does not support the JQL function '{value.name}()' yet; "
                "extend tests/fakes/jira.py."
            )
        if not isinstance(value, _Val):
            raise JqlError(
                f"Date value '{value}' for field '{name}' is invalid. {DATE_FORMATS_HINT}"
            )
        text = value.text.strip()
        if not value.quoted and re.fullmatch(r"-?\d+", text):
            return int(text)  # an unquoted number is epoch milliseconds (reference §6)
        relative = _RELATIVE.match(text)
        if relative:
            minutes = sum(
                int(n) * _UNITS[u.lower()] for n, u in re.findall(r"(\d+)\s*([wdhm])", text, re.I)
            )
            sign = -1 if relative.group(1) == "-" else 1
            self.volatile = True
            now = datetime.now(self.tz).replace(second=0, microsecond=0)
            return int((now + sign * timedelta(minutes=minutes)).timestamp() * 1000)
        for fmt in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                local = datetime.strptime(text, fmt)
            except ValueError:
                continue
            # The account's profile time zone, as Jira does (reference §6).
            return int(local.replace(tzinfo=self.tz).timestamp() * 1000)
        raise JqlError(f"Date value '{text}' for field '{name}' is invalid. {DATE_FORMATS_HINT}")

    def _set(self, name: str, field: str, op: str, operand: Any) -> Callable[[_Issue], bool]:
        extract = _SET_FIELDS[field]
        if op in ("is", "is not"):
            want_empty = op == "is"
            return lambda issue: (not extract(issue.fields)) == want_empty
        if op not in ("=", "!=", "in", "not in"):
            raise self._unsupported(op, name)
        wanted: set[str] = set()
        empty = False
        for value in self._listed(operand):
            if value is _EMPTY or (
                field == "resolution" and isinstance(value, _Val) and value.text == "Unresolved"
            ):
                empty = True
                continue
            if not isinstance(value, _Val):
                raise self._unsupported("function", name)
            text = value.text.lower()
            known = self.fake._known_values.get(field)
            if known is not None and text not in known:
                raise JqlError(f"The value '{value.text}' does not exist for the field '{name}'.")
            wanted.add(text)
        positive = op in ("=", "in")

        def match(issue: _Issue) -> bool:
            have = extract(issue.fields)
            if not have:
                return empty == positive
            return bool(have & wanted) == positive

        return match

    def _sort_key(self, name: str) -> Callable[[_Issue], Any]:
        field = _ALIASES.get(name.lower(), name.lower())
        if field == "key":
            return lambda issue: (issue.project, issue.number)
        if field == "project":
            return operator.attrgetter("project")
        if field in _DATE_FIELDS:
            get = operator.attrgetter(_DATE_FIELDS[field])

            def by_date(issue: _Issue) -> tuple[bool, int]:
                value = get(issue)
                return (value is None, value or 0)  # EMPTY sorts after every date (ASC)

            return by_date
        if name.lower() in self.fake._catalogue_names or field in _SET_FIELDS:
            raise JqlError(
                f"FakeJira does not support ORDER BY '{name}' yet; extend tests/fakes/jira.py."
            )
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def _names(obj: Any, keys: tuple[str, ...]) -> frozenset[str]:
    if not isinstance(obj, dict):
        return frozenset()
    return frozenset(str(obj[k]).lower() for k in keys if obj.get(k) is not None)


_SET_FIELDS: dict[str, Callable[[dict], frozenset[str]]] = {
    "status": lambda f: _names(f.get("status"), ("name", "id")),
    "statuscategory": lambda f: _names(
        (f.get("status") or {}).get("statusCategory"), ("key", "name", "id")
    ),
    "issuetype": lambda f: _names(f.get("issuetype"), ("name", "id")),
    "resolution": lambda f: _names(f.get("resolution"), ("name", "id")),
    "labels": lambda f: frozenset(str(x).lower() for x in f.get("labels") or ()),
    "component": lambda f: frozenset().union(
        *(_names(c, ("name", "id")) for c in f.get("components") or ())
    ),
}


# --- HTTP -----------------------------------------------------------------------------------------


class _Handler(Handler):
    server_version = "FakeJira"


# --- the fake -------------------------------------------------------------------------------------


class FakeJira(LoopbackFake):
    """A Jira Cloud ("cloud", REST v3) or Data Center ("dc", REST v2) server on 127.0.0.1.

    `issues` are search results with their complete changelog embedded (any history order), as
    `demo.jira.JiraPayloads.issues` and `tests.jira_payloads.issue()` produce them.
    """

    def __init__(
        self,
        flavour: Flavour,
        *,
        statuses: list[dict],
        fields: list[dict],
        issues: Iterable[dict] = (),
        timezone: str = "Europe/Amsterdam",
        email: str = "bot@example.gov",
        token: str = "secret-token",
        embedded_changelog_cap: int = 40,
        page_cap: int = 100,
        short_pages: bool = False,
        result_window: int = 10_000,
        basic_auth_disabled: bool = True,
        bulkfetch_repeats_last: bool = False,
        bulkfetch_epoch_created: bool = False,
        server_info: dict | None = None,
        projects: Iterable[str] = (),
    ) -> None:
        if flavour not in ("cloud", "dc"):
            raise ValueError(f"flavour must be 'cloud' or 'dc', not {flavour!r}")
        self.flavour: Flavour = flavour
        self.timezone = timezone
        self._tz = ZoneInfo(timezone)
        self.email = email
        self.token = token
        self.embedded_changelog_cap = embedded_changelog_cap
        self.page_cap = page_cap
        self.short_pages = short_pages
        self.result_window = result_window
        self.basic_auth_disabled = basic_auth_disabled
        self.bulkfetch_repeats_last = bulkfetch_repeats_last
        self.bulkfetch_epoch_created = bulkfetch_epoch_created
        self.server_info = server_info
        self.statuses = statuses
        self.fields = fields
        self.url = ""
        self.requests: list[Recorded] = []
        self.sso_login_page = False
        self.down = False
        self.forbidden_projects: set[str] = set()

        self._lock = threading.RLock()
        self._issues: dict[str, _Issue] = {}  # id → issue
        self._keys: dict[str, str] = {}  # current key → id
        self._moved: dict[str, str] = {}  # former key → id (a moved issue keeps answering)
        self._projects: dict[str, str] = {}  # key, name or id (lower-case) → project key
        self._version = 0
        self._results: OrderedDict[tuple, list[_Issue]] = OrderedDict()
        self._failures: list[Failure] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

        self._statuses_json = _encode(statuses).encode()
        self._fields_json = _encode(fields).encode()
        self._non_navigable = frozenset(f["id"] for f in fields if f.get("navigable") is False)
        self._catalogue_names = {
            str(n).lower()
            for f in fields
            for n in (f.get("id"), f.get("key"), f.get("name"), *(f.get("clauseNames") or ()))
            if n
        }
        categories = [s.get("statusCategory") or {} for s in statuses]
        self._known_values: dict[str, set[str]] = {
            "status": {str(s[k]).lower() for s in statuses for k in ("id", "name") if s.get(k)},
            "statuscategory": {
                str(c[k]).lower() for c in categories for k in ("id", "key", "name") if c.get(k)
            }
            | {"new", "indeterminate", "done", "undefined", "1", "2", "3", "4"}
            | {"to do", "in progress", "no category"},
        }
        for project in projects:
            self._projects[project.lower()] = project.upper()
        # A large data set creates millions of small objects: the cyclic GC would otherwise walk
        # the growing heap again and again while loading (about a third of the load time).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for issue in issues:
                self.put_issue(issue)
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def from_payloads(cls, flavour: Flavour, payloads: JiraPayloads, **kw: Any) -> FakeJira:
        """Serves `demo.jira.generate_vergunningen(end)` ("cloud") or `generate_subsidies`."""
        kw.setdefault("server_info", payloads.server_info)
        return cls(
            flavour,
            statuses=payloads.statuses,
            fields=payloads.fields,
            issues=payloads.issues,
            **kw,
        )

    # -- lifecycle

    # -- data

    def put_issue(self, issue: dict) -> None:
        """Adds or replaces an issue by id; the same id with a new key is a moved issue.

        Fields and the embedded changelog are serialised now; the JSON of single histories
        (bulkfetch, the changelog bean) is made from the same dicts when first asked for. Put the
        issue again after changing it.
        """
        record = _Issue(issue, self.flavour, self.embedded_changelog_cap)
        with self._lock:
            old = self._issues.get(record.id)
            if old is not None and old.key != record.key:
                self._keys.pop(old.key, None)
                self._moved[old.key] = record.id
            self._moved.pop(record.key, None)
            self._issues[record.id] = record
            self._keys[record.key] = record.id
            for name in record.project_names:
                self._projects.setdefault(name, record.project)
            self._version += 1

    def delete_issue(self, issue_id: str) -> None:
        """Removes an issue (by id, or by key); KeyError when there is none."""
        with self._lock:
            issue_id = str(issue_id)
            if issue_id not in self._issues and issue_id in self._keys:
                issue_id = self._keys[issue_id]
            record = self._issues.pop(issue_id)
            self._keys.pop(record.key, None)
            for key in [k for k, v in self._moved.items() if v == issue_id]:
                del self._moved[key]
            self._version += 1

    def issue_count(self) -> int:
        return len(self._issues)

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
        """The next `times` requests whose path starts with `path_prefix` get this response."""
        if body is None:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = f"HTTP {status}"
            body = {"errorMessages": [phrase], "errors": {}}
        self._script(path_prefix, status, times, headers, body, content_type)

    # -- request handling

    def _serve(self, handler: _Handler, method: str) -> None:
        if self.down:  # close without answering: the client sees a connection error
            handler.close_connection = True
            return
        split = urlsplit(handler.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body: Any = None
        bad_body = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_body = True
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "authorization"}
        record = Recorded(method, path, query, body, headers)
        self.requests.append(record)
        try:
            if bad_body:
                raise _errors(400, "Unexpected character in the request body: it is not JSON.")
            reply = self._dispatch(method, path, query, body, handler.headers.get("Authorization"))
        except _Reply as r:
            reply = r
        except JqlError as e:
            reply = _errors(e.status, e.message)
        except Exception as e:  # a bug in the fake: say so loudly instead of hanging the client
            reply = _errors(500, f"FakeJira internal error: {e!r}")
        if self.down:
            handler.close_connection = True
            return
        record.status = reply.status
        self._respond(handler, reply.status, reply.body, reply.content_type, reply.headers)

    def _dispatch(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> _Reply:
        failure = self._take_failure(path)
        if failure is not None:
            return _Reply(failure.status, failure.body, failure.headers, failure.content_type)
        if self.sso_login_page and path.startswith("/rest"):
            return _Reply(200, SSO_PAGE, content_type=HTML_TYPE)
        match = re.fullmatch(r"/rest/api/(2|3|latest)/(.+?)/?", path)
        if not match or (self.flavour == "dc" and match.group(1) == "3"):
            return self._not_found(path)
        api = "2" if match.group(1) == "latest" else match.group(1)
        route = match.group(2)
        anonymous_ok = route == "serverInfo"
        self._authenticate(auth, anonymous_ok)

        def only(*methods: str) -> None:
            if method not in methods:
                raise _Reply(405, b"", content_type=JSON_TYPE)

        cloud = self.flavour == "cloud"
        if route == "serverInfo":
            only("GET")
            return _Reply(200, self._server_info())
        if route == "myself":
            only("GET")
            return _Reply(200, self._myself(api))
        if route == "field":
            only("GET")
            return _Reply(200, self._fields_json)
        if route == "status":
            only("GET")
            return _Reply(200, self._statuses_json)
        if route == "statuscategory":
            only("GET")
            categories = {c["id"]: c for s in self.statuses if (c := s.get("statusCategory"))}
            return _Reply(200, list(categories.values()))
        if route == "search":
            only("GET", "POST")
            if cloud:
                return _Reply(410, {"errorMessages": [REMOVED_SEARCH]})
            return self._dc_search(method, query, body)
        if cloud and route == "search/jql":
            only("GET", "POST")
            return self._cloud_search(method, api, query, body)
        if cloud and route == "search/approximate-count":
            only("POST")
            return self._approximate_count(body)
        if cloud and route == "changelog/bulkfetch":
            only("POST")
            return self._changelog_bulkfetch(body)
        if cloud and route == "issue/bulkfetch":
            only("POST")
            return self._issue_bulkfetch(api, body)
        issue_route = re.fullmatch(r"issue/([^/]+)(/changelog)?", route)
        if issue_route and (cloud or not issue_route.group(2)):
            only("GET")
            if issue_route.group(2):
                return self._changelog_page(api, issue_route.group(1), query)
            return self._issue(api, issue_route.group(1), query)
        return self._not_found(path)

    def _not_found(self, path: str) -> _Reply:
        if self.flavour == "dc":  # Jersey's answer for a resource that does not exist
            return _Reply(404, {"message": f"null for uri: {self.url}{path}", "status-code": 404})
        return _errors(404, "No API exists at this path.")

    def _authenticate(self, header: str | None, anonymous_ok: bool) -> None:
        if not header:
            if anonymous_ok:
                return
            raise self._unauthorized(False)
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "basic":
            if self.flavour == "dc" and self.basic_auth_disabled:
                raise _Reply(403, {"message": BASIC_DISABLED})
            try:
                user, _, secret = base64.b64decode(credentials).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise self._unauthorized(True) from None
            users = {self.email, self._username()} if self.flavour == "dc" else {self.email}
            if user in users and secret == self.token:
                return
        elif scheme == "bearer" and self.flavour == "dc" and credentials == self.token:
            return
        raise self._unauthorized(True)

    def _unauthorized(self, attempted: bool) -> _Reply:
        headers = {}
        if self.flavour == "dc":
            headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED" if attempted else "OUT"
        return _Reply(401, {"errorMessages": [NOT_AUTHENTICATED], "errors": {}}, headers=headers)

    # -- catalogue endpoints

    def _username(self) -> str:
        return self.email.split("@", 1)[0]

    def _server_info(self) -> dict:
        if self.server_info is not None:
            return self.server_info
        now = _jira_time(datetime.now(self._tz))
        if self.flavour == "cloud":
            return {
                "baseUrl": self.url,
                "displayUrl": self.url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100290,
                "buildDate": "2026-11-24T09:12:31.000+0100",
                "serverTime": now,
                "scmInfo": "6c1f4e2b8a0d",
                "serverTitle": "Jira",
            }
        return {
            "baseUrl": self.url,
            "version": "10.3.6",
            "versionNumbers": [10, 3, 6],
            "deploymentType": "Server",
            "buildNumber": 10030006,
            "buildDate": "2025-05-15T00:00:00.000+0200",
            "serverTime": now,
            "scmInfo": "3f2d9b1c7e54",
            "serverTitle": "Jira",
        }

    def _myself(self, api: str) -> dict:
        name = self._username()
        if self.flavour == "cloud":
            digest = hashlib.sha1(self.email.encode()).hexdigest()
            account = f"712020:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:28]}"
            return {
                "self": f"{self.url}/rest/api/{api}/user?accountId={account}",
                "accountId": account,
                "accountType": "atlassian",
                "emailAddress": self.email,
                "displayName": name,
                "active": True,
                "timeZone": self.timezone,
                "locale": "en_US",
            }
        return {
            "self": f"{self.url}/rest/api/2/user?username={name}",
            "key": "JIRAUSER10000",
            "name": name,
            "emailAddress": self.email,
            "displayName": name,
            "active": True,
            "deleted": False,
            "timeZone": self.timezone,
            "locale": "en_US",
            "groups": {"size": 1, "items": []},
            "applicationRoles": {"size": 1, "items": []},
            "expand": "groups,applicationRoles",
        }

    # -- search

    def _lookup(self, id_or_key: str) -> _Issue | None:
        """An issue by id, current key or former key, if the account may see it."""
        text = str(id_or_key).strip()
        with self._lock:
            issue_id = text if text in self._issues else None
            if issue_id is None:
                issue_id = self._keys.get(text.upper()) or self._moved.get(text.upper())
            issue = self._issues.get(issue_id) if issue_id else None
        if issue is None or issue.project in self.forbidden_projects:
            return None
        return issue

    def _search(self, jql: str, *, bounded: bool) -> list[_Issue]:
        """The visible issues matching `jql`, sorted; cached until the data changes."""
        forbidden = frozenset(self.forbidden_projects)
        with self._lock:
            version = self._version
            cache_key = (jql, version, forbidden)
            cached = self._results.get(cache_key)
            if cached is not None:
                self._results.move_to_end(cache_key)
                return cached
            issues = list(self._issues.values())
        query = _Jql(self, jql).parse()
        if bounded and query.where is None:
            raise _errors(400, UNBOUNDED)
        where = query.where
        result = [i for i in issues if i.project not in forbidden and (where is None or where(i))]
        result.sort(key=operator.attrgetter("id_num", "id"))
        order = query.order or [(lambda i: (i.project, i.number), True)]  # default: key DESC
        for key, descending in reversed(order):
            result.sort(key=key, reverse=descending)
        if not query.volatile:
            with self._lock:
                if self._version == version:
                    self._results[cache_key] = result
                    while len(self._results) > 64:
                        self._results.popitem(last=False)
        return result

    def _render(self, api: str, issue: _Issue, select: _Select, changelog: bool) -> str:
        if select.id_only:
            extra = f',"changelog":{issue.embedded}' if changelog else ""
            return f'{{"id":{_encode(issue.id)}{extra}}}'
        self_url = issue.self_url or f"{self.url}/rest/api/{api}/issue/{issue.id}"
        head = (
            f'{{"expand":{_encode(issue.expand)},"id":{_encode(issue.id)},'
            f'"self":{_encode(self_url)},"key":{_encode(issue.key)}'
        )
        fields = select.render(issue)
        if not changelog:
            return f"{head},{fields}}}"
        if self.flavour == "cloud":
            return f'{head},"changelog":{issue.embedded},{fields}}}'
        return f'{head},{fields},"changelog":{issue.embedded}}}'

    @staticmethod
    def _list_param(values: list[str] | None) -> list[str]:
        return [part for value in values or () for part in value.split(",")]

    @staticmethod
    def _int(value: Any, name: str, default: int) -> int:
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise _errors(400, f"The value '{value}' for '{name}' is not a number.")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _errors(400, f"The value '{value}' for '{name}' is not a number.") from None

    @staticmethod
    def _body(body: Any) -> dict:
        if not isinstance(body, dict):
            raise _errors(400, "The request body must be a JSON object.")
        return body

    @staticmethod
    def _jql(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise _errors(400, "The value for 'jql' must be a string.")
        return value

    def _token(self, offset: int, scope: str) -> str:
        digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
        return base64.urlsafe_b64encode(f"{offset}:{digest}".encode()).decode().rstrip("=")

    def _untoken(self, token: Any, scope: str) -> int:
        if token is None or token == "":
            return 0
        try:
            text = base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)).decode()
            offset, _, digest = text.partition(":")
            if digest == hashlib.sha256(scope.encode()).hexdigest()[:16]:
                return int(offset)
        except (ValueError, UnicodeDecodeError):
            pass
        raise _errors(
            400,
            "The nextPageToken is invalid or has expired, or it was issued for another query.",
        )

    def _cloud_search(
        self, method: str, api: str, query: dict[str, list[str]], body: Any
    ) -> _Reply:
        if method == "GET":
            jql = (query.get("jql") or [""])[0]
            token = (query.get("nextPageToken") or [None])[0]
            max_results = self._int((query.get("maxResults") or [None])[0], "maxResults", 50)
            field_list = self._list_param(query.get("fields"))
            expand = self._list_param(query.get("expand"))
        else:
            body = self._body(body)
            jql = self._jql(body.get("jql"))
            token = body.get("nextPageToken")
            max_results = self._int(body.get("maxResults"), "maxResults", 50)
            field_list = body.get("fields") or []
            if not isinstance(field_list, list):
                raise _errors(400, "Invalid request payload: 'fields' must be an array of strings.")
            raw_expand = body.get("expand")
            if raw_expand is not None and not isinstance(raw_expand, str):
                # Cloud's search/jql takes `expand` as a comma-separated string even in POST.
                raise _errors(
                    400,
                    "Invalid request payload. Refer to the REST API documentation and try again. "
                    "('expand' must be a comma-separated string, not an array)",
                )
            expand = (raw_expand or "").split(",")
        if max_results < 1:
            raise _errors(400, "The value for 'maxResults' must be greater than 0.")
        reconcile = query.get("reconcileIssues") if method == "GET" else body.get("reconcileIssues")
        if reconcile and len(self._list_param(reconcile) if method == "GET" else reconcile) > 50:
            raise _errors(400, "reconcileIssues must not contain more than 50 issue ids.")
        size = min(max_results, self.page_cap)
        result = self._search(jql, bounded=True)
        offset = self._untoken(token, jql)
        if self.short_pages:  # "may return fewer items per page": deterministic, never empty
            digest = hashlib.sha1(f"{jql}|{offset}".encode()).digest()
            size = 1 + int.from_bytes(digest[:4], "big") % size
        page = result[offset : offset + size]
        end = offset + len(page)
        select = _Select(field_list, "id", self._non_navigable)
        changelog = "changelog" in {e.strip() for e in expand}
        issues = ",".join(self._render(api, i, select, changelog) for i in page)
        out = f'{{"issues":[{issues}]'
        if end < len(result):
            out += f',"nextPageToken":{_encode(self._token(end, jql))},"isLast":false}}'
        else:
            out += ',"isLast":true}'  # no nextPageToken key at all on the last page
        return _Reply(200, out)

    def _approximate_count(self, body: Any) -> _Reply:
        jql = self._jql(self._body(body).get("jql"))
        return _Reply(200, {"count": len(self._search(jql, bounded=True))})

    def _dc_search(self, method: str, query: dict[str, list[str]], body: Any) -> _Reply:
        if method == "GET":
            jql = (query.get("jql") or [""])[0]
            start = self._int((query.get("startAt") or [None])[0], "startAt", 0)
            requested = self._int((query.get("maxResults") or [None])[0], "maxResults", 50)
            field_list = self._list_param(query.get("fields"))
            expand = self._list_param(query.get("expand"))
        else:
            body = self._body(body)
            jql = self._jql(body.get("jql"))
            start = self._int(body.get("startAt"), "startAt", 0)
            requested = self._int(body.get("maxResults"), "maxResults", 50)
            field_list = body.get("fields") or []
            expand = body.get("expand") or []
            for name, value in (("fields", field_list), ("expand", expand)):
                if not isinstance(value, list):
                    raise _errors(
                        400,
                        f"Can not deserialize instance of java.util.ArrayList out of "
                        f"VALUE_STRING token (field '{name}' must be an array).",
                    )
        if requested < 0:
            raise _errors(400, "The value for 'maxResults' must not be negative.")
        start = max(start, 0)
        used = min(requested, self.page_cap)  # the cap is echoed in the response
        result = self._search(jql, bounded=False)
        if start + used > self.result_window:
            raise _errors(
                500,
                f"Search limit exceeded. The requested window (startAt {start:,} + maxResults "
                f"{used:,} = {start + used:,}) exceeded the search platform limit of "
                f"{self.result_window:,}. Narrow the query, for example with `updated` ranges or "
                "`key > LAST ORDER BY key ASC`.",
            )
        page = result[start : start + used]
        select = _Select(field_list, "*navigable", self._non_navigable)
        changelog = "changelog" in {e.strip() for e in expand}
        issues = ",".join(self._render("2", i, select, changelog) for i in page)
        return _Reply(
            200,
            f'{{"expand":"schema,names","startAt":{start},"maxResults":{used},'
            f'"total":{len(result)},"issues":[{issues}]}}',
        )

    # -- single issues and changelogs

    def _issue(self, api: str, id_or_key: str, query: dict[str, list[str]]) -> _Reply:
        issue = self._lookup(id_or_key)
        if issue is None:
            raise _errors(404, ISSUE_NOT_FOUND)
        select = _Select(self._list_param(query.get("fields")), "*all", self._non_navigable)
        select.id_only = False
        changelog = "changelog" in self._list_param(query.get("expand"))
        return _Reply(200, self._render(api, issue, select, changelog))

    def _issue_bulkfetch(self, api: str, body: Any) -> _Reply:
        body = self._body(body)
        wanted = body.get("issueIdsOrKeys")
        if not isinstance(wanted, list) or not wanted:
            raise _errors(400, "issueIdsOrKeys must contain at least one issue id or key.")
        if len(wanted) > ISSUE_BULKFETCH_MAX:
            raise _errors(
                400, f"issueIdsOrKeys must not contain more than {ISSUE_BULKFETCH_MAX} issues."
            )
        field_list = body.get("fields") or []
        expand = body.get("expand") or []
        if not isinstance(field_list, list) or not isinstance(expand, list):
            raise _errors(400, "Invalid request payload: 'fields' and 'expand' must be arrays.")
        found = {i.id: i for w in wanted if (i := self._lookup(str(w))) is not None}
        ordered = sorted(found.values(), key=operator.attrgetter("id_num", "id"))
        select = _Select(field_list, "*navigable", self._non_navigable)
        select.id_only = False
        changelog = "changelog" in expand
        issues = ",".join(self._render(api, i, select, changelog) for i in ordered)
        return _Reply(200, f'{{"issues":[{issues}],"issueErrors":[]}}')

    def _changelog_page(self, api: str, id_or_key: str, query: dict[str, list[str]]) -> _Reply:
        issue = self._lookup(id_or_key)
        if issue is None:
            raise _errors(404, ISSUE_NOT_FOUND)
        start = max(0, self._int((query.get("startAt") or [None])[0], "startAt", 0))
        size = self._int((query.get("maxResults") or [None])[0], "maxResults", CHANGELOG_PAGE)
        size = max(1, min(size, CHANGELOG_PAGE))
        values = issue.histories[start : start + size]
        total = len(issue.histories)
        end = start + len(values)
        base = f"{self.url}/rest/api/{api}/issue/{quote(id_or_key)}/changelog"
        out: dict[str, Any] = {"self": f"{base}?maxResults={size}&startAt={start}"}
        if end < total:
            out["nextPage"] = f"{base}?maxResults={size}&startAt={end}"
        out.update({"maxResults": size, "startAt": start, "total": total, "isLast": end >= total})
        head = _encode(out)[:-1]
        return _Reply(200, f'{head},"values":[{",".join(h.json for h in values)}]}}')

    def _changelog_bulkfetch(self, body: Any) -> _Reply:
        body = self._body(body)
        wanted = body.get("issueIdsOrKeys")
        if not isinstance(wanted, list) or not wanted:
            raise _errors(400, "issueIdsOrKeys must contain at least one issue id or key.")
        if len(wanted) > BULKFETCH_MAX_ISSUES:
            raise _errors(
                400, f"issueIdsOrKeys must not contain more than {BULKFETCH_MAX_ISSUES} issues."
            )
        field_ids = body.get("fieldIds") or []
        if not isinstance(field_ids, list):
            raise _errors(400, "Invalid request payload: 'fieldIds' must be an array.")
        if len(field_ids) > BULKFETCH_MAX_FIELDS:
            raise _errors(
                400, f"fieldIds must not contain more than {BULKFETCH_MAX_FIELDS} field ids."
            )
        size = self._int(body.get("maxResults"), "maxResults", BULKFETCH_PAGE)
        if size < 1:
            raise _errors(400, "The value for 'maxResults' must be greater than 0.")
        size = min(size, BULKFETCH_PAGE)
        filter_ids = frozenset(str(f).lower() for f in field_ids)
        scope = _encode([[str(w) for w in wanted], sorted(filter_ids)])
        offset = self._untoken(body.get("nextPageToken"), scope)
        entries = self._changelog_entries(wanted, filter_ids, scope)
        start = offset
        if self.bulkfetch_repeats_last and offset > 0 and size > 1:
            start = offset - 1  # JRACLOUD-94906: the previous page's last history comes again
        page = entries[start : start + size]
        end = start + len(page)
        # The page keeps the global order (date, then issue id): consecutive histories of one
        # issue share an entry, so an issue can have several entries in a page, and in many pages.
        runs: list[tuple[str, list[str]]] = []
        for issue, history, items in page:
            if not runs or runs[-1][0] != issue.id:
                runs.append((issue.id, []))
            runs[-1][1].append(self._history_json(history, items))
        logs = ",".join(
            f'{{"issueId":{_encode(issue_id)},"changeHistories":[{",".join(hs)}]}}'
            for issue_id, hs in runs
        )
        out = f'{{"issueChangeLogs":[{logs}]'
        if end < len(entries):
            out += f',"nextPageToken":{_encode(self._token(end, scope))}'
        return _Reply(200, out + "}")

    def _changelog_entries(
        self, wanted: list[Any], filter_ids: frozenset[str], scope: str
    ) -> list[tuple[_Issue, _History, list[dict] | None]]:
        """Every matching history of the wanted issues, by date then issue id (cached)."""
        with self._lock:
            cache_key = ("bulkfetch", scope, self._version, frozenset(self.forbidden_projects))
            cached = self._results.get(cache_key)
            if cached is not None:
                return cached  # type: ignore[return-value]
        issues = {i.id: i for w in wanted if (i := self._lookup(str(w))) is not None}
        entries: list[tuple[tuple, _Issue, _History, list[dict] | None]] = []
        for issue in issues.values():
            for history in issue.histories:
                items: list[dict] | None = None  # None: every item matches
                if filter_ids:
                    keep = [m in filter_ids for m in history.match]
                    if not any(keep):
                        continue  # a history without a matching item is left out
                    if not all(keep):
                        items = [i for i, k in zip(history.data["items"], keep, strict=True) if k]
                entries.append(((history.ms, issue.id_num, issue.id), issue, history, items))
        entries.sort(key=operator.itemgetter(0))
        result = [(issue, history, items) for _, issue, history, items in entries]
        with self._lock:
            self._results[cache_key] = result  # type: ignore[assignment]
            while len(self._results) > 64:
                self._results.popitem(last=False)
        return result

    def _history_json(self, history: _History, items: list[dict] | None) -> str:
        if items is None and not self.bulkfetch_epoch_created:
            return history.json
        data = dict(history.data)
        if items is not None:
            data["items"] = items
        if self.bulkfetch_epoch_created:
            data["created"] = history.ms
        return _encode(data)
