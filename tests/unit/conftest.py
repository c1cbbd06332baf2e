# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Make the repository importable as ansible_collections.podlike.swarm for the unit tests."""

import os
import sys

COLLECTIONS_ROOT = "/tmp/podlike-collections"
COLLECTION_PATH = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "podlike", "swarm")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _link_collection():
    if os.path.realpath(COLLECTION_PATH) == os.path.realpath(REPO_ROOT):
        return
    os.makedirs(os.path.dirname(COLLECTION_PATH), exist_ok=True)
    if os.path.islink(COLLECTION_PATH):
        os.unlink(COLLECTION_PATH)
    os.symlink(REPO_ROOT, COLLECTION_PATH)


_link_collection()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
