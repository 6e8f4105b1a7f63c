#!/usr/bin/env bash
# Make the real Fashion-MNIST available offline. Prints where it is, or how to get it.
# Usage: bash tools/ensure_data.sh [PYTHON]
# It first checks that `lib` imports: a broken library is reported as such (with its
# error), never mistaken for missing data, and nothing is installed in that case.
set -euo pipefail
PY=${1:-python3}
if ! err=$($PY -c "import lib.datasets" 2>&1); then
  echo "tools/ensure_data.sh: lib does not import, so the data cannot be checked." >&2
  echo "Fix this error first (nothing was installed):" >&2
  echo "$err" >&2
  exit 3
fi
FIND="import lib.datasets as d; print('Fashion-MNIST:', d.find_fashion_mnist(download=False))"
if $PY -c "$FIND" 2>/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Fashion-MNIST not found: installing Debian's dataset-fashion-mnist ..."
  apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "Fashion-MNIST not found: installing Debian's dataset-fashion-mnist ..."
  sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { sudo apt-get update -qq && sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
fi
# Fails with the library's own message (what to install, where to put the files) if still missing.
$PY -c "$FIND"
