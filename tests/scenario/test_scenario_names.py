"""One rule for names that become folders: the schema, the sweep reader and the run writer refuse the same names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.experiments.spec import load_sweep
from sim.output.folders import check_name
from sim.scenario import load_scenario
from sim.scenario.names import NAME_ALLOWED, is_safe_name
from tests.conftest import BASELINE, ROOT

UNSAFE = ["", ".", "..", ".hidden", "../up", "a/b", "a\\b", "nul\x00", "tab\there", "x" * 101, "é"]
SAFE = ["baseline", "a.b", "run-2_b", "x" * 100, "-dash", "_under"]


@pytest.mark.parametrize("name", UNSAFE)
def test_validate_refuses_what_a_run_refuses(name: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(BASELINE, [f'name="{name}"' if "\\" not in name else f"name='{name}'"])
    message = str(error.value)
    assert message.startswith(f"{BASELINE}: name = ") and message.endswith(NAME_ALLOWED) and "\n" not in message
    with pytest.raises(ScenarioError, match="allowed: 1 to 100 letters"):
        check_name(name, "s.toml: name")


@pytest.mark.parametrize("name", SAFE)
def test_safe_names_pass_everywhere(name: str) -> None:
    assert load_scenario(BASELINE, [f"name={name}"]).name == name
    assert check_name(name, "s.toml: name") == name and is_safe_name(name)


def _sweep(tmp_path: Path, file_name: str, name_line: str) -> Path:
    path = tmp_path / file_name
    path.write_text(f'{name_line}\nscenario = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
                    'set = ["horizon.warmup_days=1", "horizon.days=2"]\n'
                    '[factors]\n"last_mile.max_attempts" = [1, 2]\n')
    return path


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b"])
def test_a_sweep_name_follows_the_rule(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_sweep(_sweep(tmp_path, "ok.toml", f'name = "{name}"'))
    assert str(error.value) == f"{tmp_path / 'ok.toml'}: name = {name!r}: {NAME_ALLOWED}"


def test_a_sweep_named_after_an_unsafe_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"\.hidden\.toml: name: none given, and the file name's '\.hidden'"):
        load_sweep(_sweep(tmp_path, ".hidden.toml", ""))
    assert load_sweep(_sweep(tmp_path, "plain.toml", "")).name == "plain"
    assert load_sweep(_sweep(tmp_path, ".hidden.toml", 'name = "named"')).name == "named"
