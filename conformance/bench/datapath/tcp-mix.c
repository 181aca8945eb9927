// tcp-mix: TCP microbenchmarks for `bench datapath` that take turns between several targets.
//
//   tcp-mix server <ip> <port> [echo|sink]
//       echo on <port>, discard on <port>+1, or only one of them; any number of connections (epoll)
//   tcp-mix stream|rr|crr <seconds> <slot_ms> <size> <target>...
//       target: <netns path, or ->,<ipv4>,<port>
//       stream  write <size>-byte chunks to <port>+1 (throughput counted at the sender)
//       rr      one persistent connection, back-to-back <size>-byte request/response (TCP_RR)
//       crr     connect, one request, one response, close (TCP_CRR)
//
// The targets take turns in slots of <slot_ms> until each has had <seconds> of measured time, after
// one unmeasured warm-up slot each. A stream slot lasts until its data is acknowledged. Measuring them in turn, rather than one after the other for
// seconds each, is the point: on this machine single-stream veth throughput swings by ±30 % within
// a second or two, the same for every path, so the two sides of a ratio must share the same moments.
//
// Prints one block per target, in argument order: `target=<i>`, then key=value lines: mode, seconds
// (measured time), cpu_seconds (busy CPU-seconds of the whole machine during the target's slots, from
// /proc/stat), errors, and for stream: bytes, gbps; for rr/crr: transactions, rate, min_us p50_us
// p90_us p99_us max_us mean_us. A target that could not be measured prints error=<why> instead.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE (1 << 20)
#define MAX_TARGETS 32

enum mode { STREAM, RR, CRR };
static const char *const MODE_NAMES[] = {"stream", "rr", "crr"};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static _Noreturn void die(const char *what) {
  fprintf(stderr, "tcp-mix: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int full_io(int fd, char *buf, size_t n, int writing) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = writing ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    done += (size_t)r;
  }
  return 0;
}

static int parse_addr(struct sockaddr_in *a, const char *ip, long port) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  return port > 0 && port < 65535 && inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Busy jiffies of the whole machine: every field of the aggregate line but idle and iowait (and
 * guest, guest_nice, which user and nice already include), as cpu.ts counts them. */
static uint64_t busy_jiffies(void) {
  char buf[512];
  int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open /proc/stat");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) die("read /proc/stat");
  buf[n] = 0;
  uint64_t f[8] = {0};
  if (sscanf(buf, "cpu %lu %lu %lu %lu %lu %lu %lu %lu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]) < 4) {
    fprintf(stderr, "tcp-mix: cannot parse /proc/stat\n");
    exit(1);
  }
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
}

static int listen_on(const char *ip, long port) {
  struct sockaddr_in a;
  int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (parse_addr(&a, ip, port) < 0) {
    fprintf(stderr, "tcp-mix: bad address %s port %ld\n", ip, port);
    exit(2);
  }
  if (ls < 0) die("socket");
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(ls, 1024) < 0) die("listen");
  return ls;
}

/* epoll data: the fd shifted left once, the low bit set for the discarding port. `which`: bit 0 echo,
 * bit 1 sink. */
static _Noreturn void serve(const char *ip, long port, int which) {
  int ls[2] = {which & 1 ? listen_on(ip, port) : -1, which & 2 ? listen_on(ip, port + 1) : -1};
  int ep = epoll_create1(EPOLL_CLOEXEC);
  static char buf[MAX_SIZE];
  if (ep < 0) die("epoll_create1");
  for (int sink = 0; sink < 2; sink++) {
    if (ls[sink] < 0) continue;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)ls[sink] << 1 | (uint64_t)sink};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, ls[sink], &ev) < 0) die("epoll_ctl");
  }
  signal(SIGPIPE, SIG_IGN);
  printf("listening\n");
  fflush(stdout);
  for (;;) {
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = (int)(evs[i].data.u64 >> 1), sink = (int)(evs[i].data.u64 & 1);
      if (fd == ls[0] || fd == ls[1]) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue; /* ECONNABORTED and friends: the client gave up */
        nodelay(c);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)c << 1 | (uint64_t)sink};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0) close(c);
        continue;
      }
      ssize_t r = read(fd, buf, sink ? sizeof buf : 65536);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0 || (!sink && full_io(fd, buf, (size_t)r, 1) < 0)) close(fd); /* close also leaves the epoll set */
    }
  }
}

struct target {
  const char *spec;
  int ns; /* netns fd */
  struct sockaddr_in addr;
  int fd; /* stream and rr: the connection */
  const char *error;
  uint64_t measured_ns, busy, bytes, errors;
  uint64_t *lat;
  size_t n, cap;
};

static void fail(struct target *t, const char *why) {
  if (!t->error) t->error = why;
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
}

static int connect_to(const struct sockaddr_in *a) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  nodelay(fd);
  if (connect(fd, (const struct sockaddr *)a, sizeof *a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void record(struct target *t, uint64_t ns) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 65536;
    uint64_t *p = realloc(t->lat, cap * sizeof *p);
    if (!p) die("realloc");
    t->lat = p;
    t->cap = cap;
  }
  t->lat[t->n++] = ns;
}

/* One slot of target t until `end`. Latencies and bytes only count when `measure` is set. */
static void run_slot(enum mode m, struct target *t, size_t size, uint64_t end, int measure) {
  static char out[MAX_SIZE], in[MAX_SIZE];
  uint64_t t0 = now_ns();
  if (m == STREAM) {
    while (t0 < end) {
      if (full_io(t->fd, out, size, 1) < 0) { fail(t, "write failed"); return; }
      if (measure) t->bytes += size;
      t0 = now_ns();
    }
    /* The slot ends when the peer has acknowledged everything written in it, so that no data of
     * this slot moves (and costs CPU) in the next target's slot: the slot's bytes and time match. */
    int queued;
    while (ioctl(t->fd, SIOCOUTQ, &queued) == 0 && queued > 0) {
      struct timespec pause = {0, 20000};
      nanosleep(&pause, NULL);
    }
    return;
  }
  while (t0 < end) {
    int fd = m == RR ? t->fd : connect_to(&t->addr);
    if (fd < 0) {
      t->errors++;
      t0 = now_ns();
      continue;
    }
    int bad = full_io(fd, out, size, 1) < 0 || full_io(fd, in, size, 0) < 0;
    uint64_t t1 = now_ns();
    if (m == CRR) close(fd);
    if (bad && m == RR) { fail(t, "transaction failed"); return; }
    if (bad) t->errors++;
    else if (measure) record(t, t1 - t0);
    t0 = m == CRR ? now_ns() : t1;
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples, in µs. */
static double pct_us(const uint64_t *s, size_t n, double q) {
  size_t rank = (size_t)(q * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return (double)s[rank - 1] / 1000.0;
}

static void report(enum mode m, int i, struct target *t) {
  double secs = (double)t->measured_ns / 1e9;
  printf("target=%d\n", i);
  if (!t->error && m != STREAM && t->n == 0) t->error = "no transaction completed";
  if (t->error) {
    printf("error=%s: %s\n", t->spec, t->error);
    return;
  }
  long hz = sysconf(_SC_CLK_TCK);
  printf("mode=%s\nseconds=%.6f\ncpu_seconds=%.2f\nerrors=%lu\n", MODE_NAMES[m], secs, (double)t->busy / (double)(hz > 0 ? hz : 100),
         (unsigned long)t->errors);
  if (m == STREAM) {
    printf("bytes=%lu\ngbps=%.3f\n", (unsigned long)t->bytes, (double)t->bytes * 8 / 1e9 / secs);
    return;
  }
  double sum = 0;
  for (size_t k = 0; k < t->n; k++) sum += (double)t->lat[k];
  qsort(t->lat, t->n, sizeof *t->lat, cmp_u64);
  printf("transactions=%zu\nrate=%.1f\nmin_us=%.2f\np50_us=%.2f\np90_us=%.2f\np99_us=%.2f\nmax_us=%.2f\nmean_us=%.2f\n", t->n, (double)t->n / secs,
         (double)t->lat[0] / 1000.0, pct_us(t->lat, t->n, 0.5), pct_us(t->lat, t->n, 0.9), pct_us(t->lat, t->n, 0.99),
         (double)t->lat[t->n - 1] / 1000.0, sum / (double)t->n / 1000.0);
}

/* "<netns>,<ip>,<port>": opens the netns (or this process's own for "-") and, for stream and rr,
 * connects from inside it; the socket stays in that netns whatever this process enters later. */
static void setup(enum mode m, struct target *t) {
  static char buf[512];
  snprintf(buf, sizeof buf, "%s", t->spec);
  char *ip = strchr(buf, ','), *port = ip ? strchr(ip + 1, ',') : NULL;
  t->fd = -1;
  if (!port) { fail(t, "target is not <netns>,<ip>,<port>"); return; }
  *ip++ = 0;
  *port++ = 0;
  if (parse_addr(&t->addr, ip, atol(port) + (m == STREAM)) < 0) { fail(t, "bad address or port"); return; }
  t->ns = open(strcmp(buf, "-") == 0 ? "/proc/self/ns/net" : buf, O_RDONLY | O_CLOEXEC);
  if (t->ns < 0) { fail(t, "cannot open the netns"); return; }
  if (setns(t->ns, CLONE_NEWNET) < 0) { fail(t, "setns failed"); return; }
  if (m != CRR && (t->fd = connect_to(&t->addr)) < 0) fail(t, "connect failed");
}

static int client(enum mode m, double seconds, long slot_ms, long size, int n, char **specs) {
  static struct target ts[MAX_TARGETS];
  if (n < 1 || n > MAX_TARGETS || seconds <= 0 || slot_ms < 1 || size < 1 || size > MAX_SIZE) {
    fprintf(stderr, "tcp-mix: need 1..%d targets, seconds > 0, slot_ms >= 1, 1 <= size <= %d\n", MAX_TARGETS, MAX_SIZE);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < n; i++) {
    ts[i].spec = specs[i];
    setup(m, &ts[i]);
  }
  uint64_t slot = (uint64_t)slot_ms * 1000000u, want = (uint64_t)(seconds * 1e9);
  for (int round = 0;; round++) {
    int busy = 0;
    for (int i = 0; i < n; i++) {
      struct target *t = &ts[i];
      if (t->error || (round > 0 && t->measured_ns >= want)) continue;
      busy = 1;
      if (m == CRR && setns(t->ns, CLONE_NEWNET) < 0) {
        fail(t, "setns failed");
        continue;
      }
      uint64_t j0 = busy_jiffies(), t0 = now_ns();
      run_slot(m, t, (size_t)size, t0 + slot, round > 0);
      if (round > 0) {
        t->measured_ns += now_ns() - t0;
        t->busy += busy_jiffies() - j0;
      }
    }
    if (!busy) break;
  }
  int ok = 0;
  for (int i = 0; i < n; i++) {
    report(m, i, &ts[i]);
    ok |= !ts[i].error;
  }
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if ((argc == 4 || argc == 5) && strcmp(argv[1], "server") == 0) {
    const char *w = argc == 5 ? argv[4] : "both";
    int which = strcmp(w, "echo") == 0 ? 1 : strcmp(w, "sink") == 0 ? 2 : strcmp(w, "both") == 0 ? 3 : 0;
    if (which) serve(argv[2], atol(argv[3]), which);
  }
  for (int m = STREAM; argc >= 6 && m <= CRR; m++)
    if (strcmp(argv[1], MODE_NAMES[m]) == 0) return client((enum mode)m, atof(argv[2]), atol(argv[3]), atol(argv[4]), argc - 5, argv + 5);
  fprintf(stderr, "usage: tcp-mix server <ip> <port> [echo|sink] | tcp-mix stream|rr|crr <seconds> <slot_ms> <size> <netns>,<ip>,<port>...\n");
  return 2;
}
