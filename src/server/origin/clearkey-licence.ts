import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The file beside a stream's media that holds its ClearKey keys, as a JWK set (`{ keys: [{ kty, kid, k }] }`). */
export const CLEARKEY_FILE = 'clearkey.json';

interface Jwk {
  kty: string;
  kid: string;
  k: string;
}

const STREAM_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A ClearKey licence server for the dev origin's streams (W3C EME, "Clear Key"): the CDM's licence
 * request (`{"kids":[...],"type":"temporary"}`) POSTed to `/origin/clearkey/<stream>` is answered with
 * the keys of `<mediaDir>/<stream>/clearkey.json` it asks for. Test media only: ClearKey keys travel
 * in the clear. `onLicence` counts answered requests for the byte accounting.
 */
export function registerClearKeyLicence(app: FastifyInstance, mediaDir: string, onLicence: () => void): void {
  void app.register(async (scope) => {
    // CDMs send the request as raw bytes, often without a content type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, body));

    scope.post('/origin/clearkey/:stream', async (request, reply) => {
      const { stream } = request.params as { stream: string };
      if (!STREAM_NAME.test(stream)) return reply.code(404).send({ error: 'not found', what: request.url });
      const kids = requestedKids(request.body);
      if (!kids) return reply.code(400).send({ error: 'a ClearKey licence request is JSON {"kids": [base64url key IDs]}' });
      const keys = await readFile(path.join(mediaDir, stream, CLEARKEY_FILE), 'utf8')
        .then((text) => (JSON.parse(text) as { keys: Jwk[] }).keys)
        .catch(() => undefined);
      if (!keys) return reply.code(404).send({ error: 'no ClearKey keys for this stream', what: stream });
      const granted = keys.filter((key) => kids.includes(key.kid));
      if (granted.length === 0) return reply.code(403).send({ error: 'none of the requested key IDs belong to this stream' });
      onLicence();
      return reply.header('cache-control', 'no-store').send({ keys: granted, type: 'temporary' });
    });
  });
}

function requestedKids(body: unknown): string[] | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { kids?: unknown };
    const kids = parsed.kids;
    if (!Array.isArray(kids) || kids.length === 0 || kids.length > 16) return undefined;
    return kids.every((kid) => typeof kid === 'string' && BASE64URL.test(kid)) ? (kids as string[]) : undefined;
  } catch {
    return undefined;
  }
}
