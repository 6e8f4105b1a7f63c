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


def test_no_chapter_limits_torch_threads():
    """Threads are set by the build's and the tests' environment, not by the lesson: a
    chapter that pins them would make every student's notebook train on one core."""
    for chapter in _chapters():
        text = chapter.read_text()
        assert "set_num_threads" not in text, f"{chapter.name} limits torch's threads"
        assert "OMP_NUM_THREADS" not in text, f"{chapter.name} limits torch's threads"


def test_chapters_remove_the_temporary_folders_they_make():
    for chapter in _chapters():
        text = chapter.read_text()
        assert text.count("tempfile.mkdtemp(") <= text.count("shutil.rmtree("), chapter.name
