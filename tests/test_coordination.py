"""Coupling coordination against a published worked example.

Lyu, W. (2025/26), R package `coupling` (stscl/coupling), vignette "Coupling Coordination
Degree Model and Metacoupling Analysis": the Guangzhou social-space data (gzma, from the
`sdsfun` package), four subsystem scores min–max normalised, first six units printed to
7 digits, with C and D for the standard (normative) model and for the model of
王淑佳 et al. (2021, 自然资源学报 36(3): 793–810) ("wang"), equal weights.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import MethodError
from evaluator.methods.coordination import COORDINATION_CLASSES, coordination_level, coupling_coordination

GZMA = np.array([
    [0.8179733, 0.3246648, 0.6590316, 0.1308531],
    [0.3020233, 0.1318888, 0.4046987, 0.5173794],
    [0.9209903, 0.3353516, 0.6921477, 0.3141320],
    [0.9604095, 0.3914758, 0.7099999, 0.4316421],
    [0.9061589, 0.3473603, 0.7297774, 0.6909494],
    [0.9456379, 0.4391423, 0.7304117, 0.4792905],
])


def test_wang2021_form_matches_published_values():
    result = coupling_coordination(GZMA, form="wang2021")
    assert result.C == pytest.approx([0.4722274, 0.6211236, 0.5375842, 0.5861986, 0.6640321, 0.6319211],
                                     abs=1e-6)
    assert result.D == pytest.approx([0.4776480, 0.4588675, 0.5514412, 0.6045044, 0.6662930, 0.6402164],
                                     abs=1e-6)
    assert result.T == pytest.approx(GZMA.mean(axis=1))
    assert result.level.tolist() == [4, 4, 5, 6, 6, 6]
    assert result.class_zh.tolist() == ["濒临失调", "濒临失调", "勉强协调", "初级协调", "初级协调", "初级协调"]


def test_normative_form_matches_published_values():
    result = coupling_coordination(GZMA, form="normative")
    assert result.C == pytest.approx([0.8051958, 0.8914577, 0.8999423, 0.9346128, 0.9440912, 0.9519923],
                                     abs=1e-6)
    assert result.D == pytest.approx([0.6237105, 0.5497290, 0.7134825, 0.7632959, 0.7944703, 0.7858001],
                                     abs=1e-6)


def test_two_system_corrected_form():
    # For two systems the corrected C is √[(1 − |U₁ − U₂|) · min/max].
    U = np.array([[0.3, 0.6], [0.5, 0.5]])
    result = coupling_coordination(U)
    assert result.C[0] == pytest.approx(np.sqrt((1 - 0.3) * 0.5))
    assert result.C[1] == pytest.approx(1.0)


def test_coefficients_weight_the_comprehensive_index():
    result = coupling_coordination(GZMA, coefficients=[0.4, 0.3, 0.2, 0.1])
    assert result.T == pytest.approx(GZMA @ np.array([0.4, 0.3, 0.2, 0.1]))
    assert result.D == pytest.approx(np.sqrt(result.C * result.T))


def test_class_table_has_ten_classes_at_tenth_steps():
    assert [c.zh for c in COORDINATION_CLASSES] == ["极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调",
                                                    "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调"]
    assert COORDINATION_CLASSES[0].en == "Extreme imbalance"
    assert [c.lower for c in COORDINATION_CLASSES] == pytest.approx([k / 10 for k in range(10)])
    assert coordination_level(np.array([0.0, 0.05, 0.1, 0.29999999999999993, 0.95, 1.0])).tolist() == [
        0, 0, 1, 3, 9, 9]


def test_all_zero_unit_has_zero_coupling_not_nan():
    for form in ("wang2021", "normative"):
        result = coupling_coordination(np.array([[0.0, 0.0], [0.2, 0.4]]), form=form)
        assert result.C[0] == 0 and result.D[0] == 0 and np.isfinite(result.C).all()


def test_score_outside_unit_interval_names_unit_and_value():
    U = GZMA.copy()
    U[3, 1] = 1.2
    with pytest.raises(MethodError, match=r"score 1\.2 of unit row 4, subsystem 2 is outside \[0, 1\]"):
        coupling_coordination(U)
    with pytest.raises(MethodError, match="outside"):
        coupling_coordination(np.array([[0.5, -0.1]]))


@pytest.mark.parametrize("kwargs, message", [({"form": "capped"}, "wang2021"),
                                             ({"coefficients": [0.5, 0.6, 0.0, 0.0]}, "summing to 1"),
                                             ({"coefficients": [1.0]}, "summing to 1")])
def test_bad_options(kwargs, message):
    with pytest.raises(MethodError, match=message):
        coupling_coordination(GZMA, **kwargs)


def test_needs_two_subsystems():
    with pytest.raises(MethodError, match="at least 2"):
        coupling_coordination(np.array([[0.5], [0.3]]))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.integers(2, 6).flatmap(
    lambda k: arrays(float, (n, k), elements=st.floats(0, 1)))), st.sampled_from(["wang2021", "normative"]))
def test_coupling_and_coordination_lie_in_unit_interval(U, form):
    result = coupling_coordination(U, form=form)
    for values in (result.C, result.T, result.D):
        assert np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(values <= 1 + 1e-12)
    assert np.all((result.level >= 0) & (result.level <= 9))
