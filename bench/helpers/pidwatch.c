/*
 * pidwatch PID...: stamps `gone PID` the moment each process has exited, seen through a pidfd
 * (Linux 5.3+), which works for processes that are not our children: procinit's children, and
 * procinit itself. Stamps `watching pidwatch` once every pidfd is open, so a harness can wait for
 * that before it signals anything; a process already gone by then is stamped `missing PID`.
 * Exits 0 once all are gone. The same observer for the floors and for procinit, so neither
 * side's figure includes a different parent's notification path.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "stamp.h"

#define MAX_PIDS 1024

int main(int argc, char **argv) {
  int count = argc - 1;
  if (count < 1 || count > MAX_PIDS) {
    fputs("usage: pidwatch PID... (at most 1024)\n", stderr);
    return 2;
  }
  static struct pollfd fds[MAX_PIDS];
  static long long pids[MAX_PIDS];
  int left = 0;
  for (int i = 0; i < count; i++) {
    pids[i] = atoll(argv[i + 1]);
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)pids[i], 0);
    if (fd < 0 && errno != ESRCH) {
      perror("pidfd_open");
      return 1;
    }
    if (fd < 0) stamp_pid("missing", "pidwatch", pids[i]);
    fds[i] = (struct pollfd){.fd = fd, .events = POLLIN};
    if (fd >= 0) left++;
  }
  stamp("watching", "pidwatch");
  while (left > 0) {
    if (poll(fds, (nfds_t)count, -1) < 0) {
      if (errno == EINTR) continue;
      perror("poll");
      return 1;
    }
    for (int i = 0; i < count; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & POLLIN)) continue;
      stamp_pid("gone", "pidwatch", pids[i]);
      close(fds[i].fd);
      fds[i].fd = -1; /* poll ignores negative descriptors */
      left--;
    }
  }
  return 0;
}
