// The VM benchmark's report: the summary table (metric | Berth VM | reference | ratio), the target,
// the boot phase breakdown (cold and warm medians), each boot, the image's files, and the notes on
// what KVM/HVF would change. Printed and written through the shared finishReport.
import { stats } from './measure.mjs';
import { finishReport, fmtMb, fmtMbps, fmtMs, mark, markdownTable, ratio } from './report.mjs';
import { WORK } from './setup.mjs';

const MiB = 1024 * 1024;
const med = (xs) => stats(xs.filter((x) => x != null))?.median ?? null;
const fmtBytes = (b) => (b == null ? '—' : `${(b / MiB).toFixed(1)} MiB`);

/** Median of each phase (by key) over the boots; keys in first-seen order. */
function phaseMedians(boots) {
  const order = [];
  const labels = {};
  const vals = {};
  for (const b of boots.filter((x) => x.ok)) {
    for (const [k, label, ms] of b.timeline.phases) {
      if (!(k in vals)) {
        order.push(k);
        labels[k] = label;
        vals[k] = [];
      }
      vals[k].push(ms);
    }
  }
  return { order, labels, median: (k) => (vals[k] ? med(vals[k]) : null) };
}

function phaseTable(cold, warm, floorUserspaceS) {
  const c = phaseMedians(cold);
  const w = phaseMedians(warm);
  const keys = [...c.order, ...w.order.filter((k) => !c.order.includes(k))];
  const rows = keys.map((k) => [c.labels[k] ?? w.labels[k], fmtMs(c.median(k)), fmtMs(w.median(k))]);
  rows.push(['**total** (`berth start` wall clock)', fmtMs(med(cold.filter((b) => b.ok).map((b) => b.ms))), fmtMs(med(warm.filter((b) => b.ok).map((b) => b.ms)))]);
  rows.push(['_(link up, from `berth start`)_', fmtMs(med(cold.map((b) => b.timeline.linkUpMs))), fmtMs(med(warm.map((b) => b.timeline.linkUpMs)))]);
  rows.push(['_(floor: guest uptime when its busybox init ran)_', floorUserspaceS == null ? '—' : `${floorUserspaceS.toFixed(2)} s`, '']);
  return markdownTable(['phase (host clock; guest phases from the serial markers\' uptime)', 'cold, median', 'warm, median'], rows);
}

function bootsTable(boots) {
  const rows = [];
  for (let i = 0; i < Math.max(boots.cold.length, boots.floor.length); i++) {
    const f = boots.floor[i];
    const c = boots.cold[i];
    const w = boots.warm[i];
    rows.push([String(i + 1), f?.ok ? `${fmtMs(f.ms)} (userspace t=${f.userspaceS} s)` : f ? 'FAILED' : '—', c ? (c.ok ? fmtMs(c.ms) : 'FAILED') : '—', w ? (w.ok ? fmtMs(w.ms) : 'FAILED') : '—', c?.timeline.readyGuestS != null ? `${c.timeline.readyGuestS} s` : '—', w?.timeline.readyGuestS != null ? `${w.timeline.readyGuestS} s` : '—']);
  }
  return markdownTable(['round', 'floor (QEMU start → exit)', 'cold `berth start`', 'warm `berth start`', 'cold: guest READY at', 'warm: guest READY at'], rows);
}

function imageTable(manifest) {
  const files = Object.entries(manifest.files ?? {});
  const booted = files.filter(([f]) => f !== 'floor-initrd.img');
  const total = booted.reduce((s, [, v]) => s + v.bytes, 0);
  const rows = files.map(([f, v]) => [`\`${f}\``, String(v.bytes), fmtBytes(v.bytes), f === 'floor-initrd.img' ? 'floor only (not shipped)' : `${((v.bytes / total) * 100).toFixed(1)} %`]);
  rows.push(['**total booted** (kernel + initrd + root)', String(total), fmtBytes(total), '100 %']);
  return { total, lines: markdownTable(['file', 'bytes', 'size', 'share'], rows) };
}

export async function vmReport({ opts, boots, mem, nodeStart, runs, tput, manifest, env, notes, problems, started, imageDir, cli, logs }) {
  const okMs = (xs) => xs.filter((x) => x.ok).map((x) => x.ms);
  const floor = med(okMs(boots.floor));
  const cold = med(okMs(boots.cold));
  const warm = med(okMs(boots.warm));
  const stop = med(boots.stop.map((s) => s.ms));
  const image = imageTable(manifest);
  const m = (r, k) => r[k]?.stats?.median ?? null;
  const guestRamKb = opts.MEMORY_MIB * 1024;
  const host = tput.host?.stats?.median ?? null;
  const n = `median of ${opts.BOOTS}`;
  const rows = [
    [`boot to engine ready, **cold** (\`berth start\`, fresh BERTH_HOME), ${n}`, fmtMs(cold), `floor ${fmtMs(floor)} (same kernel, busybox init → poweroff)`, ratio(cold, floor)],
    [`boot to engine ready, **warm** (second start, same BERTH_HOME), ${n}`, fmtMs(warm), `floor ${fmtMs(floor)}`, ratio(warm, floor)],
    ['`berth stop` (ACPI power-off → QEMU gone), median', fmtMs(stop), `guest BERTH-STOPPING → POWEROFF ${fmtMs(med(boots.stop.map((s) => s.guestShutdownMs)))}`, ratio(stop, med(boots.stop.map((s) => s.guestShutdownMs)))],
    ['image size (vmlinuz + initrd.img + root.erofs)', fmtBytes(image.total), '—', '—'],
    [`QEMU RSS, idle ${opts.IDLE_S} s after boot, ${opts.MEMORY_MIB} MiB guest`, fmtMb(mem.qemu), `guest RAM ${opts.MEMORY_MIB} MiB`, ratio(mem.qemu, guestRamKb)],
    ['QEMU RSS after the run/throughput tests', fmtMb(mem.qemuAfter), `guest RAM ${opts.MEMORY_MIB} MiB`, ratio(mem.qemuAfter, guestRamKb)],
    ['host agent (Node) RSS, idle / after', `${fmtMb(mem.agent)} / ${fmtMb(mem.agentAfter)}`, '—', '—'],
    ['`node -e 0` in the guest (Node start: engine, link and each container\'s shim are Node), median of 3', fmtMs(nodeStart.guest?.median), `host ${fmtMs(nodeStart.host?.median)} (Node ${nodeStart.hostVersion})`, ratio(nodeStart.guest?.median, nodeStart.host?.median)],
    ['`docker load` busybox.tar', fmtMs(runs.load.vm), `native ${fmtMs(runs.load.native)}`, ratio(runs.load.vm, runs.load.native)],
    [`\`docker version\` (CLI + 1 API call), median of ${opts.RUNS}`, fmtMs(m(runs.version, 'vm')), `native ${fmtMs(m(runs.version, 'native'))}`, ratio(m(runs.version, 'vm'), m(runs.version, 'native'))],
    [`\`docker run --rm … true\`, median of ${opts.RUNS}`, fmtMs(m(runs.runRm, 'vm')), `native ${fmtMs(m(runs.runRm, 'native'))}`, ratio(m(runs.runRm, 'vm'), m(runs.runRm, 'native'))],
    ['`docker run --rm … true`, p90', fmtMs(runs.runRm.vm?.stats?.p90), `native ${fmtMs(runs.runRm.native?.stats?.p90)}`, ratio(runs.runRm.vm?.stats?.p90, runs.runRm.native?.stats?.p90)],
    [`download ${opts.PAYLOAD_MB} MiB through \`-p 127.0.0.1:…\`, median of ${opts.FETCHES}`, fmtMbps(tput.vm?.stats?.median), `host loopback ${fmtMbps(host)}`, ratio(tput.vm?.stats?.median, host)],
    ['the same VM download against one inside the VM (busybox `wget` → container IP: no link, no host)', fmtMbps(tput.vm?.stats?.median), `in the guest ${fmtMbps(tput.inGuest?.stats?.median)}`, ratio(tput.vm?.stats?.median, tput.inGuest?.stats?.median)],
    ['the same on the native engine (no VM)', `native ${fmtMbps(tput.native?.stats?.median)}`, `host loopback ${fmtMbps(host)}`, ratio(tput.native?.stats?.median, host)],
  ];
  const coldRatio = cold != null && floor ? cold / floor : null;
  const warmRatio = warm != null && floor ? warm / floor : null;
  const targets = markdownTable(['target', 'measured', 'status'], [
    ['cold boot to engine ready ≤ 1.5× the floor', coldRatio == null ? '—' : `${coldRatio.toFixed(2)}× (${fmtMs(cold)} vs ${fmtMs(floor)})`, mark(coldRatio == null ? null : coldRatio <= 1.5)],
    ['warm boot to engine ready ≤ 1.5× the floor', warmRatio == null ? '—' : `${warmRatio.toFixed(2)}× (${fmtMs(warm)} vs ${fmtMs(floor)})`, mark(warmRatio == null ? null : warmRatio <= 1.5)],
  ]);
  const floorUserspace = med(boots.floor.filter((f) => f.ok).map((f) => f.userspaceS));
  const accel = boots.cold.find((b) => b.timeline.accelMessage)?.timeline.accelMessage;
  const kvmNotes = [
    `- **Accelerator.** ${mem.accel === 'tcg' ? 'Every boot here ran under TCG, QEMU\'s software CPU emulation' : `The VM ran with ${mem.accel}`}${accel ? ` (host agent: “${accel}”)` : ''}. Nested KVM hangs guests on this machine, so KVM/HVF could not be measured here; what follows is expectation, not measurement.`,
    '- **What KVM (Linux) / HVF (macOS) would change.** Under TCG every guest instruction is translated, so the CPU-bound phases — kernel boot, the engine\'s and the link\'s Node start-up, crun and the engine\'s work in each `docker run`, and the guest kernel\'s side of a published port (virtio-net, DNAT, the bridge) — run several times slower than under hardware virtualization (how much depends on the work). With KVM/HVF the floor shrinks too (most of it is the same kernel boot), so the **ratio to the floor** is what should carry over, not the seconds. QEMU\'s RSS also loses the TCG translation cache (`tb-size=64`: up to 64 MiB). Disk and network device emulation (virtio, user-mode networking) are the same code under either accelerator.',
    '- **Floor vs. `berth start`.** The floor (`vm-image/boot-smoke.mjs --floor`) is QEMU start → exit of the same kernel with a busybox init that powers off at once: default machine, `quiet`, no disks, no network, no host-side work. `berth start` also pays the CLI\'s and host agent\'s Node start-up, the accelerator probe (first start per BERTH_HOME), a q35 machine with virtio disks and net, the full kernel console log on the serial port (no `quiet`), stage 1 + berth-init, the engine\'s Node start in the guest, the link (ssh2) handshake and a /_ping through it.',
    `- The cold boot includes creating the data disk and \`mke2fs\` of it in the guest (the DISK phase) and the KVM probe (the accelerator phase); the warm boot reuses both.`,
  ];
  const env2 = [
    `- ${env.date}, ${env.cpus} CPUs (shared), kernel ${env.kernel}, load average at start ${env.load.map((l) => l.toFixed(2)).join(' ')}; ${env.qemu}; ${env.cli}.`,
    `- VM: \`node ${cli} start --cpus ${opts.CPUS} --memory ${opts.MEMORY_MIB}\`, each round a fresh BERTH_HOME; ${opts.BOOTS} round(s) of floor → cold start → stop → warm start (→ stop), one QEMU at a time; the run tests used the last warm VM. Image ${imageDir}: kernel ${manifest.kernel?.release}, Node ${manifest.node}, ${manifest.packages} packages, built ${manifest.builtAt}.`,
    `- \`docker run\`/\`docker version\`: ${opts.RUNS} timed runs per engine after 1 warm-up, interleaved VM/native; native = \`dist/agent.mjs\` (bridge bbvm0, 172.31.248.0/24) on the host, running beside the idle VM. Image ${opts.IMAGE}.`,
    `- Throughput: a ${opts.PAYLOAD_MB} MiB random file from busybox \`httpd\` (container: written by \`dd if=/dev/urandom\` into a tmpfs; host: ${tput.server ?? 'busybox httpd on 127.0.0.1'}); the client is one Node HTTP GET per download, ${opts.FETCHES} timed after 1 warm-up. VM path (IPv4): QEMU's host forward (user-mode network) → guest eth0 → DNAT → container; the ssh2 link path is used only for IPv6 host addresses and host-network containers.`,
    ...(env.foreignQemu || env.foreignQemuEnd ? [`- **Noise:** ${env.foreignQemu} other QEMU process(es) (not this bench's) were running at the start, ${env.foreignQemuEnd} at the end; with 2 shared cores every time here is inflated by them.`] : []),
    ...notes.map((x) => `- ${x}`),
  ];
  return finishReport({
    sections: [
      '## Berth VM vs its floors',
      '',
      ...markdownTable(['metric', 'Berth VM', 'reference', 'ratio'], rows),
      '',
      '### Target',
      '',
      ...targets,
      '',
      '### Where the boot time goes',
      '',
      ...phaseTable(boots.cold, boots.warm, floorUserspace),
      '',
      '### Boots',
      '',
      ...bootsTable(boots),
      '',
      '### Image',
      '',
      ...image.lines,
      '',
      `Unpacked root ${fmtBytes(manifest.rootUnpackedBytes)} from ${manifest.packages} Debian packages.`,
      '',
      '### KVM / HVF',
      '',
      ...kvmNotes,
      '',
    ],
    env: env2,
    problems,
    startedMs: started,
    workDir: WORK,
    file: 'vm-results.md',
    logs,
  });
}
