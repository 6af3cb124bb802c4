#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/browser*.test.ts), which drive it with
# puppeteer-core: puppeteer's own browser download needs network access the tests cannot rely
# on, and the distribution's build gets security updates with the rest of the system.
# Headless, it offers WebGPU on SwiftShader (a CPU Vulkan), so no GPU is needed.
# Idempotent: does nothing when a chromium is already installed.
set -euo pipefail

for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then
    echo "install-chromium: $(command -v "$b") is already installed; nothing to do."
    exit 0
  fi
done

if [ "$(id -u)" != 0 ]; then
  echo "install-chromium: chromium is not installed and this script must run as root to install it." >&2
  echo "Run:  sudo bash scripts/install-chromium.sh" >&2
  exit 1
fi

if [ ! -r /etc/os-release ] || ! grep -qE '^ID=debian|^ID_LIKE=.*debian' /etc/os-release; then
  echo "install-chromium: this script targets Debian; install your distribution's chromium by hand." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium
echo "install-chromium: installed $(dpkg-query -W -f='chromium ${Version}' chromium)"
