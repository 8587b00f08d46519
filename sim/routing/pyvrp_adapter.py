"""Route planning with PyVRP (``pip install pyvrp``; written against PyVRP 0.14).

``plan_pyvrp`` takes the same ``RoutingProblem`` as the heuristic
``sim.routing.heuristic.plan_heuristic`` and returns the same kind of ``Solution``,
measured the same way (``route_distance_km``, ``route_duration_h``). This module imports
pyvrp at load time; ``sim.routing`` only loads it when the PyVRP planner runs.

The model
---------
Built directly from PyVRP's data classes (``Location``, ``Depot``, ``Client``,
``VehicleType``, ``ProblemData``) -- the objects ``pyvrp.Model`` assembles too, minus its
per-call Python bookkeeping (``Model.add_client`` looks its location up by identity in a
list, ~0.2 s for 1,500 stops, and 2.25 million ``Model.add_edge`` calls for a full
1,500-stop matrix take seconds, longer than the solver budget):

* one depot at location 0 and one client per stop that can be served on its own (a stop
  too big for a van, out of range or unreachable within its window or the shift stays out
  of the model and is unassigned);
* load dimensions: volume in cm3; weight in grams when the problem has weights and a
  finite payload; and a stop counter (1 per client, capacity ``max_stops_per_route``) when
  the problem limits stops per route -- PyVRP has no per-route client limit, but a load
  dimension that every client fills by one is exactly that limit;
* time in integer seconds: service durations, window starts (``tw_early``) and ends
  (``tw_late``, PyVRP's latest start of service, which equals the planner's "arrive by the
  end" whenever the window opens before it closes);
* one vehicle type: ``num_available = max_routes``, ``capacity``, ``shift_duration =
  max_route_hours`` with no overtime, ``max_distance`` = range, and ``tw_early = start_late
  = 0`` so that routes leave the depot at 0 as in the problem's time model (otherwise
  PyVRP would start late instead of waiting, and the waits would not count in the
  duration);
* distance (metres) and duration (seconds) matrices over every ordered pair, from the same
  circuity x euclidean formula as the heuristic (stem speed on legs touching the depot,
  area speed elsewhere).

Rounding is conservative: costs (leg distances and durations, service times, demands,
window starts) are rounded up and limits (capacities, shift, range, window ends) down, so
a route that is feasible in PyVRP's integers is feasible in the planner's floats. Every
route is nevertheless re-checked with ``route_is_feasible``; should a route ever fail (a
floating-point tie at a limit), its offending stop -- the first one to miss its window,
otherwise the least urgent one -- is moved to ``unassigned`` until it passes.

Serving as many stops as possible, urgent ones first
----------------------------------------------------
If the heuristic serves every stop, the fleet is known to be large enough and every
client is required. Otherwise every client is optional with a prize between B and 2B:
2B for the most urgent priority level, falling linearly to B for the least urgent. B is
100 times the longest edge of the model, while dropping one stop saves at most twice the
longest edge, so leaving a servable stop out never pays (the solver serves as many as it
can), and a stop is swapped for a less urgent one only when that saves more than
B / (number of priority levels) of distance.

Never worse than the heuristic
------------------------------
The heuristic plan is computed first; it is PyVRP's initial solution (warm start), and
the final answer is whichever of the two plans serves more stops, then has fewer total
km (ties go to the heuristic).

Stopping and determinism
------------------------
PyVRP's ``MaxRuntime`` stops after a wall-clock time, so the number of iterations -- and
the plan -- depends on how fast the machine happens to be at that moment. Measured: the
same 150-stop problem and seed with ``MaxRuntime(0.3)`` ran 160, 24 and 234 iterations in
three calls on a loaded machine and the 24-iteration call returned a longer plan. A
simulation run must be reproducible from its seed, so the budget is converted to a fixed
iteration count instead (``MaxIterations``), calibrated on the CPU time per iteration (see
``_iterations``) so that the solver loop takes about ``time_budget_s`` on an idle
development machine; the same problem, budget and seed then always give the same plan
(checked: identical routes over repeated calls, with and without load). There is
deliberately no wall-clock cap on top of the iteration count: a cap that ever fires
makes the plan depend on the machine's load, which is what the iteration count is there
to prevent; a slower or busier machine takes proportionally longer but returns the same
plan. Wall time of one call = heuristic + building the data + PyVRP's neighbourhood
computation (~0.4 s at 1,500 stops) + about the budget.

Drone sorties (``max_stops_per_route == 1``) bypass the solver: every route is an
out-and-back trip, and the heuristic already serves as many stops as the fleet allows, the
most urgent first and, among equally urgent ones, the nearest -- the best possible plan.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from pyvrp import Client, Depot, Location, ProblemData, VehicleType
from pyvrp import Solution as PyVRPSolution
from pyvrp import solve as pyvrp_solve
from pyvrp.stop import MaxIterations, StoppingCriterion

from sim.routing.arrays import ProblemArrays
from sim.routing.builtin import plan_builtin
from sim.routing.problem import RoutingProblem
from sim.routing.schedule import route_arrival_times_h, route_distance_km, route_duration_h, route_is_feasible
from sim.routing.solution import Route, Solution

IntMatrix = npt.NDArray[np.int64]

# Integer units handed to PyVRP.
_S_PER_H = 3600  # seconds: the resolution of service times, windows and the shift
_M_PER_KM = 1000  # metres
_CM3_PER_M3 = 1_000_000  # volume; fine enough that rounding each stop up wastes no room
_G_PER_KG = 1000  # weight
# Window ends at or after this many hours count as open.
_OPEN_END_H = 1e6
# Prize of the least urgent stop, in units of the longest edge (see the module docstring).
_PRIZE_EDGES = 100
# CPU cost of one iterated-local-search iteration on the reference machine (one core of
# the 2-core AMD EPYC development container, PyVRP 0.14.1), in seconds: about
# a + b * clients. Measured with time.process_time (differences between 100 and 600
# iterations) on the benchmark's depot-days (benchmarks/bench_routing.py, 11 vans):
# 0.47 ms per iteration at 100 stops, 0.7 at 300, 1.1-1.6 at 600, 1.4-1.5 at 900, 1.6-2.4
# at 1,200, 3.1-3.5 at 1,500 (where the fleet is short and clients are optional), and
# 1.0 / 2.7-3.7 at 300 / 900 stops with 2-hour slots. The line is a middle fit; a call's
# solver loop takes roughly 0.6-1.6 times its budget.
_ITER_S_BASE = 0.3e-3
_ITER_S_PER_CLIENT = 2.0e-6


def _iterations(time_budget_s: float, n_clients: int) -> int:
    """Iterations that take about ``time_budget_s`` of CPU on the reference machine."""
    return max(1, round(time_budget_s / (_ITER_S_BASE + _ITER_S_PER_CLIENT * n_clients)))


def _stop_criterion(time_budget_s: float, n_clients: int) -> StoppingCriterion:
    """A fixed iteration count only: no wall-clock criterion, so the plan never depends on load."""
    return MaxIterations(_iterations(time_budget_s, n_clients))


def _ceil_int(values: npt.ArrayLike, unit: float) -> IntMatrix:
    return np.ceil(np.asarray(values, dtype=np.float64) * unit).astype(np.int64)


def _floor_limit(value: float, unit: float) -> int | None:
    """A limit in integer units (rounded down), or None when it is unbounded."""
    # Clamped below so that a nonsensical negative limit just makes everything infeasible.
    return math.floor(max(value, -1.0) * unit) if value < math.inf else None


class _IntegerData:
    """The problem in PyVRP's integer units; node 0 is the depot, node i + 1 is stop i."""

    def __init__(self, problem: RoutingProblem) -> None:
        arrays = ProblemArrays(problem)
        n = arrays.n
        if problem.travel_km is not None and problem.travel_h is not None:  # real roads: the matrices as given
            km = np.asarray(problem.travel_km, dtype=np.float64)
            hours = np.asarray(problem.travel_h, dtype=np.float64)
        else:
            km = arrays.local_distance(np.arange(n, dtype=np.intp))
            hours = arrays.time_matrix(km)
        self.distance = _ceil_int(km, _M_PER_KM)
        self.duration = _ceil_int(hours, _S_PER_H)
        self.service = _ceil_int(problem.stop_service_h, _S_PER_H)
        tw_start = np.zeros(n) if problem.stop_tw_start_h is None else np.asarray(problem.stop_tw_start_h, float)
        tw_end = np.full(n, math.inf) if problem.stop_tw_end_h is None else np.asarray(problem.stop_tw_end_h, float)
        self.tw_early = _ceil_int(np.maximum(tw_start, 0.0), _S_PER_H)
        # Open window ends (and absurdly late ones) become PyVRP's default "no end".
        closed = tw_end < _OPEN_END_H
        self.tw_late = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        self.tw_late[closed] = np.floor(tw_end[closed] * _S_PER_H).astype(np.int64)
        self.shift = _floor_limit(float(problem.max_route_hours), _S_PER_H)
        self.max_distance = _floor_limit(float(problem.max_route_km), _M_PER_KM)

        demands: list[IntMatrix] = []
        capacity: list[int] = []
        volume_cap = _floor_limit(float(problem.vehicle_capacity_m3), _CM3_PER_M3)
        if volume_cap is not None:
            demands.append(_ceil_int(problem.stop_volume_m3, _CM3_PER_M3))
            capacity.append(volume_cap)
        payload = _floor_limit(float(problem.vehicle_payload_kg), _G_PER_KG)
        if problem.stop_weight_kg is not None and payload is not None:
            demands.append(_ceil_int(problem.stop_weight_kg, _G_PER_KG))
            capacity.append(payload)
        if problem.max_stops_per_route is not None:
            demands.append(np.ones(n, dtype=np.int64))
            capacity.append(int(problem.max_stops_per_route))
        self.demand = np.stack(demands, axis=1) if demands else np.zeros((n, 0), dtype=np.int64)
        self.capacity = capacity

    def servable(self) -> npt.NDArray[np.bool_]:
        """Stops whose one-stop route is feasible in integers (hence also in floats)."""
        out_leg = self.duration[0, 1:]
        back = np.maximum(out_leg, self.tw_early) + self.service + self.duration[1:, 0]
        ok = (out_leg <= self.tw_late) & (self.demand <= np.asarray(self.capacity, dtype=np.int64)).all(axis=1)
        # A window that opens after it closes is fine in the planner's model (arrive by the
        # end, wait for the start) but not expressible in PyVRP, whose tw_late bounds the
        # start of service: such stops stay out of the model (the heuristic may serve them).
        ok &= self.tw_early <= self.tw_late
        if self.shift is not None:
            ok &= back <= self.shift
        if self.max_distance is not None:
            ok &= self.distance[0, 1:] + self.distance[1:, 0] <= self.max_distance
        return np.asarray(ok)


def _prizes(problem: RoutingProblem, clients: npt.NDArray[np.intp], longest_edge: int) -> IntMatrix:
    """Prize per client: 2B for the most urgent priority level down to B for the least urgent."""
    base = _PRIZE_EDGES * max(1, longest_edge)
    _, level = np.unique(np.asarray(problem.stop_priority)[clients], return_inverse=True)
    top = int(level.max()) if level.size else 0
    urgency = (top - level.astype(np.int64)) * base // max(1, top)
    return np.asarray(base + urgency, dtype=np.int64)


def _build_data(
    problem: RoutingProblem, ints: _IntegerData, clients: npt.NDArray[np.intp], required: bool
) -> ProblemData:
    """PyVRP problem data for the given stops (client c of the model is stop ``clients[c]``)."""
    nodes = np.concatenate(([0], clients + 1))
    distance = np.ascontiguousarray(ints.distance[np.ix_(nodes, nodes)])
    duration = np.ascontiguousarray(ints.duration[np.ix_(nodes, nodes)])
    prizes = _prizes(problem, clients, int(distance.max()))

    # Built from PyVRP's data classes directly: Model.add_client looks its location up by
    # identity in a Python list, which is quadratic (~0.2 s for 1,500 stops).
    depot_xy = np.asarray(problem.depot_xy, dtype=np.float64).reshape(-1)
    xy = np.asarray(problem.stop_xy, dtype=np.float64).reshape(-1, 2)
    locations = [Location(x=float(depot_xy[0]), y=float(depot_xy[1]))]
    locations += [Location(x=float(xy[stop, 0]), y=float(xy[stop, 1])) for stop in clients.tolist()]
    client_list = [
        Client(
            location=c + 1,
            delivery=ints.demand[stop].tolist(),
            service_duration=int(ints.service[stop]),
            tw_early=int(ints.tw_early[stop]),
            tw_late=int(ints.tw_late[stop]),
            prize=0 if required else int(prizes[c]),
            required=required,
        )
        for c, stop in enumerate(clients.tolist())
    ]
    unbounded = np.iinfo(np.int64).max
    vehicle = VehicleType(
        num_available=max(1, min(int(problem.max_routes), int(clients.shape[0]))),
        capacity=list(ints.capacity),
        tw_early=0,
        start_late=0,
        shift_duration=unbounded if ints.shift is None else ints.shift,
        max_distance=unbounded if ints.max_distance is None else ints.max_distance,
    )
    # PyVRP's stub types the matrices as ``np.ndarray[int]``, which numpy's own typing
    # does not produce; any int64 array is what it wants at runtime.
    distances: list[Any] = [distance]
    durations: list[Any] = [duration]
    return ProblemData(locations, client_list, [Depot(location=0)], [vehicle], distances, durations)


def _repair(problem: RoutingProblem, stops: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Drop stops until the route passes the exact float check (see the module docstring).

    The dropped stops end up unassigned because ``_to_solution`` derives ``unassigned`` from
    what the routes serve.
    """
    prio = np.asarray(problem.stop_priority)
    while stops.size and not route_is_feasible(problem, stops):
        worst = int(np.argmax(prio[stops]))
        if problem.stop_tw_end_h is not None:
            late = np.flatnonzero(route_arrival_times_h(problem, stops) > np.asarray(problem.stop_tw_end_h)[stops])
            if late.size:
                worst = int(late[0])
        stops = np.delete(stops, worst)
    return stops


def _to_solution(problem: RoutingProblem, solution: PyVRPSolution, clients: npt.NDArray[np.intp]) -> Solution:
    """Routes of a PyVRP solution as our ``Solution``, re-measured and re-checked in floats."""
    n = problem.num_stops
    volume = np.asarray(problem.stop_volume_m3, dtype=np.float64)
    routes: list[Route] = []
    for route in solution.routes():
        visits = [activity.idx for activity in route if activity.is_client()]
        stops = _repair(problem, clients[np.asarray(visits, dtype=np.intp)])
        if stops.size == 0:
            continue
        routes.append(
            Route(
                stops=stops.astype(np.intp),
                distance_km=route_distance_km(problem, stops),
                duration_h=route_duration_h(problem, stops),
                load_m3=float(volume[stops].sum()),
            )
        )
    served = np.zeros(n, dtype=bool)
    for r in routes:
        served[r.stops] = True
    unassigned = np.flatnonzero(~served).astype(np.intp)
    return Solution(routes=tuple(routes), unassigned=unassigned, pricing=problem.pricing)


def plan_pyvrp(problem: RoutingProblem, time_budget_s: float, seed: int) -> Solution:
    """Plan courier routes with PyVRP (see the module docstring for the model).

    ``time_budget_s`` is the solver's budget (converted to a fixed iteration count, so the
    result depends only on the problem, the budget and ``seed``); the heuristic and the
    model building come on top. Same guarantees as ``plan_heuristic`` (every route passes
    ``route_is_feasible``, at most ``max_routes`` routes, every stop in exactly one route
    or ``unassigned``), and the plan is never worse than ``plan_heuristic(problem)``: it
    serves at least as many stops and, serving as many, has no more total km.
    """
    if not time_budget_s > 0.0:
        raise ValueError(f"time_budget_s must be positive, got {time_budget_s}")
    heuristic = plan_builtin(problem)
    n = problem.num_stops
    max_stops = problem.max_stops_per_route
    if n == 0 or int(problem.max_routes) <= 0 or (max_stops is not None and int(max_stops) <= 1):
        return heuristic

    ints = _IntegerData(problem)
    clients = np.flatnonzero(ints.servable()).astype(np.intp)
    if clients.size == 0:
        return heuristic
    required = heuristic.unassigned.size == 0 and clients.size == n
    data = _build_data(problem, ints, clients, required)

    # Warm start from the heuristic (in client numbering; stops outside the model dropped).
    client_of = np.full(n, -1, dtype=np.intp)
    client_of[clients] = np.arange(clients.size)
    start_routes = [c[c >= 0].tolist() for c in (client_of[r.stops] for r in heuristic.routes)]
    initial = PyVRPSolution(data, [r for r in start_routes if r])

    result = pyvrp_solve(
        data,
        stop=_stop_criterion(time_budget_s, int(clients.size)),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=initial,
    )
    if not result.best.is_feasible():
        return heuristic
    candidate = _to_solution(problem, result.best, clients)
    served, served_h = candidate.num_served, heuristic.num_served
    if served > served_h or (served == served_h and candidate.distance_km < heuristic.distance_km):
        return candidate
    return heuristic
