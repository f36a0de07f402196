// Once per integration run: build the fixture images (from Debian's busybox-static, nothing from
// the internet) and make sure dist/ is current.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildFixtures } from './fixtures/build-fixtures.ts';

export const FIXTURE_DIR = path.resolve(import.meta.dirname, '.work/fixtures');

export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/build.mjs')], { stdio: 'inherit' });
  await buildFixtures(FIXTURE_DIR);
}
