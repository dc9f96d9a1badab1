"""What the loopback fakes share: a threaded HTTP server on 127.0.0.1 with keep-alive, the
request log, scripted failures, and start/stop. Each fake adds its own API in `_serve`."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


@dataclass
class Recorded:
    """One request as the fake received it (tokens and Authorization left out)."""

    method: str
    path: str
    query: dict[str, list[str]]
    json_body: Any | None
    headers: dict[str, str]
    status: int | None = None  # what the fake answered; None while pending or when `down`


@dataclass
class Failure:
    """A scripted answer for the next `times` requests whose path starts with `prefix`."""

    prefix: str
    status: int
    times: int
    headers: dict[str, str]
    body: bytes
    content_type: str


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, fake: LoopbackFake) -> None:
        self.fake = fake
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), fake.handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return not self.fake.down  # down: close a new connection before reading anything

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self.open_lock:
            sockets = list(self.open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server behind a proxy
    disable_nagle_algorithm = True
    sys_version = ""
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.server.fake._serve(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.fake._serve(self, "POST")

    def do_PUT(self) -> None:  # noqa: N802
        self.server.fake._serve(self, "PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self.server.fake._serve(self, "DELETE")


class LoopbackFake:
    """Lifecycle and failure script of a fake; subclasses set the attributes in `__init__`
    (`url`, `down`, `_lock`, `_failures`, `_server`, `_thread`) and implement `_serve`."""

    handler: ClassVar[type[Handler]] = Handler
    url: str
    down: bool
    _lock: threading.RLock
    _failures: list[Failure]
    _server: Server | None
    _thread: threading.Thread | None

    def _serve(self, handler: Handler, method: str) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.drop_connections()  # idle keep-alive connections would keep answering otherwise
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _respond(
        handler: Handler, status: int, body: Any, content_type: str, headers: dict[str, Any]
    ) -> None:
        """Write one answer: bytes and text as they are, anything else as compact JSON."""
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, str(value))
        handler.end_headers()
        handler.wfile.write(data)

    def _script(
        self,
        prefix: str,
        status: int,
        times: int,
        headers: dict | None,
        body: str | bytes | dict | list,
        content_type: str,
    ) -> None:
        """Queue a scripted answer (`fail()` of each fake picks the default body)."""
        if isinstance(body, dict | list):
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = bytes(body)
        with self._lock:
            self._failures.append(
                Failure(prefix, status, times, dict(headers or {}), data, content_type)
            )

    def _take_failure(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if path.startswith(failure.prefix):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None
