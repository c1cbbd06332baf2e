"""Every changelog fragment is YAML that antsibull-changelog can read: known sections, lists of strings."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FRAGMENTS = sorted((ROOT / "changelogs" / "fragments").glob("*.y*ml"))
SECTIONS = {
    entry[0] for entry in yaml.safe_load((ROOT / "changelogs" / "config.yaml").read_text(encoding="utf-8"))["sections"]
} | {"release_summary", "trivial"}


@pytest.mark.parametrize("path", FRAGMENTS, ids=[path.name for path in FRAGMENTS])
def test_fragment_parses_into_known_sections(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data, path.name
    assert set(data) <= SECTIONS, sorted(set(data) - SECTIONS)
    for section, entries in data.items():
        if section == "release_summary":
            assert isinstance(entries, str)
            continue
        assert isinstance(entries, list) and all(isinstance(entry, str) for entry in entries), section


def test_there_are_fragments_to_check():
    assert FRAGMENTS
