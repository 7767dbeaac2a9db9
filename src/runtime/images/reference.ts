/** Image references as Docker reads them: `alpine`, `alpine:3.19`, `user/app`, `localhost:5000/x:y`, `ghcr.io/o/r@sha256:…`. */
import { RuntimeError } from '../errors.js';

export const DEFAULT_TAG = 'latest';
/** The registry that names without one go to, as Docker names it (and shows it). */
export const DOCKER_HUB = 'docker.io';

export interface Reference {
  /** As named: `docker.io`, `localhost:5000`, `ghcr.io`. */
  registry: string;
  /** `library/alpine`, `test/img`. */
  repository: string;
  /** `latest` when neither a tag nor a digest was given; null with a digest alone. */
  tag: string | null;
  /** `sha256:<64 hex>` when pinned. */
  digest: string | null;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parse and normalize `ref`; a RuntimeError says what is wrong with it. */
export function parseReference(ref: string): Reference {
  const invalid = (why: string): RuntimeError => new RuntimeError(`invalid image reference "${ref}": ${why}`);
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid('a digest is sha256: and 64 lowercase hex digits');
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(`bad tag "${tag}"`);
  }
  const parts = rest.split('/');
  // The first part is a registry when it looks like a host: a dot, a port, or localhost (Docker's rule).
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) registry = parts.shift()!;
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.some((part) => !COMPONENT.test(part)))
    throw invalid('a repository name is lowercase letters, digits and separators (. _ -), parts joined by /');
  return { registry, repository: parts.join('/'), tag: tag ?? (digest ? null : DEFAULT_TAG), digest };
}

/** The normalized name: `docker.io/library/alpine:3.19`, `localhost:5000/x@sha256:…` (both when both were given). */
export function referenceName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
