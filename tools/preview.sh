#!/usr/bin/env bash
# Build one chapter on its own, strictly, into a fresh folder made by mktemp
# (printed at the end: <folder>/book/_build/html/<chapter>.html).
# Usage: bash tools/preview.sh mlp        (the chapter's file name without .md)
# Lets several people work on different chapters at once without sharing book/_build,
# and never deletes a folder it did not make itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ch=${1:?usage: tools/preview.sh CHAPTER}
[ -f "book/$ch.md" ] || { echo "no such chapter: book/$ch.md" >&2; exit 2; }
top=$(mktemp -d "${TMPDIR:-/tmp}/preview-$ch.XXXXXX")
dest=$top/book
mkdir "$dest"
for f in book/*; do
  case "$(basename "$f")" in _build|_toc.yml|*.md) ;; *) cp -r "$f" "$dest/" ;; esac
done
ln -s "$PWD/lib" "$top/lib"   # so that {literalinclude} ../lib/... resolves as in book/
cp "book/$ch.md" "$dest/"
printf 'format: jb-book\nroot: %s\n' "$ch" > "$dest/_toc.yml"
# The other pages are not built here, so a reference to their labels ({ref}`sec-notation`)
# cannot resolve: leave those to `make book` (strict on them), and stay strict on the rest.
sed -i 's/^\( *suppress_warnings: \[.*\)\]$/\1, ref.ref]/' "$dest/_config.yml"
grep -q "suppress_warnings: \[.*ref\.ref\]" "$dest/_config.yml" \
  || { echo "tools/preview.sh: no 'suppress_warnings: [...]' list in book/_config.yml to extend" >&2; exit 2; }
.venv/bin/jupyter-book build "$dest" -W -n --keep-going "${@:2}"
echo "open $dest/_build/html/$ch.html (references to other chapters are checked by make book)"
