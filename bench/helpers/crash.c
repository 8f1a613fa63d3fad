/*
 * crash TAG: starts and crashes at once (exit 1), stamping `start TAG` and `end TAG` right
 * before _exit, so the gap between one run's end and the next run's start is the respawn time.
 */
#include "stamp.h"

int main(int argc, char **argv) {
  const char *tag = argc > 1 ? argv[1] : "crash";
  stamp("start", tag);
  stamp("end", tag);
  _exit(1);
}
