/**
 * The registry client's GETs, made with node:http rather than fetch: here a 12 MiB layer comes in
 * 95 ms instead of 215–260, and undici, which fetch loads on first use, costs every pull more again.
 */
import * as http from 'node:http';
import * as https from 'node:https';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** As many as fetch follows. */
const MAX_REDIRECTS = 20;
/** A registry silent this long, before its answer or in the middle of a layer, is given up on. */
const IDLE_TIMEOUT_MS = 60_000;

/** An answer to a GET: its status, headers and body (read once: as a stream, whole, or discarded). */
export class HttpAnswer {
  constructor(private readonly message: http.IncomingMessage) {}

  get status(): number {
    return this.message.statusCode ?? 0;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  header(name: string): string | undefined {
    const value = this.message.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** The body as it comes; an answer cut off ends it with an error. */
  get body(): AsyncIterable<Buffer> {
    return this.message;
  }

  async bytes(): Promise<Buffer> {
    return Buffer.concat((await this.message.toArray()) as Buffer[]);
  }

  /** The body left unread: the connection is closed, not kept for the next GET with data still coming. */
  discard(): void {
    this.message.destroy();
  }
}

function send(url: URL, headers: Record<string, string>): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers }, resolve);
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
  });
}

/**
 * GET `start`, following redirects (a registry sends its blobs on to a CDN). The Authorization header stays
 * with the origin it was meant for, and an HTTPS request is never sent on over plain HTTP. Throws what
 * node:http throws when the host cannot be reached (the error's code says why: ECONNREFUSED, ENOTFOUND…).
 */
export async function httpGet(start: string, headers: Record<string, string>): Promise<HttpAnswer> {
  let url = new URL(start);
  for (let redirects = 0; ; redirects++) {
    const message = await send(url, headers);
    const location = message.headers.location;
    if (!REDIRECT_STATUSES.has(message.statusCode ?? 0) || !location) return new HttpAnswer(message);
    message.destroy();
    if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (url.protocol === 'https:' && next.protocol !== 'https:') throw new Error(`redirected from HTTPS to ${next.origin}`);
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    url = next;
  }
}
