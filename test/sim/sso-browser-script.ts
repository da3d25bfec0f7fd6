// `$BROWSER` for CLI tests: `BROWSER="node --import tsx test/sim/sso-browser-script.ts"` signs in to the simulator
// as SIM_SSO_USER (default: the IdP's configured user), answers the consent page with SIM_SSO_DECISION (approve|deny)
// and SIM_SSO_TEAM, then delivers the callback. Prints the final status on stderr, never a token.
import { ScriptedBrowser } from './sso-browser.js';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: sso-browser-script.ts URL\n');
  process.exit(2);
}
const decision = process.env.SIM_SSO_DECISION === 'deny' ? 'deny' : 'approve';
const visit = await new ScriptedBrowser().open(url, {
  decision,
  ...(process.env.SIM_SSO_USER ? { user: process.env.SIM_SSO_USER } : {}),
  ...(process.env.SIM_SSO_TEAM ? { team: process.env.SIM_SSO_TEAM } : {}),
});
process.stderr.write(`scripted browser: ${visit.visited.length} pages, final HTTP ${visit.finalStatus}\n`);
process.exit(visit.finalStatus === 200 ? 0 : 1);
