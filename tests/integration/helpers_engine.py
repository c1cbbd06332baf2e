"""The engine's unix socket served over TCP, as `dockerd -H tcp://...` serves it: plain, or TLS with client
certificates required. Each connection is relayed to the engine as it is."""

import socket
import ssl
import threading

ENGINE_SOCKET = "/var/run/docker.sock"


class EngineEndpoint:
    """tcp://<address>:<port> in front of the engine; with `context` (a server SSLContext), TLS only.

    `refused` holds the handshake errors of the connections TLS turned away.
    """

    def __init__(self, address="127.0.0.1", context=None):
        self.context = context
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((address, 0))
        self.listener.listen(16)
        self.url = "tcp://%s:%d" % self.listener.getsockname()
        self.refused = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        if self.context is not None:
            try:
                client = self.context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                self.refused.append(str(exc))
                client.close()
                return
        engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        engine.connect(ENGINE_SOCKET)
        threading.Thread(target=_relay, args=(engine, client), daemon=True).start()
        _relay(client, engine)

    def close(self):
        self.listener.close()


def _relay(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
