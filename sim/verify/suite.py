"""The built-in checks: importing their modules registers them (the order here is the order of the report)."""

from sim.verify import baseline, inventory, lastmile, queueing, routing
from sim.verify.checks import RegisteredCheck, registry

BUILT_IN = (queueing, inventory, lastmile, routing, baseline)
# The report's order: the model's elements first, the baseline against published figures last.
ORDER = ("picking_erlang_c", "inventory_theory", "failed_attempts_geometric", "little_parcels", "routing_bhh",
         "baseline_bands")


def registered_checks() -> list[RegisteredCheck]:
    """Every registered check: the built-in ones in ``ORDER``, then any registered since, as registered."""
    checks = registry()
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(checks, key=lambda c: rank.get(c.name, len(ORDER)))  # stable: added checks keep their order
