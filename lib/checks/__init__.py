"""Self-checks for the exercises: teachers, not gates.

A check calls the student's code on small cases. When it passes it prints one line;
when it fails it raises `CheckError` saying what it tried, what came back, what was
expected, and which section to reread. Code that still raises `NotImplementedError`
gets "not implemented yet".

Each chapter's checks live in a submodule named after the chapter
(``lib.checks.mlp.check_relu``, ``lib.checks.numerical_stability.check_xavier_mlp`` ...),
written with the core in `lib.checks.core` (`exercise`, `call`, `same`, the `expect*`
helpers).

Student notebooks call `keep_going()` first, so a failing check prints its message and
the notebook runs on, and `summary()` last, to list what passed, failed or is not
implemented yet. The book never calls `keep_going`: there a failing check stops the build.
"""
import sys
from importlib import import_module

from .core import (NOT_IMPLEMENTED, CheckError, call, exercise, expect, expect_close,
                   expect_shape, expect_tensor, expect_unchanged, keep_going, same, summary)

# One check module per chapter, named after it (book/linear-regression.md: the module
# linear_regression), in reading order. This list is their one registration: a new
# chapter adds its name here (`make chapter` does).
CHAPTERS = ["intro", "preliminaries", "calculus_probability", "linear_regression",
            "generalization", "softmax_regression", "mlp", "backprop",
            "numerical_stability", "dropout"]
for _name in CHAPTERS:
    globals()[_name] = import_module(f"{__name__}.{_name}")

__all__ = ["CheckError", "NOT_IMPLEMENTED", "keep_going", "summary", "exercise", "call",
           "same", "expect", "expect_close", "expect_shape", "expect_tensor",
           "expect_unchanged", *CHAPTERS]

# The modules' first names, which chapters and notebooks written before the renaming call
# (lib.checks.init.check_xavier_mlp ...): the same modules under a second name.
OLD_NAMES = {"prelim": "preliminaries", "linreg": "linear_regression",
             "softmax": "softmax_regression", "init": "numerical_stability"}
for _old, _name in OLD_NAMES.items():
    globals()[_old] = sys.modules[f"{__name__}.{_old}"] = globals()[_name]
del _name, _old
