# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""HTTP/1.1 to the Docker engine over a unix or TCP socket, with nothing but the socket module.

http.client brings in email.parser and ssl, which cost a pod controller about 7 MB and 40 ms at every
start; the engine's API needs only requests with a body and responses with a length, chunks, or a
stream that ends with the connection. A unix socket is the C module `_socket`'s own: socket.py adds
selectors and about a hundred enum members (0.3 MB); it and ssl are imported only for TCP and TLS hosts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import _socket
import io

# socket.timeout: the exception of a socket operation that timed out.
Timeout = _socket.timeout


class ConnectionClosed(IOError):
    """The engine closed a kept-alive connection before answering; the request may be sent again."""


class Connection:
    """One socket to the engine; requests are sent one after another (keep-alive)."""

    def __init__(self, address, timeout, ssl_context=None, server_hostname=None):
        self.address = address
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.server_hostname = server_hostname
        self.sock = None
        self.reader = None

    def connect(self):
        if isinstance(self.address, str):
            sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            try:
                sock.settimeout(self.timeout)
                sock.connect(self.address)
            except OSError:
                sock.close()
                raise
        else:
            import socket

            sock = socket.create_connection(self.address, timeout=self.timeout)
            if self.ssl_context is not None:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.server_hostname)
        self.sock = sock
        self.reader = socket_reader(sock)

    def set_timeout(self, timeout):
        self.timeout = timeout
        if self.sock is not None:
            self.sock.settimeout(timeout)

    def request(self, method, target, headers, body=None, on_sent=None):
        """Send a request and read the response head; return a Response whose body is still to read.

        on_sent is called once the whole request is written: the engine completes it from then on.
        """
        reused = self.sock is not None
        if not reused:
            self.connect()
        lines = ["%s %s HTTP/1.1" % (method, target)]
        lines.extend("%s: %s" % item for item in headers.items())
        if body is not None or method in ("POST", "PUT"):
            lines.append("Content-Length: %d" % len(body or b""))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.sock.sendall(head + bytes(body or b""))
            if on_sent is not None:
                on_sent()
            status_line = self.reader.readline(65537)
        except (BrokenPipeError, ConnectionResetError):
            self.close()
            if reused:
                raise ConnectionClosed("connection closed")
            raise
        if not status_line:
            self.close()
            if reused:
                raise ConnectionClosed("connection closed")
            raise IOError("the engine closed the connection without answering")
        return Response(self, status_line, _read_headers(self.reader))

    def close(self):
        for closable in (self.reader, self.sock):
            if closable is not None:
                try:
                    closable.close()
                except OSError:
                    pass
        self.sock = None
        self.reader = None


class _SocketInput(io.RawIOBase):
    """A socket's input as a raw stream, what socket.makefile("rb") buffers, for any socket object."""

    def __init__(self, sock):
        super(_SocketInput, self).__init__()
        self._sock = sock

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._sock.recv_into(buffer)


def socket_reader(sock):
    """A buffered reader of sock's input (readline, read1); closing it leaves the socket open."""
    return io.BufferedReader(_SocketInput(sock))


class Response:
    """Status, headers and a body read on demand: by length, by chunks, or to the end of the stream."""

    def __init__(self, connection, status_line, headers):
        parts = status_line.decode("latin-1").split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise IOError("not an HTTP answer: %r" % status_line[:80])
        self.connection = connection
        self.status = int(parts[1])
        self.headers = headers
        self._reader = connection.reader
        self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length")
        self._remaining = int(length) if length is not None and not self._chunked else None
        self._chunk_left = 0
        self._done = self.status in (204, 304) or self._remaining == 0
        self._buffer = b""

    def getheader(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def _next_piece(self, limit):
        """Up to limit bytes of body, b'' at its end."""
        if self._done:
            return b""
        if self._chunked:
            if self._chunk_left == 0:
                size_line = self._reader.readline(1024)
                if not size_line:
                    self._done = True
                    return b""
                self._chunk_left = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if self._chunk_left == 0:
                    _read_headers(self._reader)  # trailers and the final CRLF
                    self._done = True
                    return b""
            piece = self._reader.read1(min(limit, self._chunk_left))
            if not piece:
                self._done = True
                return b""
            self._chunk_left -= len(piece)
            if self._chunk_left == 0:
                self._reader.readline(3)
            return piece
        if self._remaining is not None:
            piece = self._reader.read1(min(limit, self._remaining)) if self._remaining else b""
            self._remaining -= len(piece)
            if not piece or self._remaining == 0:
                self._done = True
            return piece
        piece = self._reader.read1(limit)
        if not piece:
            self._done = True
        return piece

    def read1(self, limit=65536):
        if self._buffer:
            piece, self._buffer = self._buffer[:limit], self._buffer[limit:]
            return piece
        return self._next_piece(limit)

    def read(self, size=None):
        """size bytes (fewer only at the end), or the whole rest of the body."""
        chunks = []
        wanted = size
        while wanted is None or wanted > 0:
            piece = self.read1(65536 if wanted is None else wanted)
            if not piece:
                break
            chunks.append(piece)
            if wanted is not None:
                wanted -= len(piece)
        return b"".join(chunks)

    def readline(self):
        line = b""
        while not line.endswith(b"\n"):
            if b"\n" in self._buffer:
                index = self._buffer.index(b"\n") + 1
                line += self._buffer[:index]
                self._buffer = self._buffer[index:]
                return line
            line += self._buffer
            self._buffer = self._next_piece(65536)
            if not self._buffer:
                return line
        return line

    @property
    def complete(self):
        return self._done and not self._buffer

    def close(self):
        self.connection.close()


def _read_headers(reader):
    headers = {}
    while True:
        line = reader.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
