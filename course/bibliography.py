"""The book's BibTeX entries as a notebook shows them: in-text citations and a reference list.

The site uses sphinxcontrib-bibtex; a notebook has no such thing, so ``{cite:p}`` and
``{cite:t}`` become text ("(Lee et al., 2020)", "Lee et al. (2020)") and
``{bibliography}`` the list of the entries the chapter cited.
"""
import re


from .book import BOOK, book_config


def load_bib(book=BOOK, config=None):
    """key -> (short author text, year, one-line reference) for the book's .bib files."""
    config = config if config is not None else book_config(book)
    entries = {}
    try:
        from pybtex.database import parse_file
    except ImportError:  # pragma: no cover - pybtex comes with sphinxcontrib-bibtex
        return entries
    for name in config.get("bibtex_bibfiles", []) or []:
        path = book / name
        if not path.is_file():
            continue
        for key, entry in parse_file(str(path)).entries.items():
            people = entry.persons.get("author", []) or entry.persons.get("editor", [])
            lasts = [_plain(" ".join(p.last_names)) for p in people]
            if not lasts:
                who = key
            elif len(lasts) == 1:
                who = lasts[0]
            elif len(lasts) == 2:
                who = f"{lasts[0]} and {lasts[1]}"
            else:
                who = f"{lasts[0]} et al."
            fields = entry.fields
            year = _plain(fields.get("year", "n.d."))
            names = [" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names)
                     for p in people]
            full = [_plain(", ".join(names)) or who, f"({year}).",
                    _plain(fields.get("title", "")) + "."]
            venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher")
            if venue:
                full.append(f"*{_plain(venue)}*.")
            if fields.get("url"):
                full.append(f"<{fields['url']}>")
            entries[key] = (who, year, " ".join(full))
    return entries


def _plain(text):
    """Drop BibTeX braces and escapes."""
    return re.sub(r"[{}]", "", str(text)).replace("\\&", "&").replace("--", "–")


def cite(bib, role, keys, cited):
    """The text of a ``{cite:...}`` role on ``keys`` ("a, b"): "Lee et al. (2020)" for
    cite:t, "(Lee et al., 2020; ...)" otherwise. Appends the keys not yet in ``cited``
    to it, so that the reference list follows the order of first citation."""
    keys = [k.strip() for k in keys.split(",") if k.strip()]
    for k in keys:
        if k not in cited:
            cited.append(k)
    parts = []
    for k in keys:
        who, year, _ = bib.get(k, (k, "", ""))
        if role.startswith("cite:t"):
            parts.append(f"{who} ({year})" if year else who)
        else:
            parts.append(f"{who}, {year}" if year else who)
    if role.startswith("cite:t"):
        return ", ".join(parts)
    return "(" + "; ".join(parts) + ")"


def reference_list(bib, cited):
    """The Markdown list of the cited entries (those the .bib files hold), in order."""
    return [f"- {bib[k][2]}" for k in cited if k in bib]
