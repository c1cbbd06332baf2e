"""Build the collection tarball with ansible-galaxy, as a user gets it, from a copy of the working tree."""

import os
import shutil
import subprocess
import tarfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What running the tests and tools leaves in a tree; none of it belongs in the tarball.
TEST_LITTER = (
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.4/cache",
    ".hypothesis/examples/x",
    ".ansible/collections/ansible_collections/podlike/swarm/galaxy.yml",
    "tests/soak/results.json",
    "tests/output/bot/x.json",
    "images/busybox/busybox",
    "plugins/module_utils/__pycache__/constants.cpython-311.pyc",
    "podlike-swarm-0.0.1.tar.gz",
    "benchmarks/results/run.md",
)


def build_collection(workdir, litter=TEST_LITTER):
    """Copy the tree (without .git) into workdir, add ``litter``, build; return the tarball's path."""
    tree = os.path.join(workdir, "tree")
    shutil.copytree(REPO, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    for path in litter:
        target = os.path.join(tree, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as handle:
            handle.write("left by a test run\n")
    output = os.path.join(workdir, "dist")
    subprocess.run(
        ["ansible-galaxy", "collection", "build", "--output-path", output, tree],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, ANSIBLE_NOCOLOR="1"),
    )
    (tarball,) = [os.path.join(output, name) for name in os.listdir(output) if name.endswith(".tar.gz")]
    return tarball


def tarball_files(tarball):
    """Paths of the regular files in a collection tarball."""
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if member.isfile())


def install_collection(tarball, collections_path):
    """ansible-galaxy collection install of the tarball into a fresh collections path (no Galaxy server asked).

    Ansible's home and collections path point there too: a podlike.swarm found elsewhere would stop the install.
    """
    environment = dict(
        os.environ,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ANSIBLE_HOME=os.path.join(collections_path, ".ansible-home"),
    )
    subprocess.run(
        ["ansible-galaxy", "collection", "install", "--offline", "-p", collections_path, tarball],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    return os.path.join(collections_path, "ansible_collections", "podlike", "swarm")
