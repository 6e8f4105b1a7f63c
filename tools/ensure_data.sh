#!/usr/bin/env bash
# Make the real Fashion-MNIST available offline. Prints where it is, or how to get it.
set -euo pipefail
PY=${1:-python3}
if $PY -c "import lib.data as d; print('Fashion-MNIST:', d.find_fashion_mnist(download=False))" 2>/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Fashion-MNIST not found: installing Debian's dataset-fashion-mnist ..."
  apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { sudo apt-get update -qq && sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
fi
# Fails with the library's own message (what to install, where to put the files) if still missing.
$PY -c "import lib.data as d; print('Fashion-MNIST:', d.find_fashion_mnist(download=False))"
