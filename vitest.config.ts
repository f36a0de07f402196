import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['agent/src/**/*.test.ts', 'host/src/**/*.test.ts', 'protocol/src/**/*.test.ts', 'electron/src/**/*.test.ts', 'renderer/src/**/*.test.{ts,tsx}'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // The VM end-to-end suite (issue 4) is not in the default run yet: the guest image is
          // built by `npm run vm-image` and `docker run` inside the guest still fails (see the
          // closing note). Run it with `npx vitest run --project vm` once the image exists.
          exclude: ['test/vm/**'],
          // One engine per file, each with its own bridge; files run one after another because
          // they share the host's ports, cgroups and netfilter and this machine has 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
