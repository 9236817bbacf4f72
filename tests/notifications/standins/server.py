"""A tiny threaded HTTP server on loopback for provider stand-ins."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class StandinHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _reply(self, status: int, payload, content_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _request(self) -> tuple[str, dict, bytes]:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}, raw

    def do_GET(self):
        path, query, _raw = self._request()
        self.server.app.handle(self, "GET", path, query, b"")

    def do_POST(self):
        path, query, raw = self._request()
        self.server.app.handle(self, "POST", path, query, raw)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client killed mid-request (the crash tests) is expected here, not an error.
        pass


class Standin:
    """Run ``handle(handler, method, path, query, raw)`` of a subclass on a free loopback port."""

    def __init__(self):
        self.httpd = QuietServer(("127.0.0.1", 0), StandinHandler)
        self.httpd.app = self
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, handler, method, path, query, raw):  # pragma: no cover - subclasses answer
        handler._reply(404, {"error": "not found"})
