// Run by clients.test.ts after `eval "$(keyfob env ROLE)"`: the official SDKs, configured by nothing but the
// environment Keyfob exported (OPENAI_API_KEY/OPENAI_BASE_URL, ANTHROPIC_AUTH_TOKEN/ANTHROPIC_BASE_URL).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const openai = new OpenAI({ maxRetries: 0 });
const messages = [{ role: 'user', content: 'say hi' }];
const chat = await openai.chat.completions.create({ model: 'gpt-4o', messages });
let chatStream = '';
for await (const chunk of await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) chatStream += chunk.choices[0]?.delta?.content ?? '';
const response = await openai.responses.create({ model: 'gpt-4o', input: 'say hi' });
let responseStream = '';
for await (const event of await openai.responses.create({ model: 'gpt-4o', input: 'say hi', stream: true })) if (event.type === 'response.output_text.delta') responseStream += event.delta;

const anthropic = new Anthropic({ maxRetries: 0 });
const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages });
const streamed = await anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages }).finalText();

process.stdout.write(`${JSON.stringify({
  chat: chat.choices[0]?.message.content,
  chatStream,
  response: response.output_text,
  responseStream,
  message: message.content[0]?.type === 'text' ? message.content[0].text : null,
  messageStream: streamed,
})}\n`);
