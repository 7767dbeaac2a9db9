/**
 * A client of the OCI distribution API (Docker Hub and any other registry):
 * anonymous or Basic-authenticated bearer tokens, manifests and indexes
 * resolved to this host's platform, layers fetched three at a time and
 * resumed with a Range request where an interrupted pull stopped.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RuntimeError } from '../errors.js';
import { HttpAnswer, httpGet } from './http.js';
import { PARTIAL_BLOBS_DIR } from '../paths.js';
import { checkManifest, isIndex, MANIFEST_ACCEPT, selectPlatform, type ConfigBlob, type Descriptor, type ImageIndex, type Manifest } from './oci.js';
import { DOCKER_HUB, parseReference, referenceName, type Reference } from './reference.js';
import {
  commitBlob,
  digestHex,
  digestMismatch,
  ensureStoreDirs,
  hasBlob,
  layerDir,
  readBlobJson,
  shortId,
  tagImage,
  writeBlob,
  type LocalImage,
} from './store.js';
import { unpackLayer, unpackLayerFrom } from './unpack.js';

/** Where Docker Hub's registry API answers. */
const DOCKER_HUB_HOST = 'registry-1.docker.io';
/** host[:port] to use instead of Docker Hub's (Docker's registry mirror); the tests point it at a local registry. */
export const REGISTRY_MIRROR_ENV = 'BABY_DOCKER_REGISTRY_MIRROR';
/** Layers downloaded at once. */
const PARALLEL_DOWNLOADS = 3;

export interface LayerProgress {
  /** The layer's short id: 12 hex digits of its digest. */
  layer: string;
  done: number;
  total: number;
}

export interface PullOptions {
  /** Plain HTTP to a registry that is not on this machine. */
  insecure?: boolean;
  onProgress?: (progress: LayerProgress) => void;
}

/** The directory of Docker's client config (config.json): $DOCKER_CONFIG, as Docker reads it, or ~/.docker. */
function dockerConfigDir(): string {
  return process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

/** The base64 user:password that `docker login` left for this registry, if any. */
function storedCredentials(registry: string): string | null {
  let config: { auths?: Record<string, { auth?: string }> };
  try {
    config = JSON.parse(fs.readFileSync(path.join(dockerConfigDir(), 'config.json'), 'utf8'));
  } catch {
    return null;
  }
  const keys =
    registry === DOCKER_HUB
      ? ['https://index.docker.io/v1/', 'index.docker.io', DOCKER_HUB]
      : [registry, `https://${registry}`, `http://${registry}`];
  return keys.map((key) => config.auths?.[key]?.auth).find((auth) => auth) ?? null;
}

function isLoopback(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The parameters of a WWW-Authenticate challenge: Bearer realm="…",service="…",scope="…". */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ')[0].toLowerCase();
  const params: Record<string, string> = {};
  for (const [, key, value] of header.matchAll(/(\w+)="([^"]*)"/g)) params[key] = value;
  return { scheme, params };
}

class Registry {
  private readonly base: string;
  private readonly credentials: string | null;
  private authorization: string | null = null;

  constructor(
    private readonly ref: Reference,
    insecure: boolean,
  ) {
    const host = ref.registry === DOCKER_HUB ? process.env[REGISTRY_MIRROR_ENV] || DOCKER_HUB_HOST : ref.registry;
    // Plain HTTP only on this machine, as Docker does, unless asked.
    this.base = `${isLoopback(host) || insecure ? 'http' : 'https'}://${host}`;
    this.credentials = storedCredentials(ref.registry);
  }

  private async fetch(url: string, headers: Record<string, string>): Promise<HttpAnswer> {
    try {
      return await httpGet(url, headers);
    } catch (err) {
      const host = new URL(url).host;
      throw new RuntimeError(
        `cannot reach ${this.ref.registry}${host === this.ref.registry ? '' : ` (${host})`}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }

  /** A GET on the registry, authenticating when it asks (once per pull: the token covers the repository). */
  async get(apiPath: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const url = `${this.base}/v2/${this.ref.repository}/${apiPath}`;
    const send = () => this.fetch(url, { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) });
    let response = await send();
    if (response.status !== 401 || this.authorization) return this.checkAccess(response);
    response.discard();
    const { scheme, params } = parseChallenge(response.header('www-authenticate') ?? '');
    if (scheme === 'bearer' && params.realm) {
      this.authorization = `Bearer ${await this.token(params)}`;
    } else if (scheme === 'basic' && this.credentials) {
      this.authorization = `Basic ${this.credentials}`;
    } else {
      throw new RuntimeError(
        `${this.ref.registry} wants credentials: log in (docker login writes them to ${path.join(dockerConfigDir(), 'config.json')})`,
      );
    }
    response = await send();
    return this.checkAccess(response);
  }

  /** The answer, its body discarded unless it is a success (its status and headers say the rest). */
  private checkAccess(response: HttpAnswer): HttpAnswer {
    if (!response.ok) response.discard();
    if (response.status !== 401 && response.status !== 403) return response;
    if (this.credentials)
      throw new RuntimeError(
        `authentication refused by ${this.ref.registry} for ${this.ref.repository}: check the credentials in ${path.join(dockerConfigDir(), 'config.json')}`,
      );
    throw new RuntimeError(`access denied to ${this.ref.repository} on ${this.ref.registry}: it does not exist or needs credentials (docker login)`);
  }

  private async token(params: Record<string, string>): Promise<string> {
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:pull`);
    const response = await this.fetch(url.href, this.credentials ? { Authorization: `Basic ${this.credentials}` } : {});
    if (!response.ok) response.discard();
    if (response.status === 401 || response.status === 403) {
      throw new RuntimeError(
        `authentication refused by ${url.host} for ${this.ref.registry}: check the credentials in ${path.join(dockerConfigDir(), 'config.json')}`,
      );
    }
    if (!response.ok) throw new RuntimeError(`token request to ${url.host} failed: HTTP ${response.status}`);
    const body = JSON.parse((await response.bytes()).toString()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RuntimeError(`token request to ${url.host} gave no token`);
    return token;
  }

  /** A manifest or index by tag or digest: its bytes, digest and media type. */
  async manifest(reference: string): Promise<{ body: Buffer; digest: string; mediaType: string | undefined }> {
    const response = await this.get(`manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    if (response.status === 404) {
      const what = reference.startsWith('sha256:') ? `manifest ${reference}` : `tag ${reference}`;
      throw new RuntimeError(`unknown image ${referenceName(this.ref)}: ${this.ref.registry} has no ${what} of ${this.ref.repository}`);
    }
    if (!response.ok) throw new RuntimeError(`${this.ref.registry}: HTTP ${response.status} for the manifest of ${referenceName(this.ref)}`);
    const body = await response.bytes();
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference)
      throw digestMismatch(`the manifest of ${referenceName(this.ref)}`, reference, digest);
    return { body, digest, mediaType: response.header('content-type')?.split(';')[0] || undefined };
  }

  /** A small blob (a config) whole, verified. */
  async blob(digest: string): Promise<Buffer> {
    const response = await this.get(`blobs/${digest}`);
    if (!response.ok) throw new RuntimeError(`${this.ref.registry}: HTTP ${response.status} for blob ${digest}`);
    const body = await response.bytes();
    const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (got !== digest) throw digestMismatch(`blob ${digest}`, digest, got);
    return body;
  }

  /**
   * A layer blob's bytes as they are stored: what an interrupted pull left in PARTIAL_BLOBS_DIR, then the rest
   * from the registry (a Range request). The blob is in the store, its digest checked, when the last are read.
   */
  async *download(layer: Descriptor, onProgress: (done: number) => void): AsyncGenerator<Buffer> {
    const partial = path.join(PARTIAL_BLOBS_DIR, digestHex(layer.digest));
    const left = fs.existsSync(partial) ? fs.statSync(partial).size : 0;
    const response = await this.get(`blobs/${layer.digest}`, left > 0 && left < layer.size ? { Range: `bytes=${left}-` } : {});
    const resumed = left > 0 && response.status === 206 && response.header('content-range')?.startsWith(`bytes ${left}-`);
    if (!resumed && !response.ok) throw new RuntimeError(`${this.ref.registry}: HTTP ${response.status} for layer ${layer.digest}`);
    const hash = createHash('sha256');
    let done = 0;
    if (resumed) {
      for await (const chunk of fs.createReadStream(partial)) {
        hash.update(chunk as Buffer);
        done += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const fd = fs.openSync(partial, resumed ? 'a' : 'w', 0o600);
    try {
      onProgress(done);
      for await (const chunk of response.body) {
        hash.update(chunk);
        for (let at = 0; at < chunk.length;) at += fs.writeSync(fd, chunk, at);
        done += chunk.length;
        if (done > layer.size) break;
        onProgress(done);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(
        `the download of layer ${shortId(layer.digest)} from ${this.ref.registry} was cut off (${(err as Error).message}): pull again to resume it`,
      );
    } finally {
      fs.closeSync(fd);
      response.discard(); // a no-op once read to the end
    }
    commitBlob(partial, layer.digest, `sha256:${hash.digest('hex')}`, `layer ${layer.digest}`);
  }
}

/** Read `bytes` to the end, for what reading them does. */
async function drain(bytes: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of bytes);
}

/** Run `work` on every item, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Pull `refText` from its registry into the store and name it; blobs already there are not fetched again. */
export async function pullImage(refText: string, options: PullOptions = {}): Promise<LocalImage> {
  const ref = parseReference(refText);
  const name = referenceName(ref);
  const registry = new Registry(ref, options.insecure ?? false);
  let found = await registry.manifest(ref.digest ?? ref.tag!);
  if (isIndex(JSON.parse(found.body.toString()) as ImageIndex, found.mediaType)) {
    found = await registry.manifest(selectPlatform(JSON.parse(found.body.toString()) as ImageIndex, name).digest);
  }
  const manifest = checkManifest(JSON.parse(found.body.toString()) as Manifest, name);
  ensureStoreDirs();
  if (!hasBlob(manifest.config.digest)) writeBlob(await registry.blob(manifest.config.digest), manifest.config.digest);
  const diffIds = readBlobJson<ConfigBlob>(manifest.config.digest).rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length)
    throw new RuntimeError(`${name}: its config lists ${diffIds.length} layers, its manifest ${manifest.layers.length}`);
  const report = (layer: Descriptor, done: number): void => options.onProgress?.({ layer: shortId(layer.digest), done, total: layer.size });
  // A layer may come twice (empty ones do): fetched once.
  const blobs = [...new Map(manifest.layers.map((layer) => [layer.digest, layer])).values()];
  const diffIdOf = new Map(manifest.layers.map((layer, i) => [layer.digest, diffIds[i]]));
  // Each layer unpacks as it downloads: its bytes are inflated and written while the next come.
  await eachLimited(blobs, PARALLEL_DOWNLOADS, async (layer) => {
    const diffId = diffIdOf.get(layer.digest)!;
    const what = `layer ${shortId(layer.digest)} of ${name}`;
    if (hasBlob(layer.digest)) {
      await unpackLayer(layer.digest, diffId, what);
    } else {
      const download = () => registry.download(layer, (done) => report(layer, done));
      let downloadFailure: unknown = null;
      async function* bytes(): AsyncGenerator<Buffer> {
        try {
          yield* download();
        } catch (err) {
          downloadFailure = err;
          throw err;
        }
      }
      try {
        // Already unpacked from a blob compressed otherwise: only this blob is wanted.
        if (fs.existsSync(layerDir(diffId))) await drain(bytes());
        else await unpackLayerFrom(bytes(), layer.digest, diffId, what);
      } catch (err) {
        // A layer that would not unpack may have come damaged: the rest of it (resumed) and its digest say so first.
        if (downloadFailure === null && !hasBlob(layer.digest)) await drain(download());
        throw err;
      }
    }
    report(layer, layer.size);
  });
  // Every layer as its config names it: a blob listed twice may not be twice the same content.
  for (const [i, layer] of manifest.layers.entries()) await unpackLayer(layer.digest, diffIds[i], `layer ${shortId(layer.digest)} of ${name}`);
  writeBlob(found.body, found.digest);
  return tagImage(name, found.digest);
}
