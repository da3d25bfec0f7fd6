// Which outbound HTTP proxy (if any) a request to a server (the LiteLLM proxy, its sign-in, Vault) goes through, from
// the usual environment variables: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY (either case; lower case wins,
// as in curl). Loopback hosts never go through a proxy: a server on localhost must keep working on a machine whose
// corporate HTTPS_PROXY knows nothing about it (browsers do the same).
import net from 'node:net';

type Env = Record<string, string | undefined>;

export interface OutboundProxy {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** `user:password` when the proxy URL carries credentials (never shown in messages). */
  auth?: { username: string; password: string };
  /** `http://proxy.corp:3128`: safe to show. */
  display: string;
}

function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** The proxy for `target`, or null to connect directly. */
export function proxyForUrl(target: string, env: Env = process.env): OutboundProxy | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  if (isLoopback(host) || bypassedByNoProxy(host, port, envValue(env, 'no_proxy'))) return null;
  const raw = (url.protocol === 'https:' ? envValue(env, 'https_proxy') : envValue(env, 'http_proxy')) ?? envValue(env, 'all_proxy');
  if (!raw) return null;
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    return null;
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') return null;
  const protocol = proxy.protocol === 'https:' ? 'https' : 'http';
  const proxyPort = Number(proxy.port) || (protocol === 'https' ? 443 : 80);
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const result: OutboundProxy = { protocol, host: proxyHost, port: proxyPort, display: `${protocol}://${proxy.host}` };
  if (proxy.username) {
    result.auth = { username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) };
  }
  return result;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * NO_PROXY entries, comma or space separated: `*` (everything), `host`, `.domain` / `*.domain` (the domain and its
 * subdomains — a bare `domain` matches its subdomains too, as curl does), `host:port`, IPv4 CIDR `10.0.0.0/8`.
 */
export function bypassedByNoProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  for (const rawEntry of noProxy.toLowerCase().split(/[\s,]+/)) {
    let entry = rawEntry.trim();
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(entry);
    if (cidr) {
      if (net.isIPv4(host) && inIPv4Cidr(host, cidr[1] as string, Number(cidr[2]))) return true;
      continue;
    }
    let entryPort: number | null = null;
    const withPort = /^(.*[^:]):(\d+)$/.exec(entry);
    if (withPort && !net.isIPv6(entry)) {
      entry = withPort[1] as string;
      entryPort = Number(withPort[2]);
    }
    if (entryPort !== null && entryPort !== port) continue;
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*\./, '.');
    const domain = entry.startsWith('.') ? entry.slice(1) : entry;
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function inIPv4Cidr(ip: string, base: string, bits: number): boolean {
  if (!net.isIPv4(base) || bits > 32) return false;
  const toInt = (a: string) => a.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
