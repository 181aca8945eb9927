// Kernel uapi constants for bpf(2) (include/uapi/linux/bpf.h), under their uapi names.
// Versions: docs/kernel.md#kernel-versions. May import: nothing.

// enum bpf_cmd
export const BPF_MAP_CREATE = 0;
export const BPF_MAP_LOOKUP_ELEM = 1;
export const BPF_MAP_UPDATE_ELEM = 2;
export const BPF_MAP_DELETE_ELEM = 3;
export const BPF_MAP_GET_NEXT_KEY = 4;
export const BPF_PROG_LOAD = 5;
export const BPF_OBJ_PIN = 6;
export const BPF_OBJ_GET = 7;
export const BPF_PROG_TEST_RUN = 10;
export const BPF_PROG_GET_FD_BY_ID = 13;
export const BPF_OBJ_GET_INFO_BY_FD = 15;
export const BPF_PROG_QUERY = 16;
export const BPF_MAP_FREEZE = 22;
export const BPF_LINK_CREATE = 28;
export const BPF_LINK_UPDATE = 29;
export const BPF_LINK_DETACH = 34;

// enum bpf_map_type
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_LPM_TRIE = 11;

export function isPerCpuMapType(type: number): boolean {
  return type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_PERCPU_ARRAY || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

// enum bpf_prog_type
export const BPF_PROG_TYPE_SCHED_CLS = 3;

// enum bpf_attach_type
export const BPF_TCX_INGRESS = 46;
export const BPF_TCX_EGRESS = 47;
export const BPF_NETKIT_PRIMARY = 54;
export const BPF_NETKIT_PEER = 55;

export const ATTACH_TYPE_NAMES: Record<number, string> = {
  46: 'tcx_ingress',
  47: 'tcx_egress',
  54: 'netkit_primary',
  55: 'netkit_peer',
};

// enum bpf_link_type
export const BPF_LINK_TYPE_TCX = 11;
export const BPF_LINK_TYPE_NETKIT = 13;

// map_flags / file_flags
export const BPF_F_NO_PREALLOC = 0x1;
export const BPF_F_RDONLY = 0x8;
export const BPF_F_RDONLY_PROG = 0x80;

// BPF_MAP_UPDATE_ELEM flags
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;

// mprog / link flags
export const BPF_F_REPLACE = 0x4;
export const BPF_F_BEFORE = 0x8;
export const BPF_F_AFTER = 0x10;
export const BPF_F_LINK = 0x2000;

// ld_imm64 src_reg values and the pseudo call
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_CALL = 1;

export const BPF_OBJ_NAME_LEN = 16;
export const BPF_MPROG_MAX = 64;

/** statfs f_type of bpffs. */
export const BPF_FS_MAGIC = 0xcafe4a11;
