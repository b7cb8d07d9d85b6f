"""The transfer rule inside a split district, on hand-checked numbers."""

import numpy as np
import pytest

from conflictmap.transfer import from_members, total_flows

# Actors [a, b, c]. One district: then a 0.6, b 0.4; now a 0.2, b 0.5, c 0.3.
# a keeps 0.2 and loses 0.4; b keeps 0.4 and gains 0.1; c gains 0.3.
# The 0.4 lost goes to b and c in proportion to their gains (1:3): a->b 0.1, a->c 0.3.
THEN = np.array([[0.6, 0.4, 0.0]])
NOW = np.array([[0.2, 0.5, 0.3]])


def test_total_flows_by_hand():
    got = total_flows(THEN, NOW, np.array([1.0]))
    expected = [[0.2, 0.1, 0.3], [0.0, 0.4, 0.0], [0.0, 0.0, 0.0]]
    assert got == pytest.approx(np.array(expected))
    assert got.sum(axis=1) == pytest.approx(THEN[0]) and got.sum(axis=0) == pytest.approx(NOW[0])


def test_from_members_by_hand():
    # Of a's 0.6 then: a holds 0.2, b 0.1, c 0.3 now.
    assert from_members(THEN, NOW, np.array([True, False, False]))[0] == pytest.approx([0.2, 0.1, 0.3])
    # Of what a and b held together (all of it): exactly the shares now.
    assert from_members(THEN, NOW, np.array([True, True, False]))[0] == pytest.approx(NOW[0])


def test_nothing_moves_when_nothing_changed():
    assert from_members(THEN, THEN, np.array([False, True, False]))[0] == pytest.approx([0.0, 0.4, 0.0])
