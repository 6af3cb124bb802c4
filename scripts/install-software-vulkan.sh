#!/usr/bin/env bash
# Installs Mesa's lavapipe (a software Vulkan driver that runs on the CPU) from Debian
# bookworm-backports, so Dawn finds a WebGPU adapter on a machine without a GPU driver.
# Bookworm's own Mesa 22 lavapipe lacks features Dawn requires, hence the backports source.
# Idempotent: does nothing when a Vulkan driver is already installed and new enough.
set -euo pipefail

have_usable_vulkan() {
  # A driver manifest is present and, if it is Mesa's lavapipe, it is the backports one (>= 23).
  local icd_dirs=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d)
  local found=0
  for d in "${icd_dirs[@]}"; do
    if compgen -G "$d/*.json" >/dev/null 2>&1; then found=1; fi
  done
  [ "$found" = 1 ] || return 1
  if dpkg-query -W -f='${Version}' mesa-vulkan-drivers >/dev/null 2>&1; then
    local v major
    v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)
    major=${v%%.*}; major=${major#*:}
    [ "$major" -ge 23 ] || return 1
  fi
  return 0
}

if have_usable_vulkan; then
  echo "install-software-vulkan: a Vulkan driver is already installed; nothing to do."
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  cat >&2 <<'MSG'
install-software-vulkan: no usable Vulkan driver found, and this script must run as root to
install one. Dawn (the WebGPU implementation dawngrad uses) needs a Vulkan driver; on a machine
without a GPU driver, Mesa's lavapipe from Debian bookworm-backports provides one on the CPU.
Run:  sudo bash scripts/install-software-vulkan.sh
MSG
  exit 1
fi

if [ ! -r /etc/os-release ] || ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "install-software-vulkan: this script targets Debian 12 (bookworm); install your distribution's" >&2
  echo "Mesa Vulkan drivers (mesa-vulkan-drivers >= 23, with lavapipe) by hand." >&2
  exit 1
fi

src=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > "$src" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  echo "install-software-vulkan: added $src"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
echo "install-software-vulkan: installed $(dpkg-query -W -f='mesa-vulkan-drivers ${Version}' mesa-vulkan-drivers)"
