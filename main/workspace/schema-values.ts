/**
 * JSON documents kept in the workspace are checked against the contract's schemas on the
 * way in, and read back field by field on the way out: a value an older or newer
 * Hopsdesk wrote that no longer fits falls back to its default instead of breaking the UI.
 */
import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HopsError } from '../../protocol/errors.ts';

/** `defaults` with every field of `stored` that is valid for the schema laid over it. */
export function overlayValid<S extends TObject>(schema: S, defaults: Static<S>, stored: unknown): Static<S> {
  const result: Record<string, unknown> = { ...defaults };
  if (typeof stored !== 'object' || stored === null) return result as Static<S>;
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = (stored as Record<string, unknown>)[key];
    if (value !== undefined && Value.Check(property, value)) result[key] = value;
  }
  return result as Static<S>;
}

/** Throws a VALIDATION error naming the first offending field unless `value` fits `schema`. */
export function assertValid<S extends TObject>(schema: S, value: unknown, what: string): asserts value is Static<S> {
  if (Value.Check(schema, value)) return;
  const first = Value.Errors(schema, value).First();
  const field = first?.path || '/';
  throw new HopsError('VALIDATION', `Invalid ${what}: ${field} — ${first?.message ?? 'invalid value'}.`, { field });
}
