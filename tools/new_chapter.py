"""Start a new chapter: `make chapter NAME=attention [TITLE="Attention"]`.

Writes, from the templates below, everything a chapter with one checked exercise needs,
in the shape CONTRIBUTING.md describes, so that `make test` passes before you write a
word of your own:

- book/<name>.md: front matter, label and title, the set-up cell, a computed value glued
  into the prose and asserted beside it, a formula, a citation, the summary, one code
  exercise with its folded solution and its check call, the references;
- its entry at the end of book/_toc.yml (in the last part: move it if it belongs elsewhere);
- lib/checks/<name_with_underscores>.py with the exercise's check, and its registration
  in lib.checks.CHAPTERS;
- tests/test_checks_<name_with_underscores>.py: the solution and a second right answer
  pass, the stub reports "not implemented yet", five wrong answers get their explanation.

Then run `make book` (it regenerates the student notebooks) and `make test`.
"""
import argparse
import re
import sys
from pathlib import Path

from course.book import MYST_HEADER, toc_pages

# The repository this script is in (not wherever the course package was installed from).
ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

CHAPTER = MYST_HEADER + '''
(sec-{name})=
# {title}

Say here, in two or three sentences, what this chapter teaches and what the reader will
be able to do at its end. The cells below show the conventions of the book; replace them
with the chapter's own.

```{{code-cell}} ipython3
import torch

import lib

torch.manual_seed(0)        # the same random numbers on every run
lib.use_svg_display()       # figures as SVG, sharp at any zoom
```

## A first computation

The mean of $n$ numbers is $\\bar{{x}} = \\frac{{1}}{{n}}\\sum_{{i=1}}^n x_i$; PyTorch
computes it with `mean` {{cite:p}}`zhang2023dive`.

```{{code-cell}} ipython3
x = torch.tensor([2.0, 4.0, 9.0])
mean = x.mean()
mean
```

```{{code-cell}} ipython3
:tags: [remove-cell]
from myst_nb import glue

assert float(mean) > float(x.min()), "the text says the mean lies above the smallest value"
glue("{key}_mean", float(mean), display=False)
```

The mean is {{glue:text}}`{key}_mean:.1f`, above the smallest of the three numbers: the
text takes the number from the cell, and the build fails if the claim stops holding.

## Summary

- The mean of $n$ numbers is their sum divided by $n$.

## Exercises

```{{exercise}} Square every entry
:label: ex-{name}-square

Write `square(X)`, which returns a new tensor of the shape of `X` holding each entry of
`X` squared, and leaves `X` as it is.
```

````{{solution-start}} ex-{name}-square
:class: dropdown
````

Multiply the tensor by itself, entry by entry: `*` on two tensors is elementwise.

```{{code-cell}} ipython3
def square(X):
    """Each entry of X squared, in a new tensor."""
    return X * X
```

````{{solution-end}}
````

```{{code-cell}} ipython3
lib.checks.{module}.check_square(square)
```

## References

```{{bibliography}}
:filter: docname in docnames
```
'''

CHECKS = '''"""Self-checks for the exercises of the chapter "{title}" (book/{name}.md)."""
import torch

from .core import call, exercise, expect_close, expect_tensor, expect_unchanged

__all__ = ["check_square"]


@exercise("square", section="'{title}', its exercises")
def check_square(square):
    X = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
    before = X.clone()
    tried = "square(tensor([[1., -2.], [3., 0.5]]))"
    got = call(square, tried, X)
    expect_unchanged(X, before, tried, hint="return a new tensor and leave X as it is")
    expect_tensor(got, tried, "a tensor of the shape of X")
    expect_close(got, X * X, tried, hint="each entry of the result is that entry of X times itself")
'''

TESTS = '''from helpers import fails, solutions_pass, stubs_fail
from lib.checks.{module} import check_square


def solution(X):
    return X * X


def with_pow(X):  # a right answer written differently from the book's
    return X.pow(2)


test_solutions_pass = solutions_pass((check_square, solution), (check_square, with_pow))
test_stubs_fail = stubs_fail(check_square)


def test_doubling_is_not_squaring():
    fails(check_square, lambda X: 2 * X, "times itself")


def test_squaring_in_place_is_caught():
    fails(check_square, lambda X: X.mul_(X), "leave X as it is")


def test_returning_the_input_is_caught():
    fails(check_square, lambda X: X, "times itself")


def test_absolute_values_are_not_squares():
    fails(check_square, lambda X: X.abs(), "times itself")


def test_a_list_is_not_a_tensor():
    fails(check_square, lambda X: (X * X).tolist(), "tensor")
'''


def add_to_toc(name, toc=BOOK / "_toc.yml"):
    """Append the chapter to the last part of _toc.yml (as text: its comments stay)."""
    text = toc.read_text()
    last = re.findall(r"^( *)- file: \S+\s*$", text, re.M)
    if not last:
        raise SystemExit(f"{toc} lists no chapter to put {name} after")
    toc.write_text(text.rstrip("\n") + f"\n{last[-1]}- file: {name}\n")


def register(module, init=ROOT / "lib" / "checks" / "__init__.py"):
    """Add the check module to lib.checks.CHAPTERS, its one registration."""
    text = init.read_text()
    m = re.search(r"^CHAPTERS = \[(.*?)\]", text, re.M | re.S)
    if not m:
        raise SystemExit(f"{init} has no `CHAPTERS = [...]` list to register {module} in")
    names = re.findall(r'"(\w+)"', m.group(1)) + [module]
    body, line = [], "CHAPTERS = ["
    for n in names:
        item = f'"{n}", '
        if len(line) + len(item) > 90:
            body.append(line.rstrip())
            line = " " * len("CHAPTERS = [")
        line += item
    body.append(line.rstrip(", ") + "]")
    init.write_text(text[:m.start()] + "\n".join(body) + text[m.end():])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("name", help="the chapter's file name, lowercase with hyphens (book/<name>.md)")
    p.add_argument("--title", help="its title (default: the name, capitalised)")
    args = p.parse_args(argv)
    name = args.name
    if not NAME_RE.match(name):
        raise SystemExit(f"error: {name!r} is not a chapter name: use lowercase letters, digits "
                         "and single hyphens, starting with a letter (e.g. NAME=weight-decay)")
    module = name.replace("-", "_")
    title = args.title or name.replace("-", " ").capitalize()
    files = {BOOK / f"{name}.md": CHAPTER, ROOT / "lib" / "checks" / f"{module}.py": CHECKS,
             ROOT / "tests" / f"test_checks_{module}.py": TESTS}
    taken = [str(f.relative_to(ROOT)) for f in files if f.exists()]
    if taken or name in toc_pages(BOOK):
        raise SystemExit(f"error: chapter {name!r} exists already ({', '.join(taken) or '_toc.yml'}); "
                         "choose another name")
    for path, template in files.items():
        path.write_text(template.format(name=name, title=title, module=module, key=module))
    add_to_toc(name)
    register(module)
    print(f"new chapter {name!r}: " + ", ".join(str(f.relative_to(ROOT)) for f in files)
          + ", its entry in book/_toc.yml and in lib.checks.CHAPTERS.\n"
          "Next: make book (regenerates the student notebooks), then make test.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
