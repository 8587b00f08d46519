"""The notebooks in ``notebooks/`` run from top to bottom and are committed clean.

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose working
directory is ``notebooks/`` (where Jupyter starts when a researcher opens the file
there); any cell error fails the test. A second check keeps the committed files free
of outputs and execution counts, so running a notebook locally and saving it does not
slip images and timings into the repository.
"""

from __future__ import annotations

import subprocess
import sys
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


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    """Every cell executes without error, with ``notebooks/`` as the working directory."""
    _ensure_kernelspec()
    notebook = _read(path)
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
