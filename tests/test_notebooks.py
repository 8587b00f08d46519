"""The notebooks in ``notebooks/`` run from top to bottom and are committed clean.

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose working
directory is ``notebooks/`` (where Jupyter starts when a researcher opens the file
there); any cell error fails the test. A second check keeps the committed files free
of outputs and execution counts, so running a notebook locally and saving it does not
slip images and timings into the repository. After the run, a check cell executed in
the same kernel prints what the test compares with a value the notebook showed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT_S = 600


def _ensure_kernelspec(name: str = KERNEL) -> None:
    """Make sure the ``python3`` kernel spec exists, installing ipykernel's for this user if not.

    jupyter_client normally falls back to ipykernel's built-in spec, but some
    installations (a restricted ``KernelSpecManager`` or an ipykernel that is not on
    its path) report ``NoSuchKernel``; registering the spec for the current user is
    what ``python -m ipykernel install --user`` would do by hand.
    """
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--user", "--name", name],
            check=True,
            capture_output=True,
        )
        KernelSpecManager().get_kernel_spec(name)  # raises again if the install did not help


def _read(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


def test_notebooks_exist() -> None:
    """The README points at the quick-start notebook; an empty folder would test nothing."""
    assert (NOTEBOOK_DIR / "quickstart.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    """No outputs, no execution counts, and the kernel the test runs it with."""
    notebook = _read(path)
    assert notebook.metadata.get("kernelspec", {}).get("name") == KERNEL, f"{path.name}: kernelspec is not {KERNEL}"
    dirty = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have outputs or execution counts; clear them before committing "
        f"(e.g. jupyter nbconvert --clear-output --inplace {path.relative_to(ROOT)})"
    )


def _shown(notebook: nbformat.NotebookNode, marker: str) -> str:
    """What the first code cell whose source holds ``marker`` showed (its text outputs, HTML included)."""
    cell = next(c for c in notebook.cells if c.cell_type == "code" and marker in c.source)
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        data = output.get("data", {})
        parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


def _check_quickstart(notebook: nbformat.NotebookNode, values: dict) -> None:
    line = next(row for row in _shown(notebook, "kpis = result.summary").splitlines() if "logistics cost" in row)
    assert line.split()[-1] == f"{values['share']:.1%}"


def _check_upstream(notebook: nbformat.NotebookNode, values: dict) -> None:
    # The no-outage fill rate is drawn on the percent axis, like the outage's line (it was a 0-1 fraction).
    drawn, expected = values["drawn"], values["expected"]
    assert len(drawn) == len(expected) and all(abs(a - b) < 1e-9 for a, b in zip(drawn, expected, strict=True))
    assert min(drawn) > 50 and values["ylim"][1] > 90


def _check_sweep(notebook: nbformat.NotebookNode, values: dict) -> None:
    shown = _shown(notebook, 'share.pivot(')
    assert values["means"] and all(f"{mean:.1%}" in shown for mean in values["means"])


def _check_what_if(notebook: nbformat.NotebookNode, values: dict) -> None:
    assert _shown(notebook, "comparison.table.shape").strip() == str(tuple(values["shape"]))
    assert _shown(notebook, "a.last_mile.max_attempts, b").strip() == str(tuple(values["attempts"]))


# Per notebook: code run after its last cell (it prints one JSON line), and the comparison with what it showed.
CHECKS: dict[str, tuple[str, Callable[[nbformat.NotebookNode, dict], None]]] = {
    "quickstart.ipynb": ("print(json.dumps({'share': result.summary['last_mile_share']}))", _check_quickstart),
    "upstream.ipynb": (
        "_line = next(l for l in ax.get_lines() if l.get_label() == 'fill rate, no outage')\n"
        "print(json.dumps({'drawn': [float(v) for v in _line.get_ydata()], "
        "'expected': [100 * float(v) for v in days['fill_rate']], 'ylim': list(ax.get_ylim())}))", _check_upstream),
    "sweep.ipynb": ("print(json.dumps({'means': [float(v) for v in share['mean']]}))", _check_sweep),
    "what_if.ipynb": ("print(json.dumps({'shape': list(comparison.table.shape), "
                      "'attempts': [a.last_mile.max_attempts, b.last_mile.max_attempts]}))", _check_what_if),
}


def test_every_notebook_has_a_value_check() -> None:
    assert sorted(CHECKS) == sorted(p.name for p in NOTEBOOKS)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    """Every cell executes without error, with ``notebooks/`` as the working directory, and shows what it should."""
    _ensure_kernelspec()
    notebook = _read(path)
    code, check = CHECKS[path.name]
    notebook.cells.append(nbformat.v4.new_code_cell("import json\n" + code))
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        # The exception's text already holds the failing cell and its traceback.
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    printed = _shown(notebook, code)
    values = json.loads(re.findall(r"^\{.*\}$", printed, re.M)[-1])
    check(notebook, values)
