// lib/cni/netconf-validator: typed access to the ajv standalone validator generated from
// netconf.schema.json by build-validators.mjs (lib/cni/generated is a build output, not in git).
// May import: ./generated only.
// @ts-ignore -- generated at build time; a fresh checkout has no .d.ts until build-validators runs
import generated from './generated/netconf-validate.js';

/** One ajv error (verbose mode: `data` and `parentSchema` are set). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

export interface Validate {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** Validates a network config object, filling in schema defaults in place. */
export const validateNetConfSchema: Validate = generated as Validate;
