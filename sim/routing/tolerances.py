"""Numerical tolerances shared by the heuristic's construction, local search and insertion."""

# A move must gain more than this (km, or h on the time matrix) to be applied; it keeps
# the local search from chasing floating-point noise and guarantees termination.
IMPROVE_EPS = 1e-9
# Incremental duration checks (NN tour sums, insertion deltas) add up legs in a different
# order than ``route_duration_h``; this margin (3.6 ms) keeps them on the safe side.
SLACK_H = 1e-9
# The same margin for incremental range checks, in km.
SLACK_KM = 1e-9
