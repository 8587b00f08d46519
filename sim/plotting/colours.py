"""Colours shared by the run figures, so a leg or a disruption kind looks the same in every plot."""

LEG_COLOURS = {"upstream": "#4C72B0", "last_mile": "#DD8452"}
DISRUPTION_COLOURS = {"factory_outage": "#C44E52", "linehaul_delay": "#CCB974", "warehouse_closure": "#8172B3",
                      "demand_surge": "#55A868"}
OTHER_COLOUR = "#8C8C8C"
