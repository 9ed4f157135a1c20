"""environment.yml (conda route) and pyproject.toml (pip route) must list the same packages."""

from __future__ import annotations

import re
import sys

import yaml

from qzanalysis import paths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# pip and conda-forge spell a few packages differently.
CONDA_TO_PIP = {"pyyaml": "pyyaml"}
NOT_PACKAGES = {"python", "pip"}


def _split(req: str) -> tuple[str, str]:
    """'pandas>=2.1  # why' -> ('pandas', '>=2.1')."""
    req = req.split(";")[0].split("#")[0].strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, f"cannot read requirement {req!r}"
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    return CONDA_TO_PIP.get(name, name), m.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    out: dict[str, str] = {}
    for req in reqs:
        if "python_version" in req:  # backports for old Pythons have no conda counterpart
            continue
        name, spec = _split(req)
        out[name] = spec
    return out


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "conda-forge" in env["channels"]
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e"):
                continue
            name, spec = _split(
                item.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", item) else item
            )
            if name not in NOT_PACKAGES:
                out[name] = spec
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject():
    pip_side = _pyproject_requirements()
    conda_side = _environment_requirements()
    assert sorted(set(pip_side) - set(conda_side)) == [], (
        "in pyproject.toml but not environment.yml"
    )
    assert sorted(set(conda_side) - set(pip_side)) == [], (
        "in environment.yml but not pyproject.toml"
    )


def test_environment_yml_uses_the_same_version_bounds():
    pip_side = _pyproject_requirements()
    conda_side = _environment_requirements()
    differing = {
        n: (pip_side[n], conda_side[n]) for n in pip_side if pip_side[n] != conda_side.get(n)
    }
    assert differing == {}


def test_environment_yml_installs_the_package_itself():
    text = (paths.ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "-e ." in text


def test_design_card_packages_are_dependencies():
    pip_side = _pyproject_requirements()
    for name in (
        "jupyterlab",
        "pandas",
        "seaborn",
        "statsmodels",
        "papermill",
        "nbconvert",
        "ipykernel",
        "pyyaml",
    ):
        assert name in pip_side


def test_citation_file_and_licence_are_in_step_with_the_package():
    """CITATION.cff parses, names the package's version and licence; LICENSE says what it
    does not cover (the documents)."""
    from qzanalysis import __version__

    root = paths.ROOT
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == __version__
    assert cff["license"] == "MIT" and cff["title"].startswith("qzanalysis")
    licence = (root / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "data/raw/" in licence
