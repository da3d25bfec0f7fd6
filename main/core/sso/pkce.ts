// PKCE S256 (RFC 7636) and the `state` that ties a callback to this sign-in.
import { createHash, randomBytes } from 'node:crypto';

export interface PkcePair {
  /** 43 characters: 32 random bytes, base64url. */
  verifier: string;
  /** base64url(SHA-256(verifier)), no padding. */
  challenge: string;
}

export function newPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function newState(): string {
  return randomBytes(24).toString('base64url');
}
