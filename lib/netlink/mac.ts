// MAC addresses: text (aa:bb:cc:dd:ee:ff) ↔ bytes, for every module that shows or writes one.

/** Parses six hex octets separated by ':' or '-'. */
export function parseMac(mac: string): Buffer {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new RangeError(`bad MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** Lower-case, colon-separated, two digits an octet. */
export function formatMac(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
