// lib/cni/schema-errors: turns ajv validation errors into plain words naming the field
// ("ipam.type is required", "mode must be one of auto, veth, netkit, netkit-l2"). Pure.
// May import: ./netconf-validator (types only).
import type { SchemaError } from './netconf-validator.js';

/** JSON pointer "/ipam/type" or "/clusterCIDRs/0" → "ipam.type", "clusterCIDRs[0]". */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

export function describeSchemaError(e: SchemaError): string {
  const path = pointerToPath(e.instancePath);
  const field = path || 'network config';
  const got = `(got ${describeValue(e.data)})`;
  const ps = e.parentSchema ?? {};
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      return `${path ? `${path}.${missing}` : missing} is required`;
    }
    case 'enum':
      return `${field} must be one of ${(e.params.allowedValues as unknown[]).join(', ')} ${got}`;
    case 'type':
      return `${field} must be ${TYPE_WORDS[String(e.params.type)] ?? String(e.params.type)} ${got}`;
    case 'minimum':
    case 'maximum':
      if (typeof ps.minimum === 'number' && typeof ps.maximum === 'number') {
        return `${field} must be between ${ps.minimum} and ${ps.maximum} ${got}`;
      }
      return `${field} must be ${e.params.comparison} ${e.params.limit} ${got}`;
    case 'pattern':
      return `${field} ${typeof ps.description === 'string' ? ps.description : `must match ${e.params.pattern}`} ${got}`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/** All errors, deduplicated, in ajv's order. */
export function describeSchemaErrors(errors: readonly SchemaError[]): string[] {
  return [...new Set(errors.map(describeSchemaError))];
}
