"""The baseline's report.html in a real browser: headless Chromium loads it without console errors and shows
the headline numbers of the run's summary.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim import RunResult
from sim.output import write_run

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
MAX_REPORT_BYTES = 5 * 2**20


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(f"no headless browser ({', '.join(BROWSERS)}) on PATH; .ci/run installs Debian's chromium")


def load_in_browser(page: Path) -> tuple[str, list[str]]:
    """The DOM after Chromium ran the page, and every console message it logged (errors included)."""
    done = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--host-resolver-rules=MAP * ~NOTFOUND",  # a page that fetched anything would log a failed load
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def baseline_folder(tmp_path_factory: pytest.TempPathFactory, baseline_result: RunResult) -> Path:
    return write_run(baseline_result, tmp_path_factory.mktemp("report"))


def test_console_check_sees_errors(tmp_path: Path) -> None:
    """The check below would notice a broken page: a console error and an uncaught exception are both caught."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><script>console.error("boom"); missing_function();</script></body></html>')
    _, console = load_in_browser(page)
    assert any('"boom"' in line for line in console)
    assert any("Uncaught ReferenceError" in line for line in console)


def test_baseline_report_in_chromium(baseline_folder: Path) -> None:
    """No console message at all (the page has no script), and each headline figure is the summary's."""
    dom, console = load_in_browser(baseline_folder / "report.html")
    assert console == []
    summary = json.loads((baseline_folder / "summary.json").read_text())

    def card(card_id: str) -> str:
        match = re.search(rf'id="{card_id}".*?class="value">([^<]*)<', dom, re.S)
        assert match, f"no headline card {card_id}"
        return match.group(1)

    assert card("last-mile-share") == f"{100 * summary['last_mile_share']:.1f} %"
    assert card("on-time") == f"{100 * summary['service']['on_time_rate']:.1f} %"
    assert card("first-attempt") == f"{100 * summary['first_attempt_success_rate']:.1f} %"
    assert card("cost-per-parcel") == f"{summary['cost_per_parcel']['total']:,.2f} USD"
    assert card("co2e") == f"{summary['co2e_kg']['per_parcel']['total']:.3g} kg"
    assert card("parcels") == f"{summary['parcels']['ordered']:,}"
    # The cost-by-stage table holds every stage's cost per parcel, and the charts are inline SVG.
    for stage in ("factory_to_central", "regional_warehouse", "last_mile"):
        assert f"{summary['cost_per_parcel'][stage]:,.2f} USD" in dom
    assert dom.count("<svg") >= 6


def test_baseline_report_is_self_contained_and_small(baseline_folder: Path) -> None:
    """One file under 5 MB that references nothing outside itself (no src/href/url to another file or host)."""
    page = baseline_folder / "report.html"
    assert page.stat().st_size < MAX_REPORT_BYTES
    html = page.read_text()
    assert not re.search(r'(?:src|href)\s*=\s*"(?!#)', html), "the page links to another file or host"
    assert not re.search(r"url\((?!#)", html)
    assert "<script" not in html
