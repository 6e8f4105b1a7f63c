"""Install the project's environment: exactly the versions of constraints.txt, two pips at once.

    python3 tools/install_env.py .venv/bin/python

constraints.txt pins every package of the environment (``pip freeze --all`` less pip and
the project), so nothing is left for pip to resolve: each package is installed with
``--no-deps``, in two shares at once, one per core (PyTorch's CUDA stack, four of the six
gigabytes, in one, everything else and the project, editable, in the other). What the
resolver would have caught is checked before and after:

* before: every package that requirements.txt and pyproject.toml ask for is pinned (a
  package added there but not pinned stops here, saying what to add);
* after: ``pip check`` finds every installed package's dependencies installed, at
  versions they accept. d2l 1.0.3 is the one exception, by design: it pins an old NumPy
  and others that break a modern stack, so its own requirements are not installed.

Measured on the 2-core machine (2026-12-07, fresh venvs, the pip cache warm): 64 and
71 s, against 101 and 115 s for one ``pip install -r requirements.txt -c constraints.txt``
that resolves and then installs one package after another.

Standard library only: it runs before the environment has anything in it.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed without its requirements (see the Makefile and README): pip check's complaints
# about it are expected.
NO_DEPS = ("d2l",)
# The heaviest to unpack (CUDA libraries, Triton, PyTorch itself): one share on their own.
HEAVY = re.compile(r"^(nvidia-|cuda-|triton$|torch$)")
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """{normalized name: 'name==version'} from a constraints file; anything else is an error."""
    pins = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s=;]+)", line)
        if not m:
            raise SystemExit(f"error: {path.name}, line {n}: {line!r} is not an exact pin "
                             "(name==version)")
        pins[norm(m.group(1))] = line
    return pins


def wanted(root: Path = ROOT) -> dict[str, str]:
    """{normalized name: where it is asked for} for every package that requirements.txt
    and pyproject.toml (dependencies, and the extras that requirements.txt installs) name."""
    asked = {}
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = set()
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-e"):
            m = re.search(r"\[([^\]]+)\]", line)
            extras |= {e.strip() for e in m.group(1).split(",")} if m else set()
            continue
        if line.startswith("-"):
            raise SystemExit(f"error: requirements.txt: {line!r}: this set-up installs "
                             "package names and `-e .[extras]` only")
        asked[norm(NAME.match(line).group(1))] = "requirements.txt"
    groups = {"dependencies": project.get("dependencies", [])}
    groups |= {f"[{e}]": project.get("optional-dependencies", {}).get(e, []) for e in extras}
    for group, requirements in groups.items():
        for req in requirements:
            asked.setdefault(norm(NAME.match(req).group(1)), f"pyproject.toml {group}")
    return asked


def unpinned(pins: dict[str, str], root: Path = ROOT) -> list[str]:
    return [f"{name} (asked for in {where})" for name, where in sorted(wanted(root).items())
            if name not in pins]


def shares(pins: dict[str, str]) -> tuple[list[str], list[str]]:
    heavy = [pin for name, pin in sorted(pins.items()) if HEAVY.match(name)]
    rest = [pin for name, pin in sorted(pins.items()) if not HEAVY.match(name)]
    return heavy, rest


def broken(pip_check_output: str) -> list[str]:
    """pip check's complaints, less those about the packages installed without their requirements."""
    return [line for line in pip_check_output.splitlines()
            if line.strip() and not line.startswith("No broken requirements")
            and norm(line.split()[0]) not in NO_DEPS]


def main(python: str) -> int:
    pins = read_pins(ROOT / "constraints.txt")
    missing = unpinned(pins)
    if missing:
        print("error: constraints.txt pins every package of the environment, and does not pin:\n  "
              + "\n  ".join(missing) + "\nInstall it into the environment "
              "(.venv/bin/pip install <name>), then add its line from `.venv/bin/pip freeze` "
              "(and those of any new dependency) to constraints.txt.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for i, share in enumerate(shares(pins)):
            listing = Path(tmp) / f"share-{i}.txt"
            listing.write_text("\n".join(share) + "\n")
            extra = ["-e", str(ROOT)] if i == 1 else []
            jobs.append(subprocess.Popen([python, "-m", "pip", "install", "-q", "--no-deps",
                                          "-r", str(listing), *extra]))
        codes = [job.wait() for job in jobs]
    if any(codes):
        print(f"error: pip failed (exit {codes}); its messages are above", file=sys.stderr)
        return 1
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    problems = broken(check.stdout + check.stderr)
    if problems:
        print("error: the pinned packages do not fit together (pip check):\n  "
              + "\n  ".join(problems) + "\nPin the missing or accepted versions in "
              "constraints.txt (`.venv/bin/pip freeze --all` of an environment that works).",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 tools/install_env.py <the environment's python>")
    sys.exit(main(sys.argv[1]))
