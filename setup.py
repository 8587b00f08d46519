"""Build hook: the wheel carries the scenarios, the notebooks and the LICENSE as package data (``sim/_data``).

They live at the top of the repository, where a checkout uses them; setuptools
cannot map folders outside the package into it declaratively, so ``build_py``
copies them in. Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# (source under the repository, patterns): what `sim init` writes and the README's examples use.
SHIPPED = (("scenarios", ("**/*.toml", "*.schema.json", "**/data/*.csv", "**/data/*.geojson")),
           ("notebooks", ("*.ipynb",)), (".", ("LICENSE",)))


class BuildWithData(build_py):
    """``build_py`` that also copies the shipped files into ``sim/_data`` of the build."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "sim" / "_data"
        for folder, patterns in SHIPPED:
            for pattern in patterns:
                for source in sorted((HERE / folder).glob(pattern)):
                    if ".ipynb_checkpoints" in source.parts:
                        continue
                    destination = target / source.relative_to(HERE)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithData})
