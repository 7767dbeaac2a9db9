/**
 * Images against a real registry (Debian's docker-registry on 127.0.0.1) and
 * real tools: an image built here is pushed with skopeo, pulled with ours and
 * compared, file by file, through a real overlayfs mount of our layers, with
 * what umoci unpacks. Nothing here leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findLocalImage, listLocalImages, parseReference, pullImage, referenceName, type LocalImage } from '../src/runtime/images/index.js';
import { hostPlatform } from '../src/runtime/images/oci.js';
import { REGISTRY_MIRROR_ENV } from '../src/runtime/images/registry.js';
import { freePort, startRegistry, type LocalRegistry } from './registry.js';
import { blobPath, pruneImages, digestHex, removeImage } from '../src/runtime/images/store.js';
import { BLOBS_DIR, IMAGE_INDEX_FILE, IMAGE_LAYERS_DIR, PARTIAL_BLOBS_DIR } from '../src/runtime/paths.js';
import { CLI_PATH } from './helpers.js';

let tmp: string;
let registry: LocalRegistry;
let registryPort: number;
/** The test image's OCI layout: tag 1 (gzip, plain and zstd layers), 1-gzip (the same layers all gzip, for umoci), multi (an index), other (an index of another platform only). */
let layout: string;
let bigLayerDigest: string;
let configDigest: string;
/** Names this file added: removed after each test, and checked gone at the end. */
const added = new Set<string>();

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The CLI, without blocking this process: the proxies it talks to run in it. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A blob into the layout; its descriptor. */
function addBlob(data: Buffer, mediaType: string, extra: object = {}): { mediaType: string; digest: string; size: number } {
  const digest = sha256(data);
  fs.writeFileSync(path.join(layout, 'blobs', 'sha256', digestHex(digest)), data);
  return { mediaType, digest, size: data.length, ...extra };
}

/** The three layers' trees: a setuid file, a hardlink, an absolute symlink, owners, a sticky dir, devices; then a whiteout, an opaque dir, a replaced file; then a big file. */
function stageLayers(): string[] {
  const stage = (n: number, build: (dir: string) => void): string => {
    const dir = path.join(tmp, `stage${n}`);
    fs.mkdirSync(dir, { mode: 0o755 });
    build(dir);
    const file = path.join(tmp, `layer${n}.tar`);
    run('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-cf', file, '.']);
    return file;
  };
  const put = (dir: string, rel: string, content: string | Buffer, mode = 0o644, uid = 0, gid = 0): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, rel), content);
    fs.chownSync(path.join(dir, rel), uid, gid);
    fs.chmodSync(path.join(dir, rel), mode);
  };
  return [
    stage(1, (dir) => {
      put(dir, 'etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
      put(dir, 'etc/deleted', 'gone in layer 2\n');
      put(dir, 'bin/prog', '#!/bin/sh\necho prog\n', 0o4755);
      fs.linkSync(path.join(dir, 'bin/prog'), path.join(dir, 'bin/hard'));
      fs.symlinkSync('/bin/prog', path.join(dir, 'bin/sh'));
      fs.symlinkSync('../../../../etc/passwd', path.join(dir, 'bin/up'));
      put(dir, 'usr/sgid', 'x', 0o2750, 1000, 50);
      put(dir, 'opt/dir/a', 'a');
      put(dir, 'opt/dir/b', 'b');
      fs.mkdirSync(path.join(dir, 'tmp'));
      fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
      fs.mkdirSync(path.join(dir, 'ro'));
      put(dir, 'ro/file', 'read-only dir', 0o400, 1234, 5678);
      fs.chmodSync(path.join(dir, 'ro'), 0o555);
      fs.utimesSync(path.join(dir, 'ro', 'file'), 1_500_000_000, 1_500_000_000);
      fs.mkdirSync(path.join(dir, 'dev'));
      run('mknod', ['-m', '666', path.join(dir, 'dev', 'null'), 'c', '1', '3']);
      run('mkfifo', ['-m', '600', path.join(dir, 'dev', 'fifo')]);
    }),
    stage(2, (dir) => {
      put(dir, 'etc/.wh.deleted', '');
      put(dir, 'etc/passwd', 'root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n');
      put(dir, 'opt/dir/.wh..wh..opq', '');
      put(dir, 'opt/dir/c', 'c');
      fs.mkdirSync(path.join(dir, 'home/user'), { recursive: true });
      fs.chownSync(path.join(dir, 'home/user'), 1000, 1000);
      fs.chmodSync(path.join(dir, 'home/user'), 0o700);
    }),
    stage(3, (dir) => put(dir, 'data/big', randomBytes(3 * 1024 * 1024))),
  ];
}

/** The layout with its tags (see `layout`), and the config's digest. */
function buildLayout(): void {
  layout = path.join(tmp, 'layout');
  fs.mkdirSync(path.join(layout, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const tars = stageLayers().map((file) => fs.readFileSync(file));
  const gzip = (n: number): Buffer => {
    run('gzip', ['-kf', path.join(tmp, `layer${n}.tar`)]);
    return fs.readFileSync(path.join(tmp, `layer${n}.tar.gz`));
  };
  run('zstd', ['-qf', path.join(tmp, 'layer3.tar'), '-o', path.join(tmp, 'layer3.tar.zst')]);
  const platform = hostPlatform();
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-02T03:04:05Z',
      ...platform,
      config: { Entrypoint: ['/bin/sh'], Cmd: ['-c', 'echo hi'], Env: ['PATH=/bin', 'A=1'], WorkingDir: '/opt', User: '1000:1000' },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    }),
  );
  const configDescriptor = addBlob(config, 'application/vnd.oci.image.config.v1+json');
  configDigest = configDescriptor.digest;
  const manifest = (layers: object[]): Buffer =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDescriptor, layers }));
  const zstdLayer = addBlob(fs.readFileSync(path.join(tmp, 'layer3.tar.zst')), 'application/vnd.oci.image.layer.v1.tar+zstd');
  bigLayerDigest = zstdLayer.digest;
  const mixed = addBlob(
    manifest([
      addBlob(gzip(1), 'application/vnd.oci.image.layer.v1.tar+gzip'),
      addBlob(tars[1], 'application/vnd.oci.image.layer.v1.tar'),
      zstdLayer,
    ]),
    'application/vnd.oci.image.manifest.v1+json',
  );
  const allGzip = addBlob(
    manifest([1, 2, 3].map((n) => addBlob(gzip(n), 'application/vnd.oci.image.layer.v1.tar+gzip'))),
    'application/vnd.oci.image.manifest.v1+json',
  );
  const index = (manifests: object[]): Buffer =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  const other = { os: 'linux', architecture: 's390x' };
  const multi = addBlob(
    index([
      { ...mixed, platform: other },
      { ...mixed, platform },
    ]),
    'application/vnd.oci.image.index.v1+json',
  );
  const foreign = addBlob(
    index([
      { ...mixed, platform: other },
      { ...mixed, platform: { os: 'linux', architecture: 'ppc64le' } },
    ]),
    'application/vnd.oci.image.index.v1+json',
  );
  const tag = (descriptor: object, name: string): object => ({ ...descriptor, annotations: { 'org.opencontainers.image.ref.name': name } });
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [tag(mixed, '1'), tag(allGzip, '1-gzip'), tag(multi, 'multi'), tag(foreign, 'other')] }),
  );
}

function push(tag: string, repository: string, all = false): void {
  run('skopeo', [
    'copy',
    '--quiet',
    ...(all ? ['--all'] : []),
    '--dest-tls-verify=false',
    `oci:${layout}:${tag}`,
    `docker://127.0.0.1:${registryPort}/${repository}`,
  ]);
}

/** Every entry under dir: type, mode, owner, and for files size, links, mtime and content hash; a symlink's target; a device's numbers. */
function listing(dir: string): string {
  const lines: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const entry = path.join(rel, name);
      const full = path.join(dir, entry);
      const st = fs.lstatSync(full);
      let line = `${entry} ${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isFile()) line += ` size=${st.size} links=${st.nlink} mtime=${Math.floor(st.mtimeMs / 1000)} ${sha256(fs.readFileSync(full))}`;
      if (st.isSymbolicLink()) line += ` -> ${fs.readlinkSync(full)}`;
      if (st.isCharacterDevice() || st.isBlockDevice()) line += ` dev=${st.rdev}`;
      lines.push(line);
      if (st.isDirectory()) walk(entry);
    }
  };
  walk('');
  return lines.join('\n');
}

/** The image's layers as overlayfs itself shows them, stacked read-only. */
function overlayListing(image: LocalImage): string {
  const mountPoint = fs.mkdtempSync(path.join(tmp, 'overlay-'));
  run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...image.layers].reverse().join(':')}`, mountPoint]);
  try {
    return listing(mountPoint);
  } finally {
    run('umount', [mountPoint]);
    fs.rmdirSync(mountPoint);
  }
}

/** What umoci unpacks of the same layers (the all-gzip manifest: umoci reads no zstd). */
let umociListing: string;

function forget(...names: string[]): void {
  for (const name of names) {
    if (findLocalImage(name)) removeImage(name);
    added.delete(name);
  }
}

async function pulled(ref: string, options: Parameters<typeof pullImage>[1] = {}): Promise<LocalImage> {
  const image = await pullImage(ref, options);
  added.add(image.name);
  return image;
}

/** A proxy in front of the registry that `mangle` may answer itself; what it forwarded it records. */
async function proxy(
  mangle: (req: http.IncomingMessage, res: http.ServerResponse, forward: () => void) => void,
): Promise<{ server: http.Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const { server, port } = await listen((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    mangle(req, res, () => {
      const upstream = http.request(
        { host: '127.0.0.1', port: registryPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${registryPort}` } },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
  });
  return { server, port, requests };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Our store's entries now, to see that a test left none of its own behind. */
function storeEntries(): string[] {
  return [path.join(BLOBS_DIR, 'sha256'), IMAGE_LAYERS_DIR, PARTIAL_BLOBS_DIR]
    .flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : []))
    .sort();
}
let storeBefore: string[];

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'images-'));
  storeBefore = storeEntries();
  // Docker's client config of our own: never root's.
  process.env.DOCKER_CONFIG = path.join(tmp, 'docker-config');
  fs.mkdirSync(process.env.DOCKER_CONFIG);
  registry = await startRegistry(tmp);
  registryPort = registry.port;
  buildLayout();
  push('1', 'test/img:1');
  push('multi', 'test/img:multi', true);
  push('other', 'test/img:other', true);
  run('umoci', ['unpack', '--image', `${layout}:1-gzip`, path.join(tmp, 'bundle')]);
  umociListing = listing(path.join(tmp, 'bundle', 'rootfs'));
});

after(async () => {
  forget(...added);
  await registry.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(
    storeEntries().filter((entry) => !storeBefore.includes(entry)),
    [],
    'the tests left something in the image store',
  );
});

describe('image references', () => {
  it('normalizes names as Docker does: Docker Hub and library/ by default, tags default to latest', () => {
    const cases: [string, string][] = [
      ['alpine', 'docker.io/library/alpine:latest'],
      ['alpine:3.19', 'docker.io/library/alpine:3.19'],
      ['user/app', 'docker.io/user/app:latest'],
      ['docker.io/library/alpine:3', 'docker.io/library/alpine:3'],
      ['index.docker.io/library/alpine', 'docker.io/library/alpine:latest'],
      ['localhost/x', 'localhost/x:latest'],
      ['localhost:5000/x:y', 'localhost:5000/x:y'],
      ['127.0.0.1:5000/a/b/c:1.0', '127.0.0.1:5000/a/b/c:1.0'],
      [`ghcr.io/o/r@sha256:${'a'.repeat(64)}`, `ghcr.io/o/r@sha256:${'a'.repeat(64)}`],
      [`alpine:3@sha256:${'b'.repeat(64)}`, `docker.io/library/alpine:3@sha256:${'b'.repeat(64)}`],
    ];
    for (const [typed, normalized] of cases) assert.equal(referenceName(parseReference(typed)), normalized, typed);
    assert.deepEqual(parseReference('alpine'), { registry: 'docker.io', repository: 'library/alpine', tag: 'latest', digest: null });
    for (const bad of ['Alpine', 'alpine:', 'a//b', 'alpine@sha256:12', 'x:y:z', ''])
      assert.throws(() => parseReference(bad), /invalid image reference/, bad);
  });
});

describe('pull', () => {
  it('pulls gzip, plain and zstd layers; overlayfs shows exactly what umoci unpacks (whiteout, opaque dir, hardlink, symlinks, setuid, owners)', async () => {
    const progress = new Map<string, number>();
    const image = await pulled(`127.0.0.1:${registryPort}/test/img:1`, {
      onProgress: ({ layer, done, total }) => progress.set(layer, done === total ? -1 : done),
    });
    assert.equal(image.name, `127.0.0.1:${registryPort}/test/img:1`);
    assert.equal(image.id, configDigest);
    assert.equal(image.layers.length, 3);
    assert.deepEqual(image.config, {
      entrypoint: ['/bin/sh'],
      cmd: ['-c', 'echo hi'],
      env: ['PATH=/bin', 'A=1'],
      workingDir: '/opt',
      user: '1000:1000',
    });
    assert.deepEqual([...progress.values()], [-1, -1, -1], 'every layer reported complete');
    assert.equal(overlayListing(image), umociListing);
    // ...and that is the image as built: layer 2 deleted a file and hid a directory's files, the rest kept.
    for (const line of [
      'bin/prog 100000 4755 0:0 size=20 links=2',
      'bin/hard 100000 4755 0:0 size=20 links=2',
      'bin/sh 120000 777 0:0 -> /bin/prog',
      'bin/up 120000 777 0:0 -> ../../../../etc/passwd',
      'usr/sgid 100000 2750 1000:50',
      'tmp 40000 1777 0:0',
      'ro 40000 555 0:0',
      'ro/file 100000 400 1234:5678 size=13 links=1 mtime=1500000000',
      'opt/dir/c 100000',
      'home/user 40000 700 1000:1000',
      'data/big 100000 644 0:0 size=3145728',
      `dev/null 20000 666 0:0 dev=${fs.statSync('/dev/null').rdev}`,
      'dev/fifo 10000 600 0:0',
    ]) {
      assert.ok(
        umociListing.split('\n').some((entry) => entry.startsWith(line)),
        line,
      );
    }
    for (const gone of ['etc/deleted', 'opt/dir/a', 'opt/dir/b'])
      assert.ok(!umociListing.split('\n').some((entry) => entry.startsWith(`${gone} `)), gone);
    // The layers themselves are in overlayfs's format.
    const [, second] = image.layers;
    assert.equal(fs.lstatSync(path.join(second, 'etc', 'deleted')).isCharacterDevice(), true);
    assert.equal(fs.lstatSync(path.join(second, 'etc', 'deleted')).rdev, 0);
    const opaque = run('python3', [
      '-c',
      'import os, sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode(), end="")',
      path.join(second, 'opt', 'dir'),
    ]);
    assert.equal(opaque, 'y');
    assert.equal(fs.readlinkSync(path.join(image.layers[0], 'bin', 'sh')), '/bin/prog');
    assert.equal(fs.statSync(path.join(image.layers[0], 'bin', 'prog')).mode & 0o7777, 0o4755);
    assert.equal(fs.statSync(IMAGE_LAYERS_DIR).mode & 0o777, 0o700);
    // Found as typed, by id and by a prefix of it.
    assert.equal(findLocalImage(`127.0.0.1:${registryPort}/test/img:1`)?.id, configDigest);
    assert.equal(findLocalImage(configDigest)?.name, image.name);
    assert.equal(findLocalImage(digestHex(configDigest).slice(0, 12))?.name, image.name);
    assert.equal(findLocalImage(`127.0.0.1:${registryPort}/test/img:2`), null);
    // A second pull fetches no layer again.
    const requests: string[] = [];
    const { server, port } = await proxy((req, _res, forward) => {
      requests.push(req.url!);
      forward();
    });
    try {
      await pulled(`127.0.0.1:${port}/test/img:1`);
      assert.deepEqual(
        requests.filter((url) => url.includes('/blobs/')),
        [],
        'blobs fetched again',
      );
    } finally {
      await close(server);
      forget(`127.0.0.1:${registryPort}/test/img:1`, `127.0.0.1:${port}/test/img:1`);
    }
    assert.equal(fs.existsSync(image.layers[0]), false, 'layers no image uses are removed with the last name');
  });

  it("goes to Docker Hub's registry for names without one (here a mirror on 127.0.0.1): alpine:3 is docker.io/library/alpine:3", async () => {
    push('1', 'library/alpine:3');
    process.env[REGISTRY_MIRROR_ENV] = `127.0.0.1:${registryPort}`;
    try {
      const image = await pulled('alpine:3');
      assert.equal(image.name, 'docker.io/library/alpine:3');
      for (const typed of ['alpine:3', 'library/alpine:3', 'docker.io/library/alpine:3'])
        assert.equal(findLocalImage(typed)?.name, image.name, typed);
      const table = await cli(['images']);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /^REPOSITORY +TAG +IMAGE ID +SIZE +CREATED\n/);
      assert.match(table.stdout, new RegExp(`\\nalpine +3 +${digestHex(configDigest).slice(0, 12)} +3\\.\\d+MB +\\d+ (days|years?) ago\\n`));
    } finally {
      delete process.env[REGISTRY_MIRROR_ENV];
      forget('docker.io/library/alpine:3');
    }
  });

  it("resolves an image index to this host's platform, and names the platforms there are when none fits", async () => {
    const image = await pulled(`127.0.0.1:${registryPort}/test/img:multi`);
    assert.equal(image.id, configDigest);
    forget(image.name);
    const result = await cli(['pull', `127.0.0.1:${registryPort}/test/img:other`]);
    assert.equal(result.status, 125);
    assert.equal(
      result.stderr,
      `baby-docker: 127.0.0.1:${registryPort}/test/img:other has no image for linux/${hostPlatform().architecture}: it has linux/s390x, linux/ppc64le\n`,
    );
  });

  it('gets a bearer token with the credentials of config.json from the realm the registry names; a wrong password is a one-line error', async () => {
    const token = randomBytes(8).toString('hex');
    const tokenServer = await listen((req, res) => {
      const expected = `Basic ${Buffer.from('tester:secret').toString('base64')}`;
      const url = new URL(req.url!, 'http://x');
      const ok =
        req.headers.authorization === expected &&
        url.searchParams.get('service') === 'test' &&
        url.searchParams.get('scope') === 'repository:test/img:pull';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token }) : '{}');
    });
    const guarded = await proxy((req, res, forward) => {
      if (req.headers.authorization === `Bearer ${token}`) return forward();
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${tokenServer.port}/token",service="test",scope="repository:test/img:pull"`,
        })
        .end();
    });
    const writeCredentials = (password: string): void =>
      fs.writeFileSync(
        path.join(process.env.DOCKER_CONFIG!, 'config.json'),
        JSON.stringify({ auths: { [`127.0.0.1:${guarded.port}`]: { auth: Buffer.from(`tester:${password}`).toString('base64') } } }),
      );
    const ref = `127.0.0.1:${guarded.port}/test/img:1`;
    try {
      writeCredentials('secret');
      const image = await pulled(ref);
      assert.equal(image.id, configDigest);
      assert.ok(
        guarded.requests.some((r) => r.includes(`/blobs/${bigLayerDigest}`)),
        'the layers came through the guarded proxy',
      );
      forget(ref);
      writeCredentials('wrong');
      const refused = await cli(['pull', ref]);
      assert.equal(refused.status, 125);
      assert.equal(
        refused.stderr,
        `baby-docker: authentication refused by 127.0.0.1:${tokenServer.port} for 127.0.0.1:${guarded.port}: check the credentials in ${process.env.DOCKER_CONFIG}/config.json\n`,
      );
    } finally {
      fs.rmSync(path.join(process.env.DOCKER_CONFIG!, 'config.json'), { force: true });
      forget(ref);
      await close(guarded.server);
      await close(tokenServer.server);
    }
  });

  it('answers a Basic challenge with the credentials of config.json; without them, or with wrong ones, a one-line error', async () => {
    const basic = await proxy((req, res, forward) => {
      if (req.headers.authorization === `Basic ${Buffer.from('tester:secret').toString('base64')}`) return forward();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    });
    const ref = `127.0.0.1:${basic.port}/test/img:1`;
    const configFile = path.join(process.env.DOCKER_CONFIG!, 'config.json');
    const writeCredentials = (password: string): void =>
      fs.writeFileSync(
        configFile,
        JSON.stringify({ auths: { [`http://127.0.0.1:${basic.port}`]: { auth: Buffer.from(`tester:${password}`).toString('base64') } } }),
      );
    try {
      const anonymous = await cli(['pull', ref]);
      assert.deepEqual(
        [anonymous.status, anonymous.stderr],
        [125, `baby-docker: 127.0.0.1:${basic.port} wants credentials: log in (docker login writes them to ${configFile})\n`],
      );
      writeCredentials('wrong');
      const refused = await cli(['pull', ref]);
      assert.deepEqual(
        [refused.status, refused.stderr],
        [125, `baby-docker: authentication refused by 127.0.0.1:${basic.port} for test/img: check the credentials in ${configFile}\n`],
      );
      writeCredentials('secret');
      assert.equal((await pulled(ref)).id, configDigest);
    } finally {
      fs.rmSync(configFile, { force: true });
      forget(ref);
      await close(basic.server);
    }
  });

  it("follows the registry's redirect of its blobs to another host (a CDN), without taking the registry's credentials there", async () => {
    const cdnAuthorizations: (string | undefined)[] = [];
    const cdn = await listen((req, res) => {
      cdnAuthorizations.push(req.headers.authorization);
      http.get({ host: '127.0.0.1', port: registryPort, path: `/v2/test/img${req.url}` }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
    });
    const credentials = `Basic ${Buffer.from('tester:secret').toString('base64')}`;
    const guarded = await proxy((req, res, forward) => {
      if (req.headers.authorization !== credentials) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      const blob = /\/blobs\/(sha256:[0-9a-f]+)$/.exec(req.url!);
      if (!blob) return forward();
      res.writeHead(307, { location: `http://127.0.0.1:${cdn.port}/blobs/${blob[1]}` }).end();
    });
    const ref = `127.0.0.1:${guarded.port}/test/img:1`;
    const configFile = path.join(process.env.DOCKER_CONFIG!, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ auths: { [`127.0.0.1:${guarded.port}`]: { auth: credentials.slice('Basic '.length) } } }));
    try {
      assert.equal((await pulled(ref)).id, configDigest);
      assert.ok(cdnAuthorizations.length >= 2, `the config and the layers came from the CDN: ${cdnAuthorizations.length} requests`);
      assert.deepEqual(new Set(cdnAuthorizations), new Set([undefined]));
    } finally {
      fs.rmSync(configFile, { force: true });
      forget(ref);
      await close(guarded.server);
      await close(cdn.server);
    }
  });

  it('resumes an interrupted download with a Range request, from the partial blob it kept', async () => {
    let cut = true;
    const cutAt = 1024 * 1024;
    const flaky = await proxy((req, res, forward) => {
      if (!cut || !req.url!.includes(`/blobs/${bigLayerDigest}`)) return forward();
      http.get({ host: '127.0.0.1', port: registryPort, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${registryPort}` } }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= cutAt) return;
          res.write(chunk.subarray(0, cutAt - sent));
          sent += Math.min(chunk.length, cutAt - sent);
          if (sent >= cutAt) res.socket!.destroy();
        });
      });
    });
    const ref = `127.0.0.1:${flaky.port}/test/img:1`;
    const partial = path.join(PARTIAL_BLOBS_DIR, digestHex(bigLayerDigest));
    try {
      const first = await cli(['pull', ref]);
      assert.equal(first.status, 125);
      assert.match(
        first.stderr,
        new RegExp(
          `^baby-docker: the download of layer ${digestHex(bigLayerDigest).slice(0, 12)} from 127\\.0\\.0\\.1:${flaky.port} was cut off \\(.*\\): pull again to resume it\\n$`,
        ),
      );
      const kept = fs.statSync(partial).size;
      assert.ok(kept > 0 && kept <= cutAt, `kept ${kept} bytes`);
      cut = false;
      const image = await pulled(ref);
      assert.ok(flaky.requests.includes(`GET /v2/test/img/blobs/${bigLayerDigest} bytes=${kept}-`), flaky.requests.join('\n'));
      assert.equal(fs.existsSync(partial), false);
      assert.equal(overlayListing(image), umociListing);
    } finally {
      forget(ref);
      await close(flaky.server);
    }
  });

  it('says in one line: unknown tag, registry unreachable, a blob that does not match its digest', async () => {
    const unknown = await cli(['pull', `127.0.0.1:${registryPort}/test/img:nope`]);
    assert.equal(unknown.status, 125);
    assert.equal(
      unknown.stderr,
      `baby-docker: unknown image 127.0.0.1:${registryPort}/test/img:nope: 127.0.0.1:${registryPort} has no tag nope of test/img\n`,
    );
    const closedPort = await freePort();
    const unreachable = await cli(['pull', `127.0.0.1:${closedPort}/test/img:1`]);
    assert.equal(unreachable.status, 125);
    assert.equal(unreachable.stderr, `baby-docker: cannot reach 127.0.0.1:${closedPort}: ECONNREFUSED\n`);
    let corruptAt = (length: number): number => length >> 1;
    const corrupting = await proxy((req, res, forward) => {
      if (!req.url!.includes(`/blobs/${bigLayerDigest}`)) return forward();
      http.get({ host: '127.0.0.1', port: registryPort, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${registryPort}` } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          body[corruptAt(body.length)] ^= 0xff;
          res.writeHead(answer.statusCode!, answer.headers).end(body);
        });
      });
    });
    const ref = `127.0.0.1:${corrupting.port}/test/img:1`;
    try {
      // Damaged in the middle, and in its frame's header: there it fails to decompress long before its last byte
      // comes, and its digest is still what is reported.
      for (const at of [(length: number) => length >> 1, () => 4]) {
        corruptAt = at;
        const mismatch = await cli(['pull', ref]);
        assert.equal(mismatch.status, 125);
        assert.match(
          mismatch.stderr,
          new RegExp(`^baby-docker: digest mismatch for layer ${bigLayerDigest}: expected ${bigLayerDigest}, got sha256:[0-9a-f]{64}\\n$`),
        );
        assert.equal(fs.existsSync(blobPath(bigLayerDigest)), false, 'a blob that does not match is not kept');
        assert.equal(findLocalImage(ref), null);
      }
    } finally {
      await close(corrupting.server);
      pruneImages();
    }
  });
});

describe('load and import', () => {
  it('loads a docker save archive, an OCI archive and an OCI layout directory', async () => {
    const dockerArchive = path.join(tmp, 'docker.tar');
    run('skopeo', ['copy', '--quiet', `oci:${layout}:1-gzip`, `docker-archive:${dockerArchive}:test/img:saved`]);
    const ociArchive = path.join(tmp, 'oci.tar');
    run('skopeo', ['copy', '--quiet', `oci:${layout}:1`, `oci-archive:${ociArchive}:test/img:archived`]);
    const ociDir = path.join(tmp, 'oci-dir');
    run('skopeo', ['copy', '--quiet', '--all', `oci:${layout}:multi`, `oci:${ociDir}:localhost:5000/test/img:laid-out`]);
    const names = ['docker.io/test/img:saved', 'docker.io/test/img:archived', 'localhost:5000/test/img:laid-out'];
    try {
      for (const [file, name] of [
        [dockerArchive, names[0]],
        [ociArchive, names[1]],
        [ociDir, names[2]],
      ]) {
        const result = await cli(['load', '-i', file]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, `Loaded image: ${name} (${configDigest})\n`);
        added.add(name);
        const image = findLocalImage(name);
        assert.equal(image?.id, configDigest);
        assert.equal(overlayListing(image!), umociListing, name);
      }
    } finally {
      forget(...names);
    }
  });

  it('imports a rootfs tarball (gzip or not) as a one-layer image with an empty config', async () => {
    const rootfs = path.join(tmp, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'bin', 'hello'), 'hello\n', { mode: 0o755 });
    const tarball = path.join(tmp, 'rootfs.tar.gz');
    run('tar', ['--numeric-owner', '-C', rootfs, '-czf', tarball, '.']);
    try {
      const result = await cli(['import', tarball, 'imported:v1']);
      assert.equal(result.status, 0, result.stderr);
      added.add('docker.io/library/imported:v1');
      const image = findLocalImage('imported:v1')!;
      assert.equal(result.stdout, `docker.io/library/imported:v1: ${image.id}\n`);
      assert.equal(image.layers.length, 1);
      assert.deepEqual(image.config, { entrypoint: null, cmd: null, env: [], workingDir: null, user: null });
      assert.equal(fs.readFileSync(path.join(image.layers[0], 'bin', 'hello'), 'utf8'), 'hello\n');
      assert.equal(fs.statSync(path.join(image.layers[0], 'bin', 'hello')).mode & 0o7777, 0o755);
    } finally {
      forget('docker.io/library/imported:v1');
    }
  });

  it('refuses or neutralizes hostile layers: nothing is made outside the layer', async () => {
    const outside = path.join(os.tmpdir(), `bd-images-outside-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'target'), 'outside\n');
    const script = `
import io, sys, tarfile
out, outside = sys.argv[1], sys.argv[2]
def tar(name, *entries):
    with tarfile.open(f"{out}/{name}.tar", "w") as t:
        for path, kind, arg in entries:
            info = tarfile.TarInfo(path)
            if kind == "file":
                info.size = len(arg); t.addfile(info, io.BytesIO(arg))
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE; info.linkname = arg; t.addfile(info)
tar("dotdot", ("../../../../../../..${outside}/dotdot", "file", b"x"))
tar("absolute", ("${outside}/absolute", "file", b"x"))
tar("symlink", ("link", "symlink", "${outside}"), ("link/through-symlink", "file", b"x"))
tar("hardlink", ("hard", "hardlink", "${outside}/target"))
tar("hardlink-dotdot", ("hard", "hardlink", "../../../../../..${outside}/target"))
`;
    run('python3', ['-c', script, tmp, outside]);
    const names: string[] = [];
    try {
      const refused: Record<string, RegExp> = {
        dotdot: /refused the entry ".*\/dotdot": it leads out of the layer/,
        symlink: /open the directories of link\/through-symlink \(never through a symlink\): ENOTDIR/,
        hardlink: /hardlink hard to .*\/target: ENOENT/,
        'hardlink-dotdot': /refused the entry ".*\/target": it leads out of the layer/,
      };
      for (const [name, message] of Object.entries(refused)) {
        const result = await cli(['import', path.join(tmp, `${name}.tar`), `hostile:${name}`]);
        assert.equal(result.status, 125, name);
        assert.match(result.stderr, message, name);
        assert.equal(result.stderr.split('\n').length, 2, 'one line');
        assert.equal(findLocalImage(`hostile:${name}`), null);
      }
      // An absolute path is the layer's own, as tar and Docker read it.
      const result = await cli(['import', path.join(tmp, 'absolute.tar'), 'hostile:absolute']);
      assert.equal(result.status, 0, result.stderr);
      names.push('docker.io/library/hostile:absolute');
      assert.equal(fs.readFileSync(path.join(findLocalImage('hostile:absolute')!.layers[0], outside, 'absolute'), 'utf8'), 'x');
      assert.deepEqual(fs.readdirSync(outside), ['target'], 'something was made outside the layer');
      assert.equal(fs.readFileSync(path.join(outside, 'target'), 'utf8'), 'outside\n');
      assert.deepEqual(
        fs.readdirSync(IMAGE_LAYERS_DIR).filter((name) => name.startsWith('.tmp-')),
        [],
        'a refused layer left its temporary directory',
      );
    } finally {
      forget(...names);
      pruneImages();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('a layer that is no tar', () => {
  it('is refused with one line (not a crash), and nothing of it is kept', async () => {
    const bad = path.join(tmp, 'not-a-tar.tar');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('garbage '.repeat(100)), randomBytes(4096)]));
    const result = await cli(['import', bad, 'docker.io/library/not-a-tar:1']);
    assert.equal(result.status, 125, result.stderr);
    assert.match(result.stderr, /^baby-docker: layer [0-9a-f]{12}: TAR_ENTRY_INVALID: checksum failure\n$/);
    assert.equal(findLocalImage('docker.io/library/not-a-tar:1'), null);
    assert.deepEqual(
      storeEntries().filter((entry) => !storeBefore.includes(entry)),
      [],
      'the failed import left blobs or layers in the store',
    );
  });
});

describe('the index of names', () => {
  it('keeps every name when processes name images at the same time', async () => {
    const rootfs = path.join(tmp, 'parallel-rootfs');
    fs.mkdirSync(rootfs);
    fs.writeFileSync(path.join(rootfs, 'file'), 'x\n');
    const tarball = path.join(tmp, 'parallel.tar');
    run('tar', ['--numeric-owner', '-C', rootfs, '-cf', tarball, '.']);
    const base = 'docker.io/library/parallel:base';
    const names: string[] = [base];
    try {
      assert.equal((await cli(['import', tarball, base])).status, 0);
      const manifest = (JSON.parse(fs.readFileSync(IMAGE_INDEX_FILE, 'utf8')) as Record<string, string>)[base];
      // Four processes naming fifty images each, as fast as they can: each change reads the index and writes it whole.
      const store = new URL('../src/runtime/images/store.js', import.meta.url).href;
      const writers = [0, 1, 2, 3].map((k) => {
        const mine = Array.from({ length: 50 }, (_, i) => `docker.io/library/parallel:p${k}-${i}`);
        names.push(...mine);
        const script = `const { tagImage } = await import(${JSON.stringify(store)}); for (const name of ${JSON.stringify(mine)}) tagImage(name, ${JSON.stringify(manifest)});`;
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        return new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr)))));
      });
      await Promise.all(writers);
      const lost = names.filter((name) => !findLocalImage(name));
      assert.deepEqual(lost, [], 'names lost from the index');
    } finally {
      forget(...names);
    }
  });
});

describe('images, rmi, image prune', () => {
  it('rmi by name removes that name; by id every name; layers and blobs go with the last image that uses them; prune takes the rest', async () => {
    const a = await pulled(`127.0.0.1:${registryPort}/test/img:1`);
    const b = await pulled(`127.0.0.1:${registryPort}/test/img:multi`);
    const imported = await cli(['import', path.join(tmp, 'layer1.tar'), 'solo:1']);
    assert.equal(imported.status, 0, imported.stderr);
    added.add('docker.io/library/solo:1');
    const solo = findLocalImage('solo:1')!;
    try {
      assert.deepEqual(a.layers, b.layers);
      assert.equal(a.layers[0], solo.layers[0], 'the same layer is unpacked once, shared');
      const byName = await cli(['rmi', `127.0.0.1:${registryPort}/test/img:1`]);
      assert.deepEqual([byName.status, byName.stdout], [0, `Untagged: ${a.name}\n`], byName.stderr);
      added.delete(a.name);
      assert.ok(
        a.layers.every((dir) => fs.existsSync(dir)),
        'layers still used were removed',
      );
      const byId = await cli(['rmi', digestHex(configDigest).slice(0, 8)]);
      assert.deepEqual([byId.status, byId.stdout], [0, `Untagged: ${b.name}\n`], byId.stderr);
      added.delete(b.name);
      assert.equal(fs.existsSync(a.layers[0]), true, "solo's layer stays");
      assert.equal(fs.existsSync(a.layers[2]), false);
      assert.equal(fs.existsSync(blobPath(bigLayerDigest)), false);
      assert.deepEqual(
        listLocalImages().filter((image) => image.id === configDigest),
        [],
      );
      const missing = await cli(['rmi', 'never-was:1']);
      assert.deepEqual([missing.status, missing.stderr], [125, 'baby-docker: no such image: never-was:1\n']);
      // Left by something killed: an unused blob, a half-made layer, a partial download.
      const orphanBlob = path.join(BLOBS_DIR, 'sha256', 'f'.repeat(64));
      const halfLayer = path.join(IMAGE_LAYERS_DIR, '.tmp-killed');
      const partial = path.join(PARTIAL_BLOBS_DIR, 'e'.repeat(64));
      fs.writeFileSync(orphanBlob, 'x');
      fs.mkdirSync(halfLayer);
      fs.writeFileSync(partial, 'x');
      const prune = await cli(['image', 'prune']);
      assert.equal(prune.status, 0, prune.stderr);
      assert.match(prune.stdout, /^removed \d+ unused layer\(s\), blob\(s\) and partial download\(s\)\n$/);
      for (const file of [orphanBlob, halfLayer, partial]) assert.equal(fs.existsSync(file), false, file);
      assert.equal(findLocalImage('solo:1')?.layers[0], solo.layers[0]);
      assert.ok(fs.existsSync(solo.layers[0]));
    } finally {
      forget(a.name, b.name, 'docker.io/library/solo:1');
    }
  });
});
