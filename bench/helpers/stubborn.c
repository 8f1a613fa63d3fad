/*
 * stubborn TAG KIDS: ignores SIGTERM, and so do the KIDS grandchildren it forks; the last of
 * them calls setsid() and so leaves the process group. Only SIGKILL to the group and to every
 * descendant ends them all (SPEC §5). Stamps `grandchild TAG` in each grandchild, then
 * `start TAG` in the child once all are forked; then everyone waits to be killed.
 */
#include <signal.h>
#include <stdio.h>

#include "stamp.h"

static void wait_forever(void) {
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fputs("usage: stubborn TAG KIDS\n", stderr);
    return 2;
  }
  const char *tag = argv[1];
  int kids = atoi(argv[2]);
  signal(SIGTERM, SIG_IGN); /* inherited across fork */
  for (int i = 0; i < kids; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) {
      if (i == kids - 1) setsid();
      stamp("grandchild", tag);
      wait_forever();
    }
  }
  stamp("start", tag);
  wait_forever();
}
