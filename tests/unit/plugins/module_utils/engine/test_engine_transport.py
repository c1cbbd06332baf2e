"""HTTP/1.1 framing of the engine client: lengths, chunks, streams to the end, kept-alive connections."""

import time

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    DockerClient,
    DockerError,
    NotFound,
    read_frames,
    read_json_lines,
)


def client_for(engine_server):
    return DockerClient(base_url="unix://" + engine_server.path, api_version="1.41", timeout=5)


JSON_OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"Version":"1"}'


def test_content_length_answers_on_one_kept_alive_connection(engine):
    server = engine([JSON_OK, JSON_OK, b"HTTP/1.1 204 No Content\r\n\r\n"])
    client = client_for(server)
    assert client.version() == {"Version": "1"}
    assert client.version() == {"Version": "1"}
    assert client.post("/containers/x/start") is None
    assert server.connections == 1
    assert server.requests[0][0] == "GET /v1.41/version HTTP/1.1"


def test_chunked_json_lines(engine):
    body = b'{"Action":"start"}\n{"Action":"die"}\n'
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (7, body[:7], len(body) - 7, body[7:])
    server = engine([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked])
    stream = client_for(server).events()
    assert [event["Action"] for event in read_json_lines(stream)] == ["start", "die"]


def test_multiplexed_stream_to_the_end_of_the_connection(engine):
    frames = b"\x01\x00\x00\x00\x00\x00\x00\x03out" + b"\x02\x00\x00\x00\x00\x00\x00\x03err"
    server = engine(
        [b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n" + frames], close_after=1
    )
    stream = client_for(server).logs("x", follow=True)
    assert list(read_frames(stream)) == [(1, b"out"), (2, b"err")]


def test_errors_carry_the_engine_message(engine):
    body = b'{"message":"No such container: x"}'
    server = engine([b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)])
    with pytest.raises(NotFound, match="No such container: x"):
        client_for(server).inspect_container("x")


def test_a_closed_kept_alive_connection_is_opened_again(engine):
    server = engine([JSON_OK, JSON_OK], close_after=1)
    client = client_for(server)
    assert client.version() == {"Version": "1"}
    assert client.version() == {"Version": "1"}
    assert server.connections == 2


def test_no_engine_is_a_clear_error(tmp_path):
    client = DockerClient(base_url="unix://%s/none.sock" % tmp_path, timeout=1)
    with pytest.raises(DockerError, match="cannot reach the Docker engine"):
        client.info()


def _exec_answers(stream_answer):
    """The engine's answers to exec_run: the exec made, its output stream, its inspect."""
    made = b'HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n{"Id":"e1"}' % len(b'{"Id":"e1"}')
    inspected = b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n{"ExitCode":0}' % len(b'{"ExitCode":0}')
    return [made, stream_answer, inspected]


STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"


def _frame(payload):
    return b"\x01\x00\x00\x00" + len(payload).to_bytes(4, "big") + payload


def test_an_exec_keeps_the_last_64_kib_of_its_output(engine):
    flood = b"".join(_frame(b"%07d\n" % number) for number in range(40000))  # 320 000 bytes of output
    server = engine(_exec_answers(STREAM_HEAD + flood), close_after=1)
    code, output = client_for(server).exec_run("c1", ["probe"], timeout=10)
    assert code == 0 and len(output) == 65536
    assert output.endswith("0039999\n") and output.startswith("%07d\n" % (40000 - 65536 // 8))


def test_an_exec_that_keeps_writing_ends_at_its_timeout(engine):
    def trickle(connection):
        connection.sendall(STREAM_HEAD)
        for _tick in range(100):
            connection.sendall(_frame(b"."))
            time.sleep(0.1)

    server = engine(_exec_answers(trickle), close_after=1)
    started = time.monotonic()
    with pytest.raises(DockerError, match="probe did not end within 1s") as raised:
        client_for(server).exec_run("c1", ["probe"], timeout=1)
    assert time.monotonic() - started < 2
    assert 5 <= len(raised.value.output) <= 11 and set(raised.value.output) == {"."}
