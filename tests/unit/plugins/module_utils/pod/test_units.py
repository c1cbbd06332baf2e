"""units: the small converters of Compose values (commands, sizes, durations)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=2000, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from(["a", "b", " ", "  ", "'", '"', "\\", "\t", "\n", "-x", "=", "#", "$", "\x0b", "\xa0"]),
        max_size=8,
    ).map("".join)
)
def test_a_command_string_splits_as_shlex_splits_it(command):
    import shlex

    from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import shell_words

    try:
        expected = shlex.split(command)
    except ValueError as error:
        with pytest.raises(ValueError, match=str(error)):
            shell_words(command)
        return
    assert shell_words(command) == expected
