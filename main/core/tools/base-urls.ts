// The one rule for the base URL each kind of client is given (`issue --env`, `env`, `exec`, `setup`, the tray's
// exports, the window's "Use with…"). A pure function of the URL keys may be sent to (the credential's bound URL) and
// the form of it that answered (`litellm_resolved_url`), so any caller can feed it.
import type { ToolBaseUrls } from '../types.js';

export type { ToolBaseUrls };

function trimmed(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The proxy root is the form of the bound URL that answered: the URL itself, or the URL without its trailing `/v1`
 * (people paste OpenAI-style URLs). A resolved URL that is neither (stale, or from another URL) is ignored; with none
 * known, a trailing `/v1` is taken off, as LiteLLM serves its routes at the root and again under `/v1`.
 */
export function toolBaseUrls(boundUrl: string, resolvedUrl: string | null): ToolBaseUrls {
  const bound = trimmed(boundUrl);
  const stripped = bound.replace(/\/v1$/, '');
  const resolved = resolvedUrl === null ? null : trimmed(resolvedUrl);
  const root = resolved !== null && (resolved === bound || resolved === stripped) ? resolved : stripped;
  return { openai: `${root}/v1`, anthropic: root, litellm: root };
}
