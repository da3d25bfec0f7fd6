// Request validation with pydantic v2's lax-mode rules and FastAPI's 422 wording. Unknown fields are ignored, absent
// fields stay absent (the handlers tell "not sent" from "sent as null"), numbers accept numeric strings, strings do not
// accept numbers.
import type { ValidationIssue } from './responses.js';

export type FieldKind = 'str' | 'float' | 'int' | 'bool' | 'list' | 'list_str' | 'dict';

export interface FieldSpec {
  kind: FieldKind;
  /** A required field has no default: absent → "Field required". */
  required?: boolean;
  /** Optional[...] fields accept null; required ones here do not. */
  nullable?: boolean;
  /** Integer bounds (FastAPI `Query(ge=…, le=…)`). */
  ge?: number;
  le?: number;
}

export type Schema = Record<string, FieldSpec>;

const BOOL_WORDS: Record<string, boolean> = {
  '0': false, off: false, f: false, false: false, n: false, no: false,
  '1': true, on: true, t: true, true: true, y: true, yes: true,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Coerces one value or explains why not, the way pydantic words it. */
function coerce(kind: FieldKind, input: unknown, loc: Array<string | number>): { value: unknown } | { issue: ValidationIssue } {
  const fail = (type: string, msg: string, ctx?: Record<string, unknown>) =>
    ({ issue: ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input } });
  switch (kind) {
    case 'str':
      return typeof input === 'string' ? { value: input } : fail('string_type', 'Input should be a valid string');
    case 'float': {
      if (typeof input === 'number') return { value: input };
      if (typeof input === 'string') {
        const n = input.trim() === '' ? NaN : Number(input.trim());
        return Number.isNaN(n) ? fail('float_parsing', 'Input should be a valid number, unable to parse string as a number') : { value: n };
      }
      return fail('float_type', 'Input should be a valid number');
    }
    case 'int': {
      if (typeof input === 'number') {
        return Number.isInteger(input) ? { value: input }
          : fail('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      }
      if (typeof input === 'string') {
        return /^\s*[+-]?\d+\s*$/.test(input) ? { value: Number(input.trim()) }
          : fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
      }
      return fail('int_type', 'Input should be a valid integer');
    }
    case 'bool': {
      if (typeof input === 'boolean') return { value: input };
      if (input === 0 || input === 1) return { value: input === 1 };
      if (typeof input === 'string') {
        const word = BOOL_WORDS[input.trim().toLowerCase()];
        return word === undefined ? fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input') : { value: word };
      }
      return fail('bool_type', 'Input should be a valid boolean');
    }
    case 'list':
      return Array.isArray(input) ? { value: input } : fail('list_type', 'Input should be a valid list');
    case 'list_str': {
      if (!Array.isArray(input)) return fail('list_type', 'Input should be a valid list');
      const bad = input.findIndex((item) => typeof item !== 'string');
      if (bad >= 0) return { issue: { type: 'string_type', loc: [...loc, bad], msg: 'Input should be a valid string', input: input[bad] } };
      return { value: input };
    }
    case 'dict':
      return isPlainObject(input) ? { value: input } : fail('dict_type', 'Input should be a valid dictionary');
  }
}

function validateFields(source: Record<string, unknown>, schema: Schema, where: 'body' | 'query', issues: ValidationIssue[], whole: unknown) {
  const value: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const loc = [where, name];
    if (!Object.hasOwn(source, name) || source[name] === undefined) {
      if (spec.required) issues.push({ type: 'missing', loc, msg: 'Field required', input: whole });
      continue;
    }
    const input = source[name];
    if (input === null && spec.nullable) {
      value[name] = null;
      continue;
    }
    const result = coerce(spec.kind, input, loc);
    if ('issue' in result) {
      issues.push(result.issue);
      continue;
    }
    if (typeof result.value === 'number' && spec.kind === 'int') {
      if (spec.ge !== undefined && result.value < spec.ge) {
        issues.push({ type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${spec.ge}`, input, ctx: { ge: spec.ge } });
        continue;
      }
      if (spec.le !== undefined && result.value > spec.le) {
        issues.push({ type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${spec.le}`, input, ctx: { le: spec.le } });
        continue;
      }
    }
    value[name] = result.value;
  }
  return value;
}

/** A JSON body for a pydantic model: `undefined` body means none was sent. */
export function validateBody(body: unknown, schema: Schema): { value: Record<string, unknown>; issues: ValidationIssue[] } {
  if (body === undefined) return { value: {}, issues: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] };
  if (!isPlainObject(body)) {
    return {
      value: {},
      issues: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }],
    };
  }
  const issues: ValidationIssue[] = [];
  const value = validateFields(body, schema, 'body', issues, body);
  return { value, issues };
}

export function validateQuery(query: URLSearchParams, schema: Schema): { value: Record<string, unknown>; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const value = validateFields(Object.fromEntries(query), schema, 'query', issues, null);
  return { value, issues };
}
