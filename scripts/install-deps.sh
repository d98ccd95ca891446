#!/usr/bin/env bash
# Installs Ganglion's build and test dependencies from Debian 12 packages.
# Idempotent: does nothing when everything is installed. Uses sudo when not root.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libopenblas-dev libarchive-dev libinih-dev libmd-dev
      zlib1g-dev libpng-dev libjpeg62-turbo-dev libjansson-dev libcriterion-dev dataset-fashion-mnist)
[ "${1:-}" = "--bench" ] && pkgs+=(python3-torch)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
