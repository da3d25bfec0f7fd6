// Small real servers for the client's network tests: a server that answers whatever shape a test sets, an outbound
// HTTP proxy (absolute-URL forwarding and CONNECT tunnels), a TLS front for the simulator, and a throw-away
// self-signed certificate made with openssl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server | net.Server, scheme: string): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export interface CannedResponse {
  status: number;
  contentType?: string;
  body: string;
  headers?: Record<string, string>;
}

export interface ShapeServer extends Listening {
  respond: CannedResponse;
  /** Headers of the last request (to check what the client sent). */
  lastHeaders: http.IncomingHttpHeaders | null;
  lastUrl: string | null;
}

/** Answers every request with `respond`, whatever the path. */
export async function startShapeServer(): Promise<ShapeServer> {
  const state = { respond: { status: 200, body: '{}' } as CannedResponse, lastHeaders: null as http.IncomingHttpHeaders | null, lastUrl: null as string | null };
  const server = http.createServer((req, res) => {
    state.lastHeaders = req.headers;
    state.lastUrl = req.url ?? null;
    req.resume();
    req.on('end', () => {
      const r = state.respond;
      res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/json', ...r.headers });
      res.end(r.body);
    });
  });
  const listening = await listen(server, 'http');
  return Object.assign(state, listening) as ShapeServer;
}

export interface OutboundProxyServer extends Listening {
  /** Absolute-URL requests forwarded (http targets) and CONNECT tunnels opened (https targets). */
  forwarded: string[];
  tunnels: string[];
}

/**
 * An HTTP proxy that sends every forwarded request to `httpOrigin` and every CONNECT tunnel to `tunnelPort` on
 * 127.0.0.1, whatever host the client named (so tests can use names that do not resolve).
 */
export async function startOutboundProxy(opts: { httpOrigin?: string; tunnelPort?: number }): Promise<OutboundProxyServer> {
  const forwarded: string[] = [];
  const tunnels: string[] = [];
  const server = http.createServer((req, res) => {
    forwarded.push(req.url ?? '');
    if (!opts.httpOrigin) {
      res.writeHead(502).end();
      return;
    }
    const target = new URL(req.url ?? '/', 'http://placeholder');
    const upstream = http.request(`${opts.httpOrigin}${target.pathname}${target.search}`, { method: req.method, headers: { ...req.headers, host: new URL(opts.httpOrigin).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    if (!opts.tunnelPort) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(opts.tunnelPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const listening = await listen(server, 'http');
  return Object.assign(listening, { forwarded, tunnels });
}

export interface TestCertificate {
  certPath: string;
  cert: string;
  key: string;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for `hostName` and 127.0.0.1 (EC P-256: fast to make). */
export function makeSelfSignedCert(hostName: string): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-cert-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${hostName}`,
    '-addext', `subjectAltName=DNS:${hostName},IP:127.0.0.1`,
  ], { stdio: 'ignore' });
  return { certPath, cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
}

/** An https server in front of `upstream` (the simulator), with the given certificate. */
export async function startTlsFront(certificate: TestCertificate, upstream: string): Promise<Listening> {
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    const up = http.request(`${upstream}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return listen(server, 'https');
}

/** A port on 127.0.0.1 on which nothing listens (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  const l = await listen(server, 'tcp');
  await l.close();
  return l.port;
}
