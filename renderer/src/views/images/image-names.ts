// How an image is named in the list and in dialogs: its first tag, else its short ID.
import type { ImageSummary } from '../../../../protocol/src/api-shapes.ts';
import { shortId } from '../../format.ts';

export function imageName(i: ImageSummary): string {
  return i.tags.find((t) => t !== '<none>:<none>') ?? shortId(i.id);
}

export function shortDigest(digests: string[]): string {
  const d = digests[0];
  if (!d) return '—';
  const at = d.indexOf('@');
  return (at >= 0 ? d.slice(at + 1) : d).replace(/^sha256:/, '').slice(0, 12);
}
