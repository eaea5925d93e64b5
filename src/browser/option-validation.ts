import { MeshcastError } from './errors';

/** The `configError` thrown for an option that is not what it must be, naming it. */
export function invalidOption(option: string, expected: string, got: unknown): MeshcastError {
  return new MeshcastError(
    'configError',
    'invalidOption',
    `Meshcast option "${option}" must be ${expected}, got ${describeValue(got)}`,
    { fatal: true, option },
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An options group (`integrity`, `upload`, …): an object with known keys only; `{}` when unset. */
export function optionGroup(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalidOption(name, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw invalidOption(`${name}.${key}`, `not set (known: ${known.join(', ')})`, value[key]);
  }
  return value;
}
