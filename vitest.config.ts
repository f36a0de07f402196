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
          // The VM suite is its own project, run after this one (`npm test` runs both): it boots
          // QEMU under TCG, which must not share the 2 cores with these tests.
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
          globalSetup: ['test/global-setup.ts', 'test/vm/image-setup.ts'],
        },
      },
    ],
  },
});
