// rtnetlink constants (uapi names). Values: linux/{netlink,rtnetlink,if_link,if_addr,neighbour,lwtunnel,pkt_sched,pkt_cls}.h,
// with the kernel versions that matter in docs/kernel.md#kernel-versions.
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
// NLMSG_ERROR flags
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_GETNEIGH = 30;
export const RTM_NEWQDISC = 36;
export const RTM_DELQDISC = 37;
export const RTM_NEWTFILTER = 44;
export const RTM_DELTFILTER = 45;
export const RTM_GETTFILTER = 46;

export const IFF_UP = 0x1;
export const IFF_NOARP = 0x80;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_TXQLEN = 13;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_FD = 28;
export const IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_GSO_MAX_SIZE = 41;
export const IFLA_GRO_MAX_SIZE = 58;
export const IFLA_GSO_IPV4_MAX_SIZE = 63;
export const IFLA_GRO_IPV4_MAX_SIZE = 64;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;

export const VETH_INFO_PEER = 1;

// IFLA_INFO_DATA of kind vxlan (enum in if_link.h); flags are u8 0/1, PORT is be16.
export const IFLA_VXLAN_ID = 1;
export const IFLA_VXLAN_TTL = 5;
export const IFLA_VXLAN_LEARNING = 7;
export const IFLA_VXLAN_PORT = 15;
export const IFLA_VXLAN_UDP_CSUM = 18;
export const IFLA_VXLAN_UDP_ZERO_CSUM6_TX = 19;
export const IFLA_VXLAN_UDP_ZERO_CSUM6_RX = 20;
export const IFLA_VXLAN_COLLECT_METADATA = 25;

export const IFLA_NETKIT_PEER_INFO = 1;
export const IFLA_NETKIT_PRIMARY = 2;
export const IFLA_NETKIT_POLICY = 3;
export const IFLA_NETKIT_PEER_POLICY = 4;
export const IFLA_NETKIT_MODE = 5;
export const IFLA_NETKIT_SCRUB = 6;
export const IFLA_NETKIT_PEER_SCRUB = 7;
export const IFLA_NETKIT_HEADROOM = 8;
export const IFLA_NETKIT_TAILROOM = 9;
export const NETKIT_PASS = 0;
export const NETKIT_DROP = 2;
export const NETKIT_L2 = 0;
export const NETKIT_L3 = 1;
export const NETKIT_SCRUB_NONE = 0;
export const NETKIT_SCRUB_DEFAULT = 1;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_FLAGS = 8;
export const IFA_F_NODAD = 0x02;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_TABLE = 15;
export const RTA_ENCAP_TYPE = 21;
export const RTA_ENCAP = 22;
export const RTAX_MTU = 2;
export const RTAX_ADVMSS = 8;
export const RT_TABLE_MAIN = 254;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RTN_UNICAST = 1;
export const RTNH_F_ONLINK = 4;

// Lightweight tunnels (lwtunnel.h): RTA_ENCAP_TYPE values and the attributes inside RTA_ENCAP.
export const LWTUNNEL_ENCAP_IP = 2;
export const LWTUNNEL_ENCAP_IP6 = 4;
export const LWTUNNEL_IP_ID = 1;
export const LWTUNNEL_IP_DST = 2;
export const LWTUNNEL_IP_SRC = 3;
export const LWTUNNEL_IP_TTL = 4;
export const LWTUNNEL_IP_TOS = 5;
export const LWTUNNEL_IP_FLAGS = 6;
// LWTUNNEL_IP6_{ID,DST,SRC,FLAGS} are the LWTUNNEL_IP_* numbers; HOPLIMIT and TC are not TTL and TOS.
export const LWTUNNEL_IP6_HOPLIMIT = 4;
export const LWTUNNEL_IP6_TC = 5;

export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NUD_PERMANENT = 0x80;

export const TCA_KIND = 1;
export const TCA_OPTIONS = 2;
export const TCA_BPF_FD = 6;
export const TCA_BPF_NAME = 7;
export const TCA_BPF_FLAGS = 8;
export const TCA_BPF_ID = 11;
export const TCA_BPF_FLAG_ACT_DIRECT = 1;
export const TC_H_CLSACT = 0xfffffff1;
export const TC_PARENT_INGRESS = 0xfffffff2;
export const TC_PARENT_EGRESS = 0xfffffff3;
