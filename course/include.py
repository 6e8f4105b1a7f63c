"""The lines that a ``{literalinclude}`` shows, selected by its options (pyobject,
start-after, end-before, lines, dedent: in the order Sphinx applies them)."""
import ast


def _pyobject(lines, dotted):
    """The source lines of a top-level object, or of Class.method, in a Python file."""
    try:
        body = ast.parse("\n".join(lines)).body
    except SyntaxError:
        return None
    node = None
    for name in dotted.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                       ast.ClassDef)) and n.name == name), None)
        if node is None:
            return None
        body = node.body
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    return lines[start - 1:node.end_lineno]


def included_lines(path, options):
    """The lines of the file at `path` that the directive's options select; None when the
    file cannot be read."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    if options.get("pyobject"):
        lines = _pyobject(lines, str(options["pyobject"])) or lines
    if options.get("start-after"):
        at = next((i for i, l in enumerate(lines) if options["start-after"] in l), None)
        lines = lines[at + 1:] if at is not None else lines
    if options.get("end-before"):
        at = next((i for i, l in enumerate(lines) if options["end-before"] in l), None)
        lines = lines[:at] if at is not None else lines
    if options.get("lines"):
        keep = []
        for part in str(options["lines"]).split(","):
            lo, dash, hi = part.strip().partition("-")
            lo = int(lo) if lo else 1
            hi = (int(hi) if hi else len(lines)) if dash else lo
            keep.extend(lines[lo - 1:hi])
        lines = keep
    if options.get("dedent"):
        n = int(options["dedent"])
        lines = [l[n:] if l[:n].strip() == "" else l.lstrip() for l in lines]
    return lines
