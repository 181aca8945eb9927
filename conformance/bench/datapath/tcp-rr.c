// tcp-rr: TCP request/response microbenchmark for `bench datapath` (netperf TCP_RR / TCP_CRR style).
//
//   tcp-rr server <ip> <port>                       serve: echo every <size>-byte request, one connection at a time
//   tcp-rr rr  <ip> <port> <seconds> <size>         one persistent connection, back-to-back transactions
//   tcp-rr crr <ip> <port> <seconds> <size>         connect, one request, one response, close; repeat
//
// The client prints key=value lines: mode, transactions, seconds, rate (transactions or connections/s),
// min_us p50_us p90_us p99_us max_us mean_us (per-transaction wall time, CLOCK_MONOTONIC), errors.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536
#define MAX_SAMPLES (8u << 20)

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "tcp-rr: %s: %s\n", what, strerror(errno));
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

static struct sockaddr_in addr_of(const char *ip, const char *port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    fprintf(stderr, "tcp-rr: bad IPv4 address %s\n", ip);
    exit(2);
  }
  return a;
}

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static _Noreturn void serve(const char *ip, const char *port) {
  struct sockaddr_in a = addr_of(ip, port);
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (ls < 0) die("socket");
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(ls, 1024) < 0) die("listen");
  signal(SIGPIPE, SIG_IGN);
  printf("listening\n");
  fflush(stdout);
  static char buf[MAX_SIZE];
  for (;;) {
    int c = accept(ls, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      die("accept");
    }
    nodelay(c);
    // The first byte of a connection carries the request size so that rr and crr share one server.
    unsigned char size_hdr[2];
    if (full_io(c, (char *)size_hdr, 2, 0) == 0) {
      size_t size = ((size_t)size_hdr[0] << 8 | size_hdr[1]);
      if (size == 0 || size > MAX_SIZE) size = 1;
      while (full_io(c, buf, size, 0) == 0 && full_io(c, buf, size, 1) == 0) {
      }
    }
    close(c);
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double pct_us(const uint64_t *s, size_t n, double q) {
  size_t rank = (size_t)(q * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return (double)s[rank - 1] / 1000.0;
}

static int open_conn(const struct sockaddr_in *a) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  nodelay(fd);
  if (connect(fd, (const struct sockaddr *)a, sizeof *a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int client(int crr, const char *ip, const char *port, double seconds, size_t size) {
  struct sockaddr_in a = addr_of(ip, port);
  uint64_t *lat = malloc(MAX_SAMPLES * sizeof *lat);
  static char out[MAX_SIZE + 2], in[MAX_SIZE];
  if (!lat) die("malloc");
  if (size == 0 || size > MAX_SIZE) size = 1;
  // A connection's first write carries the 2-byte size header in the same segment as the request.
  out[0] = (char)(size >> 8);
  out[1] = (char)size;
  memset(out + 2, 'x', size);
  signal(SIGPIPE, SIG_IGN);
  size_t n = 0;
  unsigned long errors = 0;
  int fd = -1;
  int fresh = 1;
  if (!crr && (fd = open_conn(&a)) < 0) die("connect");
  uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), t = start;
  while (t < end && n < MAX_SAMPLES) {
    uint64_t t0 = t;
    if (crr && (fd = open_conn(&a)) < 0) {
      errors++;
      t = now_ns();
      continue;
    }
    int bad = fresh ? full_io(fd, out, size + 2, 1) : full_io(fd, out + 2, size, 1);
    fresh = crr;
    if (bad < 0 || full_io(fd, in, size, 0) < 0) {
      if (!crr) die("transaction");
      errors++;
    } else {
      t = now_ns();
      lat[n++] = t - t0;
    }
    if (crr) {
      close(fd);
      t = now_ns();
    }
  }
  double elapsed = (double)(now_ns() - start) / 1e9;
  if (!crr) close(fd);
  printf("mode=%s\ntransactions=%zu\nseconds=%.6f\nrate=%.1f\nerrors=%lu\n", crr ? "crr" : "rr", n, elapsed, (double)n / elapsed, errors);
  if (n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)lat[i];
    qsort(lat, n, sizeof *lat, cmp_u64);
    printf("min_us=%.2f\np50_us=%.2f\np90_us=%.2f\np99_us=%.2f\nmax_us=%.2f\nmean_us=%.2f\n", (double)lat[0] / 1000.0, pct_us(lat, n, 0.5),
           pct_us(lat, n, 0.9), pct_us(lat, n, 0.99), (double)lat[n - 1] / 1000.0, sum / (double)n / 1000.0);
  }
  free(lat);
  return n ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "server") == 0) serve(argv[2], argv[3]);
  if (argc == 6 && (strcmp(argv[1], "rr") == 0 || strcmp(argv[1], "crr") == 0))
    return client(strcmp(argv[1], "crr") == 0, argv[2], argv[3], atof(argv[4]), (size_t)atoi(argv[5]));
  fprintf(stderr, "usage: tcp-rr server <ip> <port> | tcp-rr rr|crr <ip> <port> <seconds> <size>\n");
  return 2;
}
