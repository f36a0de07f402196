#!/bin/busybox sh
# Berth stage-1 init (the initramfs's /init): load what it takes to see the root disk, mount the
# read-only erofs root with a tmpfs overlay on top (so /etc, /var... are writable and crun's
# pivot_root works: an initramfs root cannot be pivoted away from), then switch_root into
# /sbin/berth-init. Kernel command line: berth.root=/dev/vda (default), berth.rootfs=erofs.
export PATH=/bin
bb=/bin/busybox
$bb mount -t devtmpfs -o mode=0755 devtmpfs /dev
$bb mount -t proc -o nosuid,nodev,noexec proc /proc
$bb mount -t sysfs -o nosuid,nodev,noexec sysfs /sys

die() {
  echo "BERTH-STAGE1-FAILED: $*" >/dev/console
  # Nothing sensible is left to do: power off so the host sees the VM end, not a hang.
  $bb sleep 1
  $bb poweroff -f
}

root=/dev/vda
fstype=erofs
for arg in $($bb cat /proc/cmdline); do
  case "$arg" in
    berth.root=*) root="${arg#berth.root=}" ;;
    berth.rootfs=*) fstype="${arg#berth.rootfs=}" ;;
  esac
done

while read -r m; do
  [ -n "$m" ] && $bb insmod "/lib/modules/$m" 2>/dev/null
done </modules

# virtio-blk probes asynchronously: wait for the node (up to ~10 s).
i=0
while [ ! -b "$root" ]; do
  i=$((i + 1))
  [ $i -gt 1000 ] && die "no root device $root"
  $bb usleep 10000
done

$bb mount -t "$fstype" -o ro "$root" /ro || die "cannot mount $root ($fstype)"
$bb mount -t tmpfs -o mode=0755 tmpfs /rw || die "cannot mount tmpfs"
$bb mkdir -p /rw/upper /rw/work
$bb mount -t overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "cannot mount the overlay"
[ -x /newroot/sbin/berth-init ] || die "/sbin/berth-init missing from the root image"

# Keep the layers reachable for debugging (/run is a fresh tmpfs in berth-init, so use /mnt).
$bb mkdir -p /newroot/mnt/.ro /newroot/mnt/.rw
$bb mount --move /ro /newroot/mnt/.ro
$bb mount --move /rw /newroot/mnt/.rw
$bb mount --move /dev /newroot/dev
$bb mount --move /proc /newroot/proc
$bb mount --move /sys /newroot/sys
exec $bb switch_root /newroot /sbin/berth-init
