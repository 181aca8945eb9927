// podlink_sys: the only native code in podlink. Thin, synchronous wrappers around the
// syscalls Node cannot make itself (AF_NETLINK sockets, setns, unshare, bpf, mount, memfd_create), and a
// posix_spawn/waitpid pair so that a CNI call need not load node:child_process.
// Every wrapper throws an Error carrying {errno, code, syscall} on failure. No policy here.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
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

#define ARGS(n) size_t argc = n; napi_value argv[n]; CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  if (argc < n) { napi_throw_type_error(env, NULL, "podlink_sys: expected " #n " arguments"); return NULL; }
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

static napi_value js_bpf(napi_env env, napi_callback_info info) {
  ARGS(2) I64(0, cmd) BUF(1, attr, alen)
  long r;
  do { r = syscall(SYS_bpf, (int)cmd, attr, (unsigned int)alen); } while (r < 0 && errno == EINTR);
  return r < 0 ? throw_errno(env, errno, "bpf") : num(env, r);
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
// whose fork() copies our page tables): posix_spawn (vfork-style in glibc) with the three std fds given,
// signal mask emptied and every signal's disposition reset (Node ignores SIGPIPE; exec keeps ignored
// signals ignored), and a wait that can time out (pidfd + poll, a sleep loop without pidfd_open).
// env and argv are Buffers of NUL-terminated strings, one after the other.
static char **split_nul(char *buf, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += buf[i] == 0;
  char **out = calloc(n + 1, sizeof *out);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) out[k++] = buf + i;
  return out;
}

static napi_value js_spawn(napi_env env, napi_callback_info info) {
  ARGS(6) BUF(0, path, pl) BUF(1, av, al) BUF(2, ev, el) I64(3, fd0) I64(4, fd1) I64(5, fd2)
  if (!pl || ((char *)path)[pl - 1] || (al && ((char *)av)[al - 1]) || (el && ((char *)ev)[el - 1])) {
    napi_throw_type_error(env, NULL, "podlink_sys: spawn strings must be NUL-terminated");
    return NULL;
  }
  char **cargv = split_nul(av, al), **cenv = split_nul(ev, el);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  posix_spawn_file_actions_adddup2(&fa, (int)fd0, 0);
  posix_spawn_file_actions_adddup2(&fa, (int)fd1, 1);
  posix_spawn_file_actions_adddup2(&fa, (int)fd2, 2);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  pid_t pid = -1;
  int err = cargv && cenv ? posix_spawn(&pid, (const char *)path, &fa, &at, cargv, cenv) : ENOMEM;
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  free(cargv);
  free(cenv);
  return err ? throw_errno(env, err, "posix_spawn") : num(env, pid);
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
    {"spawn", js_spawn}, {"waitpid", js_waitpid}, {"exit", js_exit},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK_NAPI(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK_NAPI(napi_set_named_property(env, exports, fns[i].name, f));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
