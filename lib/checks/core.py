"""The core every check module is written with.

- `exercise(name, section)` turns a check function into a self-check: it passes by printing
  one line and fails by raising `CheckError` (or, after `keep_going()`, by printing); each
  run records its `Verdict` (status and message, as data: `verdicts()`, `verdict(name)`),
  which `summary()` lists and the grader reads;
- `call(fn, tried, ...)` calls the student's code: a stub's `NotImplementedError` passes
  through (reported as "not implemented yet"), any other error becomes a `CheckError` saying
  what was tried, with the student's own error chained to it (`from e`), traceback and all
  (`outcome` is the same call for the cases where an error is the right answer);
- `expect`, `expect_tensor`, `expect_shape`, `expect_close`, `expect_unchanged` fail with a
  message that says what was tried, what came back and what was expected;
- `same(got, expected)` answers "is this that tensor?" without ever raising, to name a
  mistake by recognising the wrong answer it produces;
- `watching(shortcuts)` records which forbidden library shortcuts the student's code calls,
  `expect_no_shortcut` fails if it called one or refers to one by name.
"""
import contextlib
import dataclasses
import functools
import inspect
import os
import re
import sys
import traceback
import types

import numpy as np
import torch

NOT_IMPLEMENTED = "not implemented yet"
PASSED, FAILED, ERROR = "passed", "failed", "error"
STATUSES = (PASSED, FAILED, NOT_IMPLEMENTED, ERROR)

_state = {"keep_going": False}
_results = {}  # exercise name -> its latest Verdict, in the order the checks first ran


class CheckError(AssertionError):
    """A self-check failed; the message explains why and what to reread."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What one run of a check concluded, as data (the grader reads it, not the printout).

    `status` is PASSED, FAILED, NOT_IMPLEMENTED (the answer is still a stub) or ERROR (the
    check itself stopped on an error that is not a verdict); `message` is what the check
    said, as printed without its mark; `name` is the answer as the message names it.
    """
    exercise: str
    name: str
    status: str
    message: str

    def as_dict(self):
        return dataclasses.asdict(self)


def verdicts():
    """{exercise name: its latest `Verdict`} of every check run in this kernel, in order."""
    return dict(_results)


def verdict(exercise):
    """The latest `Verdict` of the exercise's check, or None if it has not run."""
    return _results.get(exercise)


# --- running checks --------------------------------------------------------------------

def keep_going(on=True):
    """From now on a failing check prints its message and records it instead of raising.

    Student notebooks call this in their set-up cell so "Run all" reaches every exercise;
    `summary()` then lists the results. `keep_going(False)` restores the default (raise).
    """
    _state["keep_going"] = bool(on)


def summary():
    """Print which exercises passed, failed or are not implemented yet; return that dict.

    The dict maps each exercise whose check ran in this kernel to "passed", "failed",
    "not implemented yet" or "error" (the latest run of each check counts).
    """
    results = {name: v.status for name, v in _results.items()}
    if not results:
        print("No exercise has been checked yet: run the check cells first.")
        return results
    counts = {s: sum(1 for r in results.values() if r == s) for s in STATUSES}
    print(f"Exercises checked: {len(results)}; {counts[PASSED]} passed, "
          f"{counts[FAILED]} failed, {counts[NOT_IMPLEMENTED]} {NOT_IMPLEMENTED}"
          + (f", {counts[ERROR]} stopped with an error" if counts[ERROR] else "") + ".")
    marks = {PASSED: "✔", FAILED: "✘", NOT_IMPLEMENTED: "…", ERROR: "⚠"}
    for v in _results.values():
        print(f"  {marks[v.status]} {v.name}: {v.status}")
    return results


def _record(name, shown, status, message):
    _results[name] = Verdict(name, shown, status, message)


def _fail(name, shown, status, message, cause=None):
    """Record a failed or unimplemented check; raise, or print it when keeping going.

    `cause` (an error raised inside the student's code) stays chained to the CheckError,
    so the student's own traceback is shown under the check's message.
    """
    _record(name, shown, status, message)
    if not _state["keep_going"]:
        raise CheckError(message) from cause
    print(f"✘ {message}")
    if cause is not None:
        print("Your code raised this (most recent call last):")
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stdout)


def exercise(name, section):
    """Decorate a check function for the exercise `name`; `section` is where to reread.

    The decorated check passes when it returns (it may return a short note to print)
    and fails by raising `CheckError` (use `call` and the `expect*` helpers). Each run
    records its `Verdict` (see `verdicts`). Its messages name the student's function by
    the name the student gave it (its `__name__`): the check's own messages call the
    answer by the name of the check's parameter, which is replaced (see `_shown_name`).
    """
    def decorate(check):
        param = next(iter(inspect.signature(check).parameters), None)

        @functools.wraps(check)
        def run(*args, **kwargs):
            shown, rename = _shown_name(name, param, args, kwargs)
            try:
                note = check(*args, **kwargs)
            except NotImplementedError:
                return _fail(name, shown, NOT_IMPLEMENTED,
                             f"{shown}: {NOT_IMPLEMENTED}. Replace the `raise NotImplementedError` "
                             f"with your code, run that cell, then run this check again.")
            except CheckError as e:
                return _fail(name, shown, FAILED,
                             f"{shown}: {rename(str(e))}\nReread: {section}.", e.__cause__)
            except Exception as e:
                # Not a verdict of the check: the book must see it as is, a notebook runs on.
                message = f"{shown}: the check stopped with {type(e).__name__}: {e}"
                if not _state["keep_going"]:
                    _record(name, shown, ERROR, message)
                    raise
                return _fail(name, shown, ERROR, message, e)
            message = f"{shown}: check passed" + (f" ({note})" if note else ".")
            _record(name, shown, PASSED, message)
            print(f"✔ {message}")
        run.exercise, run.section = name, section
        return run
    return decorate


def _shown_name(name, param, args, kwargs):
    """The name to report for the student's answer, and how to rewrite a message with it.

    The answer is the check's first argument, `param` the name the check gives it (its
    messages use that name: `relu(X) returned ...`). A function or class the student called
    `relu_max` is reported as `relu_max`, and every `relu` that stands alone in a failure
    message (`relu(X)`, "relu calls ...", not `torch.relu` or `prelu`) becomes `relu_max`.
    When the exercise is about something else than the answer itself (a method
    `save_hyperparameters` of the class `MyHyperParameters`), a class answer is reported
    as `MyHyperParameters.save_hyperparameters`. An answer without a name of its own (a
    lambda, an instance, a number) keeps the exercise's name.
    """
    answer = args[0] if args else kwargs.get(param, next(iter(kwargs.values()), None))
    try:
        own = getattr(answer, "__name__", None) if answer is not None else None
    except Exception:  # noqa: BLE001 - an answer whose attributes raise has no name to show
        own = None
    if not isinstance(own, str) or not own.isidentifier():
        return name, str
    shown = f"{own}.{name}" if param != name and isinstance(answer, type) else own
    if not param or param == own:
        return shown, str
    word = re.compile(rf"(?<![\w.]){re.escape(param)}(?!\w)")
    return shown, lambda message: word.sub(own, message)


def outcome(fn, *args, **kwargs):
    """Call the student's `fn(*args, **kwargs)`: `(result, None)`, or `(None, error)` when
    it raised. A stub's NotImplementedError passes through (it means "not implemented yet").
    """
    try:
        return fn(*args, **kwargs), None
    except (NotImplementedError, CheckError):
        raise
    except Exception as e:  # noqa: BLE001 - whatever the student's code raised
        return None, e.with_traceback(_students_frames(e.__traceback__))


def _students_frames(tb):
    """The traceback without its first frames inside lib.checks: the student's part."""
    here = os.path.dirname(os.path.abspath(__file__))
    while tb is not None and tb.tb_next is not None and \
            os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == here:
        tb = tb.tb_next
    return tb


def call(fn, tried, *args, hint="", **kwargs):
    """Call the student's `fn(*args, **kwargs)`; `tried` says in words what that call is.

    A stub's NotImplementedError passes through; any other error becomes a CheckError
    naming `tried` (plus `hint`), chained to the student's error so its traceback shows.
    `hint` is a string, a dict from exception types to the hint for those only (so that a
    NameError never gets a hint about shapes), or a function of the error.
    """
    result, error = outcome(fn, *args, **kwargs)
    if error is not None:
        if callable(hint):
            hint = hint(error)
        elif isinstance(hint, dict):
            hint = next((h for types, h in hint.items() if isinstance(error, types)), "")
        said = str(error).rstrip()
        raise CheckError(f"{tried} raised {type(error).__name__}: {said}"
                         + ("" if said.endswith((".", "!", "?")) else ".")
                         + (f" Hint: {hint}" if hint else "")) from error
    return result


def expect_value_error(fn, tried, why, *args, **kwargs):
    """Fail unless the student's `fn(*args, **kwargs)` raises a ValueError; `why` says
    what is wrong with those arguments, for the message when it does not."""
    result, error = outcome(fn, *args, **kwargs)
    if isinstance(error, ValueError):
        return
    if error is not None:
        raise CheckError(f"{tried} raised {type(error).__name__}: {error}, expected a "
                         f"ValueError ({why}). Hint: test the arguments first and raise "
                         "ValueError('...') with a message that says what is wrong.") from error
    raise CheckError(f"{tried} returned {result!r:.80}, expected a ValueError: {why}. Hint: "
                     "test the arguments first and raise ValueError('...') with a message "
                     "that says what is wrong.")


# --- describing and comparing values ---------------------------------------------------

def describe(x):
    """A short description of any value: its type, and its shape or value when small."""
    if isinstance(x, torch.Tensor):
        if x.numel() > 12:
            return f"a tensor of shape {tuple(x.shape)} and dtype {x.dtype}"
        return repr(x.detach().cpu()).replace("\n", " ")
    if isinstance(x, np.ndarray):
        return f"a numpy array of shape {x.shape}" + (f": {x.tolist()}" if x.size <= 12 else "")
    if x is None:
        return "None"
    text = repr(x)
    if isinstance(x, (list, tuple, dict, set)):
        if len(text) <= 80:
            return f"a {type(x).__name__} {text}"
        kinds = sorted({type(v).__name__ for v in x})
        return f"a {type(x).__name__} of {len(x)} items ({', '.join(kinds)})"
    return text if len(text) <= 80 else f"a {type(x).__name__} ({text[:60]}...)"


def same(got, expected, atol=1e-6, rtol=1e-5):
    """True when `got` is a tensor of `expected`'s shape with values within tolerance."""
    expected = torch.as_tensor(expected)
    return (isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(expected.shape)
            and not got.is_complex()
            and torch.allclose(got.detach().cpu().double(), expected.detach().cpu().double(),
                               atol=atol, rtol=rtol))


def _difference(got, expected, atol, rtol):
    """Where two same-shaped tensors differ most, in words (for tensors too big to print)."""
    g, e = got.detach().cpu().double(), expected.detach().cpu().double()
    bad = ~torch.isclose(g, e, atol=atol, rtol=rtol, equal_nan=False)
    diff = (g - e).abs().nan_to_num(nan=float("inf"))
    idx = np.unravel_index(int(diff.reshape(-1).argmax()), tuple(g.shape))
    idx = tuple(int(i) for i in idx)
    return (f"{int(bad.sum())} of its {g.numel()} entries differ from the expected ones; at "
            f"index {idx} it has {g[idx].item():.6g} where {e[idx].item():.6g} was expected")


# --- expectations ------------------------------------------------------------------------

def expect(condition, message):
    """Fail with `message` unless `condition` holds."""
    if not condition:
        raise CheckError(message)


def expect_tensor(got, tried, what="a tensor"):
    """Fail unless `got` is a torch tensor, saying what came back instead."""
    if isinstance(got, torch.Tensor):
        return
    extra = ""
    if isinstance(got, np.ndarray):
        extra = " Stay in PyTorch (no .numpy()), so that autograd and the GPU keep working."
    elif isinstance(got, (int, float)):
        extra = " A Python number has left PyTorch (was it .item() or float()?)."
    raise CheckError(f"{tried} returned {describe(got)}, expected {what}.{extra}")


def expect_shape(got, shape, tried):
    """Fail unless `got` is a tensor of the given shape."""
    expect_tensor(got, tried, f"a tensor of shape {tuple(shape)}")
    if tuple(got.shape) != tuple(shape):
        raise CheckError(f"{tried} returned a tensor of shape {tuple(got.shape)}, expected "
                         f"shape {tuple(shape)}.")


def expect_close(got, expected, tried, hint="", atol=1e-5, rtol=1e-4):
    """Fail unless tensor `got` equals `expected` (same shape, values within tolerance)."""
    expected = torch.as_tensor(expected)
    expect_shape(got, expected.shape, tried)
    expect(not got.is_complex(), f"{tried} returned a complex tensor, expected real values.")
    if not same(got, expected, atol=atol, rtol=rtol):
        if got.numel() > 12:
            what = (f"a tensor of shape {tuple(got.shape)} in which "
                    f"{_difference(got, expected, atol, rtol)}")
        else:
            what = f"{describe(got)}, expected {describe(expected)}"
            if got.shape == expected.shape:
                gap = (got.detach().cpu().double() - expected.double()).abs().max().item()
                what += (f" (largest difference {gap:.3g}; allowed: {atol:g} + {rtol:g} "
                         "x |expected|)")
        raise CheckError(f"{tried} returned {what}." + (f" Hint: {hint}" if hint else ""))


def expect_unchanged(x, before, tried, hint="return a new tensor instead of writing into it"):
    """Fail unless tensor `x` still equals the copy `before` taken before the call."""
    if x.shape != before.shape:
        raise CheckError(f"{tried} changed its input in place (its shape is now "
                         f"{tuple(x.shape)}, was {tuple(before.shape)}); {hint}.")
    if not torch.equal(x.detach(), before):
        now = (describe(x.detach()) if x.numel() <= 12 else
               f"{int((x.detach() != before).sum())} of its {x.numel()} entries differ")
        raise CheckError(f"{tried} changed its input in place ({now}); {hint}.")


# --- forbidden shortcuts -----------------------------------------------------------------

@contextlib.contextmanager
def watching(shortcuts):
    """Record, in the yielded list, each call to one of `shortcuts` while the block runs.

    `shortcuts` maps a name to show (such as "torch.relu") to `(owner, attribute)`; each is
    replaced by a wrapper that records its name and calls the original, and restored after.
    """
    used, saved = [], []
    for shown, (owner, attr) in shortcuts.items():
        if not hasattr(owner, attr):
            continue
        original = getattr(owner, attr)
        saved.append((owner, attr, owner.__dict__.get(attr, _MISSING)))

        def wrapper(*args, _original=original, _shown=shown, **kwargs):
            used.append(_shown)
            return _original(*args, **kwargs)
        setattr(owner, attr, wrapper)
    try:
        yield used
    finally:
        for owner, attr, original in reversed(saved):
            if original is _MISSING:
                delattr(owner, attr)
            else:
                setattr(owner, attr, original)


_MISSING = object()


def names_used(fn):
    """The global names `fn`'s code (and the code nested in it) refers to; for classes,
    those of all their methods."""
    if isinstance(fn, type):
        names = set()
        for value in vars(fn).values():
            if isinstance(value, types.FunctionType):
                names |= names_used(value)
        return names
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    names, stack = set(), [fn.__code__] if isinstance(fn, types.FunctionType) else []
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return names


def expect_no_shortcut(fn, used, shortcuts, tried, why):
    """Fail if `fn` called (`used`) or refers by a global name to one of `shortcuts`."""
    originals = {id(getattr(o, a, None)): shown for shown, (o, a) in shortcuts.items()}
    globals_ = fn.__globals__ if isinstance(fn, types.FunctionType) else {}
    if isinstance(fn, type):
        globals_ = getattr(sys.modules.get(fn.__module__), "__dict__", {})
    values = [globals_.get(name) for name in names_used(fn)]
    closure = fn.__closure__ if isinstance(fn, types.FunctionType) else None
    values += [c.cell_contents for c in closure or () if c.cell_contents is not None]
    used = used + [originals[id(v)] for v in values if id(v) in originals]
    if used:
        raise CheckError(f"{tried} calls {used[0]}, which the exercise rules out: {why}")
