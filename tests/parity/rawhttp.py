"""HTTP/1.1 over a bare socket, for the request-line corpus.

Requests are written byte for byte as given (no HTTP library in between that would normalize the
target, merge or reorder headers, or frame the body itself); responses are parsed just enough to
compare them: interim 1xx responses, status, headers in order, and the body with chunked framing
removed.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

TIMEOUT_S = 60.0


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]  # (lower-cased name, value as latin1) in order
    body: bytes
    interim: list[int] = field(default_factory=list)  # statuses of 1xx responses before this one

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None


class _Reader:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def until(self, marker: bytes) -> bytes | None:
        while marker not in self.buf:
            if not self._fill():
                return None
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise EOFError(f"connection closed after {len(self.buf)} of {n} body bytes")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self) -> bytes:
        while self._fill():
            pass
        out, self.buf = self.buf, b""
        return out


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    lines = head.decode("latin1").split("\r\n")
    _, status, *reason = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        if line:
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
    return int(status), (reason[0] if reason else ""), headers


def _read_body(r: _Reader, method: str, status: int, headers: list[tuple[str, str]]) -> bytes:
    names = dict(headers)
    if method == "HEAD" or status in (204, 304):
        return b""
    if names.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_line = r.until(b"\r\n")
            if size_line is None:
                raise EOFError("connection closed inside a chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                r.until(b"\r\n")  # (no trailers from either server)
                return body
            body += r.exactly(size)
            r.exactly(2)
    if "content-length" in names:
        return r.exactly(int(names["content-length"]))
    return r.rest()


def exchange(port: int, head: bytes, body: bytes = b"", *, wait_for_continue: bool = False) -> Response:
    """One request on a new connection. With `wait_for_continue`, the body is only sent once the
    server sends `100 Continue` (and not at all if it answers finally first)."""
    method = head.split(b" ", 1)[0].decode("latin1")
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
        sock.sendall(head if wait_for_continue else head + body)
        r = _Reader(sock)
        interim: list[int] = []
        while True:
            raw_head = r.until(b"\r\n\r\n")
            if raw_head is None:
                rest = r.rest()
                return Response(0, "closed without a response", [], rest, interim)
            status, reason, headers = _parse_head(raw_head)
            if 100 <= status < 200:
                interim.append(status)
                if status == 100 and wait_for_continue:
                    sock.sendall(body)
                continue
            return Response(status, reason, headers, _read_body(r, method, status, headers), interim)
