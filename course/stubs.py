"""A solution's code cell emptied into a stub: the signatures and docstrings of the
top-level functions and classes an exercise asks for, their bodies replaced by
``raise NotImplementedError(message)`` (a class keeps its methods, each emptied so)."""
import ast


def _parse(src):
    """(source, its AST); a cell with IPython syntax (%magics, !commands) is first turned
    into the Python that IPython would run."""
    try:
        return src, ast.parse(src)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager
        src = TransformerManager().transform_cell(src)
        return src, ast.parse(src)


def _segment(lines, lineno, col, end_lineno=None, end_col=None):
    """Source text between two (1-based line, byte column) positions."""
    if end_lineno is None:
        return lines[lineno - 1].encode()[col:].decode()
    if lineno == end_lineno:
        return lines[lineno - 1].encode()[col:end_col].decode()
    first = lines[lineno - 1].encode()[col:].decode()
    last = lines[end_lineno - 1].encode()[:end_col].decode()
    return "\n".join([first] + lines[lineno:end_lineno - 1] + [last])


def _is_docstring(node):
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _stub_def(node, lines, message, indent):
    """Signature (with decorators) and docstring of a def/class, body replaced."""
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    first = node.body[0]
    header = _segment(lines, start, 0, first.lineno, first.col_offset).splitlines()
    # Keep the header up to its colon: drop comment-only or blank lines before the body.
    while header and (not header[-1].strip() or header[-1].strip().startswith("#")):
        header.pop()
    header = [l.rstrip() for l in header]
    if first.lineno > node.lineno and lines[first.lineno - 1][:first.col_offset].strip() == "":
        inner = lines[first.lineno - 1][:len(lines[first.lineno - 1])
                                          - len(lines[first.lineno - 1].lstrip())]
    else:
        inner = indent + "    "
    header = [indent + header[0].lstrip()] + header[1:] if header else header
    body = []
    if _is_docstring(first):
        own_lines = (lines[first.lineno - 1][:first.col_offset].strip() == ""
                     and lines[first.end_lineno - 1].encode()[first.end_col_offset:].strip() == b"")
        if own_lines and first.lineno > node.lineno:
            doc = lines[first.lineno - 1:first.end_lineno]
            body.extend([inner + doc[0].lstrip()] + doc[1:])
        else:
            body.append(inner + '"""' + first.value.value.replace('"""', r'\"\"\"') + '"""')
    if isinstance(node, ast.ClassDef):
        methods = [m for m in node.body
                   if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for m in methods:
            if body:
                body.append("")
            body.extend(_stub_def(m, lines, message, inner).splitlines())
        if not body:
            body.append(inner + "pass")
    else:
        quoted = '"' + message.replace("\\", "\\\\").replace('"', '\\"') + '"'
        body.append(f"{inner}raise NotImplementedError({quoted})")
    return "\n".join(header + body)


def stub_source(src, message, wanted=None):
    """The stub of one solution code cell: its top-level defs and classes, emptied; with
    `wanted`, only those whose names it holds (the others are the solution's helpers)."""
    src, tree = _parse(src)
    lines = src.splitlines()
    stubs = [_stub_def(node, lines, message, "") for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             and (wanted is None or node.name in wanted)]
    return "\n\n\n".join(stubs) + ("\n" if stubs else "")
