/*
 * exec-stamp PROGRAM [ARGS...]: stamps `exec exec-stamp PID` and execs PROGRAM in place, so the
 * pid stays the same and the clock starts at the execve itself: "exec of procinit → first child
 * running" then excludes the harness's own fork, which a Node parent pays in every variant.
 */
#include <stdio.h>

#include "stamp.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: exec-stamp PROGRAM [ARGS...]\n", stderr);
    return 2;
  }
  stamp("exec", "exec-stamp");
  execvp(argv[1], argv + 1);
  perror(argv[1]);
  return 127;
}
