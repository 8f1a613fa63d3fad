/*
 * idle TAG: an idle child that exits 0 at once on SIGTERM. Stamps `start TAG` once its SIGTERM
 * handling is in place (so a harness that saw the stamp may signal it), and `term TAG` when the
 * SIGTERM arrives, right before _exit.
 */
#include <signal.h>

#include "stamp.h"

static volatile sig_atomic_t terminated = 0;

static void on_sigterm(int signal_number) {
  (void)signal_number;
  terminated = 1;
}

int main(int argc, char **argv) {
  const char *tag = argc > 1 ? argv[1] : "idle";
  /* SIGTERM stays blocked except inside sigsuspend: no window where it lands unseen. */
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGTERM);
  struct sigaction action = {0};
  action.sa_handler = on_sigterm;
  sigaction(SIGTERM, &action, NULL);
  stamp("start", tag);
  while (!terminated) sigsuspend(&waiting);
  stamp("term", tag);
  _exit(0);
}
