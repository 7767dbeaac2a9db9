/** The JSON documents of OCI and Docker v2 schema 2 images, and what the runtime takes from them. */
import { RuntimeError } from '../errors.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

const MANIFEST_TYPES: string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
const INDEX_TYPES: string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList];
/** The layer media types we can unpack (the compression is told by the data itself, see unpack.ts). */
const LAYER_TYPES: string[] = [MEDIA_TYPES.ociLayer, MEDIA_TYPES.ociLayerGzip, MEDIA_TYPES.ociLayerZstd, MEDIA_TYPES.dockerLayerGzip];
/** What a registry is asked for: any manifest or index. */
export const MANIFEST_ACCEPT = [...MANIFEST_TYPES, ...INDEX_TYPES].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Manifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}

/** The image's config blob, the parts we use. */
export interface ConfigBlob {
  created?: string;
  architecture?: string;
  os?: string;
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string } | null;
  rootfs: { type: string; diff_ids: string[] };
  /** One entry a layer (and one for each step that made none, marked empty_layer), bottom first. */
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

/** What a container takes from an image. */
export interface ImageConfig {
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string | null;
  user: string | null;
}

export function imageConfig(blob: ConfigBlob): ImageConfig {
  const c = blob.config ?? {};
  return { entrypoint: c.Entrypoint ?? null, cmd: c.Cmd ?? null, env: c.Env ?? [], workingDir: c.WorkingDir || null, user: c.User || null };
}

/** A document's kind, by its mediaType (or its shape, which an OCI layout's index.json may leave to it). */
export function isIndex(doc: { mediaType?: string; manifests?: unknown }, mediaType = doc.mediaType): boolean {
  return mediaType ? INDEX_TYPES.includes(mediaType) : Array.isArray(doc.manifests);
}

/** Check a manifest's shape and its layers' types: a RuntimeError names what we cannot use. */
export function checkManifest(doc: Manifest, what: string): Manifest {
  if (doc.mediaType && !MANIFEST_TYPES.includes(doc.mediaType)) throw new RuntimeError(`${what}: unsupported manifest type ${doc.mediaType}`);
  if (!doc.config || !Array.isArray(doc.layers)) throw new RuntimeError(`${what}: not an image manifest`);
  const odd = doc.layers.find((layer) => !LAYER_TYPES.includes(layer.mediaType));
  if (odd) throw new RuntimeError(`${what}: unsupported layer type ${odd.mediaType}`);
  return doc;
}

/** OCI's name for this machine's architecture, as images are built for it. */
const OCI_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function hostPlatform(): Platform {
  const architecture = OCI_ARCH[process.arch] ?? process.arch;
  const armVersion = (process.config.variables as { arm_version?: string }).arm_version;
  return { os: 'linux', architecture, ...(architecture === 'arm' && armVersion ? { variant: `v${armVersion}` } : {}) };
}

export function platformName(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The manifest of an index for this host; a RuntimeError naming the platforms there are when none fits. */
export function selectPlatform(index: ImageIndex, what: string): Descriptor {
  const host = hostPlatform();
  const candidates = index.manifests.filter((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture);
  // arm64 images often say variant v8 (or nothing); a 32-bit arm host needs its own variant.
  const chosen = candidates.find((m) => !host.variant || m.platform?.variant === host.variant);
  if (chosen) return chosen;
  const there = index.manifests.filter((m) => m.platform && m.platform.architecture !== 'unknown').map((m) => platformName(m.platform!));
  throw new RuntimeError(
    `${what} has no image for ${platformName(host)}: it has ${there.length ? [...new Set(there)].join(', ') : 'none with a platform'}`,
  );
}
