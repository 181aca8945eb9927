// The datapath mode as a tiny value type (configured may be auto; operational never is).
export const MODES = ['auto', 'veth', 'netkit', 'netkit-l2'] as const;
export type Mode = (typeof MODES)[number];
export type OperationalMode = Exclude<Mode, 'auto'>;

export const isNetkit = (m: Mode): boolean => m === 'netkit' || m === 'netkit-l2';
export const isLayer2 = (m: Mode): boolean => m === 'veth' || m === 'netkit-l2';

export function isMode(x: unknown): x is Mode {
  return typeof x === 'string' && (MODES as readonly string[]).includes(x);
}
export function isOperationalMode(x: unknown): x is OperationalMode {
  return isMode(x) && x !== 'auto';
}
