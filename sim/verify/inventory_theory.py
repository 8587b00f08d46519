"""Exact fill rate and mean on hand of inventory policies under Poisson demand and a fixed lead time.

D(t) is the demand over t days, Poisson(rate x t). With backorders:

* base-stock S, continuous review: on hand = (S - D(L))+, so the fill rate
  (share of demand served from stock at once) is P(D(L) <= S - 1) and the mean
  on hand is E[(S - D(L))+];
* (r, Q), continuous review: the position is uniform on {r + 1, ..., r + Q} and
  on hand = (position - D(L))+ averaged over it (Hadley & Whitin 1963; Zipkin,
  *Foundations of Inventory Management*, 2000, ch. 6);
* order-up-to S reviewed every T days: at time u after a review (u uniform on
  [L, L + T)) on hand = (S - D(u))+, so both measures are averages over u (the
  fill rate by PASTA);
* (s, S) reviewed once a day: the position after a review is a Markov chain on
  {s + 1, ..., S} (it drops by a day's demand and is raised to S when at or
  below s); the measures are the order-up-to ones averaged over its stationary law;
* base-stock S, continuous review, lost sales: the outstanding orders are an
  M/D/S/S loss system, so the fill rate is 1 - ErlangB(S, rate x L) and the mean
  on hand is S - rate x L x (1 - ErlangB).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, stats


def base_stock(level: int, rate: float, lead: float) -> tuple[float, float]:
    """Fill rate P(D <= S-1) and E[(S - D)+], D ~ Poisson(rate x lead)."""
    d = np.arange(level + 1)
    pmf = stats.poisson.pmf(d, rate * lead)
    return float(stats.poisson.cdf(level - 1, rate * lead)), float(((level - d) * pmf).sum())


def rq(r: int, q: int, rate: float, lead: float) -> tuple[float, float]:
    """Base-stock results averaged over the position, uniform on r+1..r+Q."""
    results = np.array([base_stock(position, rate, lead) for position in range(r + 1, r + q + 1)])
    fill, on_hand = results.mean(axis=0)
    return float(fill), float(on_hand)


def periodic(level: int, period: int, rate: float, lead: float) -> tuple[float, float]:
    """Order-up-to S every T days: base-stock results with the demand horizon u uniform on [L, L+T)."""
    span = (lead, lead + period)
    fill = integrate.quad(lambda u: base_stock(level, rate, u)[0], *span, epsabs=1e-10)[0]
    on_hand = integrate.quad(lambda u: base_stock(level, rate, u)[1], *span, epsabs=1e-10)[0]
    return fill / period, on_hand / period


def s_s_positions(s: int, big_s: int, rate: float) -> np.ndarray:
    """Stationary law of the position after a daily (s, S) review, on s+1..S (index 0 is s+1)."""
    states = np.arange(s + 1, big_s + 1)
    n = len(states)
    transition = np.zeros((n, n))
    for i, position in enumerate(states):
        for j, after in enumerate(states[: i + 1]):
            transition[i, j] += stats.poisson.pmf(position - after, rate)
        transition[i, n - 1] += stats.poisson.sf(position - s - 1, rate)  # P(D >= position - s): order up to S
    # pi P = pi with sum(pi) = 1, solved as a least-squares system (exactly determined, well conditioned).
    system = np.vstack([transition.T - np.eye(n), np.ones(n)])
    rhs = np.zeros(n + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return np.asarray(pi)


def s_s(s: int, big_s: int, rate: float, lead: float) -> tuple[float, float]:
    """(s, S) reviewed daily: the one-day order-up-to results averaged over the stationary position."""
    pi = s_s_positions(s, big_s, rate)
    results = np.array([periodic(position, 1, rate, lead) for position in range(s + 1, big_s + 1)])
    fill, on_hand = pi @ results
    return float(fill), float(on_hand)


def lost_sales_base_stock(level: int, rate: float, lead: float) -> tuple[float, float]:
    """Erlang loss: fill 1 - B(S, a), mean on hand S - a (1 - B), a = rate x lead."""
    load = rate * lead
    blocking = 1.0
    for servers in range(1, level + 1):  # the stable recursion B(n) = a B(n-1) / (n + a B(n-1))
        blocking = load * blocking / (servers + load * blocking)
    return 1.0 - blocking, level - load * (1.0 - blocking)
