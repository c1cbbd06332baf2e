"""pod.copy: regular files and directories only, within the pod's copy limit."""

import io
import os
import socket
import tarfile

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.copy import CopyList, archive, check_copies, copy_into
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError


def members(tar_bytes):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return dict((member.name, tar.extractfile(member).read() if member.isfile() else None) for member in tar)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "conf"
    (root / "sub").mkdir(parents=True)
    (root / "a.conf").write_text("a" * 10)
    (root / "sub" / "b.conf").write_text("b" * 20)
    return root


def test_a_directory_is_copied_with_its_files(tree):
    assert members(archive(str(tree), "/etc/app/", "app")) == {
        "app": None,
        "app/a.conf": b"a" * 10,
        "app/sub": None,
        "app/sub/b.conf": b"b" * 20,
    }
    assert check_copies({"app": [(str(tree), "/etc/app")]}) == {"app": [(str(tree), "/etc/app")]}


@pytest.mark.parametrize(
    "source, kind",
    [("/dev/zero", "a character device"), ("/dev/null", "a character device")],
)
def test_devices_are_refused(source, kind):
    message = 'component "app": key "pod.copy.app": %s is %s: only regular files and directories are copied'
    for attempt in (lambda: check_copies({"app": [(source, "/tmp/z")]}), lambda: archive(source, "/tmp/z", "app")):
        with pytest.raises(SpecError) as error:
            attempt()
        assert str(error.value) == message % (source, kind)


def test_fifos_sockets_and_links_are_refused_also_inside_directories(tree, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    with pytest.raises(SpecError, match="is a FIFO"):
        check_copies({"app": [(str(fifo), "/tmp/f")]})
    with pytest.raises(SpecError, match="is a FIFO"):
        archive(str(fifo), "/tmp/f", "app")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tree / "sub" / "s.sock"))
    try:
        with pytest.raises(SpecError, match="s.sock is a socket"):
            check_copies({"app": [(str(tree), "/etc/app")]})
        with pytest.raises(SpecError, match="s.sock is a socket"):
            archive(str(tree), "/etc/app", "app")
    finally:
        server.close()
    os.unlink(str(tree / "sub" / "s.sock"))
    os.symlink("/dev/zero", str(tree / "zero"))
    with pytest.raises(SpecError, match="zero is a symbolic link"):
        check_copies({"app": [(str(tree), "/etc/app")]})
    with pytest.raises(SpecError, match="zero is a symbolic link"):
        archive(str(tree), "/etc/app", "app")


def test_the_pod_copy_limit_counts_every_component(tree):
    copies = {"app": [(str(tree), "/etc/app")], "side": [(str(tree / "a.conf"), "/etc/a.conf")]}
    assert check_copies(copies, limit=40) == copies
    with pytest.raises(SpecError) as error:
        check_copies(copies, limit=39)
    assert str(error.value) == (
        'component "side": key "pod.copy.side": the pod copies more than 39 bytes; '
        "start the controller with -copy-limit BYTES to raise it"
    )


def test_the_limit_holds_when_files_grow_after_the_check(tree):
    checked = check_copies({"app": [(str(tree), "/etc/app")]}, limit=30)["app"]
    assert isinstance(checked, CopyList) and checked.limit == 30
    (tree / "a.conf").write_text("a" * 11)

    class Engine:
        def put_archive(self, container_id, path, tar_bytes):
            raise AssertionError("nothing may be uploaded")

    with pytest.raises(SpecError, match="makes the pod copy more than its limit"):
        copy_into(Engine(), "c1", "app", checked)


def test_missing_sources_are_named():
    with pytest.raises(SpecError, match='key "pod.copy.app": cannot read /no/such/file: No such file'):
        check_copies({"app": [("/no/such/file", "/x")]})


def test_a_link_to_a_directory_inside_a_source_is_refused_not_entered(tree, tmp_path):
    os.symlink(str(tmp_path), str(tree / "sub" / "elsewhere"))
    for attempt in (lambda: check_copies({"app": [(str(tree), "/etc/app")]}), lambda: archive(str(tree), "/x", "app")):
        with pytest.raises(SpecError, match="sub/elsewhere is a symbolic link: only regular files and directories"):
            attempt()
