// Splits an image reference into repository and tag/digest the way Docker's API wants them
// (fromImage + tag; repo + tag). A port in the registry host is not a tag: `localhost:5000/a`.
export interface ImageReference {
  repo: string;
  /** A tag, or a digest (`sha256:…`) when the reference had `@`. */
  tag: string;
}

export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
