"""Make the repository importable as ansible_collections.podlike.swarm for every test."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collection_root():
    # Inside an ansible_collections/podlike/swarm checkout, use it as it is.
    parts = REPO.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "podlike"] and parts[-1] == "swarm":
        return os.sep.join(parts[:-3])
    root = os.environ.get("COLLECTIONS_ROOT") or os.path.join("/tmp", "podlike-collections-%d" % os.getuid())
    link = os.path.join(root, "ansible_collections", "podlike", "swarm")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if os.path.realpath(link) != REPO:
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(REPO, link)
    return root


sys.path.insert(0, _collection_root())
# Helpers shared by the test trees (waiting.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
