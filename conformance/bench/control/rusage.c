// Peak RSS and CPU time of one command and every descendant it waited for, from wait4's rusage:
//   rusage OUT CMD [ARG…]   runs CMD, writes "maxrss_kib user_us sys_us" to OUT, exits with CMD's status.
// Microsecond CPU times (GNU time prints centiseconds), and a fork of this small program as the RSS floor.
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rusage OUT CMD [ARG...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), 1;
  if (pid == 0) {
    execv(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int st;
  struct rusage ru;
  if (wait4(pid, &st, 0, &ru) < 0) return perror("wait4"), 1;
  FILE *f = fopen(argv[1], "w");
  if (!f) return perror(argv[1]), 1;
  fprintf(f, "%ld %ld %ld\n", ru.ru_maxrss, ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
          ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
  fclose(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
