#!/usr/bin/env bash
# Install a Debian package that the project needs, when it is missing and we may:
# as root, or with passwordless sudo. Otherwise say exactly what to run, and fail.
# Usage: tools/system_package.sh PACKAGE WHAT-IT-IS-FOR
set -euo pipefail
pkg=${1:?usage: tools/system_package.sh PACKAGE WHAT-IT-IS-FOR}
why=${2:-this project}
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "error: $why needs Debian's package '$pkg', and this system has no apt-get." >&2
  echo "Install the equivalent package with your system's package manager, then run make again." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "error: $why needs Debian's package '$pkg', which is not installed, and make cannot" >&2
  echo "install it without a password. Run:  sudo apt-get install -y $pkg   then make again." >&2
  exit 1
fi
echo "Installing Debian's $pkg (for $why) ..."
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine: update once, then retry.
"${sudo[@]}" apt-get install -y -qq "$pkg" >/dev/null 2>&1 \
  || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "$pkg" >/dev/null; } \
  || { echo "error: 'apt-get install $pkg' failed (see above); $why cannot run without it." >&2; exit 1; }
