"""Faults around `lib` (issue 11): the data script's diagnosis, what tools may delete."""
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def _fake_apt(tmp_path):
    """A PATH whose apt-get and sudo only record that they were called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    for name in ("apt-get", "sudo"):
        (bin_dir / name).write_text(f"#!/bin/sh\necho {name} \"$@\" >> {log}\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}", log


def test_ensure_data_reports_a_broken_lib_and_installs_nothing(tmp_path):
    shutil.copytree(ROOT / "lib", tmp_path / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "lib" / "data.py", "a") as f:
        f.write("\ndef broken(:\n")
    path, log = _fake_apt(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PATH": path}
    proc = subprocess.run(["bash", str(ROOT / "tools" / "ensure_data.sh"), sys.executable],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 3
    assert "lib does not import" in proc.stderr and "nothing was installed" in proc.stderr
    assert "SyntaxError" in proc.stderr and "data.py" in proc.stderr  # the real error is shown
    assert "Fashion-MNIST not found" not in proc.stdout + proc.stderr
    assert not log.exists(), log.read_text()


def test_ensure_data_finds_the_data_when_lib_imports(tmp_path):
    path, log = _fake_apt(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": path}
    proc = subprocess.run(["bash", str(ROOT / "tools" / "ensure_data.sh"), sys.executable],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Fashion-MNIST: ") and not log.exists()


def test_libcache_deletes_only_the_caches_it_made(tmp_path):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import libcache
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    (tmp_path / "fakelib").mkdir()
    (tmp_path / "fakelib" / "__init__.py").write_text("A = 1\n")
    base = tmp_path / "_build" / ".jupyter_cache"
    foreign = base / "lib-mine"          # someone else's folder with a matching name
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("keep me")

    def configure():
        config = SimpleNamespace(libcache_paths=["fakelib"], libcache_pattern="**/*.py",
                                 libcache_requirements=[],
                                 nb_execution_cache_path="", lib_source_hash="")
        app = SimpleNamespace(confdir=str(tmp_path), outdir=str(tmp_path / "_build" / "html"))
        libcache._on_config_inited(app, config)
        return Path(config.nb_execution_cache_path)

    first = configure()
    assert (first / libcache.MARKER).is_file()
    (tmp_path / "fakelib" / "__init__.py").write_text("A = 2\n")
    second = configure()
    assert second != first and not first.exists()  # our own stale cache is dropped
    assert (foreign / "notes.txt").read_text() == "keep me"  # the other folder is not


def test_preview_makes_its_folder_with_mktemp():
    text = (ROOT / "tools" / "preview.sh").read_text()
    assert "mktemp -d" in text and "rm -rf" not in text


def _chapters():
    return sorted((ROOT / "book").glob("*.md"))


def test_each_chapter_fixes_torch_threads_in_its_first_hidden_cell():
    """Under load torch's default threads stall the build (issue 11): one, set once, explained."""
    import re
    for chapter in _chapters():
        text = chapter.read_text()
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S)
        assert cells, chapter.name
        first = cells[0]
        assert ":tags: [remove-cell]" in first, f"{chapter.name}: first code cell is not hidden set-up"
        line = next((l for l in first.splitlines() if "torch.set_num_threads(" in l), None)
        assert line is not None, f"{chapter.name}: the set-up cell does not fix torch's threads"
        assert re.match(r"torch\.set_num_threads\(\d\)\s+#\s*\S", line), f"{chapter.name}: {line!r} says not why"


def test_chapters_remove_the_temporary_folders_they_make():
    for chapter in _chapters():
        text = chapter.read_text()
        assert text.count("tempfile.mkdtemp(") <= text.count("shutil.rmtree("), chapter.name
