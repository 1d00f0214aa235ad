#!/usr/bin/env bash
# deps.sh — install the Debian 12 packages suanwang needs to build, test and
# run (only those missing, so a second run is quick). Needs root or sudo.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config
          libjansson-dev zlib1g-dev libcmocka-dev
          libsqlite3-dev libmicrohttpd-dev libsodium-dev libcurl4-openssl-dev
          libpq-dev postgresql
          prometheus
          slurm-wlm munge
          python3 gzip)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
