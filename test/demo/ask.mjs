/* global fetch */
// A stand-in for any OpenAI-compatible tool in the demo: one chat completion with the variables `keyfob exec` or
// `eval "$(keyfob issue dev --env openai)"` set. Usage: node test/demo/ask.mjs [question]
const { OPENAI_API_KEY: key, OPENAI_BASE_URL: baseUrl } = process.env;
if (!key || !baseUrl) {
  console.error('ask: OPENAI_API_KEY and OPENAI_BASE_URL are not set; run me under `keyfob exec ROLE -- …`');
  process.exit(2);
}
const question = process.argv.slice(2).join(' ') || 'Say hello to Keyfob.';
const res = await fetch(`${baseUrl}/chat/completions`, {
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: process.env.ASK_MODEL ?? 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }),
});
const body = await res.json().catch(() => ({}));
if (!res.ok) {
  console.error(`ask: the proxy answered ${res.status}: ${body?.error?.message ?? JSON.stringify(body)}`);
  process.exit(1);
}
console.log(body.choices?.[0]?.message?.content ?? JSON.stringify(body));
