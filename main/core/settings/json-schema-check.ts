// A small, direct checker for the JSON Schema (draft 2020-12) keywords that Keyfob's own schemas use. conf and
// electron-store would compile the settings schema with ajv on every open — about a quarter of a second of CPU per
// CLI command on a modest laptop — to check a file of a few kilobytes. Walking the schema directly costs microseconds
// and keeps the schema itself the single source of truth. A keyword this checker does not know is an error, not
// ignored: a schema that grows past this subset fails its tests instead of going unchecked.

type Schema = Readonly<Record<string, unknown>>;

/** Keywords that only describe (or hold definitions reached through `$ref`): nothing to check. */
const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description', 'default', 'examples', '$comment']);

const CHECKED = new Set([
  'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'propertyNames', 'maxProperties',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'items', 'maxItems', 'uniqueItems', 'anyOf', 'not', '$ref',
]);

/** Most problems reported for one document: enough to say what is wrong, bounded for a hostile file. */
const MAX_PROBLEMS = 20;

/**
 * The ways `value` breaks `schema`, each as "<JSON pointer> <what>" (empty when it conforms). `$ref` is resolved
 * against `schema` as the root (`#/$defs/...`).
 */
export function checkJsonSchema(schema: Schema, value: unknown): string[] {
  const problems: string[] = [];
  const checker = new Checker(schema, problems);
  checker.check(schema, value, '');
  return problems.slice(0, MAX_PROBLEMS);
}

const patterns = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source, 'u'); // as ajv compiles it
    patterns.set(source, re);
  }
  return re;
}

class Checker {
  constructor(
    private readonly root: Schema,
    private readonly problems: string[],
  ) {}

  /** True when `value` conforms; records what does not (unless `quiet`, inside anyOf/not). */
  check(schema: Schema, value: unknown, at: string, quiet = false): boolean {
    let ok = true;
    const fail = (message: string): void => {
      ok = false;
      if (!quiet && this.problems.length < MAX_PROBLEMS) this.problems.push(`${at || '/'} ${message}`);
    };
    for (const keyword of Object.keys(schema)) {
      if (!CHECKED.has(keyword) && !ANNOTATIONS.has(keyword)) throw new Error(`JSON Schema keyword "${keyword}" is not supported by json-schema-check`);
    }

    if (typeof schema.$ref === 'string' && !this.check(this.resolve(schema.$ref), value, at, quiet)) ok = false;
    if (schema.type !== undefined && !hasType(value, schema.type as string)) {
      fail(`must be ${String(schema.type)}`);
      return false; // the other keywords would only repeat it
    }
    if ('const' in schema && !deepEqual(value, schema.const)) fail(`must be ${JSON.stringify(schema.const)}`);
    if (Array.isArray(schema.enum) && !schema.enum.some((v) => deepEqual(value, v))) fail(`must be one of ${JSON.stringify(schema.enum)}`);
    if (Array.isArray(schema.anyOf)) {
      const any = (schema.anyOf as Schema[]).some((s) => this.check(s, value, at, true));
      if (!any) fail('must match one of the allowed forms');
    }
    if (isRecord(schema.not) && this.check(schema.not, value, at, true)) fail('must not match the excluded form');

    if (typeof value === 'string') {
      const length = [...value].length; // code points, as ajv counts
      if (typeof schema.minLength === 'number' && length < schema.minLength) fail(`must have at least ${schema.minLength} characters`);
      if (typeof schema.maxLength === 'number' && length > schema.maxLength) fail(`must have at most ${schema.maxLength} characters`);
      if (typeof schema.pattern === 'string' && !pattern(schema.pattern).test(value)) fail(`must match ${schema.pattern}`);
    }
    if (typeof value === 'number') {
      if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
    }
    if (Array.isArray(value)) {
      if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail(`must have at most ${schema.maxItems} items`);
      if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => deepEqual(v, w)) !== i)) fail('must not have duplicate items');
      if (isRecord(schema.items)) {
        const items = schema.items;
        value.forEach((v, i) => { if (!this.check(items, v, `${at}/${i}`, quiet)) ok = false; });
      }
    }
    if (isRecord(value)) {
      const keys = Object.keys(value).filter((k) => value[k] !== undefined); // as ajv sees an in-memory object
      const properties = isRecord(schema.properties) ? schema.properties : {};
      for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
        if (value[key] === undefined) fail(`must have the property "${key}"`);
      }
      if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) fail(`must have at most ${schema.maxProperties} properties`);
      for (const key of keys) {
        const where = `${at}/${escapePointer(key)}`;
        if (isRecord(schema.propertyNames) && !this.check(schema.propertyNames, key, where, true)) fail(`has a property name that is not allowed: ${JSON.stringify(key.slice(0, 64))}`);
        const own = properties[key];
        if (isRecord(own)) {
          if (!this.check(own, value[key], where, quiet)) ok = false;
        } else if (schema.additionalProperties === false) {
          fail(`must not have the property ${JSON.stringify(key.slice(0, 64))}`);
        } else if (isRecord(schema.additionalProperties)) {
          if (!this.check(schema.additionalProperties, value[key], where, quiet)) ok = false;
        }
      }
    }
    return ok;
  }

  private resolve(ref: string): Schema {
    const found = ref.startsWith('#/')
      ? ref.slice(2).split('/').reduce<unknown>((node, part) => (isRecord(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.root)
      : undefined;
    if (!isRecord(found)) throw new Error(`JSON Schema $ref ${ref} cannot be resolved`);
    return found;
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isRecord(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    default: throw new Error(`JSON Schema type "${type}" is not supported by json-schema-check`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
