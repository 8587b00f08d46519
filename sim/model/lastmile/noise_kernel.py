"""The legs' traffic noise of a whole round at once, compiled, bit for bit ``TrafficModel.leg_noise``.

A leg's noise factor is lognormal with mean one, from the standard normal
deviate of the leg's uniform. ``statistics.NormalDist.inv_cdf`` computes the
deviate with Wichura's rational approximation (Algorithm AS241, Applied
Statistics 37(3), 1988, 477-484; coefficients PPND16). Evaluated here with the
same coefficients in the same Horner order, the same branches and the same
libm ``log``, ``sqrt`` and ``exp``, so every factor equals the scalar one
exactly (``tests/model/lastmile/test_lastmile_noise_kernel.py`` checks it).
Compiled with ``cache=True`` and without ``fastmath``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# AS241 PPND16: numerator and denominator coefficients, highest power first, for the central
# region |p - 0.5| <= 0.425 (in r = 0.180625 - q^2), then the tails in r = sqrt(-log(min(p, 1 - p)))
# shifted by 1.6 (r <= 5) or by 5 (far tail).
_CENTRAL_NUM = np.array([2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4,
                         4.5921953931549871457e+4, 1.3731693765509461125e+4, 1.9715909503065514427e+3,
                         1.3314166789178437745e+2, 3.3871328727963666080e+0])
_CENTRAL_DEN = np.array([5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4,
                         2.1213794301586595867e+4, 5.3941960214247511077e+3, 6.8718700749205790830e+2,
                         4.2313330701600911252e+1, 1.0])
_NEAR_NUM = np.array([7.7454501427834140764e-4, 2.2723844989269184583e-2, 2.4178072517745061177e-1,
                      1.2704582524523683826e+0, 3.6478483247632046050e+0, 5.7694972214606914055e+0,
                      4.6303378461565452959e+0, 1.4234371107496835773e+0])
_NEAR_DEN = np.array([1.0507500716444168432e-9, 5.4759380849953449460e-4, 1.5198666563616457197e-2,
                      1.4810397642748007459e-1, 6.8976733498510000455e-1, 1.6763848301838038494e+0,
                      2.0531916266377588219e+0, 1.0])
_FAR_NUM = np.array([2.0103343992922881327e-7, 2.7115555687434875782e-5, 1.2426609473880784386e-3,
                     2.6532189526576123093e-2, 2.9656057182850489123e-1, 1.7848265399172913358e+0,
                     5.4637849111641143699e+0, 6.6579046435011037772e+0])
_FAR_DEN = np.array([2.0442631033899397856e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
                     7.8686913114561325910e-4, 1.4875361290850614852e-2, 1.3692988092273580531e-1,
                     5.9983220655588793769e-1, 1.0])


@numba.njit(cache=True)
def _horner(coefficients: np.ndarray, r: float) -> float:
    value = coefficients[0]
    for c in coefficients[1:]:
        value = value * r + c
    return value


@numba.njit(cache=True)
def standard_normal_quantile(p: float) -> float:
    """The standard normal deviate of probability ``p`` in (0, 1): ``NormalDist().inv_cdf(p)`` exactly."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        x = _horner(_CENTRAL_NUM, r) * q / _horner(_CENTRAL_DEN, r)
        return 0.0 + x * 1.0  # NormalDist's mu + x * sigma for the standard normal (turns -0.0 into 0.0)
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        x = _horner(_NEAR_NUM, r) / _horner(_NEAR_DEN, r)
    else:
        r = r - 5.0
        x = _horner(_FAR_NUM, r) / _horner(_FAR_DEN, r)
    if q < 0.0:
        x = -x
    return 0.0 + x * 1.0


@numba.njit(cache=True)
def leg_noise_factors(uniforms: np.ndarray, sigma: float) -> np.ndarray:
    """Per leg, ``exp(sigma z - sigma^2 / 2)`` with ``z`` the deviate of its uniform (mean-one lognormal)."""
    out = np.empty(uniforms.shape[0])
    for i in range(uniforms.shape[0]):
        out[i] = math.exp(sigma * standard_normal_quantile(uniforms[i]) - 0.5 * sigma * sigma)
    return out
