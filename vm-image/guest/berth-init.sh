#!/usr/bin/busybox sh
# /sbin/berth-init: the Berth guest's init, run by busybox sh.
#
#   berth-init            (PID 1, from stage 1's switch_root) set the system up, write
#                         /etc/inittab, then exec busybox init, which supervises the services below
#                         and runs `berth-init shutdown` on poweroff (ACPI button via acpid, or
#                         SIGUSR2/SIGTERM to PID 1, or `poweroff` in the guest).
#   berth-init engine     the engine in the foreground (respawned by init)
#   berth-init link       the host link service, if /opt/berth/link.mjs exists (respawned)
#   berth-init debugtcp   TCP 0.0.0.0:2375 -> the engine socket (berth.debugtcp=1 only; respawned)
#   berth-init ready      waits for the engine to answer /_ping, prints BERTH-READY
#   berth-init shutdown   stops the engine and the link, then containers, unmounts the data disk
#
# Kernel command line: berth.time=<unix seconds> (clock), berth.key=<base64 OpenSSH public key>
# (else fw_cfg opt/berth/key), berth.shares=<base64 "tag<TAB>path" lines> (virtiofs folders from
# the host), berth.debugtcp=1, berth.log=console (engine log to the serial
# console instead of /var/log/berth/engine.log), berth.hostname=NAME, berth.data=/dev/vdb,
# berth.shell=1 (a root shell on the console: debugging only), berth.loglevel=debug.
# busybox sh prefers its own applets, so real tools (ip, mke2fs, modprobe) go by full path.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
export HOME=/root
bb=/usr/bin/busybox
SOCK=/run/berth/docker.sock
DATA=/var/lib/berth
LOG=/var/log/berth

say() { echo "berth-init: $*" >/dev/console; }
uptime_s() { read -r up _ </proc/uptime; echo "$up"; }
mark() { echo "BERTH-$1 t=$(uptime_s)s${2:+ $2}" >/dev/console; }
cmdline() {
  # cmdline NAME -> the value of berth.NAME=... (empty if absent)
  for arg in $(cat /proc/cmdline); do
    case "$arg" in "berth.$1="*) echo "${arg#berth.$1=}"; return 0 ;; esac
  done
  return 1
}

do_setup() {
  # --- pseudo file systems (stage 1 moved /dev, /proc and /sys here already)
  [ -e /proc/self ] || mount -t proc -o nosuid,nodev,noexec proc /proc
  [ -d /sys/kernel ] || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
  [ -e /dev/null ] || mount -t devtmpfs -o mode=0755 devtmpfs /dev
  mkdir -p /dev/pts /dev/shm
  mount -t devpts -o gid=5,mode=0620,ptmxmode=0666,newinstance devpts /dev/pts
  ln -sf pts/ptmx /dev/ptmx
  mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
  ln -sf /proc/self/fd /dev/fd
  ln -sf /proc/self/fd/0 /dev/stdin
  ln -sf /proc/self/fd/1 /dev/stdout
  ln -sf /proc/self/fd/2 /dev/stderr
  mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
  mkdir -p /run/berth /run/lock "$LOG"
  chmod 0700 /run/berth
  # The engine also at /var/run/docker.sock, as on any Docker host: tools bind-mount that path
  # into their containers (Testcontainers' Ryuk, Portainer, CI runners).
  [ -e /var/run ] || ln -s /run /var/run
  ln -sf /run/berth/docker.sock /var/run/docker.sock

  # --- cgroup v2 only, every available controller delegated to children
  mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
  ctrls=""
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do ctrls="$ctrls +$c"; done
  echo "$ctrls" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
    for c in $ctrls; do echo "$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; done
  mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null
  [ -d /sys/fs/fuse/connections ] && mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null

  # --- clock: from the host, before anything writes timestamps
  t=$(cmdline time) && date -s "@$t" >/dev/null

  # --- modules (stage 1 loaded virtio, erofs and overlay). kmod's modprobe honours softdeps;
  # crc32c_generic goes first anyway (ext4's checksums on kernels that build it as a module).
  # The network/netfilter/sharing set loads in the background while the engine starts.
  /usr/sbin/modprobe -a -q $(cat /etc/berth/modules.early) 2>/dev/null
  /usr/sbin/modprobe -a -q $(cat /etc/berth/modules.late) 2>/dev/null &
  mark MODULES

  # --- identity and network (QEMU user networking: 10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3)
  hn=$(cmdline hostname) || hn=berth
  hostname "$hn"
  echo "$hn" >/etc/hostname
  /usr/bin/ip -batch - <<EOF
link set lo up
link set eth0 up
addr add 10.0.2.15/24 dev eth0
route add default via 10.0.2.2 dev eth0
EOF
  [ $? = 0 ] || say "network setup failed (no eth0?)"
  echo 1 >/proc/sys/net/ipv4/ip_forward
  echo 1 >/proc/sys/net/ipv4/conf/all/route_localnet
  # Many containers expect these (Docker Desktop sets them too).
  echo 1048576 >/proc/sys/fs/inotify/max_user_watches 2>/dev/null
  echo 8192 >/proc/sys/fs/inotify/max_user_instances 2>/dev/null
  echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range 2>/dev/null

  # --- data disk: ext4, formatted on first boot only (no ext4 superblock magic 0xEF53 at 1080)
  disk=$(cmdline data) || disk=/dev/vdb
  mkdir -p "$DATA"
  i=0
  while [ ! -b "$disk" ] && [ $i -lt 100 ]; do usleep 10000; i=$((i + 1)); done
  if [ -b "$disk" ]; then
    magic=$(dd if="$disk" bs=1 skip=1080 count=2 2>/dev/null | hexdump -e '2/1 "%02x"')
    if [ "$magic" != "53ef" ]; then
      say "formatting $disk (first boot)"
      /usr/sbin/mke2fs -q -F -t ext4 -L berth-data -m 0 -E lazy_itable_init=1,lazy_journal_init=1 "$disk" ||
        say "mke2fs $disk failed"
    fi
    mount -t ext4 -o noatime "$disk" "$DATA" || say "cannot mount $disk; the engine's data is on tmpfs and is lost at poweroff"
  else
    say "no data disk $disk; the engine's data is on tmpfs and is lost at poweroff"
  fi
  mark DISK

  # --- shared host folders: virtiofs tags mounted at the host's paths (berth.shares= is base64
  # of "tag<TAB>path" lines), so a bind mount of a host path resolves to the host's files
  if shares=$(cmdline shares); then
    /usr/sbin/modprobe -q virtiofs 2>/dev/null
    tab=$(printf '\t')
    { echo "$shares" | base64 -d 2>/dev/null; echo; } | while IFS="$tab" read -r tag dir; do
      [ -n "$tag" ] && [ -n "$dir" ] || continue
      mkdir -p "$dir" && mount -t virtiofs "$tag" "$dir" || say "cannot mount the shared folder $dir ($tag)"
    done
    mark SHARES
  fi

  # --- the link's authorized key: cmdline (base64) or fw_cfg opt/berth/key
  key=/run/berth/authorized_key
  fw=/sys/firmware/qemu_fw_cfg/by_name/opt/berth/key/raw
  if k=$(cmdline key); then
    echo "$k" | base64 -d >"$key" 2>/dev/null || rm -f "$key"
  elif [ -r "$fw" ]; then
    cat "$fw" >"$key"
  fi
  [ -f "$key" ] && chmod 0600 "$key"

  # --- services, supervised by busybox init
  {
    echo "::respawn:/sbin/berth-init engine"
    # With the debug TCP proxy, its node process also does the ready check (one node, not two).
    [ "$(cmdline debugtcp)" = 1 ] || echo "::once:/sbin/berth-init ready"
    [ -f /opt/berth/link.mjs ] && echo "::respawn:/sbin/berth-init link"
    [ "$(cmdline debugtcp)" = 1 ] && echo "::respawn:/sbin/berth-init debugtcp"
    echo "::respawn:/usr/bin/busybox acpid -f -c /etc/acpi -l /dev/null"
    # arm64 (no ACPI under -kernel): the power button is a GPIO line; see berth-powerkey.
    [ -x /usr/sbin/berth-powerkey ] && echo "::respawn:/usr/sbin/berth-powerkey"
    # On the console's tty (ttyS0 on x86, ttyAMA0 on arm64): job control needs it, not /dev/console.
    [ "$(cmdline shell)" = 1 ] && c=$(cat /sys/class/tty/console/active) && echo "${c##* }::respawn:-/bin/sh"
    echo "::ctrlaltdel:/usr/bin/busybox poweroff"
    echo "::shutdown:/sbin/berth-init shutdown"
  } >/etc/inittab
  mark INIT
}

do_engine() {
  mkdir -p "$LOG"
  out="$LOG/engine.log"
  [ "$(cmdline log)" = console ] && out=/dev/console
  lvl=$(cmdline loglevel) || lvl=info
  mark ENGINE-START
  # Run in the background so `shutdown` can signal the node process itself, not this shell.
  /usr/bin/node /opt/berth/agent.mjs --socket "$SOCK" --data-root "$DATA" --log-level "$lvl" >>"$out" 2>&1 </dev/null &
  echo $! >/run/berth/engine.pid
  wait $!
  rc=$?
  rm -f /run/berth/engine.pid
  [ -f /run/berth/stopping ] && exit 0
  say "engine exited ($rc); restarting. Last lines of $out:"
  [ "$out" != /dev/console ] && tail -n 20 "$out" >/dev/console
  sleep 1
}

do_link() {
  key=/run/berth/authorized_key
  if [ ! -s "$key" ]; then
    say "no authorized key (berth.key= or fw_cfg opt/berth/key): the link service stays off"
    # Stay up so init does not respawn us in a loop.
    exec sleep 2147483647
  fi
  /usr/bin/node /opt/berth/link.mjs --authorized-key "$key" --engine-socket "$SOCK" >>"$LOG/link.log" 2>&1 </dev/null &
  echo $! >/run/berth/link.pid
  wait $!
  rm -f /run/berth/link.pid
  [ -f /run/berth/stopping ] && exit 0
  say "link service exited; restarting"
  # The reason goes to the serial console too (BERTH_HOME/logs/serial.log on the host).
  tail -n 12 "$LOG/link.log" 2>/dev/null | sed 's/^/berth-init: link: /' >/dev/console
  sleep 1
}

do_debugtcp() {
  say "debug: the engine API is open on TCP 0.0.0.0:2375 (berth.debugtcp=1)"
  /usr/bin/node /opt/berth/guest-util.mjs tcp-proxy 0.0.0.0:2375 "$SOCK" >>"$LOG/debugtcp.log" 2>&1 </dev/null
  sleep 1
}

do_ready() {
  # The engine creates its socket in listen(): once the file exists it accepts connections and
  # answers as soon as its event loop turns. Polling for it is a shell builtin (no node start,
  # which costs seconds of CPU under TCG); with berth.debugtcp=1 the proxy pings /_ping instead.
  i=0
  while [ ! -S "$SOCK" ]; do
    usleep 20000
    i=$((i + 1))
    [ $i -gt 9000 ] && { mark FAILED "engine socket never appeared"; return 1; }
  done
  mark READY "socket=$SOCK"
}

stop_pid() {
  # stop_pid FILE SECONDS: SIGTERM the pid in FILE, wait up to SECONDS, then SIGKILL
  [ -f "$1" ] || return 0
  p=$(cat "$1")
  kill -TERM "$p" 2>/dev/null || return 0
  i=0
  while [ -d "/proc/$p" ] && [ $i -lt $(($2 * 10)) ]; do usleep 100000; i=$((i + 1)); done
  kill -KILL "$p" 2>/dev/null
}

others() {
  # Every process but init and this script; kernel threads (no exe link) are left alone.
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = 1 ] || [ "$pid" = $$ ] || [ ! -e "$p/exe" ] || echo "$pid"
  done
}
killall_but_us() {
  for pid in $(others); do kill "-$1" "$pid" 2>/dev/null; done
}

do_shutdown() {
  mark STOPPING
  touch /run/berth/stopping
  stop_pid /run/berth/link.pid 3
  stop_pid /run/berth/engine.pid 15
  # Containers (their shims and processes): TERM, a short grace, then KILL; init (1) and this
  # script are spared (busybox init SIGTERMs and SIGKILLs whatever is left after us anyway).
  killall_but_us TERM
  i=0
  while [ $i -lt 30 ] && [ -n "$(others)" ]; do usleep 100000; i=$((i + 1)); done
  killall_but_us KILL
  sync
  # Unmount the container overlays and volumes on the data disk, deepest first, then the disk.
  for mp in $(awk '{print $2}' /proc/mounts | grep "^$DATA/" | sort -r); do umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null; done
  umount "$DATA" 2>/dev/null || mount -o remount,ro "$DATA" 2>/dev/null
  sync
  mark POWEROFF
}

case "${1:-}" in
  engine) do_engine ;;
  link) do_link ;;
  debugtcp) do_debugtcp ;;
  ready) do_ready ;;
  shutdown) do_shutdown ;;
  "")
    if [ $$ != 1 ]; then
      echo "berth-init: run as PID 1 (or with engine|link|debugtcp|ready|shutdown)" >&2
      exit 2
    fi
    mark STAGE2
    do_setup
    exec /usr/bin/busybox init
    ;;
  *)
    echo "usage: berth-init [engine|link|debugtcp|ready|shutdown]" >&2
    exit 2
    ;;
esac
