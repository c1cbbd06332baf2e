"""A canned Docker engine on a unix socket, for the client tests."""

import os
import socket
import threading

import pytest


class CannedEngine:
    """A unix socket server answering each request with the next canned response (bytes, or a callable writing it)."""

    def __init__(self, path, answers, close_after=None):
        self.path = path
        self.answers = list(answers)
        self.requests = []
        self.connections = 0
        self.close_after = close_after
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.answers:
            connection, _address = self.server.accept()
            self.connections += 1
            reader = connection.makefile("rb")
            served = 0
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    byte = reader.read(1)
                    if not byte:
                        break
                    head += byte
                if not head:
                    break
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = reader.read(length) if length else b""
                self.requests.append((head.split(b"\r\n")[0].decode(), body))
                answer = self.answers.pop(0)
                try:
                    answer(connection) if callable(answer) else connection.sendall(answer)
                except OSError:  # the client went away while a callable answer was still writing
                    break
                served += 1
                if self.close_after and served >= self.close_after:
                    break
            reader.close()
            connection.close()


@pytest.fixture
def engine(tmp_path):
    def start(answers, close_after=None):
        return CannedEngine(os.path.join(str(tmp_path), "e.sock"), answers, close_after)

    return start
