// Once per VM run: build the amd64 guest image, or reuse the cached one (build.mjs skips the work
// when nothing it depends on changed; a cold build downloads the Debian packages, ~35 s here).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  // BERTH_IMAGE_DIR points `berth start` at an image built elsewhere: test that one as it is.
  if (process.env.BERTH_IMAGE_DIR) return;
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../vm-image/build.mjs'), '--arch', 'amd64'], { stdio: 'inherit' });
}
