/*
 * fanout: the ceiling for one datagram per message per member. A minimal
 * chat server in C speaking the classic text protocol:
 *   "L name" -> "OK" (joins, or moves the name to this address)
 *   "C name text" -> "name: text" to every other member
 *   "Q name" -> "EXIT" (leaves)
 * One sendto per member per message; with --mmsg, the same datagrams go out
 * in sendmmsg batches (the machine's limit for this design).
 *
 * usage: fanout [--host 127.0.0.1] [--port 0] [--mmsg]
 * Prints "fanout listening on HOST:PORT" once bound, then serves until
 * killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NAME_MAX_BYTES 64
#define LINE_MAX_BYTES 65536
#define BATCH 256

struct member {
  char name[NAME_MAX_BYTES];
  struct sockaddr_in addr;
};

static struct member *members;
static size_t count, capacity;

static struct member *find(const char *name, size_t len) {
  for (size_t i = 0; i < count; i++)
    if (strlen(members[i].name) == len && !memcmp(members[i].name, name, len))
      return &members[i];
  return NULL;
}

static int same(const struct sockaddr_in *a, const struct sockaddr_in *b) {
  return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static void join(int fd, const char *name, size_t len,
                 const struct sockaddr_in *from) {
  if (len == 0 || len >= NAME_MAX_BYTES) return;
  struct member *m = find(name, len);
  if (!m) {
    if (count == capacity) {
      capacity = capacity ? capacity * 2 : 1024;
      members = realloc(members, capacity * sizeof *members);
      if (!members) exit(1);
    }
    m = &members[count++];
    memcpy(m->name, name, len);
    m->name[len] = 0;
  }
  m->addr = *from;
  sendto(fd, "OK", 2, 0, (const void *)from, sizeof *from);
}

static void quit(int fd, const char *name, size_t len,
                 const struct sockaddr_in *from) {
  struct member *m = find(name, len);
  if (m) *m = members[--count];
  sendto(fd, "EXIT", 4, 0, (const void *)from, sizeof *from);
}

static void fan_out(int fd, const char *line, size_t len,
                    const struct sockaddr_in *from, int mmsg) {
  if (!mmsg) {
    for (size_t i = 0; i < count; i++)
      if (!same(&members[i].addr, from))
        sendto(fd, line, len, 0, (const void *)&members[i].addr,
               sizeof members[i].addr);
    return;
  }
  static struct mmsghdr msgs[BATCH];
  static struct iovec iov;
  iov.iov_base = (void *)line;
  iov.iov_len = len;
  size_t n = 0;
  for (size_t i = 0; i <= count; i++) {
    if (i < count && !same(&members[i].addr, from)) {
      memset(&msgs[n], 0, sizeof msgs[n]);
      msgs[n].msg_hdr.msg_name = &members[i].addr;
      msgs[n].msg_hdr.msg_namelen = sizeof members[i].addr;
      msgs[n].msg_hdr.msg_iov = &iov;
      msgs[n].msg_hdr.msg_iovlen = 1;
      n++;
    }
    if (n == BATCH || (i == count && n > 0)) {
      for (size_t sent = 0; sent < n;) {
        int r = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
        if (r <= 0) break; /* a failed datagram is lost, as with sendto */
        sent += (size_t)r;
      }
      n = 0;
    }
  }
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0, mmsg = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--host") && i + 1 < argc) host = argv[++i];
    else if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--mmsg")) mmsg = 1;
    else {
      fprintf(stderr, "usage: fanout [--host H] [--port P] [--mmsg]\n");
      return 2;
    }
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
      bind(fd, (void *)&addr, sizeof addr)) {
    perror("fanout: bind");
    return 2;
  }
  socklen_t alen = sizeof addr;
  getsockname(fd, (void *)&addr, &alen);
  printf("fanout listening on %s:%d\n", host, ntohs(addr.sin_port));
  fflush(stdout);
  static char buf[LINE_MAX_BYTES], line[LINE_MAX_BYTES + NAME_MAX_BYTES];
  for (;;) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (void *)&from, &flen);
    if (n < 2 || buf[1] != ' ') continue;
    const char *arg = buf + 2, *end = buf + n;
    const char *sp = memchr(arg, ' ', (size_t)(end - arg));
    size_t name_len = (size_t)((sp ? sp : end) - arg);
    switch (buf[0]) {
    case 'L':
      join(fd, arg, name_len, &from);
      break;
    case 'Q':
      quit(fd, arg, name_len, &from);
      break;
    case 'C': {
      if (!sp || name_len >= NAME_MAX_BYTES) break;
      size_t text_len = (size_t)(end - sp - 1);
      memcpy(line, arg, name_len);
      memcpy(line + name_len, ": ", 2);
      memcpy(line + name_len + 2, sp + 1, text_len);
      fan_out(fd, line, name_len + 2 + text_len, &from, mmsg);
      break;
    }
    }
  }
}
