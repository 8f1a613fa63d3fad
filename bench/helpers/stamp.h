/*
 * Stamps: one line `EVENT TAG PID NS` appended to the file named by $BENCH_STAMPS, where NS is
 * CLOCK_MONOTONIC in nanoseconds: the clock of Node's process.hrtime, so the harness can set
 * its own instants (a kill, a spawn) against the helpers'. One write(2) per line on an
 * O_APPEND descriptor, so lines from hundreds of processes never interleave. No $BENCH_STAMPS:
 * no stamps. Only async-signal-safe calls, so a stamp may also be taken right after fork().
 */
#ifndef BENCH_STAMP_H
#define BENCH_STAMP_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int stamp_fd = -2; /* -2: not opened yet, -1: no stamp file */

/* Nanoseconds of CLOCK_MONOTONIC. */
static long long stamp_now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* Appends the decimal digits of a non-negative number; returns the new end. */
static char *stamp_put_number(char *out, long long value) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (count > 0) *out++ = digits[--count];
  return out;
}

static char *stamp_put_word(char *out, const char *word, size_t limit) {
  size_t length = strnlen(word, limit);
  memcpy(out, word, length);
  return out + length;
}

/* Takes the time first, then formats: the instant is as close to the caller's as it gets. */
static void stamp_pid(const char *event, const char *tag, long long pid) {
  long long now_ns = stamp_now_ns();
  if (stamp_fd == -2) {
    const char *path = getenv("BENCH_STAMPS");
    stamp_fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
  }
  if (stamp_fd < 0) return;
  char line[256];
  char *end = stamp_put_word(line, event, 64);
  *end++ = ' ';
  end = stamp_put_word(end, tag, 64);
  *end++ = ' ';
  end = stamp_put_number(end, pid);
  *end++ = ' ';
  end = stamp_put_number(end, now_ns);
  *end++ = '\n';
  if (write(stamp_fd, line, (size_t)(end - line)) < 0) _exit(111);
}

/* A stamp about the calling process. */
static void stamp(const char *event, const char *tag) { stamp_pid(event, tag, getpid()); }

#endif
