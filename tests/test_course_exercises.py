"""course/exercises.py: a chapter's exercises, read from the walk, and check calls."""
import jupytext

from course.book import MYST_HEADER
from course.exercises import (Check, check_arguments, check_calls, read_exercises,
                                   shown_number)
from course.myst import walk

CHAPTER = MYST_HEADER + '''
# The chapter

```{exercise} Numbered
:label: ex-one

Write `f`.
```

````{solution-start} ex-one
````

```{code-cell} ipython3
def f(): return 1
```

````{solution-end}
````

```{code-cell} ipython3
print("not a check")
```

```{code-cell} ipython3
lib.checks.demo.check_f(f)
```

```{exercise} Aside
:label: ex-aside
:nonumber:

Why?
```

```{code-cell} ipython3
lib.checks.demo.check_before_its_solution(g)
```

```{exercise}
No label.
```

```{exercise} Words
---
label: ex-words
---
Explain.
```

```{solution} ex-words
In words.
```

```{code-cell} ipython3
lib.checks.demo.check_words(w)
```

````{solution-start} ex-nobody
````

```{code-cell} ipython3
def orphan(): pass
```

````{solution-end}
````

```{code-cell} ipython3
lib.checks.demo.check_orphan(orphan)
```
'''


def index():
    return read_exercises(walk(jupytext.reads(CHAPTER, fmt="md:myst").cells, "demo"))


def test_exercises_are_numbered_labelled_and_titled():
    found = index()
    assert found.title == "The chapter"
    assert [(e.label, e.number, e.title) for e in found.exercises] == [
        ("ex-one", 1, "Numbered"),
        ("ex-aside", None, "Aside"),       # :nonumber: takes no number ...
        ("exercise-3", 2, ""),             # ... so the next one is the second
        ("ex-words", 3, "Words"),          # label from a YAML options block
    ]
    assert found.by_label()["ex-one"].statement == ["Write `f`."]
    assert found.by_label()["ex-aside"].statement == ["Why?"]


def test_solutions_and_checks_go_to_their_exercise():
    found = index().by_label()
    assert found["ex-one"].solution == ["def f(): return 1"]
    # Only cells that call lib.checks after the solution, up to the next exercise.
    assert found["ex-one"].check_cells == ["lib.checks.demo.check_f(f)"]
    # A check before any solution of its exercise belongs to no exercise.
    assert found["ex-aside"].check_cells == [] and found["exercise-3"].check_cells == []
    # An ungated solution has no code, but the check after it is its exercise's.
    assert found["ex-words"].solution == []
    assert found["ex-words"].check_cells == ["lib.checks.demo.check_words(w)"]
    # A solution of no exercise, and its check, are dropped.
    assert "orphan" not in repr(index())


def test_numbers_as_the_site_shows_them():
    assert shown_number(4, 2) == "4.2" and shown_number(None, 2) == "2"
    assert shown_number(0, 1) == "0.1"


def test_check_calls_keep_each_argument_as_written():
    [call] = check_calls("out = 1\nlib.checks.mlp.check_relu(my_relu, X[:2], tol=1e-3, **extra)\n")
    assert call == Check("mlp", "check_relu", ("my_relu", "X[:2]"), (("tol", "1e-3"),),
                         "lib.checks.mlp.check_relu(my_relu, X[:2], tol=1e-3, **extra)")
    assert check_calls("lib.checks.summary()") == []  # not lib.checks.<module>.<function>
    assert check_calls("if True:\n    lib.checks.mlp.check_relu(relu)") == []  # not top level


def test_check_arguments_are_the_names_a_check_is_passed():
    source = ("result = lib.checks.mlp.check_net(Net(d_in), data=make_data(n), lr=lr)\n"
              "print(other(x))\n")
    assert check_arguments(source) == {"Net", "d_in", "make_data", "n", "lr"}
    assert check_arguments("print(lib.checks.mlp.check_net(Net))") == {"Net"}  # not top level
    assert check_arguments("check_net(Net)") == set()
    assert check_arguments("%timeit lib.checks.mlp.check_net(Net)") == set()  # not Python
