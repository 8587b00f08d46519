"""The last mile: a regional warehouse's courier depot, its vehicles, pickup points and carrier.

The regional warehouse needs two names from here: ``LastMileDepot``, the depot
it hands its picked parcels to, and ``promise_deadline_h``, the delivery promise
it stamps on every order.
"""

from sim.model.lastmile.depot import LastMileDepot
from sim.model.lastmile.promise import promise_deadline_h

__all__ = ["LastMileDepot", "promise_deadline_h"]
