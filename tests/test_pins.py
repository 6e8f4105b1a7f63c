"""Pinned where it is patched: the exact versions, and the workarounds that depend on them.

* ``constraints.txt`` holds the exact version of every package of the environment (the
  project itself aside), ``make setup`` installs exactly it (tools/install_env.py: every
  package the project asks for pinned, ``pip check`` clean), and it is what is installed;
* every local extension in ``book/_ext`` that works around a package names the versions
  it was written for (``TARGETS``); when an installed version changes, this test fails and
  names the extension to check before the version is moved on.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path

import pytest

import install_env  # noqa: E402  (tools/ is on sys.path: see conftest.py)

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "book" / "_ext"
# the extensions that patch, replace or read another package's internals
WORKAROUNDS = {
    "solutiontoggle": {"sphinx-togglebutton"},  # replaces togglebutton's click handler
    "streamfix": {"myst-nb"},                   # monkeypatches myst_nb.core.render
    "strict": {"sphinx"},                       # reads Sphinx's private app._warncount
    "quietsite": {"sphinx-thebe", "sphinx-external-toc"},  # thebe's script; etoc's redirect
    "bookpdf": {"sphinx-book-theme"},           # the theme's download menu
}


_norm = install_env.norm


def constraints() -> dict[str, str]:
    """{normalized name: version} of constraints.txt, read as the set-up reads it."""
    return {name: pin.split("==", 1)[1]
            for name, pin in install_env.read_pins(ROOT / "constraints.txt").items()}


def _extension(name: str):
    spec = importlib.util.spec_from_file_location(f"_pins_{name}", EXT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_constraints_are_what_is_installed():
    project = _norm("dlf-lib")
    installed = {_norm(d.metadata["Name"]): d.version for d in distributions()}
    installed.pop(project, None)
    pins = constraints()
    assert project not in pins, "constraints.txt must not pin the project itself"
    wrong = {n: (v, installed.get(n)) for n, v in pins.items() if installed.get(n) != v}
    assert not wrong, ("constraints.txt differs from the environment (pinned, installed): "
                       f"{wrong}; run `make setup`, or update constraints.txt")
    missing = sorted(set(installed) - set(pins) - {"pip", "setuptools", "wheel"})
    assert not missing, f"installed but not in constraints.txt: {missing}"


def test_make_setup_installs_exactly_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "constraints.txt" in recipe.group(1), \
        "the set-up must run again when constraints.txt changes"
    assert "tools/install_env.py $(PY)" in recipe.group(2), recipe.group(2)
    others = [ln for ln in makefile.splitlines() if "pip install" in ln]
    assert not others, f"the Makefile installs outside tools/install_env.py: {others}"


def test_the_installer_installs_every_pin_once_the_cuda_stack_on_its_own():
    pins = install_env.read_pins(ROOT / "constraints.txt")
    heavy, rest = install_env.shares(pins)
    assert sorted(heavy + rest) == sorted(pins.values())
    names = {_norm(pin.split("==")[0]) for pin in heavy}
    assert {"torch", "triton"} <= names and all(n.startswith(("nvidia-", "cuda-")) for n in names - {"torch", "triton"})
    assert any(pin.startswith(("torchvision==", "d2l==", "setuptools==")) for pin in rest)


def test_everything_the_project_asks_for_is_pinned():
    assert install_env.unpinned(install_env.read_pins(ROOT / "constraints.txt")) == []
    asked = install_env.wanted()
    assert {"torch", "jupyter-book", "pytest", "zizmor", "matplotlib"} <= set(asked), asked


def test_the_installer_names_a_requirement_that_is_not_pinned(tmp_path):
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    with (tmp_path / "requirements.txt").open("a") as f:
        f.write("Rich-Click>=1.0  # a new tool\n")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pytest",', '"pytest",\n    "hypothesis",', 1))
    pins = install_env.read_pins(ROOT / "constraints.txt")
    assert install_env.unpinned(pins, tmp_path) == [
        "hypothesis (asked for in pyproject.toml [test])", "rich-click (asked for in requirements.txt)"]
    bad = tmp_path / "constraints.txt"
    bad.write_text("torch>=2\n")
    with pytest.raises(SystemExit, match="line 1: 'torch>=2' is not an exact pin"):
        install_env.read_pins(bad)


def test_pip_check_complaints_about_d2l_alone_are_expected():
    out = ("d2l 1.0.3 requires jupyter, which is not installed.\n"
           "d2l 1.0.3 has requirement numpy==1.23.5, but you have numpy 2.4.6.\n"
           "sphinx-togglebutton 0.4.5 requires wheel, which is not installed.\n")
    assert install_env.broken(out) == ["sphinx-togglebutton 0.4.5 requires wheel, which is not installed."]
    assert install_env.broken("No broken requirements found.\n") == []


def test_the_environment_passes_pip_check():
    """What tools/install_env.py checks after installing, on the environment the tests run in."""
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert install_env.broken(check.stdout + check.stderr) == []


def test_requirements_agree_with_the_constraints():
    pins = constraints()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if m:
            assert pins.get(_norm(m.group(1))) == m.group(2), line
    pyproject = (ROOT / "pyproject.toml").read_text()
    for name, ver in re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', pyproject):
        assert pins.get(_norm(name)) == ver, f"pyproject.toml pins {name}=={ver}"


@pytest.mark.parametrize("name", sorted(WORKAROUNDS))
def test_each_workaround_names_the_versions_it_targets(name):
    targets = _extension(name).TARGETS
    assert WORKAROUNDS[name] <= {_norm(t) for t in targets}, (
        f"book/_ext/{name}.py: TARGETS {targets} must name {WORKAROUNDS[name]}")
    changed = {}
    for dist, wanted in targets.items():
        try:
            have = version(dist)
        except PackageNotFoundError:
            have = None
        if have != wanted:
            changed[dist] = (wanted, have)
    assert not changed, (
        f"book/_ext/{name}.py was written for {targets}, installed now (written for, "
        f"installed): {changed}. Check that the workaround is still needed and still works "
        "(its docstring says what it fixes), then update TARGETS (and constraints.txt).")


def test_every_extension_that_imports_a_package_internal_is_listed():
    """A new monkeypatch (an assignment into another package's module) must be pinned too."""
    for path in sorted(EXT.glob("*.py")):
        text = path.read_text()
        patches = re.findall(r"^\s*([a-z_]+\.[A-Za-z_]+)\s*=\s*_", text, re.M)
        if patches:
            assert path.stem in WORKAROUNDS, f"{path.name} patches {patches}: add it to WORKAROUNDS"
