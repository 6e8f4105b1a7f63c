"""The GitHub Actions workflows (.github/workflows/), checked offline on every `make test`.

* valid against GitHub's workflow schema (check-jsonschema's vendored copy, no network);
* audited by zizmor (offline, the strictest persona): no finding, except those ignored in
  the workflow by an inline ``# zizmor: ignore[<audit>] <reason>`` that gives a reason;
* every ``run:`` step does what a person would type here: a ``make`` target of the
  Makefile, a script of the repository, or ``python -m`` one of its packages;
* actions pinned to a commit (with the version as a comment), least-privilege
  permissions, and the site published only from main;
* the grading workflow shards the way ``python -m grading`` does.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / ".github" / "scripts"))
import grading_matrix  # noqa: E402


def _tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed: it is in requirements.txt, run `make setup`")
    return str(path)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, flags=re.M))
    for phony in re.findall(r"^\.PHONY:(.*)$", text, flags=re.M):
        targets.update(phony.split())
    return targets


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"book.yml", "grade.yml"} <= names, names


def test_workflows_match_githubs_schema():
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing():
    done = subprocess.run([_tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress",
                           "--format", "json", str(ROOT / ".github")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.stdout.strip(), done.stderr
    findings = json.loads(done.stdout)
    summary = [f"{f['ident']}: {f['desc']} at {json.dumps(f['locations'][0]['symbolic']['key'])} "
               f"line {f['locations'][0]['concrete']['location']['start_point']['row'] + 1}"
               for f in findings]
    assert not findings and done.returncode == 0, "zizmor:\n  " + "\n  ".join(summary) + done.stderr


def test_every_zizmor_ignore_gives_a_reason():
    for path in WORKFLOWS:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = re.search(r"#\s*zizmor:\s*ignore\[[^\]]+\](.*)$", line)
            if m:
                assert len(m.group(1).strip()) >= 8, f"{path.name}:{n}: an ignore without a reason"


def _command_ok(line: str, targets: set[str]) -> str | None:
    """None when `line` runs a make target, a repository script or `python -m <package>`."""
    words = shlex.split(line)
    if not words:
        return None
    if words[0] == "make":
        wanted = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        missing = [w for w in wanted if w not in targets]
        if not wanted or missing:
            return f"make target(s) not in the Makefile: {missing or '(none given)'}"
        return None
    if "-m" in words:
        module = words[words.index("-m") + 1].split(".")[0]
        if (ROOT / module / "__main__.py").is_file():
            return None
        return f"python -m {module}: not a package of this repository"
    scripts = [w for w in words if "/" in w and not w.startswith("$") and (ROOT / w).is_file()
               and not w.startswith(".venv/")]
    return None if scripts else "neither a make target nor a script of the repository"


def test_every_run_step_calls_a_make_target_or_a_repository_script():
    targets = make_targets()
    bad = []
    for path in WORKFLOWS:
        for job, step in _steps(_load(path)):
            if "run" not in step:
                continue
            for line in step["run"].splitlines():
                for part in re.split(r"\s*(?:&&|\|\||;)\s*", line.strip()):
                    if part and not part.startswith("#"):
                        problem = _command_ok(part, targets)
                        if problem:
                            bad.append(f"{path.name}, job {job}: {part!r}: {problem}")
    assert not bad, "\n".join(bad)


def test_run_step_check_rejects_what_is_not_in_the_repository():
    targets = make_targets()
    assert _command_ok("make book", targets) is None
    assert _command_ok("make setup data browser", targets) is None
    assert _command_ok("python3 .github/scripts/grading_matrix.py", targets) is None
    assert _command_ok('.venv/bin/python -m grading "$S" --shard 1/2', targets) is None
    assert _command_ok("make deploy", targets)
    assert _command_ok("pip install ghp-import", targets)
    assert _command_ok("python3 tools/nothing_here.py", targets)
    assert _command_ok("python -m http.server", targets)


def test_actions_are_pinned_to_a_commit_with_their_version():
    for path in WORKFLOWS:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = re.match(r"\s*-?\s*uses:\s*(\S+)(.*)$", line)
            if m:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1)), (
                    f"{path.name}:{n}: {m.group(1)} is not pinned to a commit")
                assert re.search(r"#\s*v\d", m.group(2)), f"{path.name}:{n}: no version comment"


def test_permissions_are_least_privilege():
    for path in WORKFLOWS:
        wf = _load(path)
        assert wf.get("permissions") == {}, f"{path.name}: the workflow grants permissions by default"
        for name, job in wf["jobs"].items():
            perms = job.get("permissions")
            assert isinstance(perms, dict), f"{path.name}: job {name} does not say its permissions"
            writes = {k for k, v in perms.items() if v == "write"}
            if name == "deploy":
                assert perms == {"pages": "write", "id-token": "write"}, perms
            else:
                assert not writes, f"{path.name}: job {name} may write {writes}"
        for job, step in _steps(wf):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, (
                    f"{path.name}, job {job}: checkout keeps the token in .git/config")


def test_book_workflow_builds_tests_and_publishes_only_main():
    wf = _load(ROOT / ".github" / "workflows" / "book.yml")
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in on and "pull_request" in on
    build = wf["jobs"]["build"]
    runs = [s["run"] for s in build["steps"] if "run" in s]
    assert runs.index("make pdf") < runs.index("make book") < runs.index("make test"), runs
    caches = [s["with"] for s in build["steps"] if s.get("uses", "").startswith("actions/cache@")]
    paths = {c["path"]: c["key"] for c in caches}
    assert "constraints.txt" in paths["~/.cache/pip"] and "requirements.txt" in paths["~/.cache/pip"]
    assert "book/_build/.jupyter_cache" in paths
    main_only = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    upload = next(s for s in build["steps"]
                  if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["if"] == main_only and upload["with"]["path"] == "book/_build/html"
    deploy = wf["jobs"]["deploy"]
    assert deploy["if"] == main_only and deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_grading_workflow_shards_and_merges():
    wf = _load(ROOT / ".github" / "workflows" / "grade.yml")
    on = wf.get("on", wf.get(True))
    assert set(on) == {"workflow_dispatch"}
    assert set(on["workflow_dispatch"]["inputs"]) == {"submissions", "shards"}
    grade = wf["jobs"]["grade"]
    assert grade["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    text = (ROOT / ".github" / "workflows" / "grade.yml").read_text()
    assert '--shard "$SHARD/$SHARDS"' in text and "-m grading merge" in text
    # inputs reach the shell only through the environment (no template injection)
    for _, step in _steps(wf):
        assert "${{" not in step.get("run", ""), step["run"]
    uploads = [s["with"]["name"] for _, s in _steps(wf)
               if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert "gradebook" in uploads


def test_grading_matrix_checks_the_inputs(tmp_path):
    (tmp_path / "subs" / "a").mkdir(parents=True)
    (tmp_path / "subs" / "a" / "x.ipynb").write_text("{}")
    (tmp_path / "empty").mkdir()
    assert grading_matrix.shards("subs", "3", root=tmp_path) == [1, 2, 3]
    assert grading_matrix.shards("subs/", " 1 ", root=tmp_path) == [1]
    for folder, n, why in [("subs", "0", "whole number"), ("subs", "65", "whole number"),
                           ("subs", "2.5", "whole number"), ("/etc", "2", "inside the repository"),
                           ("../subs", "2", "inside the repository"), ("", "2", "inside"),
                           ("nope", "2", "no such folder"), ("empty", "2", "no .ipynb")]:
        with pytest.raises(ValueError, match=why):
            grading_matrix.shards(folder, n, root=tmp_path)


def test_readme_points_to_the_workflows():
    readme = (ROOT / "README.md").read_text()
    assert ".github/workflows/grade.yml" in readme and ".github/workflows/book.yml" in readme
    assert "strategy:" not in readme, "the README still carries a workflow of its own"
