"""controller_files: a definition reads the pod's mounts on the controller, never its credentials or other files."""

import os
import threading

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod import controller_files
from ansible_collections.podlike.swarm.plugins.module_utils.pod.controller_files import (
    ControllerFiles,
    controller_credentials,
    open_resolved,
    pod_mount_points,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

# A task container's mounts as the kernel lists them: the image, /proc and its masks, /dev, the engine's files,
# a volume, a Swarm config and secret, a bind with a space in its name, the engine's socket.
MOUNTINFO = """\
1040 998 0:71 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A
1041 1040 0:74 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1042 1040 0:75 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1043 1042 0:76 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666
1044 1040 0:77 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1045 1044 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw
1046 1042 0:73 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
1047 1042 0:78 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k
1048 1040 8:1 /var/lib/docker/containers/abc/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda1 rw
1049 1040 8:1 /var/lib/docker/containers/abc/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw
1050 1040 8:1 /var/lib/docker/containers/abc/hosts /etc/hosts rw,relatime - ext4 /dev/sda1 rw
1051 1040 8:1 /var/lib/docker/volumes/web_data/_data /data rw,relatime master:1 - ext4 /dev/sda1 rw
1052 1040 0:79 /cfg /etc/nginx/nginx.conf ro,relatime - tmpfs tmpfs ro
1053 1040 0:80 /sec /run/secrets/tls.key ro,relatime - tmpfs tmpfs ro
1054 1040 8:1 /srv/my\\040conf /etc/my\\040conf rw,relatime - ext4 /dev/sda1 rw
1055 1040 0:24 /docker.sock /run/docker.sock rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw
1056 1041 0:75 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
"""


def test_the_pods_mounts_are_volumes_binds_configs_and_secrets_not_the_kernels_or_the_engines():
    assert pod_mount_points(MOUNTINFO) == [
        "/data",
        "/etc/my conf",
        "/etc/nginx/nginx.conf",
        "/run/docker.sock",
        "/run/secrets/tls.key",
    ]


@pytest.fixture
def mounted(tmp_path):
    """A controller's filesystem in miniature: a mounted directory, a credential inside it, a file outside."""
    mount = tmp_path / "mount"
    (mount / "conf").mkdir(parents=True)
    (mount / "conf" / "app.conf").write_text("listen 80\n")
    (mount / "certs").mkdir()
    (mount / "certs" / "key.pem").write_text("PRIVATE\n")
    (tmp_path / "image.conf").write_text("not the pod's\n")
    files = ControllerFiles([str(mount)], [str(mount / "certs" / "key.pem")])
    return files, mount, tmp_path


def test_a_file_on_a_mount_of_the_controller_is_read(mounted):
    files, mount, _tmp = mounted
    assert files.read_text(str(mount / "conf" / "app.conf"), "app", "env_file") == "listen 80\n"


@pytest.mark.parametrize(
    "attempt, message",
    [
        ("image.conf", "is not in a volume, bind mount, config or secret mounted on the controller"),
        ("mount/certs/key.pem", "certs/key.pem, the controller's own credentials"),
        ("mount/certs", "certs/key.pem, the controller's own credentials"),
        ("mount", "certs/key.pem, the controller's own credentials"),
        ("mount/link-out", "is not in a volume"),
        ("mount/link-to-key", "certs/key.pem, the controller's own credentials"),
    ],
)
def test_anything_else_is_refused_in_one_line_naming_component_and_key_unless_allowed(mounted, attempt, message):
    files, mount, tmp_path = mounted
    os.symlink(str(tmp_path / "image.conf"), str(mount / "link-out"))
    os.symlink(str(mount / "certs" / "key.pem"), str(mount / "link-to-key"))
    with pytest.raises(SpecError) as error:
        files.resolve(str(tmp_path / attempt), "app", "pod.copy.app")
    text = str(error.value)
    assert text.startswith('component "app": key "pod.copy.app": ') and message in text and "\n" not in text
    assert text.endswith("; start the controller with -allow-privileged to permit it")
    assert ControllerFiles([str(mount)], files.credentials, unrestricted=True).resolve(str(tmp_path / attempt))


def test_a_link_to_a_file_on_a_mount_is_followed_where_it_stays_on_the_mount(mounted):
    files, mount, tmp_path = mounted
    os.symlink(str(mount / "conf" / "app.conf"), str(tmp_path / "image-link.conf"))
    assert files.resolve(str(tmp_path / "image-link.conf")) == str(mount / "conf" / "app.conf")


@pytest.mark.parametrize("source, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_devices_are_refused_even_with_leave_and_never_read(source, kind):
    with pytest.raises(SpecError) as error:
        controller_files.UNRESTRICTED.read_text(source, "app", "env_file")
    assert str(error.value) == 'component "app": key "env_file": %s is %s: only a regular file is read' % (source, kind)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    reader = threading.Thread(
        target=lambda: pytest.raises(SpecError, controller_files.UNRESTRICTED.read_text, str(fifo))
    )
    reader.start()
    reader.join(5)
    assert not reader.is_alive()
    with pytest.raises(SpecError, match="is a FIFO: only a regular file is read"):
        controller_files.UNRESTRICTED.read_text(str(fifo))


def test_the_size_is_bounded(tmp_path):
    big = tmp_path / "big.env"
    big.write_text("A=" + "x" * 100)
    with pytest.raises(SpecError, match="big.env is larger than 50 bytes"):
        controller_files.UNRESTRICTED.read_text(str(big), limit=50)


def test_a_path_changed_into_a_link_after_the_check_is_refused_not_followed(mounted):
    files, mount, tmp_path = mounted
    real = files.resolve(str(mount / "conf" / "app.conf"))
    (mount / "conf" / "app.conf").rename(mount / "old.conf")
    (mount / "conf").rename(mount / "conf.old")
    os.symlink(str(mount / "certs"), str(mount / "conf"))
    (mount / "certs" / "app.conf").write_text("swapped in\n")
    with pytest.raises(SpecError, match="cannot read .*conf/app.conf: Not a directory|Too many levels"):
        open_resolved(real)


def test_the_credentials_are_the_socket_the_tls_files_and_the_registry_configs(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "cfg"))

    class Client:
        base_url = "unix:///var/run/docker.sock"
        tls = {
            "ca_cert": "/certs/ca.pem",
            "client_cert": "/certs/cert.pem",
            "client_key": "/certs/key.pem",
            "verify": True,
        }

    credentials = controller_credentials(Client())
    assert os.path.realpath("/var/run/docker.sock") in credentials
    assert {"/certs/ca.pem", "/certs/cert.pem", "/certs/key.pem", str(tmp_path / "cfg" / "config.json")} <= set(
        credentials
    )
    assert os.path.realpath("/var/run/secrets/podlike/dockerregistryauth.json") in credentials
