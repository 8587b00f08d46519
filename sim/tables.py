"""The tables of a run: its records exported as pandas DataFrames (the CSV files and ``RunResult``'s tables).

Nothing here computes a KPI: the parcel table's service columns come from
``sim.metrics.parcel_service_columns``, and the summary is built from these
tables by ``sim.metrics.summarize_run``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.metrics import parcel_service_columns
from sim.metrics.parcels import DELIVERED_VIA
from sim.records import (
    FINAL_STATE,
    INVENTORY_COLUMNS,
    OCCURRENCE_COLUMNS,
    ROUTE_COLUMNS,
    STORE_ORDER_COLUMNS,
    STORE_SALES_COLUMNS,
    TRAIL_COLUMNS,
    TRIP_COLUMNS,
    ParcelState,
    RunRecords,
    TrailEvent,
    rows_to_frame,
)
from sim.scenario.schema import Scenario


def run_tables(records: RunRecords, scenario: Scenario, parcels: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every table of a run, by name.

    ``parcels`` is the parcel table when it was collected while the run handed
    its parcels on (``ParcelTable``); by default it is built from the store.
    ``store_sales`` and ``store_orders`` exist only when the run has shops,
    ``trail`` only when the parcel trail is kept, and ``disruptions`` only when
    the scenario has disruptions.
    """
    tables = {
        "ledger": records.ledger.to_frame(),
        "emissions": records.emissions.to_frame().rename(columns={"amount": "co2e_kg"}),
        "parcels": parcel_frame(records, scenario) if parcels is None else parcels,
        "routes": rows_to_frame(records.routes, ROUTE_COLUMNS).sort_values(["depart_h", "route_id"],
                                                                           ignore_index=True),
        "trips": rows_to_frame(records.trips, TRIP_COLUMNS),
        "inventory": rows_to_frame(records.inventory, INVENTORY_COLUMNS),
    }
    if records.has_stores:
        tables["store_sales"] = rows_to_frame(records.store_sales, STORE_SALES_COLUMNS)
        tables["store_orders"] = rows_to_frame(records.store_orders, STORE_ORDER_COLUMNS)
    if records.trail is not None:
        tables["trail"] = trail_frame(records.trail)
    if records.disruptions is not None:
        tables["disruptions"] = pd.DataFrame(records.disruptions, columns=list(OCCURRENCE_COLUMNS))
    return tables


def trail_frame(trail: list[tuple[int, float, int]]) -> pd.DataFrame:
    """The parcel tracking trail, one row per event, sorted by parcel and time; events by name."""
    frame = pd.DataFrame.from_records(trail, columns=list(TRAIL_COLUMNS))
    names = pd.Index([e.name.lower() for e in TrailEvent])
    frame["event"] = pd.Categorical.from_codes(frame["event"].to_numpy(dtype=np.int64), categories=names)
    return frame.sort_values(["parcel_id", "time_h"], kind="stable", ignore_index=True)


def parcel_frame(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """One row per parcel still in the store: where it ended up, attempts, lead time, service and cost."""
    p = records.parcels
    columns = {name: p.view(name) for name in p.cols}
    return parcel_rows_frame(np.arange(p.handed_on, p.size), columns, scenario, records.product_names,
                             records.warmup_end_h, records.end_h)


class ParcelTable:
    """A parcel-store sink that turns the rows handed on into pieces of the parcel table, for its consumers.

    ``consumers`` get every piece (the summary's KPIs); ``table_consumers`` the
    rows the scenario's ``outputs.parcels`` keeps: all, a sample, or none. The
    pieces, concatenated and sorted by parcel id, are the table
    ``parcel_frame`` builds for the whole run. They come in id order, except the
    parked parcels (``ParcelStore``), which come with the last piece.
    """

    def __init__(self, scenario: Scenario, product_names: list[str], start_h: float, end_h: float) -> None:
        self._scenario = scenario
        self._product_names = product_names
        self._window = (start_h, end_h)
        self.consumers: list[Callable[[pd.DataFrame], None]] = []
        self.table_consumers: list[Callable[[pd.DataFrame], None]] = []
        self.rows = 0
        self._no_rows: pd.DataFrame | None = None  # what "none" gives the table consumers, built once

    def __call__(self, ids: np.ndarray, rows: dict[str, np.ndarray]) -> None:
        """Turn the store's rows of parcels ``ids`` into a piece of the table and give it to the consumers."""
        piece = parcel_rows_frame(ids, rows, self._scenario, self._product_names, *self._window)
        self.rows += len(piece)
        for consume in self.consumers:
            consume(piece)
        outputs = self._scenario.outputs
        if outputs.parcel_table == "none":
            if self._no_rows is None:
                self._no_rows = _no_rows(piece)
            piece = self._no_rows
        elif outputs.parcel_table == "sample":
            piece = piece[in_sample(rows["key"], outputs.sample_rate)].reset_index(drop=True)
        for consume in self.table_consumers:
            consume(piece)


def _no_rows(piece: pd.DataFrame) -> pd.DataFrame:
    """An empty table with ``piece``'s columns and dtypes that shares no memory with it.

    A slice or a copy would not do: Arrow-backed string columns are immutable, so
    pandas shares their buffers, and every chunk's strings would stay alive.
    """
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in piece.dtypes.items()})


# Mixed into the key so the sample is independent of the model's draws from the same key.
_SAMPLE_SALT = np.uint64(0x9E3779B97F4A7C15)


def in_sample(keys: np.ndarray, rate: float) -> np.ndarray:
    """Whether each parcel is in the sample: a uniform in [0, 1) from its key (splitmix64) below ``rate``.

    The same parcel is in the sample whatever the chunking, the run length or
    the other parcels, so a sample is reproducible and a larger rate holds a smaller one.
    """
    with np.errstate(over="ignore"):
        x = keys.astype(np.uint64) ^ _SAMPLE_SALT
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53 < rate


class KeptPieces:
    """A consumer that keeps the pieces, to give the whole table at the end (small runs)."""

    def __init__(self) -> None:
        self._pieces: list[pd.DataFrame] = []

    def __call__(self, piece: pd.DataFrame) -> None:
        """Keep one more piece."""
        self._pieces.append(piece)

    def frame(self) -> pd.DataFrame:
        """The pieces as one table in id order (the store hands on at least one piece, empty without parcels)."""
        frame = self._pieces[0] if len(self._pieces) == 1 else pd.concat(self._pieces, ignore_index=True)
        if not frame["parcel_id"].is_monotonic_increasing:
            frame = frame.sort_values("parcel_id", ignore_index=True)
        return frame


# What pandas makes of a column of Python strings: its string dtype ("str", Arrow-backed, in pandas 3) or object.
_STRING_DTYPE = pd.Series(["x"]).dtype
_STRINGS_ARE_OBJECTS = pd.api.types.is_object_dtype(_STRING_DTYPE)


def labels(names: Sequence[str], codes: np.ndarray) -> Any:
    """The column ``names[codes]`` with the dtype pandas gives strings, built without a Python string per row.

    Arrow's take of a small dictionary is several times faster than pandas converting
    an array of strings, and gives the same column (values, dtype and Arrow type).
    """
    if _STRINGS_ARE_OBJECTS:
        return np.asarray(names, dtype=object)[codes]
    taken = pa.array(list(names), type=pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64)))
    return pd.array(taken, dtype=_STRING_DTYPE)


def parcel_rows_frame(
    ids: np.ndarray, columns: Mapping[str, np.ndarray], scenario: Scenario, product_names: list[str],
    start_h: float, end_h: float,
) -> pd.DataFrame:
    """The parcel table's rows for parcels ``ids``, from the store's columns of those parcels."""
    state = columns["state"]
    names = [r.name for r in scenario.regional_warehouses]
    kinds = [r.area.kind for r in scenario.regional_warehouses]
    regional = columns["regional"]
    final = [FINAL_STATE[ParcelState(s)] for s in range(len(ParcelState))]
    detail = [s.name.lower() for s in ParcelState]
    service = parcel_service_columns(columns, start_h, end_h)
    # Vehicle type that made the last attempt: vehicle numbers are per depot, so each depot's
    # types get their own block of codes after the "" of a parcel never attempted (vehicle -1).
    unit_types = [""]
    first_code = []
    for warehouse in scenario.regional_warehouses:
        first_code.append(len(unit_types))
        unit_types += [u.type for u in warehouse.fleet.units]
    vehicle = columns["vehicle"].astype(np.int64)
    vehicle_code = np.where(vehicle >= 0, np.asarray(first_code, dtype=np.int64)[regional] + vehicle, 0)
    slots = columns["slot"]
    return pd.DataFrame(
        {
            "parcel_id": ids.astype(np.int64),
            "regional": pd.Categorical.from_codes(regional.astype(np.int64), categories=pd.Index(names)),
            "area_kind": labels(kinds, regional),
            "product": pd.Categorical.from_codes(
                columns["product"].astype(np.int64), categories=pd.Index(product_names)
            ),
            "order_time_h": columns["order_time_h"],
            "in_window": service["in_window"],
            "state": labels(final, state),
            "detail_state": labels(detail, state),
            "delivered_via": labels(DELIVERED_VIA.tolist(), service["delivered_via_code"]),
            "attempts": columns["attempts"].astype(np.int64),
            "first_attempt_success": columns["first_attempt_success"],
            "backordered": columns["backordered"],
            "days_waited": columns["days_waited"].astype(np.int64),
            "picked_time_h": columns["picked_time_h"],
            "first_out_time_h": columns["first_out_time_h"],
            "delivered_time_h": columns["delivered_time_h"],
            "lead_time_h": service["lead_time_h"],
            "promise_h": columns["promise_h"],
            "pickup_point": columns["pickup_point"].astype(np.int64),
            "pickup_handover_h": columns["pickup_handover_h"],
            "available_time_h": service["available_time_h"],
            "on_time": service["on_time"],
            "lateness_h": service["lateness_h"],
            "chose_pickup": columns["chose_pickup"],
            "outsourced": columns["outsourced"],
            "same_day": columns["same_day"],
            "slot": slots.astype(np.int64),
            "slot_kept": np.where(slots >= 0, columns["slot_kept"], -1).astype(np.int64),
            "vehicle_type": labels(unit_types, vehicle_code),
            "route_id": columns["route"].astype(np.int64),
            "weight_kg": columns["weight_kg"],
            "x_km": columns["x_km"],
            "y_km": columns["y_km"],
            "volume_m3": columns["volume_m3"],
            "pick_pack_cost": columns["pick_pack_cost"],
            "last_mile_cost": columns["last_mile_cost"],
            "failed_attempt_cost": columns["failed_attempt_cost"],
            "pickup_point_cost": columns["pickup_point_cost"],
            "return_cost": columns["return_cost"],
            "outsourced_cost": columns["outsourced_cost"],
            "co2e_kg": columns["co2e_kg"],
        },
        copy=True,  # the store's rows are views, and their memory is released once handed on
    )
