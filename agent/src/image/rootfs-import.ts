// The image config `docker import` writes for a plain rootfs tar: one layer, the --change lines
// applied, and the message as the history comment (Docker's default is "Imported from -").
import { applyChanges } from './image-changes.ts';
import { goArch, type OciContainerConfig, type OciImageConfig } from './oci-types.ts';

export function importConfig(diffId: string, changes: string[], message?: string, now = new Date()): OciImageConfig {
  const created = now.toISOString();
  const comment = message || 'Imported from -';
  const config: OciContainerConfig = applyChanges({}, changes);
  return {
    architecture: goArch(),
    os: 'linux',
    created,
    comment,
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, comment }],
  };
}
