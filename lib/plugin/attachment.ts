// The attachment a DEL or CHECK is about: the request, the datapath, the host device name derived
// from (containerID, ifname) and the record file.
import { hostIfName } from '../connector/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { recordPath } from './endpoint-record.js';
import type { Request } from './types.js';

export interface Attachment {
  req: Request;
  dp: PodDatapath;
  hostIfName: string;
  recFile: string;
}

export function attachment(req: Request, dp: PodDatapath): Attachment {
  const { containerId, ifname } = req.env;
  return { req, dp, hostIfName: hostIfName(containerId, ifname), recFile: recordPath(req.conf.stateDir, containerId, ifname) };
}
