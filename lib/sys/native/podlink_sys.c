// podlink_sys: the only native code in podlink. Thin, synchronous wrappers around the
// syscalls Node cannot make itself (AF_NETLINK sockets, setns, unshare, bpf, mount, memfd_create), and a
// spawn (vfork on a worker thread)/waitpid pair so that a CNI call need not load node:child_process.
// Every wrapper throws an Error carrying {errno, code, syscall} on failure. No policy here.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>

#define CHECK_NAPI(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "podlink_sys: N-API call failed: " #call); return NULL; } } while (0)

static napi_value throw_errno(napi_env env, int err, const char *sys) {
  const char *name = strerrorname_np(err);
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s (%s)", sys, strerror(err), name ? name : "E?");
  napi_value m, e, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &e);
  napi_create_int32(env, err, &v); napi_set_named_property(env, e, "errno", v);
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &v); napi_set_named_property(env, e, "code", v);
  napi_create_string_utf8(env, sys, NAPI_AUTO_LENGTH, &v); napi_set_named_property(env, e, "syscall", v);
  napi_throw(env, e);
  return NULL;
}

static int arg_i64(napi_env env, napi_value v, int64_t *out) { return napi_get_value_int64(env, v, out) == napi_ok; }

static int arg_buf(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return 0;
  return napi_get_buffer_info(env, v, data, len) == napi_ok;
}

static napi_value num(napi_env env, int64_t n) { napi_value r; napi_create_int64(env, n, &r); return r; }

// ARGS_UPTO(n, max): at least n arguments, up to max (argc says how many came); ARGS(n): exactly n used.
#define ARGS_UPTO(n, max) size_t argc = max; napi_value argv[max]; CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  if (argc < n) { napi_throw_type_error(env, NULL, "podlink_sys: expected " #n " arguments"); return NULL; }
#define ARGS(n) ARGS_UPTO(n, n)
#define I64(i, name) int64_t name; if (!arg_i64(env, argv[i], &name)) { napi_throw_type_error(env, NULL, "podlink_sys: argument " #i " must be a number"); return NULL; }
#define BUF(i, d, l) void *d; size_t l; if (!arg_buf(env, argv[i], &d, &l)) { napi_throw_type_error(env, NULL, "podlink_sys: argument " #i " must be a Buffer"); return NULL; }

static napi_value js_socket(napi_env env, napi_callback_info info) {
  ARGS(3) I64(0, domain) I64(1, type) I64(2, proto)
  int fd = socket((int)domain, (int)type | SOCK_CLOEXEC, (int)proto);
  return fd < 0 ? throw_errno(env, errno, "socket") : num(env, fd);
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  ARGS(2) I64(0, fd) BUF(1, addr, alen)
  return bind((int)fd, (struct sockaddr *)addr, (socklen_t)alen) < 0 ? throw_errno(env, errno, "bind") : num(env, 0);
}

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  ARGS(4) I64(0, fd) I64(1, level) I64(2, opt) BUF(3, val, vlen)
  return setsockopt((int)fd, (int)level, (int)opt, val, (socklen_t)vlen) < 0 ? throw_errno(env, errno, "setsockopt") : num(env, 0);
}

static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  ARGS(4) I64(0, fd) I64(1, level) I64(2, opt) BUF(3, val, vlen)
  socklen_t l = (socklen_t)vlen;
  return getsockopt((int)fd, (int)level, (int)opt, val, &l) < 0 ? throw_errno(env, errno, "getsockopt") : num(env, l);
}

static napi_value js_sendto(napi_env env, napi_callback_info info) {
  ARGS(3) I64(0, fd) BUF(1, data, len) BUF(2, addr, alen)
  ssize_t n;
  do { n = sendto((int)fd, data, len, 0, alen ? (struct sockaddr *)addr : NULL, (socklen_t)alen); } while (n < 0 && errno == EINTR);
  return n < 0 ? throw_errno(env, errno, "sendto") : num(env, n);
}

// recv returns the datagram's full length (MSG_TRUNC), so callers can detect and grow a short buffer.
static napi_value js_recv(napi_env env, napi_callback_info info) {
  ARGS(3) I64(0, fd) BUF(1, data, len) I64(2, flags)
  ssize_t n;
  do { n = recv((int)fd, data, len, (int)flags | MSG_TRUNC); } while (n < 0 && errno == EINTR);
  return n < 0 ? throw_errno(env, errno, "recv") : num(env, n);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1) I64(0, fd)
  return close((int)fd) < 0 && errno != EINTR ? throw_errno(env, errno, "close") : num(env, 0);
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  ARGS(3) BUF(0, path, plen) I64(1, flags) I64(2, mode)
  if (plen == 0 || ((char *)path)[plen - 1] != 0) { napi_throw_type_error(env, NULL, "podlink_sys: path must be NUL-terminated"); return NULL; }
  int fd = open((const char *)path, (int)flags | O_CLOEXEC, (mode_t)mode);
  return fd < 0 ? throw_errno(env, errno, "open") : num(env, fd);
}

// memfd_create(2): an anonymous file in memory, for a delegated plugin's stdin/stdout/stderr (lib/ipam).
static napi_value js_memfd(napi_env env, napi_callback_info info) {
  ARGS(1) BUF(0, name, nlen)
  if (nlen == 0 || ((char *)name)[nlen - 1] != 0) { napi_throw_type_error(env, NULL, "podlink_sys: name must be NUL-terminated"); return NULL; }
  int fd = memfd_create((const char *)name, MFD_CLOEXEC);
  return fd < 0 ? throw_errno(env, errno, "memfd_create") : num(env, fd);
}

static napi_value js_setns(napi_env env, napi_callback_info info) {
  ARGS(2) I64(0, fd) I64(1, nstype)
  return setns((int)fd, (int)nstype) < 0 ? throw_errno(env, errno, "setns") : num(env, 0);
}

static napi_value js_unshare(napi_env env, napi_callback_info info) {
  ARGS(1) I64(0, flags)
  return unshare((int)flags) < 0 ? throw_errno(env, errno, "unshare") : num(env, 0);
}

// bpf(cmd, attr[, quiet]): with quiet, that one errno comes back as its negative instead of an exception,
// for outcomes the caller expects (a lookup's ENOENT): no error object is made, nor its stack captured.
static napi_value js_bpf(napi_env env, napi_callback_info info) {
  ARGS_UPTO(2, 3) I64(0, cmd) BUF(1, attr, alen)
  int64_t quiet = 0;
  if (argc > 2) { I64(2, q) quiet = q; }
  long r;
  do { r = syscall(SYS_bpf, (int)cmd, attr, (unsigned int)alen); } while (r < 0 && errno == EINTR);
  if (r >= 0) return num(env, r);
  return quiet > 0 && errno == quiet ? num(env, -errno) : throw_errno(env, errno, "bpf");
}

// Address of a Buffer's backing store, for pointer fields inside bpf_attr. Node Buffers never move.
static napi_value js_address(napi_env env, napi_callback_info info) {
  ARGS(1) BUF(0, data, len)
  (void)len;
  napi_value r; CHECK_NAPI(napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)data, &r));
  return r;
}

static napi_value js_mount(napi_env env, napi_callback_info info) {
  ARGS(4) BUF(0, src, sl) BUF(1, target, tl) BUF(2, fstype, fl) I64(3, flags)
  (void)sl; (void)tl; (void)fl;
  return mount((const char *)src, (const char *)target, (const char *)fstype, (unsigned long)flags, NULL) < 0
    ? throw_errno(env, errno, "mount") : num(env, 0);
}

// Child processes without node:child_process (whose modules cost every CNI call several ms to load, and
// whose fork() copies our page tables): vfork and execve with the three std fds given, signal mask emptied
// and every signal's disposition reset (Node ignores SIGPIPE; exec keeps ignored signals ignored), and a
// wait that can time out (pidfd + poll, a sleep loop without pidfd_open). env and argv are Buffers of
// NUL-terminated strings, one after the other.
//
// spawnStart hands the spawn to a worker thread and spawnJoin collects its pid (or its error): a vfork
// holds its caller until the child has exec'd, about 0.35 ms on the bench's VM, which a CNI call spends
// creating the pod's devices instead. Nothing here should queue RCU callbacks before a CNI call's next
// synchronize_rcu() (a tcx attach, a device delete), which can then wait for the grace period they start
// and a whole one of its own (docs/kernel.md#tcx-rcu, with how little of that the runs could separate from
// the node's own noise; what is sure is less work per spawn). So the workers run on stacks in the addon's
// memory (a stack glibc maps and unmaps frees maple-tree nodes through RCU), never allocate (a thread's
// first malloc makes a glibc arena, unmapping what it over-reserved), vfork on their own stack (glibc's
// posix_spawn maps and unmaps one for the child), and stay for the process's life, one per job slot,
// waiting for the next job (an exiting thread's task_struct is freed through RCU). A worker has the
// namespaces of the thread that made it, so a spawn started in the host netns runs there whatever the
// main thread enters next; one started in another netns gets a new worker in it. The strings are
// copied: the caller's Buffers may go before the worker is done.
static char **split_nul(char *buf, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += buf[i] == 0;
  char **out = calloc(n + 1, sizeof *out);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) out[k++] = buf + i;
  return out;
}

struct spawn_job {
  char *strings; // path, then argv's strings, then env's, each NUL-terminated
  char **argv, **envp;
  int fds[3];
  pid_t pid;
  int err;
  const char *failed; // the syscall that failed
};

#define SPAWN_JOBS 8
// 256 KiB: above aarch64's PTHREAD_STACK_MIN (128 KiB); only the pages a worker touches are ever allocated.
#define SPAWN_STACK (256 * 1024)
static char spawn_stacks[SPAWN_JOBS][SPAWN_STACK] __attribute__((aligned(64)));

struct spawn_worker {
  pthread_t thread;
  pid_t owner;      // the process that made the thread: none survives a fork
  char netns[64];   // readlink of its /proc/thread-self/ns/net; "" unknown (no /proc): never reused
  struct spawn_job *job; // from spawnStart to spawnJoin
  int pending, done, quit; // under spawn_mu
};
static struct spawn_worker spawn_workers[SPAWN_JOBS];
static pthread_mutex_t spawn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawn_cv = PTHREAD_COND_INITIALIZER;

// The kernel's struct sigaction (not glibc's, whose sa_mask is 128 bytes): the vfork child makes raw
// syscalls only, and glibc's sigaction refuses the two signals it keeps for itself.
struct k_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

static void run_spawn(struct spawn_job *j) {
  volatile int child_err = 0;
  pid_t pid = vfork();
  if (pid == 0) {
    // The child, on this thread's stack in our memory until execve. Every signal is still blocked (the
    // worker's mask): reset each disposition, then empty the mask.
    struct k_sigaction dfl = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig <= 64; sig++) {
      if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
    }
    for (int i = 0; i < 3; i++) {
      if (j->fds[i] != i) {
        if (dup2(j->fds[i], i) < 0) { child_err = errno; _exit(127); }
      } else {
        int fl = fcntl(i, F_GETFD);
        if (fl < 0 || fcntl(i, F_SETFD, fl & ~FD_CLOEXEC) < 0) { child_err = errno; _exit(127); }
      }
    }
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
    execve(j->strings, j->argv, j->envp);
    child_err = errno;
    _exit(127);
  }
  if (pid < 0) {
    j->err = errno;
    j->failed = "vfork";
  } else if (child_err) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    j->err = child_err;
    j->failed = "execve";
  } else {
    j->pid = pid;
  }
}

static void *spawn_worker_main(void *arg) {
  struct spawn_worker *w = arg;
  prctl(PR_SET_NAME, "podlink-spawn"); // for ps -T, and the tests
  pthread_mutex_lock(&spawn_mu);
  for (;;) {
    while (!w->pending && !w->quit) pthread_cond_wait(&spawn_cv, &spawn_mu);
    if (w->quit) break;
    w->pending = 0;
    struct spawn_job *j = w->job;
    pthread_mutex_unlock(&spawn_mu);
    run_spawn(j);
    pthread_mutex_lock(&spawn_mu);
    w->done = 1;
    pthread_cond_broadcast(&spawn_cv);
  }
  pthread_mutex_unlock(&spawn_mu);
  return NULL;
}

static void stop_worker(struct spawn_worker *w) {
  pthread_mutex_lock(&spawn_mu);
  w->quit = 1;
  pthread_cond_broadcast(&spawn_cv);
  pthread_mutex_unlock(&spawn_mu);
  pthread_join(w->thread, NULL);
  w->owner = 0;
  w->quit = 0;
}

// A worker of this process in `netns` for slot `slot`: the one it has, or a new one (0), or an error.
static int ready_worker(int slot, const char *netns) {
  struct spawn_worker *w = &spawn_workers[slot];
  if (w->owner && w->owner != getpid()) w->owner = 0; // made before a fork: the thread is not ours
  if (w->owner && netns[0] && strcmp(w->netns, netns) == 0) return 0;
  if (w->owner) stop_worker(w);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); // the worker starts with every signal blocked: Node's handlers never run on it
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  // Refused only below the C library's minimum: the thread then gets a stack glibc maps, as any thread.
  (void)pthread_attr_setstack(&attr, spawn_stacks[slot], SPAWN_STACK);
  int err = pthread_create(&w->thread, &attr, spawn_worker_main, w);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err) return err;
  w->owner = getpid();
  snprintf(w->netns, sizeof w->netns, "%s", netns);
  return 0;
}

static void free_job(struct spawn_job *j) {
  free(j->argv);
  free(j->envp);
  free(j->strings);
  free(j);
}

// spawnStart(path, argv, env, fd0, fd1, fd2): a handle for spawnJoin, which every handle must reach.
static napi_value js_spawn_start(napi_env env, napi_callback_info info) {
  ARGS(6) BUF(0, path, pl) BUF(1, av, al) BUF(2, ev, el) I64(3, fd0) I64(4, fd1) I64(5, fd2)
  if (!pl || ((char *)path)[pl - 1] || (al && ((char *)av)[al - 1]) || (el && ((char *)ev)[el - 1])) {
    napi_throw_type_error(env, NULL, "podlink_sys: spawn strings must be NUL-terminated");
    return NULL;
  }
  int slot = 0;
  while (slot < SPAWN_JOBS && spawn_workers[slot].job) slot++;
  if (slot == SPAWN_JOBS) return throw_errno(env, EAGAIN, "spawnStart");
  struct spawn_job *j = calloc(1, sizeof *j);
  char *strings = j ? malloc(pl + al + el) : NULL;
  if (!strings) {
    free(j);
    return throw_errno(env, ENOMEM, "spawnStart");
  }
  memcpy(strings, path, pl);
  if (al) memcpy(strings + pl, av, al);
  if (el) memcpy(strings + pl + al, ev, el);
  j->strings = strings;
  j->argv = split_nul(strings + pl, al);
  j->envp = split_nul(strings + pl + al, el);
  j->fds[0] = (int)fd0;
  j->fds[1] = (int)fd1;
  j->fds[2] = (int)fd2;
  if (!j->argv || !j->envp) {
    free_job(j);
    return throw_errno(env, ENOMEM, "spawnStart");
  }
  // readlink names the netns without opening it (an open and close of an nsfs file can free a dentry through RCU).
  char netns[64];
  ssize_t n = readlink("/proc/thread-self/ns/net", netns, sizeof netns - 1);
  netns[n > 0 ? n : 0] = 0;
  int err = ready_worker(slot, netns);
  if (err) {
    free_job(j);
    return throw_errno(env, err, "pthread_create");
  }
  struct spawn_worker *w = &spawn_workers[slot];
  pthread_mutex_lock(&spawn_mu);
  w->job = j;
  w->done = 0;
  w->pending = 1;
  pthread_cond_broadcast(&spawn_cv);
  pthread_mutex_unlock(&spawn_mu);
  return num(env, slot);
}

// spawnJoin(handle): the child's pid once it has exec'd; throws the spawn's error (syscall vfork or execve).
static napi_value js_spawn_join(napi_env env, napi_callback_info info) {
  ARGS(1) I64(0, slot)
  if (slot < 0 || slot >= SPAWN_JOBS || !spawn_workers[slot].job) {
    napi_throw_range_error(env, NULL, "podlink_sys: spawnJoin of a handle spawnStart did not return, or joined already");
    return NULL;
  }
  struct spawn_worker *w = &spawn_workers[slot];
  pthread_mutex_lock(&spawn_mu);
  while (!w->done) pthread_cond_wait(&spawn_cv, &spawn_mu);
  struct spawn_job *j = w->job;
  w->job = NULL;
  w->done = 0;
  pthread_mutex_unlock(&spawn_mu);
  pid_t pid = j->pid;
  int err = j->err;
  const char *failed = j->failed;
  free_job(j);
  return err ? throw_errno(env, err, failed) : num(env, pid);
}

// waitpid(pid, timeoutMs): the raw wait status once the child has exited, -1 while it still runs
// after timeoutMs (0: only look; negative: wait without a limit).
static napi_value js_waitpid(napi_env env, napi_callback_info info) {
  ARGS(2) I64(0, pid) I64(1, timeout)
  int st;
  pid_t r;
  do { r = waitpid((pid_t)pid, &st, timeout < 0 ? 0 : WNOHANG); } while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "waitpid");
  if (r > 0 || timeout <= 0) return num(env, r > 0 ? st : -1);
  int pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pfd >= 0) {
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    while (poll(&p, 1, (int)timeout) < 0 && errno == EINTR) {}
    close(pfd);
  } else {
    for (int64_t waited = 0; waited < timeout; waited++) {
      usleep(1000);
      if (waitpid((pid_t)pid, &st, WNOHANG) > 0) return num(env, st);
    }
  }
  do { r = waitpid((pid_t)pid, &st, WNOHANG); } while (r < 0 && errno == EINTR);
  return r < 0 ? throw_errno(env, errno, "waitpid") : num(env, r > 0 ? st : -1);
}

// exit(code): _exit(2) at once. Node's own exit joins its platform threads and runs OpenSSL's and the
// other static destructors first, about 1 ms of CPU a short-lived call has no use for (lib/sys/exit.ts).
static napi_value js_exit(napi_env env, napi_callback_info info) {
  ARGS(1) I64(0, code)
  _exit((int)code);
}

static napi_value init(napi_env env, napi_value exports) {
  struct { const char *name; napi_callback fn; } fns[] = {
    {"socket", js_socket}, {"bind", js_bind}, {"setsockopt", js_setsockopt}, {"getsockopt", js_getsockopt},
    {"sendto", js_sendto}, {"recv", js_recv}, {"close", js_close}, {"open", js_open}, {"memfd", js_memfd}, {"setns", js_setns},
    {"unshare", js_unshare}, {"bpf", js_bpf}, {"address", js_address}, {"mount", js_mount},
    {"spawnStart", js_spawn_start}, {"spawnJoin", js_spawn_join}, {"waitpid", js_waitpid}, {"exit", js_exit},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK_NAPI(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK_NAPI(napi_set_named_property(env, exports, fns[i].name, f));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
