// The legacy tc attach (kernels without tcx) needs rtnetlink: clsact qdisc + cls_bpf filter in
// direct-action mode. lib/netlink's Netlink client implements this interface (structurally);
// it must be a client whose socket lives in the host netns.
export type TcDirection = 'ingress' | 'egress';

export interface TcFilterView {
  prio: number;
  bpfName?: string;
  bpfId?: number;
}

export interface TcClient {
  ensureClsact(ifindex: number): void;
  replaceBpfFilter(ifindex: number, dir: TcDirection, progFd: number, name: string, prio?: number): void;
  /** false when there was no such filter. */
  deleteBpfFilter(ifindex: number, dir: TcDirection, prio?: number): boolean;
  filters(ifindex: number, dir: TcDirection): TcFilterView[];
}
