// Module loader hooks (run on Node's loader thread): `electron` resolves to the fake beside this file. The fake's
// URL goes down the chain (not short-circuited) so that the TypeScript loader (tsx) claims and compiles it.
const FAKE_ELECTRON_URL = new URL('./index.ts', import.meta.url).href;

interface ResolveContext {
  conditions: string[];
  importAttributes: Record<string, string>;
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context: ResolveContext) => Promise<ResolveResult>): Promise<ResolveResult> {
  if (specifier === 'electron') return nextResolve(FAKE_ELECTRON_URL, context);
  return nextResolve(specifier, context);
}
