#!/usr/bin/env bash
# Installs what Berth needs on Debian 12 (run as root): the OCI runtimes, iproute2, nftables,
# the fixture and peer tools, and the npm packages. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(runc crun iproute2 nftables iptables busybox-static util-linux procps tini
          skopeo umoci docker.io podman uidmap attr hyperfine docker-registry apache2-utils zstd
          chromium fonts-liberation qemu-system-x86 qemu-utils erofs-utils cpio kmod)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install (it wipes node_modules).
if ! cmp -s package-lock.json node_modules/.berth-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.berth-lock
fi
npm run --silent build
