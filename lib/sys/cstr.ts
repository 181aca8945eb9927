/** A NUL-terminated Buffer for C string arguments. */
export function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

/** NUL-terminated strings back to back (argv, env of spawn). */
export function cstrs(xs: string[]): Buffer {
  return Buffer.from(xs.map((x) => `${x}\0`).join(''), 'utf8');
}
