import { describe, expect, it } from 'vitest';
import { deflateSync, gzipSync } from 'node:zlib';
import { BodyTooLargeError, readRequestBody, UnsupportedEncodingError } from './body.ts';
import { InvalidRequestError } from './errors.ts';

const MiB = 1024 * 1024;

function post(body: Uint8Array | string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request('http://collector/v1/traces', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

/** A gzip stream of `members` concatenated members, each inflating to `memberBytes` zeros. */
function gzipBomb(memberBytes: number, members: number): Buffer {
  const member = gzipSync(Buffer.alloc(memberBytes), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

describe('reading a request body', () => {
  it('returns an uncompressed body as it came', async () => {
    expect((await readRequestBody(post('{"a":1}'), MiB)).toString()).toBe('{"a":1}');
  });

  it('inflates gzip, x-gzip and deflate bodies', async () => {
    const text = 'x'.repeat(100_000);
    for (const [encoding, body] of [
      ['gzip', gzipSync(text)],
      ['x-gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      [' GZIP ', gzipSync(text)],
    ] as const) {
      expect((await readRequestBody(post(body, { 'content-encoding': encoding }), MiB)).toString()).toBe(text);
    }
  });

  it('refuses an encoding it cannot decode', async () => {
    await expect(readRequestBody(post('x', { 'content-encoding': 'br' }), MiB)).rejects.toThrow(UnsupportedEncodingError);
    await expect(readRequestBody(post('x', { 'content-encoding': 'br' }), MiB)).rejects.toThrow('Content-Encoding "br" is not supported');
  });

  it('refuses a corrupt gzip body as a bad request', async () => {
    const error = await readRequestBody(post('not gzip at all', { 'content-encoding': 'gzip' }), MiB).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/^body is not valid gzip data: /);
  });

  it('refuses a truncated gzip body as a bad request', async () => {
    const body = gzipSync('y'.repeat(10_000)).subarray(0, 30);
    await expect(readRequestBody(post(body, { 'content-encoding': 'gzip' }), MiB)).rejects.toThrow(/^body is not valid gzip data: unexpected end of file/);
  });

  it('refuses a body declared larger than the cap before reading it', async () => {
    const request = post('small', { 'content-length': String(2 * MiB) });
    await expect(readRequestBody(request, MiB)).rejects.toThrow(BodyTooLargeError);
    expect(request.bodyUsed).toBe(false);
  });

  it('refuses a streamed body that passes the cap without a declared length', async () => {
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        controller.enqueue(chunk);
        if (sent > 16 * MiB) controller.close();
      },
    });
    await expect(readRequestBody(post(stream), MiB)).rejects.toThrow('request body is larger than the limit of 1048576 bytes;');
    expect(sent).toBeLessThan(4 * MiB);
  });

  it('accepts a body exactly at the cap after decompression and refuses one byte more', async () => {
    expect((await readRequestBody(post(gzipSync(Buffer.alloc(MiB)), { 'content-encoding': 'gzip' }), MiB)).length).toBe(MiB);
    await expect(readRequestBody(post(gzipSync(Buffer.alloc(MiB + 1)), { 'content-encoding': 'gzip' }), MiB)).rejects.toThrow(
      'request body is larger than the limit of 1048576 bytes after decompression',
    );
  });

  it('stops a gzip bomb as soon as it passes the cap, without inflating it into memory', async () => {
    // 256 members of 4 MiB of zeros: 1 GiB inflated from 1 MiB on the wire.
    const bomb = gzipBomb(4 * MiB, 256);
    expect(bomb.length).toBeLessThan(2 * MiB);
    let consumed = 0;
    const wire = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bomb.length; offset += 16 * 1024) controller.enqueue(bomb.subarray(offset, offset + 16 * 1024));
        controller.close();
      },
    }).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          consumed += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
    try {
      await expect(readRequestBody(post(wire, { 'content-encoding': 'gzip' }), 8 * MiB)).rejects.toThrow(BodyTooLargeError);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    expect(peak - baseline).toBeLessThan(64 * MiB);
    // 8 MiB of output needs two members (about 8 KiB of input); reading stopped long before the end.
    expect(consumed).toBeLessThan(bomb.length / 8);
  });
});
