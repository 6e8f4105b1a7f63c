"""The grader's part that runs inside a student's kernel: one course check, its verdict.

The grader does not import this module: it loads it into the kernel from this
repository's file, by path, for every check (`load_cell`), the way it loads the checks,
so that nothing the student's code did to ``sys.modules`` stands in for it. `run_check`
then loads the course's checks afresh, runs the check call written in the chapter source
on the student's definitions, and reports the check's own record of its verdict
(`lib.checks.core.Verdict`) as one display output of the type `MIME`:
``{"nonce", "status", "message", "stage"}``, the status in the gradebook's words.

Nothing here reads what the check printed, nor the wording of its messages: the status
comes from the check's record; only the grader's own reasons (the answer is not defined,
the check ran out of time, exit() was called) are written here.

Only the standard library and IPython are imported at the top: the grader's own process
imports this module for `MIME` and `load_cell`, without torch.
"""
MIME = "application/vnd.course-grade+json"
GRADE = {"passed": "passed", "failed": "failed", "not implemented yet": "not attempted",
         "error": "error"}   # a check's status (lib.checks.core) -> the gradebook's word


def load_cell(repo: str, module: str, function: str, args, kwargs, nonce: str,
              limit: int = 4000) -> str:
    """The code of a cell that loads this file into the kernel and runs one check with it."""
    path = f"{repo}/grading/kernel_side.py"
    call = (f"_course_grading.run_check({repo!r}, {module!r}, {function!r}, {list(args)!r}, "
            f"{[list(kv) for kv in kwargs]!r}, {nonce!r}, {limit!r})")
    return ("def _course_grading_load(path):\n"
            "    import importlib.util\n"
            "    spec = importlib.util.spec_from_file_location('_course_grading', path)\n"
            "    module = importlib.util.module_from_spec(spec)\n"
            "    spec.loader.exec_module(module)\n"
            "    return module\n\n\n"
            f"_course_grading = _course_grading_load({path!r})\n"
            f"{call}\n"
            "del _course_grading, _course_grading_load\n")


class _Discard:
    """The check's stdout and stderr: nothing is kept (a check's verdict is its record),
    so the student's code may print as much as it likes."""

    def write(self, s):
        return len(s)

    def flush(self):
        pass

    def writable(self):
        return True


def load_checks(repo: str):
    """The course's `lib.checks`, loaded afresh from `repo` (every ``lib.checks*`` module
    is dropped first), in the default mode where a failing check raises CheckError."""
    import importlib.util
    import sys

    for name in [n for n in list(sys.modules) if n == "lib.checks" or n.startswith("lib.checks.")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        "lib.checks", repo + "/lib/checks/__init__.py",
        submodule_search_locations=[repo + "/lib/checks"])
    checks = importlib.util.module_from_spec(spec)
    sys.modules["lib.checks"] = checks
    spec.loader.exec_module(checks)
    checks.keep_going(False)
    lib = sys.modules.get("lib")
    if lib is not None:
        try:
            lib.checks = checks
        except Exception:  # noqa: BLE001 - a student's odd `lib`: the check runs without it
            pass
    return checks


def grade(checks, check, values, named) -> tuple[str, str]:
    """Run `check(*values, **named)`; (status, message) from the check's own record."""
    import contextlib

    exercise = getattr(check, "exercise", None)   # the checks were just loaded: no record yet
    sink = _Discard()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            check(*values, **named)
    except KeyboardInterrupt:
        return "timed out", "the check was stopped: it ran past its time limit"
    except SystemExit as e:
        return "error", f"the code called exit() or sys.exit({e.code!r}) during the check"
    except MemoryError:
        return "error", "MemoryError: the code ran out of memory (the grader's memory limit)"
    except BaseException as e:  # noqa: BLE001 - the check's record says what it was
        raised = e
    else:
        raised = None
    record = checks.core.verdict(exercise) if exercise is not None else None
    if record is None:
        if raised is None:
            return "error", "the check returned without a verdict"
        return "error", f"{type(raised).__name__}: {raised}"
    return GRADE.get(record.status, "error"), record.message


def run_check(repo, module, function, args, kwargs, nonce, limit=4000):
    """Run one course check in this kernel and display its result (see the module's doc)."""
    from IPython import get_ipython
    from IPython.display import display

    def report(status, message, stage):
        display({MIME: {"nonce": nonce, "status": status, "message": str(message)[:limit],
                        "stage": stage}}, raw=True)

    import importlib
    import sys

    try:
        checks = load_checks(repo)
        check = getattr(importlib.import_module("lib.checks." + module), function)
    except BaseException as e:  # noqa: BLE001
        report("error", f"the grader could not load the course check {module}.{function}: "
                        f"{type(e).__name__}: {e}", "load")
        return
    ns = dict(get_ipython().user_ns)
    lib = sys.modules.get("lib")
    if lib is not None:
        ns["lib"] = lib
    try:
        values = [eval(a, ns) for a in args]  # noqa: S307 - the chapter's own check call
        named = {k: eval(v, ns) for k, v in kwargs}  # noqa: S307
    except NameError as e:
        report("not attempted", f"{e}: the cell that defines it did not run, or was deleted.",
               "arguments")
        return
    except BaseException as e:  # noqa: BLE001
        report("error", f"{type(e).__name__}: {e}", "arguments")
        return
    status, message = grade(checks, check, values, named)
    report(status, message, "check")
