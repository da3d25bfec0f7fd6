// One TLS rule for every server Keyfob talks to (the LiteLLM proxy, its sign-in endpoints, Vault): the public CAs plus
// the person's CA file (a corporate CA adds trust instead of replacing it), or no verification where they opted in.
import https from 'node:https';
import tls from 'node:tls';
import { readCaFileSync } from './ca-file.js';

/** The HTTPS agent for these TLS options, or undefined for Node's default (public CAs, verification on). */
export function tlsAgent(caFile: string | null, caPem: string | null, allowInsecureTls: boolean): https.Agent | undefined {
  if (!caFile && !allowInsecureTls) return undefined;
  const options: https.AgentOptions = { keepAlive: true };
  // The app passes the text it read without blocking (ca-file.ts readCaFile); otherwise it is read here.
  if (caFile) options.ca = [...tls.rootCertificates, caPem ?? readCaFileSync(caFile)];
  if (allowInsecureTls) options.rejectUnauthorized = false;
  return new https.Agent(options);
}
