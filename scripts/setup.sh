#!/usr/bin/env bash
# Installs what Berth needs on Debian 12 (run as root): the OCI runtimes, iproute2, nftables,
# the fixture and peer tools, QEMU and the guest image's build tools (amd64 and arm64), and the npm
# packages. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(runc crun iproute2 nftables iptables busybox-static util-linux procps tini
          skopeo umoci docker.io podman uidmap attr hyperfine docker-registry apache2-utils zstd
          chromium fonts-liberation qemu-system-x86 qemu-utils erofs-utils cpio kmod
          g++ make python3
          qemu-system-arm g++-aarch64-linux-gnu)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# The arm64 guest image is unpacked from arm64 .debs that `apt-get download` fetches; nothing of
# arm64 is ever installed on the host, so the foreign architecture only adds package lists. apt
# needs those lists once (after --add-architecture) and whenever they are missing.
update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: dpkg --add-architecture arm64" >&2
  dpkg --add-architecture arm64
  update=1
fi
compgen -G '/var/lib/apt/lists/*_binary-arm64_Packages*' >/dev/null || update=1

if [ "${#missing[@]}" -gt 0 ] || [ "$update" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  # Host tools by their bare names are always the native (amd64) packages, foreign arch or not.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install (it wipes node_modules).
if ! cmp -s package-lock.json node_modules/.berth-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.berth-lock
fi
npm run --silent build
