"""`make test` installs the system packages it needs (tools/system_package.sh), or says
exactly what to run, before any test starts."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "system_package.sh"


def fake_bin(tmp_path, uid, installed=False, sudo_ok=False):
    """A PATH with stand-ins for dpkg-query, id, sudo and apt-get that log their calls."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "calls.log"
    tools = {
        "dpkg-query": f'echo dpkg-query "$@" >> {log}; '
                      + ('printf "install ok installed"' if installed else "exit 1"),
        "id": f'echo {uid}',
        "sudo": f'echo sudo "$@" >> {log}; ' + ('[ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; '
                                                  'exec "$@"' if sudo_ok else "exit 1"),
        "apt-get": f'echo apt-get "$@" >> {log}',
    }
    for name, body in tools.items():
        (bin_ / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_ / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_}:/usr/bin:/bin"}
    return env, log


def run(env):
    return subprocess.run(["bash", str(SCRIPT), "chromium", "the browser tests"], env=env,
                          text=True, capture_output=True)


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_installed_package_is_left_alone(tmp_path):
    env, log = fake_bin(tmp_path, uid=0, installed=True)
    done = run(env)
    assert done.returncode == 0, done.stderr
    assert not [c for c in calls(log) if c.startswith("apt-get")]


def test_root_installs_the_missing_package_with_apt(tmp_path):
    env, log = fake_bin(tmp_path, uid=0)
    done = run(env)
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y -qq chromium" in calls(log)
    assert "Installing Debian's chromium (for the browser tests)" in done.stdout


def test_passwordless_sudo_installs_it_too(tmp_path):
    env, log = fake_bin(tmp_path, uid=1000, sudo_ok=True)
    done = run(env)
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y -qq chromium" in calls(log)


def test_without_rights_it_stops_with_the_command_to_run(tmp_path):
    env, log = fake_bin(tmp_path, uid=1000, sudo_ok=False)
    done = run(env)
    assert done.returncode == 1
    assert "sudo apt-get install -y chromium" in done.stderr
    assert "the browser tests" in done.stderr
    assert not [c for c in calls(log) if c.startswith("apt-get")]


@pytest.mark.parametrize("target, needs", [("test", "browser"), ("test", "data"),
                                           ("book", "data")])
def test_make_targets_set_themselves_up(target, needs):
    rules = {line.split(":", 1)[0]: line.split(":", 1)[1].split()
             for line in (ROOT / "Makefile").read_text().splitlines()
             if line and not line[0].isspace() and ":" in line and not line.startswith((".", "#"))
             and "=" not in line.split(":", 1)[0]}
    assert needs in rules[target], f"make {target} does not depend on {needs}: {rules[target]}"
    assert "system_package.sh chromium" in (ROOT / "Makefile").read_text()


def test_make_stops_on_an_old_python_with_a_clear_message(tmp_path):
    """`make PYTHON=<a Python 3.9>` stops before creating anything and says what to use."""
    fake = tmp_path / "python3.9"
    fake.write_text('#!/bin/bash\n[ "$1" = -c ] || exit 99\n'
                    'exec python3 -c "import sys; sys.version_info = (3, 9, 18); '
                    'sys.version = \'3.9.18 (fake)\'; exec(sys.argv[1])" "$2"\n')
    fake.chmod(0o755)
    done = subprocess.run(["make", "-s", "python", f"PYTHON={fake}"], cwd=ROOT, text=True,
                          capture_output=True)
    assert done.returncode != 0
    assert "needs Python 3.11 or newer" in done.stderr and "3.9.18" in done.stderr
    ok = subprocess.run(["make", "-s", "python"], cwd=ROOT, text=True, capture_output=True)
    assert ok.returncode == 0, ok.stderr


def _pyproject():
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_dependency_groups_keep_lib_lean():
    project = _pyproject()
    runtime = " ".join(project["dependencies"])
    for tool in ("jupyter-book", "pytest", "playwright", "myst-nb", "d2l"):
        assert tool not in runtime, f"lib's runtime dependencies include {tool}"
    assert {"book", "test"} <= set(project["optional-dependencies"])
    assert "-e .[book,test]" in (ROOT / "requirements.txt").read_text()
    assert project["requires-python"] == ">=3.11"


def test_myst_nb_is_pinned_to_the_version_streamfix_patches():
    import importlib.metadata

    import myst_nb.core.render as render
    pins = [d for d in _pyproject()["optional-dependencies"]["book"] if d.startswith("myst-nb")]
    assert pins == [f"myst-nb=={importlib.metadata.version('myst-nb')}"], pins
    assert callable(render.coalesce_streams), "book/_ext/streamfix.py patches this function"
