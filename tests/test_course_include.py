"""course/include.py: the lines a {literalinclude} shows."""
from course.include import included_lines
MODULE = '''import os

def top():
    # START
    indented = True
    more = 2
    # END
    return 1

class Foo:
    """Foo."""

    @staticmethod
    def bar():
        return 3

    def baz(self):
        return 4
'''


def lines_of(tmp_path, **options):
    path = tmp_path / "mod.py"
    path.write_text(MODULE)
    return included_lines(path, options)


def test_the_whole_file_without_options(tmp_path):
    assert lines_of(tmp_path) == MODULE.splitlines()


def test_pyobject_selects_a_function_or_a_method_with_its_decorator(tmp_path):
    assert lines_of(tmp_path, pyobject="top") == MODULE.splitlines()[2:8]
    assert lines_of(tmp_path, pyobject="Foo.bar") == [
        "    @staticmethod", "    def bar():", "        return 3"]
    # An object the file does not define: the whole file, as a fallback.
    assert lines_of(tmp_path, pyobject="Foo.nope") == MODULE.splitlines()


def test_lines_take_ranges_and_single_lines(tmp_path):
    assert lines_of(tmp_path, lines="1, 3-4, 17-") == [
        "import os", "def top():", "    # START", "    def baz(self):", "        return 4"]


def test_start_after_end_before_and_dedent(tmp_path):
    assert lines_of(tmp_path, **{"start-after": "START", "end-before": "END"}) == [
        "    indented = True", "    more = 2"]
    assert lines_of(tmp_path, **{"start-after": "START", "end-before": "END", "dedent": "4"}) \
        == ["indented = True", "more = 2"]
    # start-after applies to what pyobject selected, as in Sphinx.
    assert lines_of(tmp_path, pyobject="Foo", **{"start-after": "def baz"}) == ["        return 4"]


def test_a_missing_file_is_none(tmp_path):
    assert included_lines(tmp_path / "missing.py", {}) is None
