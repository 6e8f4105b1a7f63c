"""course/stubs.py: a solution's code emptied into signatures and docstrings."""
import ast

import pytest

from course.stubs import stub_source
SOLUTION = '''import torch

@torch.no_grad()
@staticmethod
def decorated(a, *, b=2) -> int:  # keep me
    # a comment before the body
    return a + b  # SECRET

def one_line(x): """Doc on the def's line."""; return x  # SECRET

def own_line(x):
    """One-line docstring."""
    return x  # SECRET

class Model(Base):
    """A model.

    Two paragraphs."""
    size = 3  # SECRET
    def __init__(self, n):
        self.n = n  # SECRET
    @property
    def twice(self):
        """Twice n."""
        return 2 * self.n  # SECRET
    async def fetch(self): return 1  # SECRET

class Empty:
    x = 1  # SECRET

def helper(): return 0  # SECRET
%time decorated(1)
'''


def test_every_top_level_def_and_class_is_emptied():
    stub = stub_source(SOLUTION, "Exercise 1.1 (ex-a): your code goes here")
    raise_ = '    raise NotImplementedError("Exercise 1.1 (ex-a): your code goes here")'
    assert stub == "\n".join([
        "@torch.no_grad()",                      # decorators and the header's comment stay
        "@staticmethod",
        "def decorated(a, *, b=2) -> int:  # keep me",
        raise_,
        "", "",
        "def one_line(x):",                      # a docstring on the def's line gets its own
        '    """Doc on the def\'s line."""',
        raise_,
        "", "",
        "def own_line(x):",
        '    """One-line docstring."""',
        raise_,
        "", "",
        "class Model(Base):",                    # a class keeps its docstring and methods,
        '    """A model.',                       # each emptied; its attributes go
        "",
        '    Two paragraphs."""',
        "",
        "    def __init__(self, n):",
        "    " + raise_,
        "",
        "    @property",
        "    def twice(self):",
        '        """Twice n."""',
        "    " + raise_,
        "",
        "    async def fetch(self):",
        "    " + raise_,
        "", "",
        "class Empty:",
        "    pass",
        "", "",
        "def helper():",
        raise_,
    ]) + "\n"
    assert "SECRET" not in stub and "import torch" not in stub and "%time" not in stub
    ast.parse(stub)


def test_only_the_wanted_names_are_stubbed():
    assert stub_source(SOLUTION, "m", {"helper", "own_line"}) == (
        'def own_line(x):\n    """One-line docstring."""\n    raise NotImplementedError("m")\n'
        '\n\n'
        'def helper():\n    raise NotImplementedError("m")\n')
    assert stub_source(SOLUTION, "m", set()) == ""
    assert stub_source("x = 1\nprint(x)\n", "m") == ""


def test_the_message_is_quoted_so_that_it_raises_as_written():
    message = 'Say "hi" \\ to C:\\new'
    namespace = {}
    exec(stub_source("def f(x):\n    return x\n", message), namespace)
    with pytest.raises(NotImplementedError) as caught:
        namespace["f"](1)
    assert str(caught.value) == message
