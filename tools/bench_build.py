"""Benchmark the book build: clean, unchanged, one chapter edited, lib edited; page weights.

Works on a throw-away copy of ``book/`` and ``lib/`` (``book/_build`` and the real
sources are never touched), with the copy of ``lib`` first on ``PYTHONPATH`` so that
the kernels import it and the execution cache is keyed on it. Each build is strict
(``-W -n --keep-going``), as in the tests.

    python tools/bench_build.py                      # prints a table
    python tools/bench_build.py --json out.json      # also writes the numbers
    python tools/bench_build.py --chapter mlp        # the chapter to edit (default: root page)

From Python: ``run_bench(chapter=None) -> dict`` (used by ``tools/bench.py``).
Targets (DESIGN.md, performance budget): clean build <= 90 s, unchanged rebuild <= 15 s, pages <= 2 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from course.book import ROOT, toc_pages
from bookkit import build, page_weight

TARGETS = {"clean_s": 90.0, "unchanged_s": 15.0, "page_bytes": 2 * 1024 * 1024}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(book: Path, out: Path, env: dict) -> dict:
    cpu = _children_cpu()
    result = build(out, book=book, env=env)
    return {"seconds": round(result.seconds, 1), "cpu_s": round(_children_cpu() - cpu, 1),
            "exit": result.returncode,
            "executed": result.executed(), "execution_s": result.execution_seconds(),
            "problems": result.problems()}


def page_weights(html: Path, pages: list[str]) -> dict[str, dict[str, int]]:
    """Bytes of each page's html and of the html plus the images it shows."""
    weights = {}
    for page in pages:
        if (html / f"{page}.html").exists():
            own, total = page_weight(html / f"{page}.html")
            weights[page] = {"html": own, "with_images": total}
    return weights


def run_bench(chapter: str | None = None, keep: bool = False, log=print) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        book, out = work / "book", work / "out"
        shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("_build", "__pycache__"))
        shutil.copytree(ROOT / "lib", work / "lib", ignore=shutil.ignore_patterns("__pycache__"))
        if (ROOT / "notebooks").is_dir():  # the launch buttons point at these
            shutil.copytree(ROOT / "notebooks", work / "notebooks")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(work)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
        pages = toc_pages(book)
        chapter = chapter or pages[0]
        results: dict = {"workspace": str(work), "edited_chapter": chapter}

        log("bench_build: clean build ...")
        results["clean"] = _build(book, out, env)
        log(f"  {results['clean']['seconds']} s, executed {len(results['clean']['executed'])} chapters")
        log("bench_build: unchanged rebuild ...")
        results["unchanged"] = _build(book, out, env)
        log(f"  {results['unchanged']['seconds']} s, executed {results['unchanged']['executed']}")

        src = book / f"{chapter}.md"
        with src.open("a") as f:
            f.write('\n```{code-cell} ipython3\nprint("bench edit")\n```\n')
        log(f"bench_build: rebuild after editing {chapter} ...")
        results["edit_chapter"] = _build(book, out, env)
        log(f"  {results['edit_chapter']['seconds']} s, executed {results['edit_chapter']['executed']}")

        with (work / "lib" / "__init__.py").open("a") as f:
            f.write("\n# bench edit: a change to lib must re-execute the chapters\n")
        log("bench_build: rebuild after editing lib ...")
        results["edit_lib"] = _build(book, out, env)
        log(f"  {results['edit_lib']['seconds']} s, executed {len(results['edit_lib']['executed'])} chapters")

        weights = page_weights(out / "_build" / "html", pages)
        results["pages"] = dict(sorted(weights.items(), key=lambda kv: -kv[1]["with_images"]))
        with_code = sorted(results["clean"]["executed"])
        results["checks"] = {
            "clean_within_target": results["clean"]["seconds"] <= TARGETS["clean_s"],
            "unchanged_within_target": results["unchanged"]["seconds"] <= TARGETS["unchanged_s"],
            "unchanged_executes_nothing": results["unchanged"]["executed"] == [],
            "edit_executes_only_that_chapter": results["edit_chapter"]["executed"] == [chapter],
            "lib_edit_executes_every_chapter": sorted(results["edit_lib"]["executed"]) == with_code,
            "pages_within_target": all(w["with_images"] <= TARGETS["page_bytes"] for w in weights.values()),
            "strict_build_clean": results["clean"]["exit"] == 0 and not results["clean"]["problems"],
        }
        return results
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def format_report(r: dict) -> str:
    lines = ["Book build (strict, this machine):"]
    rows = [("clean build", r["clean"]), ("unchanged rebuild", r["unchanged"]),
            (f"after editing {r['edited_chapter']}", r["edit_chapter"]), ("after editing lib", r["edit_lib"])]
    for name, b in rows:
        ex = b["executed"]
        lines.append(f"  {name:28s} {b['seconds']:7.1f} s ({b['cpu_s']:6.1f} CPU-s)   "
                     f"executed {len(ex)}: {', '.join(ex) or '-'}")
    slow = sorted(r["clean"]["execution_s"].items(), key=lambda kv: -kv[1])
    if slow:
        lines.append("  execution per chapter (clean): " + ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    lines.append("Heaviest pages (html + images):")
    for page, w in list(r["pages"].items())[:5]:
        lines.append(f"  {page:28s} {w['with_images'] / 1024:8.0f} KiB  (html {w['html'] / 1024:.0f} KiB)")
    bad = [k for k, ok in r["checks"].items() if not ok]
    lines.append("Checks: " + ("all pass" if not bad else "FAILED: " + ", ".join(bad)))
    if r["clean"]["problems"]:
        lines.append("Build problems:")
        lines += [f"  {p[:200]}" for p in r["clean"]["problems"][:10]]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapter", help="chapter to edit (default: the root page)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    args = ap.parse_args(argv)
    r = run_bench(args.chapter, keep=args.keep, log=lambda m: print(m, file=sys.stderr))
    print(format_report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0 if all(r["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
