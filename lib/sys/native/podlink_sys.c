// podlink_sys: the only native code in podlink. Thin, synchronous wrappers around the
// syscalls Node cannot make itself (AF_NETLINK sockets, setns, unshare, bpf, mount).
// Every wrapper throws an Error carrying {errno, code, syscall} on failure. No policy here.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

static napi_value init(napi_env env, napi_value exports) {
  struct { const char *name; napi_callback fn; } fns[] = {
    {"socket", js_socket}, {"bind", js_bind}, {"setsockopt", js_setsockopt}, {"getsockopt", js_getsockopt},
    {"sendto", js_sendto}, {"recv", js_recv}, {"close", js_close}, {"open", js_open}, {"setns", js_setns},
    {"unshare", js_unshare}, {"bpf", js_bpf}, {"address", js_address}, {"mount", js_mount},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK_NAPI(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK_NAPI(napi_set_named_property(env, exports, fns[i].name, f));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
