import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['agent/src/**/*.test.ts', 'host/src/**/*.test.ts', 'protocol/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // One engine per file, each with its own bridge; files run one after another because
          // they share the host's ports, cgroups and netfilter and this machine has 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
