#!/usr/bin/busybox sh
# /usr/sbin/berth-powerkey (arm64 only): the power button of QEMU's `virt` machine booted with
# -kernel, so without firmware or ACPI. There, QMP `system_powerdown` pulses line 3 of the PL061
# GPIO controller, which the device tree hands to gpio-keys; Debian's cloud kernel has no gpio-keys
# driver, so acpid never hears it. This waits for that pulse (an interrupt, no polling) and powers
# off the way acpid does on x86. Started and respawned by busybox init (berth-init's inittab).
chip=$(/usr/bin/gpiodetect 2>/dev/null | sed -n 's/^\(gpiochip[0-9]*\) \[[0-9a-f]*\.pl061\].*/\1/p' | head -n 1)
if [ -z "$chip" ]; then
  echo "berth-powerkey: no PL061 GPIO controller: QMP system_powerdown cannot reach this guest" >/dev/console
  # Stay up so init does not respawn us in a loop.
  exec sleep 2147483647
fi
/usr/bin/gpiomon --num-events=1 --rising-edge --silent "$chip" 3 && exec /usr/bin/busybox poweroff
sleep 1
