// The kernel floor of podlink's ADD and DEL (veth mode, tcx): per pod, only the syscalls the kernel
// must serve for what podlink creates, nothing else (no reads back, no records, no IPAM).
//
//   floor prog PIN                          load a trivial SCHED_CLS program and pin it (once per run)
//   floor add NETNS HOST PEER PROGPIN DIR   one RTM_NEWLINK: veth HOST with PEER born in NETNS (MTU,
//                                           MACs, txqlen, one tx and one rx queue on both ends, as podlink
//                                           sends them); then open PROGPIN, create tcx ingress and egress
//                                           links on HOST and pin them as DIR/from-pod and DIR/to-pod
//   floor add NETNS HOST PEER - -           the pair alone (no links)
//   floor del HOST DIR|-                    RTM_DELLINK HOST; then unpin DIR/{from-pod,to-pod}, rmdir DIR
//
// Prints the times of the parts in ms (CLOCK_MONOTONIC): "pair=X attach=Y" or "del=X".
// Raw netlink and bpf(2); exits 1 with the failing step on stderr.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// Linux 6.6 (tcx); Debian 12's headers predate them.
#define TCX_INGRESS 46
#define TCX_EGRESS 47

static void die(const char *what, int err) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(err));
  exit(1);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long bpf(int cmd, union bpf_attr *a) {
  return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

// ---------------------------------------------------------------- netlink

struct req {
  struct nlmsghdr h;
  struct ifinfomsg i;
  char buf[1024];
};

static struct rtattr *put(struct nlmsghdr *h, int type, const void *data, int len) {
  struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (data) memcpy(RTA_DATA(a), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static void end(struct nlmsghdr *h, struct rtattr *nest) {
  nest->rta_len = (char *)h + h->nlmsg_len - (char *)nest;
}

static void put_u32(struct nlmsghdr *h, int type, uint32_t v) {
  put(h, type, &v, sizeof v);
}

/** One request, one ack. */
static void talk(struct nlmsghdr *h, const char *what) {
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s < 0) die("socket", errno);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (sendto(s, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) die(what, errno);
  char buf[4096];
  ssize_t n = recv(s, buf, sizeof buf, 0);
  if (n < 0) die(what, errno);
  struct nlmsghdr *r = (struct nlmsghdr *)buf;
  if (r->nlmsg_type != NLMSG_ERROR) die(what, EPROTO);
  int err = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
  if (err) die(what, -err);
  close(s);
}

static void common_attrs(struct nlmsghdr *h, const char *name, uint8_t last) {
  uint8_t mac[6] = {0x02, 0x50, 0x4c, 0x00, 0x00, last};
  put(h, IFLA_IFNAME, name, strlen(name) + 1);
  put_u32(h, IFLA_MTU, 1500);
  put_u32(h, IFLA_TXQLEN, 1000);
  put_u32(h, IFLA_NUM_TX_QUEUES, 1);
  put_u32(h, IFLA_NUM_RX_QUEUES, 1);
  put(h, IFLA_ADDRESS, mac, 6);
}

static void new_pair(const char *netns, const char *host, const char *peer) {
  int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) die(netns, errno);
  struct req r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.i);
  r.h.nlmsg_type = RTM_NEWLINK;
  r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  r.i.ifi_family = AF_UNSPEC;
  common_attrs(&r.h, host, 1);
  struct rtattr *info = put(&r.h, IFLA_LINKINFO, NULL, 0);
  put(&r.h, IFLA_INFO_KIND, "veth", 5);
  struct rtattr *data = put(&r.h, IFLA_INFO_DATA, NULL, 0);
  struct rtattr *p = put(&r.h, VETH_INFO_PEER, NULL, sizeof(struct ifinfomsg));
  memset(RTA_DATA(p), 0, sizeof(struct ifinfomsg)); // the peer's own ifinfomsg
  common_attrs(&r.h, peer, 2);
  put_u32(&r.h, IFLA_NET_NS_FD, nsfd);
  end(&r.h, p);
  end(&r.h, data);
  end(&r.h, info);
  talk(&r.h, "RTM_NEWLINK");
  close(nsfd);
}

static void del_link(const char *host) {
  struct req r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.i);
  r.h.nlmsg_type = RTM_DELLINK;
  r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  r.i.ifi_family = AF_UNSPEC;
  put(&r.h, IFLA_IFNAME, host, strlen(host) + 1);
  talk(&r.h, "RTM_DELLINK");
}

// ---------------------------------------------------------------- bpf

static void pin_fd(int fd, const char *pin, const char *what) {
  union bpf_attr a = {0};
  a.pathname = (uintptr_t)pin;
  a.bpf_fd = fd;
  if (bpf(BPF_OBJ_PIN, &a) < 0) die(what, errno);
}

static void load_prog(const char *pin) {
  struct bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = -1}, // TCX_NEXT
      {.code = BPF_JMP | BPF_EXIT},
  };
  union bpf_attr a = {0};
  a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
  a.insns = (uintptr_t)insns;
  a.insn_cnt = 2;
  a.license = (uintptr_t) "GPL";
  int fd = bpf(BPF_PROG_LOAD, &a);
  if (fd < 0) die("BPF_PROG_LOAD", errno);
  pin_fd(fd, pin, "BPF_OBJ_PIN program");
}

static void attach_pin(int prog, int ifindex, int type, const char *pin) {
  union bpf_attr a = {0};
  a.link_create.prog_fd = prog;
  a.link_create.target_ifindex = ifindex;
  a.link_create.attach_type = type;
  int link = bpf(BPF_LINK_CREATE, &a);
  if (link < 0) die("BPF_LINK_CREATE", errno);
  pin_fd(link, pin, "BPF_OBJ_PIN link");
  close(link);
}

static void attach(const char *host, const char *progpin, const char *dir) {
  union bpf_attr a = {0};
  a.pathname = (uintptr_t)progpin;
  int prog = bpf(BPF_OBJ_GET, &a);
  if (prog < 0) die("BPF_OBJ_GET", errno);
  int ifindex = if_nametoindex(host);
  if (!ifindex) die(host, errno);
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) die(dir, errno);
  char pin[4096];
  snprintf(pin, sizeof pin, "%s/from-pod", dir);
  attach_pin(prog, ifindex, TCX_INGRESS, pin);
  snprintf(pin, sizeof pin, "%s/to-pod", dir);
  attach_pin(prog, ifindex, TCX_EGRESS, pin);
  close(prog);
}

static void unpin(const char *dir) {
  char pin[4096];
  snprintf(pin, sizeof pin, "%s/from-pod", dir);
  if (unlink(pin) < 0) die(pin, errno);
  snprintf(pin, sizeof pin, "%s/to-pod", dir);
  if (unlink(pin) < 0) die(pin, errno);
  if (rmdir(dir) < 0) die(dir, errno);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "prog")) {
    load_prog(argv[2]);
    return 0;
  }
  if (argc == 7 && !strcmp(argv[1], "add")) {
    double t0 = now_ms();
    new_pair(argv[2], argv[3], argv[4]);
    double t1 = now_ms();
    if (strcmp(argv[5], "-")) attach(argv[3], argv[5], argv[6]);
    double t2 = now_ms();
    printf("pair=%.3f attach=%.3f\n", t1 - t0, t2 - t1);
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "del")) {
    double t0 = now_ms();
    del_link(argv[2]);
    if (strcmp(argv[3], "-")) unpin(argv[3]);
    printf("del=%.3f\n", now_ms() - t0);
    return 0;
  }
  fprintf(stderr, "usage: floor prog PIN | floor add NETNS HOST PEER PROGPIN|- DIR|- | floor del HOST DIR|-\n");
  return 2;
}
