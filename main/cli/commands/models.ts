// `keyfob models`: what the proxy offers, for `role set --models`.
import { boolValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../failure.js';
import { json } from '../output.js';

export const modelsCommand: Command = {
  name: 'models',
  summary: "list the proxy's models (GET /v1/models), for a role's --models",
  usage: 'keyfob models [--json]',
  args: { options: { json: { type: 'boolean', help: 'print a JSON array of model names' } }, positionals: [] },
  examples: ['keyfob models', 'keyfob role set dev --models "$(keyfob models | grep mini | paste -sd, -)"'],
  async run(ctx, args) {
    const models = await ctx.withCore({}, (core) => ctx.progress('asking the proxy for its models', () => core.listModels()));
    if (boolValue(args, 'json')) ctx.out(json(models));
    else if (models.length === 0) ctx.err('keyfob: the proxy offers no models');
    else for (const m of models) ctx.out(m);
    return EXIT_OK;
  },
};
