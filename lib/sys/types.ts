// The syscall surface podlink needs. The native addon implements it; tests may supply a fake.
export interface Sys {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Buffer): number;
  setsockopt(fd: number, level: number, opt: number, value: Buffer): number;
  /** Fills value, returns the length the kernel wrote. */
  getsockopt(fd: number, level: number, opt: number, value: Buffer): number;
  /** sockaddr may be an empty Buffer for a connected/netlink-default destination. */
  sendto(fd: number, data: Buffer, sockaddr: Buffer): number;
  /** Returns the datagram's full length (MSG_TRUNC semantics): > buf.length means it was cut. */
  recv(fd: number, buf: Buffer, flags: number): number;
  close(fd: number): number;
  /** path must be NUL-terminated. */
  open(path: Buffer, flags: number, mode: number): number;
  /** memfd_create(2) with MFD_CLOEXEC; name must be NUL-terminated. */
  memfd(name: Buffer): number;
  setns(fd: number, nstype: number): number;
  unshare(flags: number): number;
  /**
   * bpf(2): returns the syscall's non-negative result (often an fd). With `quiet`, a failure with that errno
   * returns -quiet instead of throwing: for an outcome the caller expects (a map lookup's ENOENT); 0 is none.
   */
  bpf(cmd: number, attr: Buffer, quiet?: number): number;
  /** Address of a Buffer's memory, for pointer fields in bpf_attr. The Buffer must stay referenced. */
  address(buf: Buffer): bigint;
  /** Arguments are NUL-terminated Buffers. */
  mount(source: Buffer, target: Buffer, fstype: Buffer, flags: number): number;
  /**
   * vfork and execve, on a worker thread of the addon's so that the caller need not wait for the child's
   * exec, with fds 0, 1, 2 of the child taken from stdin/stdout/stderr (kept open until spawnJoin), signal
   * mask and dispositions reset. path, argv and env are NUL-terminated strings (argv, env: back to back), copied.
   * Returns a handle that must reach spawnJoin.
   */
  spawnStart(path: Buffer, argv: Buffer, env: Buffer, stdin: number, stdout: number, stderr: number): number;
  /** The pid of spawnStart's child, once it has exec'd; throws the spawn's error (syscall 'vfork' or 'execve'). */
  spawnJoin(handle: number): number;
  /** The raw wait status once pid has exited; -1 while it still runs after timeoutMs (0: only look, < 0: no limit). */
  waitpid(pid: number, timeoutMs: number): number;
  /** _exit(2): ends the process now, without Node's teardown. Only lib/sys/exit.ts calls it. */
  exit(code: number): never;
}
