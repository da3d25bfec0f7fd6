// A hostile second "proxy" on 127.0.0.2: it answers like a healthy LiteLLM (any key is welcome, that is the lure)
// and records every request in full — headers, URL and body — so a test can prove that a given secret never
// reached it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HostileServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** The requests that carry `secret` anywhere (a header, the URL or the body). */
  carrying(secret: string): CapturedRequest[];
  close(): Promise<void>;
}

function answer(method: string, path: string): { status: number; body: unknown } {
  if (path === '/health/liveliness') return { status: 200, body: "I'm alive!" };
  if (path === '/health/readiness') return { status: 200, body: { status: 'healthy', db: 'connected' } };
  if (path === '/key/list') return { status: 200, body: { keys: [], total_count: 0, current_page: 1, total_pages: 0 } };
  if (path === '/v1/models' || path === '/models') return { status: 200, body: { object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] } };
  if (method === 'POST' && path === '/key/delete') return { status: 200, body: { deleted_keys: [] } };
  return { status: 404, body: { error: { message: 'Not found', type: 'not_found', code: '404' } } };
}

export async function startHostileServer(host = '127.0.0.2'): Promise<HostileServer> {
  const requests: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const { status, body: reply } = answer(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    carrying: (secret) =>
      requests.filter((r) => r.url.includes(secret) || r.body.includes(secret) || JSON.stringify(r.headers).includes(secret)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
