"""copy_logs: component output, a line at a time, without ever holding more than a line's bound."""

from ansible_collections.podlike.swarm.plugins.module_utils.pod import logs
from fake_engine import LogStream, frames


class Client:
    def __init__(self, data):
        self.data = data
        self.closed = False

    def logs(self, container_id, follow, timeout):
        return LogStream(self.data)

    def close(self):
        self.closed = True


class Lines:
    def __init__(self):
        self.lines = []

    def component_line(self, name, line, channel):
        self.lines.append((name, line, channel))


def test_lines_split_across_frames_are_joined_and_the_channels_kept_apart():
    data = frames(b"hel") + frames(b"oops\n", stream=2) + frames(b"lo\nwor") + frames(b"ld")
    output, client = Lines(), Client(data)
    logs.copy_logs(client, "c1", "app", False, output)
    assert output.lines == [("app", b"oops", 2), ("app", b"hello", 1), ("app", b"world", 1)]
    assert client.closed


def test_output_without_newlines_is_passed_on_in_pieces_of_the_bound(monkeypatch):
    monkeypatch.setattr(logs, "MAX_LINE", 10)
    data = frames(b"x" * 7) * 5 + frames(b"\nend\n")
    output = Lines()
    logs.copy_logs(Client(data), "c1", "app", False, output)
    assert [line for _name, line, _channel in output.lines] == [b"x" * 10, b"x" * 10, b"x" * 10, b"x" * 5, b"end"]
    assert all(len(line) <= 10 for _name, line, _channel in output.lines)
