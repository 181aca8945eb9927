/** A NUL-terminated Buffer for C string arguments. */
export function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}
