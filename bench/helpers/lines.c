/*
 * lines TAG COUNT SIZE: writes COUNT numbered lines of SIZE bytes (newline included) to stdout
 * as fast as it can, whole lines in writes of up to 64 KiB. Each line is
 * `TAG stdout SEQ xxx…` with SEQ zero-padded to 8 digits: the format of test/fixtures/chatty.mjs,
 * so bench/output-check.mjs can tell that every line arrived whole, once and in order. In C, so
 * the floor is the file system's speed and not a Node child's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_BYTES 65536

static void write_all(const char *data, size_t length) {
  while (length > 0) {
    ssize_t written = write(1, data, length);
    if (written < 0 && errno == EAGAIN) {
      /* A non-blocking pipe that is full: wait until it drains, as a blocking write would. */
      struct pollfd out = {.fd = 1, .events = POLLOUT};
      poll(&out, 1, -1);
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      perror("write");
      exit(1);
    }
    data += written;
    length -= (size_t)written;
  }
}

/* One line into `out`: the header, then x up to SIZE - 1, then the newline. */
static void format_line(char *out, const char *tag, long seq, int size) {
  int header = snprintf(out, (size_t)size, "%s stdout %08ld ", tag, seq);
  memset(out + header, 'x', (size_t)(size - 1 - header));
  out[size - 1] = '\n';
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fputs("usage: lines TAG COUNT SIZE\n", stderr);
    return 2;
  }
  const char *tag = argv[1];
  long count = atol(argv[2]);
  int size = atoi(argv[3]);
  if (size < (int)strlen(tag) + 20 || size > BUFFER_BYTES) {
    fputs("lines: SIZE too small for the header, or over 64 KiB\n", stderr);
    return 2;
  }
  static char buffer[BUFFER_BYTES];
  size_t filled = 0;
  for (long seq = 1; seq <= count; seq++) {
    if (filled + (size_t)size > sizeof buffer) {
      write_all(buffer, filled);
      filled = 0;
    }
    format_line(buffer + filled, tag, seq, size);
    filled += (size_t)size;
  }
  write_all(buffer, filled);
  return 0;
}
