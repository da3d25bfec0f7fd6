// The proxy's native CLI sign-in (../shared/litellm-sso.md), as far as the simulator plays it: which release answers,
// the scripted IdP's browser sessions, sealed client ids, consent flows, single-use codes, rotating refresh tokens and
// the stateless access tokens. Everything is in memory and timed by the sim clock.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Which sign-in the proxy offers: `none` (no SSO at all), `legacy` (before 1.99: `/sso/cli/start` and poll only),
 * `1.99` (the contract, `v2:gcm:` session tokens), `1.100.4` (the contract, `litellm_login_` tokens; older tokens are
 * refused).
 */
export type SsoRelease = 'none' | 'legacy' | '1.99' | '1.100.4';

export const SSO_RELEASES: readonly SsoRelease[] = ['none', 'legacy', '1.99', '1.100.4'];

export const CODE_TTL_MS = 120_000;
export const MANUAL_CODE_TTL_MS = 300_000;
export const FLOW_TTL_MS = 600_000;
export const REFRESH_TTL_MS = 14 * 24 * 3600 * 1000;
export const LEGACY_LOGIN_TTL_MS = 300_000;

export interface SessionGrant {
  userId: string;
  teamId: string | null;
  clientId: string;
}

export interface AccessRecord extends SessionGrant {
  expiresAtMs: number;
  format: 'v2-gcm' | 'litellm-login';
}

interface RefreshRecord extends SessionGrant {
  expiresAtMs: number;
  used: boolean;
}

interface CodeRecord extends SessionGrant {
  redirectUri: string;
  challenge: string;
  resource: string;
  expiresAtMs: number;
  used: boolean;
}

export interface FlowRecord {
  handle: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  resource: string;
  teams: string[];
  expiresAtMs: number;
  completed: boolean;
}

export interface LegacyLogin {
  loginId: string;
  pollSecret: string;
  userCode: string;
  expiresAtMs: number;
  /** Set when the person confirmed in the browser. */
  userId: string | null;
  key: string | null;
}

export class SsoState {
  /** Default `none`: the routes answer FastAPI's 404 as they always did. Settable at runtime (an upgrade). */
  release: SsoRelease = 'none';
  /** `CLI_JWT_EXPIRATION_HOURS` in seconds: the access token's `expires_in`. Short on demand. */
  accessLifetimeSec = 86_400;
  /** The user the scripted IdP's login form is filled in with. */
  idpUser = 'alice';
  /** Discovery fields replaced as given (an endpoint on another origin, another contract version). */
  discoveryOverrides: Record<string, unknown> = {};
  /** Every mint of a session pair by `/token`, by grant: what the single-flight tests count. */
  readonly tokenGrants: Array<{ grant: 'authorization_code' | 'refresh_token'; ok: boolean }> = [];

  readonly browserSessions = new Map<string, string>();
  readonly flows = new Map<string, FlowRecord>();
  readonly legacyLogins = new Map<string, LegacyLogin>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly sealKey = randomBytes(32);

  get offersContract(): boolean {
    return this.release === '1.99' || this.release === '1.100.4';
  }

  /** `llm_dcrc_<payload>.<mac>`: the registration itself, sealed; nothing is kept server-side. */
  sealClient(redirectUris: string[], issuedAt: number): string {
    const payload = Buffer.from(JSON.stringify({ r: redirectUris, t: issuedAt })).toString('base64url');
    return `llm_dcrc_${payload}.${this.mac(payload)}`;
  }

  /** The registered redirect URIs of a sealed client id, or null when it is not one of ours. */
  openClient(clientId: unknown): string[] | null {
    if (typeof clientId !== 'string' || !clientId.startsWith('llm_dcrc_')) return null;
    const [payload, mac] = clientId.slice('llm_dcrc_'.length).split('.');
    if (!payload || !mac) return null;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { r?: unknown };
      return Array.isArray(parsed.r) && parsed.r.every((u) => typeof u === 'string') ? parsed.r as string[] : null;
    } catch {
      return null;
    }
  }

  newFlow(fields: Omit<FlowRecord, 'handle' | 'completed'>): FlowRecord {
    const flow: FlowRecord = { ...fields, handle: randomBytes(12).toString('hex'), completed: false };
    this.flows.set(flow.handle, flow);
    return flow;
  }

  newCode(fields: Omit<CodeRecord, 'used'>): string {
    const code = `llm_gcode_${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { ...fields, used: false });
    return code;
  }

  code(code: string): CodeRecord | undefined {
    return this.codes.get(code);
  }

  refreshRecord(token: string): RefreshRecord | undefined {
    return this.refreshTokens.get(token);
  }

  /** A new access + refresh pair for a grant. */
  mint(grant: SessionGrant, nowMs: number): { access: string; refresh: string } {
    const format = this.release === '1.100.4' ? 'litellm-login' : 'v2-gcm';
    const access = this.newAccessToken(format);
    this.accessTokens.set(access, { ...grant, format, expiresAtMs: nowMs + this.accessLifetimeSec * 1000 });
    const refresh = `llm_srefresh_${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(refresh, { ...grant, expiresAtMs: nowMs + REFRESH_TTL_MS, used: false });
    return { access, refresh };
  }

  /** A session token the legacy flow hands out: the same kind of access token, no refresh token. */
  mintLegacy(userId: string, teamId: string | null, nowMs: number): string {
    const format = this.release === '1.100.4' ? 'litellm-login' : 'v2-gcm';
    const access = this.newAccessToken(format);
    this.accessTokens.set(access, { userId, teamId, clientId: 'legacy', format, expiresAtMs: nowMs + this.accessLifetimeSec * 1000 });
    return access;
  }

  /** The access token's record, if it is one this proxy minted and its release still reads its format. */
  access(token: string): AccessRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record) return undefined;
    if (this.release === '1.100.4' && record.format !== 'litellm-login') return undefined;
    return record;
  }

  /** True for anything shaped like a session token, known or not. */
  looksLikeSessionToken(token: string): boolean {
    return token.startsWith('litellm_login_') || token.startsWith('v2:gcm:');
  }

  private newAccessToken(format: AccessRecord['format']): string {
    // 1.100.4+: unpadded base64url under its own prefix; before: the stored-credential routine's padded base64.
    return format === 'litellm-login'
      ? `litellm_login_${randomBytes(40).toString('base64url')}`
      : `v2:gcm:${randomBytes(41).toString('base64')}`;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.sealKey).update(payload).digest('base64url');
  }
}
