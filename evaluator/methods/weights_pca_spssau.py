"""PCA weights as SPSSAU computes them (主成分分析法计算权重), beside the OECD/JRC rule
of :func:`evaluator.methods.weighting.pca_weights`.

1. standardise the indicators and take the eigenvalues λ_k and eigenvectors of their
   correlation matrix; keep the components with λ_k > ``min_eigenvalue`` (Kaiser, 1 by
   default) or the first ``n_components``;
2. loadings a_jk = e_jk √λ_k (SPSS's component matrix); linear-combination coefficients
   (线性组合系数) u_jk = a_jk / √λ_k; each component's sign is chosen so that its
   loadings sum to a positive number (the eigenvector's sign is arbitrary);
3. comprehensive-score coefficients (综合得分系数) c_j = Σ_k u_jk v_k / Σ_k v_k with
   v_k = λ_k/m the variance share of component k;
4. weights w_j = c_j / Σ c.

A negative coefficient (an indicator loading against the retained components) makes the
weights meaningless: it is an error naming the indicator, not a negative weight.

References: SPSSAU 用户手册, 权重计算 — 主成分分析法 (线性组合系数、综合得分系数、权重);
Jolliffe (2002) Principal Component Analysis, 2nd ed., Springer.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError
from .checks import column_names
from .weighting import WeightResult, _complete_rows, _require_spread
from ..i18n import M


def pca_spssau_weights(Z: np.ndarray, *, min_eigenvalue: float = 1.0,
                       n_components: int | None = None,
                       names: Sequence[str] | None = None) -> WeightResult:
    """Weights of the columns of ``Z`` by SPSSAU's PCA rule (see the module docstring).
    Details: ``eigenvalues``, ``explained`` (v_k for all m components), ``component_matrix``
    (loadings) and
    ``coefficients`` (m × k retained), ``score_coefficient`` (c_j)."""
    V = _complete_rows(Z, "PCA (SPSSAU)")
    n, m = V.shape
    names = column_names(names, m)
    if m < 2 or n < 3:
        raise MethodError(M("pca_spssau.pca_weights_need_two", m=m, n=n), fix=M("pca_spssau.pca_weights_need_two.fix"))
    _require_spread(V.std(axis=0, ddof=1), "PCA (SPSSAU)", names)
    C = np.corrcoef(V, rowvar=False)
    eigenvalues, vectors = np.linalg.eigh(C)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = np.clip(eigenvalues[order], 0.0, None), vectors[:, order]
    explained = eigenvalues / m
    if n_components is not None:
        if not 1 <= int(n_components) <= m:
            raise MethodError(M("pca_spssau.n_components_must_from", m=m, n_components=n_components))
        k = int(n_components)
    else:
        k = max(1, int((eigenvalues > min_eigenvalue).sum()))
    vectors = vectors[:, :k] * np.where(vectors[:, :k].sum(axis=0) < 0, -1.0, 1.0)
    loadings = vectors * np.sqrt(eigenvalues[:k])
    coefficients = loadings / np.sqrt(eigenvalues[:k])
    score = coefficients @ explained[:k] / explained[:k].sum()
    if (score <= 0).any():
        j = int(np.argmin(score))
        raise MethodError(M("pca_spssau.pca_spssau_gives_indicator", score=score[j]), where=M("pca_spssau.pca_spssau_gives_indicator.where", names=names[j]),
                          fix=M("pca_spssau.pca_spssau_gives_indicator.fix"))
    return WeightResult(score / score.sum(), "pca_spssau",
                        {"eigenvalues": eigenvalues, "explained": explained,
                         "component_matrix": loadings, "coefficients": coefficients,
                         "score_coefficient": score},
                        {"min_eigenvalue": min_eigenvalue, "n_components": k}, n)
