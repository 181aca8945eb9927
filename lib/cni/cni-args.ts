// lib/cni/cni-args: parse the deprecated CNI_ARGS variable ("K=V;K2=V2"). Unknown keys are always
// kept (containerd sends IgnoreUnknown=1 and K8S_POD_*), order is irrelevant. Pure. May import: nothing.

export class CniArgsError extends Error {
  constructor(readonly pair: string) {
    super(`CNI_ARGS pair ${JSON.stringify(pair)} is not KEY=VALUE`);
    this.name = 'CniArgsError';
  }
}

/** Empty segments (";;", a trailing ";") are skipped; a value may itself contain "=". */
export function parseCniArgs(s: string | undefined): Record<string, string> {
  const out = new Map<string, string>();
  if (!s) return {};
  for (const pair of s.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniArgsError(pair);
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  // fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(out);
}
