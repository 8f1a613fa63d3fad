/*
 * orphans TAG COUNT LIFETIME_MS: makes COUNT orphans by double fork. Each intermediate child
 * forks a grandchild and exits at once; this process reaps the intermediates (they are its own),
 * so each grandchild is re-parented to PID 1 (or the nearest subreaper), which alone can reap it
 * when it exits LIFETIME_MS later. Stamps `orphaned TAG` once all are orphans and `orphan-end
 * TAG` in each orphan before it exits; then idles until SIGTERM (exit 0).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "stamp.h"

static void make_orphan(const char *tag, int lifetime_ms) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid > 0) {
    if (waitpid(pid, NULL, 0) < 0) perror("waitpid");
    return;
  }
  if (fork() == 0) {
    struct timespec pause_time = {lifetime_ms / 1000, (lifetime_ms % 1000) * 1000000L};
    nanosleep(&pause_time, NULL);
    stamp("orphan-end", tag);
  }
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fputs("usage: orphans TAG COUNT LIFETIME_MS\n", stderr);
    return 2;
  }
  const char *tag = argv[1];
  int count = atoi(argv[2]);
  int lifetime_ms = atoi(argv[3]);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigprocmask(SIG_BLOCK, &blocked, NULL);
  for (int i = 0; i < count; i++) make_orphan(tag, lifetime_ms);
  stamp("orphaned", tag);
  int received;
  sigwait(&blocked, &received);
  return 0;
}
