// A scripted browser for the simulator's sign-in: plain HTTP with a cookie jar that follows authorize → the IdP's login
// form → the consent page → the loopback callback, the way a person clicking through would. Tests call it in
// process; `sso-browser-script.ts` wraps it as a `$BROWSER` command for CLI tests.

export interface BrowserScript {
  /** The user the IdP form is submitted as (default: the form's prefilled user). */
  user?: string;
  decision?: 'approve' | 'deny';
  /** The team picked on the consent page when it offers several. */
  team?: string;
  delivery?: 'redirect' | 'manual';
}

export interface BrowserVisit {
  /** Every URL the browser was at, in order. */
  visited: string[];
  /** The consent page's HTML, when one was shown. */
  consentPage: string | null;
  /** The last answer: the loopback listener's page, or a proxy error. */
  finalStatus: number;
  finalBody: string;
  /** The URL the consent answer redirected to (the callback with `code`/`error` and `state`). */
  callbackUrl: string | null;
}

const MAX_HOPS = 12;

function inputValue(html: string, name: string): string | null {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match ? decodeHtml(match[1] ?? '') : null;
}

function formAction(html: string): string | null {
  const match = /<form[^>]*action="([^"]*)"/.exec(html);
  return match ? decodeHtml(match[1] ?? '') : null;
}

function decodeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function selectOptions(html: string): string[] {
  return [...html.matchAll(/<option value="([^"]*)"/g)].map((m) => decodeHtml(m[1] ?? ''));
}

export class ScriptedBrowser {
  private readonly jar = new Map<string, string>();

  async open(url: string, script: BrowserScript = {}): Promise<BrowserVisit> {
    const visit: BrowserVisit = { visited: [], consentPage: null, finalStatus: 0, finalBody: '', callbackUrl: null };
    let next: { url: string; form?: URLSearchParams } | null = { url };
    for (let hop = 0; next && hop < MAX_HOPS; hop += 1) {
      const current: { url: string; form?: URLSearchParams } = next;
      visit.visited.push(current.url);
      const res = await this.request(current.url, current.form);
      const body = await res.text();
      visit.finalStatus = res.status;
      visit.finalBody = body;
      next = null;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const target = new URL(location, current.url).toString();
        if (current.url.includes('/authorize/complete')) visit.callbackUrl = target;
        next = { url: target };
      } else if (res.status === 200 && body.includes('<title>Sign in to LiteLLM</title>')) {
        next = this.signIn(body, current.url, script);
      } else if (res.status === 200 && body.includes('<title>Authorize CLI access</title>')) {
        visit.consentPage = body;
        next = this.consent(body, current.url, script);
      }
    }
    return visit;
  }

  private signIn(html: string, at: string, script: BrowserScript): { url: string; form: URLSearchParams } {
    const form = new URLSearchParams({
      user_id: script.user ?? inputValue(html, 'user_id') ?? '',
      return_to: inputValue(html, 'return_to') ?? '',
    });
    return { url: new URL(formAction(html) ?? '', at).toString(), form };
  }

  private consent(html: string, at: string, script: BrowserScript): { url: string; form: URLSearchParams } {
    const form = new URLSearchParams({ flow: inputValue(html, 'flow') ?? '', decision: script.decision ?? 'approve' });
    const team = script.team ?? inputValue(html, 'team_id') ?? selectOptions(html)[0];
    if (team !== undefined) form.set('team_id', team);
    if (script.delivery) form.set('delivery', script.delivery);
    return { url: new URL(formAction(html) ?? '', at).toString(), form };
  }

  private async request(url: string, form: URLSearchParams | undefined): Promise<Response> {
    const origin = new URL(url).host;
    const cookie = [...this.jar.entries()].filter(([k]) => k.startsWith(`${origin} `)).map(([k, v]) => `${k.split(' ')[1]}=${v}`).join('; ');
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: form.toString() } : {}),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.jar.set(`${origin} ${pair.slice(0, eq).trim()}`, pair.slice(eq + 1).trim());
    }
    return res;
  }
}
