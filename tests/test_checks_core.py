"""The checks core: keep_going and summary (SHARED_DECISIONS 1), call, expect_close, watching."""
import pytest

import lib.checks
from lib.checks import NOT_IMPLEMENTED, CheckError, exercise, expect


@pytest.fixture(autouse=True)
def fresh_state():
    """Each test starts (and leaves) the default: raise, nothing recorded."""
    saved = dict(lib.checks.core._results)
    lib.checks.core._results.clear()
    lib.checks.keep_going(False)
    yield
    lib.checks.keep_going(False)
    lib.checks.core._results.clear()
    lib.checks.core._results.update(saved)


@exercise("double", section="a test section")
def check_double(double):
    expect(double(2) == 4, f"double(2) returned {double(2)!r}, expected 4.")


def good(x):
    return 2 * x


def wrong(x):
    return x + 1


def stub(x):
    raise NotImplementedError


def test_default_raises_and_records():
    with pytest.raises(CheckError, match=r"wrong\(2\) returned 3, expected 4"):
        check_double(wrong)
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_double(stub)
    assert lib.checks.summary() == {"double": NOT_IMPLEMENTED}


def test_keep_going_prints_instead_of_raising(capsys):
    lib.checks.keep_going()
    assert check_double(wrong) is None
    out = capsys.readouterr().out
    assert out.startswith("✘ wrong: wrong(2) returned 3, expected 4.")
    assert "Reread: a test section." in out
    check_double(stub)
    assert f"✘ stub: {NOT_IMPLEMENTED}" in capsys.readouterr().out


def test_keep_going_off_restores_raising():
    lib.checks.keep_going()
    lib.checks.keep_going(False)
    with pytest.raises(CheckError):
        check_double(wrong)


def test_summary_lists_every_check_that_ran(capsys):
    @exercise("triple", section="s")
    def check_triple(triple):
        expect(triple(1) == 3, "triple(1) is not 3.")

    @exercise("half", section="s")
    def check_half(half):
        expect(half(4) == 2, "half(4) is not 2.")

    lib.checks.keep_going()
    check_double(good)
    check_triple(stub)
    check_half(good)
    capsys.readouterr()
    got = lib.checks.summary()
    assert got == {"double": "passed", "triple": NOT_IMPLEMENTED, "half": "failed"}
    out = capsys.readouterr().out
    assert f"Exercises checked: 3; 1 passed, 1 failed, 1 {NOT_IMPLEMENTED}." in out
    # Each is listed under the name the student gave the answer (good, stub).
    assert "✔ good: passed" in out and "✘ good: failed" in out
    assert f"… stub: {NOT_IMPLEMENTED}" in out


def test_latest_run_of_a_check_counts():
    lib.checks.keep_going()
    check_double(wrong)
    assert lib.checks.summary()["double"] == "failed"
    check_double(good)
    assert lib.checks.summary() == {"double": "passed"}


def test_each_run_records_its_verdict_as_data(capsys):
    from lib.checks.core import ERROR, FAILED, PASSED, Verdict, verdict, verdicts

    with pytest.raises(CheckError) as info:
        check_double(wrong)
    v = verdict("double")
    assert v == Verdict("double", "wrong", FAILED, str(info.value))
    assert v.as_dict() == {"exercise": "double", "name": "wrong", "status": FAILED,
                           "message": str(info.value)}
    with pytest.raises(CheckError) as info:
        check_double(stub)
    assert (verdict("double").status, verdict("double").message) == (NOT_IMPLEMENTED, str(info.value))
    check_double(good)
    printed = capsys.readouterr().out
    assert verdict("double") == Verdict("double", "good", PASSED, "good: check passed.")
    assert printed == "✔ good: check passed.\n"       # the message, with its mark

    @exercise("broken", section="s")
    def check_broken(f):
        return f(None) + 1

    with pytest.raises(TypeError):
        check_broken(good)
    assert verdict("broken").status == ERROR and "TypeError" in verdict("broken").message
    assert list(verdicts()) == ["double", "broken"]
    lib.checks.keep_going()
    check_double(wrong)
    assert verdict("double").status == FAILED
    assert verdict("double").message in capsys.readouterr().out


def test_summary_with_nothing_run(capsys):
    assert lib.checks.summary() == {}
    assert "No exercise has been checked yet" in capsys.readouterr().out


def test_keep_going_survives_a_check_that_stops_with_another_error(capsys):
    @exercise("broken", section="s")
    def check_broken(f):
        return f(None) + 1  # TypeError when f returns None

    with pytest.raises(TypeError):
        check_broken(lambda x: x)
    lib.checks.keep_going()
    check_broken(lambda x: x)
    out = capsys.readouterr().out
    assert "✘ broken: the check stopped with TypeError" in out
    assert lib.checks.summary()["broken"] == "error"
    assert "1 stopped with an error" in capsys.readouterr().out


def test_students_traceback_is_chained_and_printed(capsys):
    def crashing(x):
        return x.nonexistent_method()

    @exercise("chained", section="s")
    def check_chained(f):
        try:
            f(2)
        except AttributeError as e:
            raise CheckError("f(2) raised AttributeError.") from e

    with pytest.raises(CheckError) as info:
        check_chained(crashing)
    assert isinstance(info.value.__cause__, AttributeError)
    lib.checks.keep_going()
    check_chained(crashing)
    out = capsys.readouterr().out
    assert "Your code raised this" in out and "x.nonexistent_method()" in out


def test_big_tensors_that_differ_say_where_not_just_their_shape():
    # "returned a tensor of shape (5, 4), expected a tensor of shape (5, 4)" said nothing.
    from lib.checks.core import expect_close
    import torch
    expected = torch.zeros(5, 4)
    got = expected.clone()
    got[3, 2] = 0.5
    with pytest.raises(CheckError, match=r"shape \(5, 4\) in which 1 of its 20 entries differ.*index \(3, 2\) it has 0.5 where 0 was expected"):
        expect_close(got, expected, "f(X)")


def test_small_tensors_that_look_equal_show_the_difference():
    from lib.checks.core import expect_close
    import torch
    with pytest.raises(CheckError, match=r"largest difference 0.001"):
        expect_close(torch.tensor([1.001]), torch.tensor([1.0]), "f(x)", atol=1e-6, rtol=1e-6)


def test_call_keeps_the_students_error_and_says_what_was_tried():
    from lib.checks.core import call

    def student(x):
        return x.missing

    with pytest.raises(CheckError, match=r"student\(3\) raised AttributeError: .*missing.* Hint: h") as info:
        call(student, "student(3)", 3, hint="h")
    assert isinstance(info.value.__cause__, AttributeError)
    with pytest.raises(NotImplementedError):
        call(stub, "stub(1)", 1)


def test_watching_records_and_restores():
    import torch
    from lib.checks.core import watching
    original = torch.relu
    with watching({"torch.relu": (torch, "relu"), "Tensor.clamp": (torch.Tensor, "clamp")}) as used:
        torch.relu(torch.ones(1))
        torch.ones(1).clamp(min=0)
    assert used == ["torch.relu", "Tensor.clamp"]
    assert torch.relu is original and "clamp" not in torch.Tensor.__dict__


def test_call_gives_a_hint_only_for_the_errors_it_is_about():
    from lib.checks.core import call
    hint = {RuntimeError: "check the shapes."}
    with pytest.raises(CheckError) as info:
        call(lambda: undefined_name, "f()", hint=hint)  # noqa: F821 - a NameError on purpose
    assert "Hint" not in str(info.value) and "raised NameError" in str(info.value)
    with pytest.raises(CheckError, match="Hint: check the shapes"):
        call(lambda: torch_ones_mismatch(), "f()", hint=hint)
    with pytest.raises(CheckError, match="Hint: it was a KeyError"):
        call(lambda: {}["k"], "f()", hint=lambda e: f"it was a {type(e).__name__}")


def torch_ones_mismatch():
    import torch
    return torch.ones(2) + torch.ones(3)


def test_the_students_traceback_starts_in_the_students_code(capsys):
    import traceback

    def student(x):
        return x.missing

    @exercise("tb", section="s")
    def check_tb(f):
        from lib.checks.core import call
        call(f, "f(1)", 1)

    with pytest.raises(CheckError) as info:
        check_tb(student)
    frames = traceback.extract_tb(info.value.__cause__.__traceback__)
    assert frames[0].name == "student"
    lib.checks.keep_going()
    check_tb(student)
    out = capsys.readouterr().out
    assert "return x.missing" in out and "in outcome" not in out


def test_no_import_cycle():
    # The core needs nothing from the package; each chapter module needs only the core.
    import ast
    import pathlib
    folder = pathlib.Path(lib.checks.__file__).parent
    for path in folder.glob("*.py"):
        imported = {n.module for n in ast.walk(ast.parse(path.read_text()))
                    if isinstance(n, ast.ImportFrom) and n.level == 1}
        if path.name == "core.py":
            assert imported == set(), imported
        elif path.name != "__init__.py":
            assert imported == {"core"}, (path.name, imported)


def test_messages_name_the_students_function_not_the_exercise(capsys):
    # The student wrote `twice`; the exercise is called "double": every message says `twice`.
    def twice(x):
        raise NotImplementedError

    with pytest.raises(CheckError, match=rf"^twice: {NOT_IMPLEMENTED}") as info:
        check_double(twice)
    assert "double" not in str(info.value)

    def twice(x):  # noqa: F811 - the student's next try
        return x + 1

    with pytest.raises(CheckError) as info:
        check_double(twice)
    said = str(info.value)
    assert said.startswith("twice: twice(2) returned 3, expected 4.") and "double" not in \
        said.split("Reread:")[0], said
    assert said.endswith("Reread: a test section.")

    def twice(x):  # noqa: F811
        return 2 * x

    check_double(twice)
    assert capsys.readouterr().out == "✔ twice: check passed.\n"


def test_a_name_in_another_word_or_after_a_dot_is_left_alone():
    @exercise("relu", section="s")
    def check_relu(relu):
        expect(False, "relu(x) differs; torch.relu, relu_ and prelu(x) are other things.")

    def relu_max(x):
        return x

    with pytest.raises(CheckError, match=r"^relu_max: relu_max\(x\) differs; torch\.relu, "
                                         r"relu_ and prelu\(x\) are other things\."):
        check_relu(relu_max)


def test_answers_without_a_name_of_their_own_keep_the_exercises():
    with pytest.raises(CheckError, match=r"^double: double\(2\) returned 3"):
        check_double(lambda x: x + 1)

    class Callable:
        def __call__(self, x):
            return x + 1

    with pytest.raises(CheckError, match=r"^double: double\(2\) returned 3"):
        check_double(Callable())


def test_a_class_with_the_exercises_method_is_named_with_it():
    @exercise("save", section="s")
    def check_save(cls):
        cls().save()

    class MyStore:
        def save(self):
            raise NotImplementedError

    with pytest.raises(CheckError, match=rf"^MyStore\.save: {NOT_IMPLEMENTED}"):
        check_save(MyStore)
