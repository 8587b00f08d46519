"""The three distribution functions the intervals and tests need, from ``scipy.special``.

``scipy.stats`` computes these with the same special functions (Student t's
quantile is ``stdtrit``, its survival function ``stdtr`` at ``-x``, the chi-square
quantile ``2 gammaincinv(df / 2, p)``) after checking and broadcasting its
arguments; calling them directly gives the same values bit for bit and spares every
experiment command and worker the import of ``scipy.stats`` (about half a second).
"""

from __future__ import annotations

from scipy import special


def student_t_quantile(p: float, dof: float) -> float:
    """The ``p`` quantile of Student's t with ``dof`` degrees of freedom (NaN for ``dof <= 0``)."""
    return float(special.stdtrit(dof, p))


def student_t_sf(x: float, dof: float) -> float:
    """P(T > x) for Student's t with ``dof`` degrees of freedom (NaN for ``dof <= 0``)."""
    return float(special.stdtr(dof, -x))


def chi2_quantile(p: float, dof: float) -> float:
    """The ``p`` quantile of the chi-square distribution with ``dof`` degrees of freedom."""
    return float(2 * special.gammaincinv(dof / 2, p))
