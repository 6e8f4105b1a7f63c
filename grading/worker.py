"""Grade one submission in its own process: ``python -m grading.worker <job.json>``.

The grader starts one of these per submission (so that nothing a kernel does can take
the grader down) and reads the result it writes to ``job["result"]``.
"""
import json
import sys
import traceback
from pathlib import Path

from .limits import Limits
from .run import grade_file


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text())
    try:
        result = grade_file(Path(job["path"]), job["name"], Path(job["tmp"]),
                            Limits(**job["limits"]),
                            Path(job["mpl_dir"]) if job.get("mpl_dir") else None)
    except Exception as e:  # noqa: BLE001 - recorded for this submission, the class goes on
        result = {"submission": job["name"], "chapter": None, "graded": False,
                  "reason": f"the grader failed on this notebook: {type(e).__name__}: {e}",
                  "exercises": {}, "answers": {}, "notes": [], "seconds": 0.0,
                  "traceback": traceback.format_exc()[-4000:]}
    Path(job["result"]).write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
