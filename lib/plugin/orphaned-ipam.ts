// A podlink killed mid-ADD (a runtime timeout, OOM) leaves the IPAM plugin it started running on its
// own: it may still allocate after the runtime's DEL has released, and the address leaks. Before DEL or
// a retried ADD releases for an attachment whose ADD never finished, wait for such processes: any
// other process whose environment says CNI_COMMAND=ADD for this container and interface.
// Only that crash path pays for the /proc scan.
import * as fs from 'node:fs';
import type { Request } from './types.js';

function environ(pid: string): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return undefined; // gone, or a kernel thread
  }
}

/** Pids of other live processes running an ADD for this attachment. */
export function addsInFlight(containerId: string, ifname: string): string[] {
  const want = ['CNI_COMMAND=ADD', `CNI_CONTAINERID=${containerId}`, `CNI_IFNAME=${ifname}`];
  const self = String(process.pid);
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && p !== self && (environ(p) ?? []).filter((v) => want.includes(v)).length === want.length);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until no other ADD for this attachment runs. Returns the pids it waited for. */
export async function waitForOrphanedAdds(
  containerId: string,
  ifname: string,
  timeoutMs = 10_000,
): Promise<{ waitedFor: string[]; stillRunning: string[] }> {
  const waitedFor = addsInFlight(containerId, ifname);
  let running = waitedFor;
  const until = Date.now() + timeoutMs;
  while (running.length && Date.now() < until) {
    await sleep(20);
    running = running.filter((p) => fs.existsSync(`/proc/${p}`) && environ(p)?.includes('CNI_COMMAND=ADD'));
  }
  return { waitedFor, stillRunning: running };
}

/** After a crashed ADD: its IPAM plugin may still be allocating; release only once it is done. */
export async function settleOrphans(req: Request): Promise<void> {
  const { waitedFor, stillRunning } = await waitForOrphanedAdds(req.env.containerId, req.env.ifname);
  if (!waitedFor.length) return;
  const still = stillRunning.length ? `; still running after 10 s: ${stillRunning.join(', ')}` : '';
  const add = `${req.env.containerId}/${req.env.ifname}`;
  req.log.warn(`waited for ${waitedFor.length} process(es) of an unfinished ADD of ${add} (pid ${waitedFor.join(', ')})${still}`);
}
