// JSON values as the checks see them: objects are records, and isObj tells an object from null and lists.

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
