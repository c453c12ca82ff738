/*
 * loadgen: simulated chat members on loopback, for bench/bench.ts.
 *
 * Each member owns one UDP socket (its own source port), connected to the
 * server. With several servers sharing one room (--port A,B,C), member i is
 * connected to the i-th modulo their count; --pid lists their processes,
 * whose CPU, RSS and socket drops are summed (and CPU also given per
 * server), and --aux-pid lists processes they depend on (Redis), whose CPU
 * is reported on its own. One thread drives them all with epoll, so the generator uses one
 * of the machine's cores and leaves the other to the server.
 *
 * Targets:
 *   udpchat  the native protocol (PROTOCOL.md): JOIN -> COOKIE -> JOIN with
 *            cookie -> WELCOME, then SESSION datagrams. SAY requests ride as
 *            DATA frames; the server's DATA frames are acknowledged
 *            cumulatively (out-of-order ones are dropped unacknowledged and
 *            come back on the server's retransmission) within --ack-ms, or at
 *            once every 32 frames.
 *   text     the classic text protocol: "L name" -> "OK", "C name text",
 *            the server sends "name: text" to the others (classic.py), or
 *            a line of its own wording with ": " before the text (udpchat:
 *            "\nname: text\n"); see on_classic.
 *
 * Every message text is "PHASE SENDER SEQ NS " padded with 'x' to --size
 * bytes; NS is CLOCK_MONOTONIC at sending, so a receiver on the same machine
 * computes one-way latency, and SEQ gives loss.
 *
 * Phases (--phases, comma separated, run in order after every member joined):
 *   rate:R:S  R messages/s in total, round-robin over members, for S seconds
 *   sat:S     as fast as the server takes them for S seconds, with at most
 *             --window messages not yet seen by their witness member
 *   mem:S     idle for S seconds (heartbeats only), then read the RSS
 * Each sending phase has --warmup seconds first that are not measured, and a
 * drain afterwards. Every loop is bounded by time (--max-seconds overall) and
 * by count (--max-messages per phase).
 *
 * Output: one JSON object on stdout. Diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 64          /* unacknowledged SAYs one udpchat member keeps */
#define MSG_MAX 512      /* longest message text */
#define DGRAM_MAX 2048   /* receive buffer per datagram (server sends <= 1200) */
#define BATCH 32         /* datagrams per recvmmsg */
#define ACK_EVERY 32     /* frames received before an immediate ack (as a member: ackEvery in protocol/reliable_options.ts) */
#define HIST_EXACT 2048 /* latency histogram: 1 us buckets below this, */
#define HIST_SUB 64      /* then 64 per power of two (1.6% precision) */
#define HIST_LEN (HIST_EXACT + 40 * HIST_SUB)
#define MAX_PHASES 8
#define MAX_SERVERS 8 /* --port, --pid and --aux-pid list at most this many */
#define JOIN_BYTES 1200
/* The native protocol's version (PROTOCOL.md, protocol/limits.ts). */
#define PROTOCOL_VERSION 2
#define RTO_NS 200000000LL /* SAY retransmission after this much silence */
#define HEARTBEAT_NS 1000000000LL
#define QUIET_NS 300000000LL /* no datagram for this long: settled/drained */

enum target { T_UDPCHAT, T_TEXT };
enum state { S_NEW, S_JOIN1, S_JOIN2, S_IN, S_DEAD };
enum mode { M_RATE, M_SAT, M_MEM };
enum stage { G_JOIN, G_SETTLE, G_RUN, G_DRAIN, G_DONE };

typedef struct {
  int fd;
  uint8_t st, owes, queued, frag;
  uint16_t rx_since_ack;
  uint32_t sid, pn, rnext;
  uint8_t token[16], cookie[20], nonce[8];
  uint32_t next_seq, acked; /* own DATA seqs */
  uint32_t sent, witnessed; /* own messages, and how many its witness saw */
  uint32_t joins_seen;      /* JOINED events received */
  int64_t last_send, retry_at, progress_at;
  uint16_t *ring_len;
  char *ring;
} member_t;

typedef struct {
  int mode;
  double rate, seconds;
  int64_t start, t0, t1, end;
  uint64_t sent, sent_win, acc_win, acc_total, deliv_win, deliv_of_win;
  uint64_t tx0, rx0, tx_win, rx_win, bytes_rx0, bytes_rx_win;
  uint64_t retrans0, retrans, ooo0, ooo, dup0, dup;
  double srv_cpu_s, lg_cpu_s, wall_s;
  double srv_each_s[MAX_SERVERS], aux_s[MAX_SERVERS];
  long rss0_kib, rss1_kib, drops0, drops;
  double busy0, total0, machine_pct; /* every CPU busy = 100 * cores */
  double p50, p99, p999, pmax, mean;
  uint64_t lat_n;
  int timed_out, stalls, sampled;
} phase_t;

/* ---- options ---- */
static int target = T_UDPCHAT;
static int ports[MAX_SERVERS], nports, server_pids[MAX_SERVERS], npids;
static int aux_pids[MAX_SERVERS], naux;
static int nmem = 10, msg_size = 64, window = 64;
static double warmup_s = 0.5, max_seconds = 120, join_timeout_s = 60;
static double ack_ms = 10;
static uint64_t max_messages = 20000000;
static int join_parallel = 64, join_lag = 256;
/* udpchat announces a join only while the room has at most this many members */
static int announce_limit = 500;
static phase_t phases[MAX_PHASES];
static int nphases;

/* ---- state ---- */
static member_t *mem;
static int epfd;
static int64_t now_ns, deadline_ns;
static int stage = G_JOIN, cur = -1, cur_tag = 0;
static uint64_t tx, rx, bytes_rx, bad_crc, bad_other, refused, resets,
    goodbyes, lefts, notices, send_errors, retransmits, ooo, dups, stale;
static uint64_t joined, joins_started, joins_pending, join_retries;
static int64_t last_join;
static int join_witness;
static int64_t join_start, join_end, settle_end, last_rx, last_progress;
static long rss_before, rss_joined, rss_mem;
static double join_cpu_s;
static uint64_t inflight, rr;
static uint32_t *hist;
static uint64_t hist_n;
static int *fifo;
static int64_t *fifo_due;
static int fifo_head, fifo_len;
static int scan_cursor;
static char first_error[256];
static int64_t ack_ns;

static void note_error(const char *fmt, ...) {
  if (first_error[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(first_error, sizeof first_error, fmt, ap);
  va_end(ap);
}

static int64_t mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_self(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* utime + stime of process `pid` (every thread), in seconds; -1 if unknown. */
static double cpu_of(int pid) {
  if (pid <= 0) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  unsigned long ut = 0, st = 0;
  /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt
     cmajflt utime stime */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
             &ut, &st) != 2)
    return -1;
  return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* CPU seconds of every server together; -1 if any is unknown. */
static double cpu_server(void) {
  if (npids == 0) return -1;
  double sum = 0;
  for (int i = 0; i < npids; i++) {
    double c = cpu_of(server_pids[i]);
    if (c < 0) return -1;
    sum += c;
  }
  return sum;
}

static long status_kib_of(int pid, const char *field);

/* A /proc/PID/status field (kB) summed over the servers; -1 if unknown. */
static long status_kib(const char *field) {
  if (npids == 0) return -1;
  long sum = 0;
  for (int i = 0; i < npids; i++) {
    long v = status_kib_of(server_pids[i], field);
    if (v < 0) return -1;
    sum += v;
  }
  return sum;
}

static long status_kib_of(int pid, const char *field) {
  if (pid <= 0) return -1;
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long v = -1;
  size_t len = strlen(field);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      v = atol(line + len + 1);
      break;
    }
  }
  fclose(f);
  return v;
}

/*
 * Datagrams the kernel dropped because the servers' socket buffers were full
 * (the last column of /proc/net/udp for their ports); -1 if unknown.
 */
static long server_drops(void) {
  FILE *f = fopen("/proc/net/udp", "r");
  if (!f) return -1;
  char line[512];
  long drops = -1;
  int found = 0;
  while (found < nports && fgets(line, sizeof line, f)) {
    unsigned addr, lport;
    if (sscanf(line, " %*d: %8X:%4X", &addr, &lport) != 2) continue;
    int ours = 0;
    for (int i = 0; i < nports; i++) ours |= (int)lport == ports[i];
    if (!ours || addr != 0x0100007Fu) continue;
    found++;
    char *tok, *save = NULL;
    int i = 0;
    for (tok = strtok_r(line, " \t\n", &save); tok && i < 12;
         tok = strtok_r(NULL, " \t\n", &save))
      i++;
    if (tok) drops = (drops < 0 ? 0 : drops) + atol(tok);
  }
  fclose(f);
  return drops;
}

/* Busy and total CPU time of the whole machine, in clock ticks. */
static void machine_cpu(double *busy, double *total) {
  unsigned long long v[8] = {0};
  *busy = *total = -1;
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                 &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n < 5) return;
  *total = 0;
  for (int i = 0; i < 8; i++) *total += (double)v[i];
  *busy = *total - (double)v[3] - (double)v[4]; /* minus idle and iowait */
}

/* ---- CRC-32 (IEEE), slicing by 8 ---- */
static uint32_t crc_tab[8][256];

static void crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_tab[0][n] = c;
  }
  for (uint32_t n = 0; n < 256; n++)
    for (int t = 1; t < 8; t++)
      crc_tab[t][n] =
          crc_tab[0][crc_tab[t - 1][n] & 0xff] ^ (crc_tab[t - 1][n] >> 8);
}

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n >= 8) {
    uint32_t a = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                      (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    c = crc_tab[7][a & 0xff] ^ crc_tab[6][(a >> 8) & 0xff] ^
        crc_tab[5][(a >> 16) & 0xff] ^ crc_tab[4][a >> 24] ^
        crc_tab[3][p[4]] ^ crc_tab[2][p[5]] ^ crc_tab[1][p[6]] ^
        crc_tab[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static inline uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}
static inline uint16_t rd16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint8_t *wr32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
  return p + 4;
}
static inline uint8_t *wr16(uint8_t *p, uint16_t v) {
  p[0] = v >> 8, p[1] = v;
  return p + 2;
}
static inline int before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* ---- sending ---- */
static void send_raw(member_t *m, const void *buf, size_t len) {
  if (send(m->fd, buf, len, 0) < 0) {
    send_errors++;
    if (send_errors == 1) note_error("send: %s", strerror(errno));
    return;
  }
  tx++;
  m->last_send = now_ns;
}

static int idx_of(member_t *m) { return (int)(m - mem); }

static void send_join(member_t *m) {
  uint8_t b[JOIN_BYTES];
  memset(b, 0, sizeof b);
  b[0] = 0x55, b[1] = 0x43, b[2] = PROTOCOL_VERSION, b[3] = 1;
  if (m->st == S_JOIN2) memcpy(b + 4, m->cookie, 20);
  /* The join attempt's nonce (offset 24): replies echo it. Unique per
     member is enough here; the server admits each (address, nonce) once. */
  if (m->st == S_JOIN1) {
    uint32_t v = (uint32_t)idx_of(m) * 2654435761u ^ (uint32_t)now_ns;
    for (int i = 0; i < 8; i++) m->nonce[i] = (uint8_t)(v >> (8 * (i % 4))) ^ (uint8_t)(i * 37);
  }
  memcpy(b + 24, m->nonce, 8);
  char name[16];
  int n = snprintf(name, sizeof name, "m%d", idx_of(m));
  b[57] = (uint8_t)n;
  memcpy(b + 58, name, n);
  wr32(b + JOIN_BYTES - 4, crc32(b, JOIN_BYTES - 4));
  send_raw(m, b, sizeof b);
}

/* A member's join in the target's protocol (JOIN, or the text "L name"). */
static void send_login(member_t *m) {
  if (target == T_UDPCHAT) {
    send_join(m);
    return;
  }
  char b[32];
  int n = snprintf(b, sizeof b, "L m%d", idx_of(m));
  send_raw(m, b, (size_t)n);
}

/* A SESSION datagram with the current ack, and `frames` (already encoded). */
static void send_session(member_t *m, const uint8_t *frames, size_t flen) {
  uint8_t b[1400];
  uint8_t *p = b;
  *p++ = 0x55, *p++ = 0x43, *p++ = PROTOCOL_VERSION, *p++ = 5;
  p = wr32(p, m->sid);
  memcpy(p, m->token, 16), p += 16;
  p = wr32(p, m->pn++);
  p = wr32(p, m->rnext);
  *p++ = 0;
  if (flen) memcpy(p, frames, flen), p += flen;
  p = wr32(p, crc32(b, (size_t)(p - b)));
  m->owes = 0;
  m->rx_since_ack = 0;
  send_raw(m, b, (size_t)(p - b));
}

/* DATA frame carrying SAY(text): type, seq, len, [flag 0][0x01][u16][text]. */
static size_t say_frame(uint8_t *p, uint32_t seq, const char *text, int n) {
  p[0] = 1;
  wr32(p + 1, seq);
  wr16(p + 5, (uint16_t)(n + 4));
  p[7] = 0, p[8] = 1;
  wr16(p + 9, (uint16_t)n);
  memcpy(p + 11, text, n);
  return (size_t)(11 + n);
}

static int make_text(char *out, uint32_t s, uint32_t q) {
  int n = snprintf(out, MSG_MAX, "%d %u %u %lld ", cur_tag, s, q,
                   (long long)now_ns);
  if (n < msg_size) memset(out + n, 'x', (size_t)(msg_size - n)), n = msg_size;
  return n;
}

/* Send the next message of member s; false if it cannot now. */
static int send_message(int s) {
  member_t *m = &mem[s];
  if (m->st != S_IN) return 0;
  phase_t *P = &phases[cur];
  char text[MSG_MAX];
  if (target == T_UDPCHAT) {
    if (m->next_seq - m->acked >= RING) return 0;
    if (!m->ring) {
      m->ring = malloc((size_t)RING * MSG_MAX);
      m->ring_len = calloc(RING, sizeof *m->ring_len);
    }
    int n = make_text(text, (uint32_t)s, m->sent);
    uint32_t seq = m->next_seq++;
    memcpy(m->ring + (seq % RING) * MSG_MAX, text, (size_t)n);
    m->ring_len[seq % RING] = (uint16_t)n;
    uint8_t f[MSG_MAX + 16];
    size_t fl = say_frame(f, seq, text, n);
    if (m->next_seq - m->acked == 1) m->progress_at = now_ns;
    send_session(m, f, fl);
  } else {
    char b[MSG_MAX + 32];
    int h = snprintf(b, sizeof b, "C m%d ", s);
    int n = make_text(b + h, (uint32_t)s, m->sent);
    send_raw(m, b, (size_t)(h + n));
  }
  m->sent++;
  inflight++;
  P->sent++;
  if (now_ns >= P->t0 && now_ns < P->t1) P->sent_win++;
  return 1;
}

static void retransmit(member_t *m) {
  uint8_t f[1100];
  size_t fl = 0;
  for (uint32_t seq = m->acked; before(seq, m->next_seq); seq++) {
    int n = m->ring_len[seq % RING];
    if (fl + (size_t)n + 11 > sizeof f) {
      send_session(m, f, fl);
      fl = 0;
    }
    fl += say_frame(f + fl, seq, m->ring + (seq % RING) * MSG_MAX, n);
    retransmits++;
  }
  if (fl) send_session(m, f, fl);
  m->progress_at = now_ns;
}

/* ---- receiving ---- */
static uint32_t witness_of(uint32_t s) { return s == 0 ? 1 : 0; }

static int hist_bucket(int64_t us) {
  if (us < HIST_EXACT) return us < 0 ? 0 : (int)us;
  int e = 63 - __builtin_clzll((uint64_t)us); /* 2^e <= us, e >= 11 */
  int sub = (int)((us >> (e - 6)) & (HIST_SUB - 1));
  int at = HIST_EXACT + (e - 11) * HIST_SUB + sub;
  return at < HIST_LEN ? at : HIST_LEN - 1;
}

/* The lowest latency (us) that falls in bucket `at`. */
static double hist_value(int at) {
  if (at < HIST_EXACT) return at;
  int e = (at - HIST_EXACT) / HIST_SUB + 11, sub = (at - HIST_EXACT) % HIST_SUB;
  return (double)((uint64_t)(HIST_SUB + sub) << (e - 6));
}

static uint64_t parse_u(const char **p, const char *end) {
  uint64_t v = 0;
  while (*p < end && **p >= '0' && **p <= '9') v = v * 10 + (uint64_t)(*(*p)++ - '0');
  if (*p < end && **p == ' ') (*p)++;
  return v;
}

static void on_text(int r, const char *t, size_t n) {
  const char *p = t, *end = t + n;
  int tag = (int)parse_u(&p, end);
  uint32_t s = (uint32_t)parse_u(&p, end);
  uint32_t q = (uint32_t)parse_u(&p, end);
  int64_t ns = (int64_t)parse_u(&p, end);
  if (cur < 0 || tag != cur_tag || s >= (uint32_t)nmem) {
    stale++;
    return;
  }
  phase_t *P = &phases[cur];
  if (now_ns >= P->t0 && now_ns < P->t1) P->deliv_win++;
  if (ns >= P->t0 && ns < P->t1) {
    P->deliv_of_win++;
    hist[hist_bucket((now_ns - ns) / 1000)]++;
    hist_n++;
  }
  if ((uint32_t)r == witness_of(s)) {
    member_t *m = &mem[s];
    if (before(m->witnessed, q + 1)) {
      uint32_t d = q + 1 - m->witnessed;
      m->witnessed = q + 1;
      inflight -= d < inflight ? d : inflight;
      last_progress = now_ns;
      if (target == T_TEXT) {
        if (now_ns >= P->t0 && now_ns < P->t1) P->acc_win += d;
        P->acc_total += d;
      }
    }
  }
}

static void on_event(int r, const uint8_t *e, size_t n) {
  if (n < 1) return;
  switch (e[0]) {
  case 0x10: { /* CHAT: id, time, from (u8), text (u16) */
    if (n < 14) return;
    size_t at = 13 + e[13] + 1;
    if (at + 2 > n) return;
    size_t tl = rd16(e + at);
    if (at + 2 + tl > n) return;
    on_text(r, (const char *)e + at + 2, tl);
    return;
  }
  case 0x11:
    mem[r].joins_seen++;
    return;
  case 0x12:
    lefts++;
    return;
  case 0x15:
    notices++;
    return;
  case 0x16:
    goodbyes++;
    mem[r].st = S_DEAD;
    return;
  }
}

static void want_ack(member_t *m) {
  if (!m->owes) {
    m->owes = 1;
    if (!m->queued) {
      int at = (fifo_head + fifo_len++) % nmem;
      fifo[at] = idx_of(m);
      fifo_due[at] = now_ns + ack_ns;
      m->queued = 1;
    }
  }
}

static void on_session(member_t *m, const uint8_t *b, size_t n) {
  if (m->st != S_IN || n < 33 || rd32(b + 4) != m->sid) return;
  uint32_t ack = rd32(b + 28);
  if (before(m->acked, ack) && !before(m->next_seq, ack)) {
    uint32_t d = ack - m->acked;
    m->acked = ack;
    m->progress_at = now_ns;
    phase_t *P = cur >= 0 ? &phases[cur] : NULL;
    if (P) {
      P->acc_total += d;
      if (now_ns >= P->t0 && now_ns < P->t1) P->acc_win += d;
    }
  }
  size_t at = 33 + (size_t)b[32] * 8;
  int ack_now = 0, r = idx_of(m);
  while (at < n) {
    uint8_t type = b[at];
    if (type == 1) {
      if (at + 7 > n) break;
      uint32_t seq = rd32(b + at + 1);
      size_t len = rd16(b + at + 5);
      const uint8_t *body = b + at + 7;
      at += 7 + len;
      if (at > n || len == 0) break;
      if (seq == m->rnext) {
        m->rnext++;
        m->rx_since_ack++;
        want_ack(m);
        if (m->frag) {
          m->frag = body[0] == 1; /* skip the rest of a long event */
        } else if (body[0] == 1) {
          m->frag = 1;
        } else {
          on_event(r, body + 1, len - 1);
        }
      } else if (before(seq, m->rnext)) {
        dups++;
        want_ack(m);
        ack_now = 1;
      } else {
        ooo++;
        want_ack(m);
      }
    } else if (type == 2 || type == 3) {
      at += 5;
    } else {
      bad_other++;
      break;
    }
  }
  if (m->st == S_IN && (ack_now || m->rx_since_ack >= ACK_EVERY))
    send_session(m, NULL, 0);
}

static void joined_now(member_t *m) {
  m->st = S_IN;
  joined++;
  last_join = now_ns;
  joins_pending--;
  m->last_send = now_ns;
}

static void on_native(member_t *m, const uint8_t *b, size_t n) {
  if (n < 8 || b[0] != 0x55 || b[1] != 0x43 || b[2] != PROTOCOL_VERSION) {
    bad_other++;
    return;
  }
  if (crc32(b, n - 4) != rd32(b + n - 4)) {
    bad_crc++;
    return;
  }
  n -= 4;
  switch (b[3]) {
  case 2: /* COOKIE: nonce, cookie, flags, salt */
    if (m->st == S_JOIN1 && n >= 32 && memcmp(b + 4, m->nonce, 8) == 0) {
      memcpy(m->cookie, b + 12, 20);
      m->st = S_JOIN2;
      m->retry_at = now_ns + 250000000LL;
      send_join(m);
    }
    return;
  case 3: /* WELCOME */
    if ((m->st == S_JOIN1 || m->st == S_JOIN2) && n >= 46 &&
        memcmp(b + 4, m->nonce, 8) == 0) {
      m->sid = rd32(b + 12);
      memcpy(m->token, b + 16, 16);
      m->next_seq = m->acked = rd32(b + 33);
      m->rnext = 0;
      joined_now(m);
    }
    return;
  case 4: /* REFUSE */
    refused++;
    if (n >= 15) {
      size_t l = rd16(b + 13);
      if (15 + l <= n) note_error("refused m%d: %.*s", idx_of(m), (int)l, b + 15);
    }
    if (m->st == S_JOIN1 || m->st == S_JOIN2) joins_pending--;
    m->st = S_DEAD;
    return;
  case 5:
    on_session(m, b, n);
    return;
  case 6:
    resets++;
    m->st = S_DEAD;
    return;
  }
}

/*
 * One line from a classic server. A chat line is "NAME: TEXT" (classic.py,
 * udpchat in English) or "NAME<word>: TEXT" (other wordings): the text
 * starts after the first ": ". A line without one is a system line (a join
 * or leave announcement).
 */
static void on_classic_line(member_t *m, const uint8_t *b, size_t n) {
  if (m->st == S_JOIN1) {
    if (n == 2 && b[0] == 'O' && b[1] == 'K') joined_now(m);
    return;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (b[i] == ':' && b[i + 1] == ' ') {
      on_text(idx_of(m), (const char *)b + i + 2, n - i - 2);
      return;
    }
  }
  notices++;
}

/*
 * A classic datagram: one line or more, each ended, preceded or both by
 * "\n" (or "\r\n"); empty lines are skipped.
 */
static void on_classic(member_t *m, const uint8_t *b, size_t n) {
  const uint8_t *end = b + n;
  while (b < end) {
    const uint8_t *nl = memchr(b, '\n', (size_t)(end - b));
    const uint8_t *stop = nl ? nl : end;
    size_t len = (size_t)(stop - b);
    if (len > 0 && b[len - 1] == '\r') len--;
    if (len > 0) on_classic_line(m, b, len);
    b = nl ? nl + 1 : end;
  }
}

static uint8_t rbuf[BATCH][DGRAM_MAX];
static struct mmsghdr rmsg[BATCH];
static struct iovec riov[BATCH];

static void receive_from(member_t *m) {
  int got = recvmmsg(m->fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
  if (got <= 0) return;
  now_ns = mono();
  last_rx = now_ns;
  for (int i = 0; i < got; i++) {
    size_t n = rmsg[i].msg_len;
    rx++;
    bytes_rx += n;
    if (target == T_UDPCHAT) on_native(m, rbuf[i], n);
    else on_classic(m, rbuf[i], n);
  }
}

/* ---- timers ---- */
static void run_acks(void) {
  while (fifo_len > 0 && fifo_due[fifo_head] <= now_ns) {
    member_t *m = &mem[fifo[fifo_head]];
    fifo_head = (fifo_head + 1) % nmem;
    fifo_len--;
    m->queued = 0;
    if (m->owes && m->st == S_IN) send_session(m, NULL, 0);
  }
}

/* A few members per turn: heartbeats, SAY retransmissions, join retries. */
static void scan_members(void) {
  for (int k = 0; k < 128 && k < nmem; k++) {
    member_t *m = &mem[scan_cursor];
    scan_cursor = (scan_cursor + 1) % nmem;
    if (m->st == S_IN && target == T_UDPCHAT) {
      if (m->next_seq != m->acked && now_ns - m->progress_at >= RTO_NS)
        retransmit(m);
      else if (now_ns - m->last_send >= HEARTBEAT_NS)
        send_session(m, NULL, 0);
    } else if ((m->st == S_JOIN1 || m->st == S_JOIN2) &&
               now_ns >= m->retry_at) {
      join_retries++;
      m->retry_at = now_ns + 500000000LL;
      send_login(m);
    }
  }
}

/*
 * How many joins the server has not yet announced to the join witness (the
 * first member still in): the server's backlog, which must stay below its
 * slow-member limit.
 */
static int64_t join_backlog(void) {
  while (join_witness < nmem && mem[join_witness].st == S_DEAD) join_witness++;
  if (join_witness >= nmem || mem[join_witness].st != S_IN) return 0;
  int64_t announced = (int64_t)joined;
  if (announce_limit > 0 && announced > announce_limit) announced = announce_limit;
  int64_t after = announced - 1 - join_witness;
  if (after <= 0) return 0;
  return after - (int64_t)mem[join_witness].joins_seen;
}

static void start_joins(void) {
  while (joins_started < (uint64_t)nmem &&
         joins_pending < (uint64_t)join_parallel) {
    if (target == T_UDPCHAT && join_backlog() > join_lag) return;
    member_t *m = &mem[joins_started++];
    joins_pending++;
    m->st = S_JOIN1;
    m->retry_at = now_ns + 250000000LL;
    send_login(m);
  }
}

/* ---- phases ---- */
static void sample_start(phase_t *P) {
  P->sampled = 1;
  P->t0 = now_ns;
  P->tx0 = tx, P->rx0 = rx, P->bytes_rx0 = bytes_rx;
  P->retrans0 = retransmits, P->ooo0 = ooo, P->dup0 = dups;
  P->srv_cpu_s = cpu_server();
  for (int i = 0; i < npids; i++) P->srv_each_s[i] = cpu_of(server_pids[i]);
  for (int i = 0; i < naux; i++) P->aux_s[i] = cpu_of(aux_pids[i]);
  P->lg_cpu_s = cpu_self();
  P->rss0_kib = status_kib("VmRSS");
  P->drops0 = server_drops();
  machine_cpu(&P->busy0, &P->total0);
}

static void sample_end(phase_t *P) {
  P->wall_s = (now_ns - P->t0) / 1e9;
  P->tx_win = tx - P->tx0, P->rx_win = rx - P->rx0;
  P->bytes_rx_win = bytes_rx - P->bytes_rx0;
  double c = cpu_server();
  P->srv_cpu_s = c >= 0 && P->srv_cpu_s >= 0 ? c - P->srv_cpu_s : -1;
  for (int i = 0; i < npids; i++) {
    double e = cpu_of(server_pids[i]);
    P->srv_each_s[i] = e >= 0 && P->srv_each_s[i] >= 0 ? e - P->srv_each_s[i] : -1;
  }
  for (int i = 0; i < naux; i++) {
    double e = cpu_of(aux_pids[i]);
    P->aux_s[i] = e >= 0 && P->aux_s[i] >= 0 ? e - P->aux_s[i] : -1;
  }
  P->lg_cpu_s = cpu_self() - P->lg_cpu_s;
  P->rss1_kib = status_kib("VmRSS");
  long d = server_drops();
  P->drops = d >= 0 && P->drops0 >= 0 ? d - P->drops0 : -1;
  double busy, total;
  machine_cpu(&busy, &total);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  P->machine_pct = total > P->total0 && P->total0 >= 0
                       ? 100.0 * cores * (busy - P->busy0) / (total - P->total0)
                       : -1;
}

static void percentiles(phase_t *P) {
  P->lat_n = hist_n;
  if (!hist_n) return;
  uint64_t want[3] = {(hist_n * 50 + 99) / 100, (hist_n * 990 + 999) / 1000,
                      (hist_n * 9990 + 9999) / 10000};
  double *out[3] = {&P->p50, &P->p99, &P->p999};
  uint64_t acc = 0;
  double sum = 0;
  int k = 0;
  for (int at = 0; at < HIST_LEN; at++) {
    if (!hist[at]) continue;
    double us = hist_value(at);
    acc += hist[at];
    sum += us * hist[at];
    while (k < 3 && acc >= (want[k] ? want[k] : 1)) *out[k++] = us;
    P->pmax = us;
  }
  P->mean = sum / hist_n;
}

static void begin_phase(int i) {
  cur = i;
  cur_tag = i + 1;
  phase_t *P = &phases[i];
  memset(hist, 0, sizeof(uint32_t) * HIST_LEN);
  hist_n = 0;
  inflight = 0;
  for (int k = 0; k < nmem; k++) mem[k].witnessed = mem[k].sent;
  P->start = now_ns;
  if (P->mode == M_MEM) {
    P->t0 = P->t1 = P->start;
    sample_start(P);
    P->t1 = now_ns + (int64_t)(P->seconds * 1e9);
  } else {
    P->t0 = now_ns + (int64_t)(warmup_s * 1e9);
    P->t1 = P->t0 + (int64_t)(P->seconds * 1e9);
  }
  last_progress = now_ns;
  stage = G_RUN;
}

static void drive_sending(void) {
  phase_t *P = &phases[cur];
  if (P->mode == M_MEM || now_ns >= P->t1) return;
  if (P->sent >= max_messages) return;
  int budget = 64;
  if (P->mode == M_RATE) {
    double due = (now_ns - P->start) / 1e9 * P->rate;
    while (budget-- > 0 && (double)P->sent < due && P->sent < max_messages) {
      int tries = 0;
      while (tries++ < nmem && !send_message((int)(rr++ % (uint64_t)nmem))) {}
      if (tries > nmem) break;
    }
    return;
  }
  /*
   * Saturation. Stall guard: a lost text message is never seen, so after a
   * pause count what is in flight as lost. udpchat retransmits: its guard is
   * only for a witness that left.
   */
  int64_t stall_ns = target == T_TEXT ? 100000000LL : 3000000000LL;
  if (inflight > 0 && now_ns - last_progress > stall_ns) {
    P->stalls++;
    for (int k = 0; k < nmem; k++) mem[k].witnessed = mem[k].sent;
    inflight = 0;
    last_progress = now_ns;
  }
  while (budget-- > 0 && inflight < (uint64_t)window &&
         P->sent < max_messages) {
    int tries = 0;
    while (tries++ < nmem && !send_message((int)(rr++ % (uint64_t)nmem))) {}
    if (tries > nmem) break;
  }
}

static int all_acked(void) {
  if (target != T_UDPCHAT) return 1;
  for (int k = 0; k < nmem; k++)
    if (mem[k].st == S_IN && mem[k].next_seq != mem[k].acked) return 0;
  return 1;
}

static void advance(void) {
  int64_t limit = deadline_ns;
  switch (stage) {
  case G_JOIN:
    start_joins();
    if (joined + refused >= (uint64_t)nmem ||
        now_ns - join_start > (int64_t)(join_timeout_s * 1e9) ||
        now_ns - last_join > 15000000000LL) {
      if (joined < (uint64_t)nmem) note_error("joined %llu of %d members",
                                              (unsigned long long)joined, nmem);
      join_end = now_ns;
      stage = G_SETTLE;
    }
    return;
  case G_SETTLE:
    if ((now_ns - last_rx >= QUIET_NS && fifo_len == 0) ||
        now_ns - join_start > (int64_t)(join_timeout_s * 1e9) + 30000000000LL) {
      settle_end = now_ns;
      join_cpu_s = cpu_server();
      rss_joined = status_kib("VmRSS");
      if (nphases > 0) begin_phase(0);
      else stage = G_DONE;
    }
    return;
  case G_RUN: {
    phase_t *P = &phases[cur];
    drive_sending();
    if (!P->sampled && now_ns >= P->t0) sample_start(P);
    if (now_ns >= P->t1 || now_ns >= limit) {
      if (now_ns >= limit) P->timed_out = 1;
      sample_end(P);
      if (P->mode == M_MEM) rss_mem = P->rss1_kib;
      stage = G_DRAIN;
      P->end = now_ns;
    }
    return;
  }
  case G_DRAIN: {
    phase_t *P = &phases[cur];
    int quiet = now_ns - last_rx >= QUIET_NS && all_acked();
    if (quiet || now_ns - P->end > 5000000000LL || now_ns >= limit) {
      P->retrans = retransmits - P->retrans0;
      P->ooo = ooo - P->ooo0;
      P->dup = dups - P->dup0;
      percentiles(P);
      if (cur + 1 < nphases && now_ns < limit) begin_phase(cur + 1);
      else stage = G_DONE;
    }
    return;
  }
  }
}

static int alive(void) {
  int n = 0;
  for (int k = 0; k < nmem; k++) n += mem[k].st == S_IN;
  return n;
}

/* ---- setup and output ---- */
static int parse_phases(const char *spec) {
  char *copy = strdup(spec), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    if (nphases == MAX_PHASES) return -1;
    phase_t *P = &phases[nphases++];
    memset(P, 0, sizeof *P);
    if (sscanf(tok, "rate:%lf:%lf", &P->rate, &P->seconds) == 2)
      P->mode = M_RATE;
    else if (sscanf(tok, "sat:%lf", &P->seconds) == 1)
      P->mode = M_SAT;
    else if (sscanf(tok, "mem:%lf", &P->seconds) == 1)
      P->mode = M_MEM;
    else
      return -1;
  }
  free(copy);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --target udpchat|text --port PORT[,PORT...]\n"
          "  [--pid PID[,PID...]] [--aux-pid PID[,PID...]]\n"
          "  [--members M] [--phases rate:R:S,sat:S,mem:S] [--size BYTES]\n"
          "  [--window W] [--warmup S] [--ack-ms MS] [--join-timeout S]\n"
          "  [--join-parallel N] [--join-lag N] [--announce-limit N]\n"
          "  [--max-seconds S] [--max-messages N]\n");
  exit(2);
}

/* A comma-separated list of positive numbers into `out`; its length, or -1. */
static int parse_list(const char *v, int *out) {
  int n = 0;
  for (const char *p = v; *p;) {
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p || x <= 0 || x > 0x7fffffff || n == MAX_SERVERS) return -1;
    out[n++] = (int)x;
    if (*end == ',') end++;
    else if (*end) return -1;
    p = end;
  }
  return n;
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage();
    i++;
    if (!strcmp(a, "--target")) {
      if (!strcmp(v, "udpchat")) target = T_UDPCHAT;
      else if (!strcmp(v, "text")) target = T_TEXT;
      else usage();
    } else if (!strcmp(a, "--port")) nports = parse_list(v, ports);
    else if (!strcmp(a, "--pid")) npids = parse_list(v, server_pids);
    else if (!strcmp(a, "--aux-pid")) naux = parse_list(v, aux_pids);
    else if (!strcmp(a, "--members")) nmem = atoi(v);
    else if (!strcmp(a, "--size")) msg_size = atoi(v);
    else if (!strcmp(a, "--window")) window = atoi(v);
    else if (!strcmp(a, "--warmup")) warmup_s = atof(v);
    else if (!strcmp(a, "--ack-ms")) ack_ms = atof(v);
    else if (!strcmp(a, "--join-timeout")) join_timeout_s = atof(v);
    else if (!strcmp(a, "--join-parallel")) join_parallel = atoi(v);
    else if (!strcmp(a, "--join-lag")) join_lag = atoi(v);
    else if (!strcmp(a, "--announce-limit")) announce_limit = atoi(v);
    else if (!strcmp(a, "--max-seconds")) max_seconds = atof(v);
    else if (!strcmp(a, "--max-messages")) max_messages = strtoull(v, 0, 10);
    else if (!strcmp(a, "--phases")) {
      if (parse_phases(v)) usage();
    } else usage();
  }
  int bad_port = nports < 1;
  for (int i = 0; i < nports; i++) bad_port |= ports[i] > 65535;
  if (bad_port || npids < 0 || naux < 0 || nmem < 2 || msg_size < 32 ||
      msg_size > MSG_MAX - 64 || window < 1 || join_parallel < 1)
    usage();
}

static void open_members(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  struct sockaddr_in srv = {.sin_family = AF_INET};
  srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct sockaddr_in any = {.sin_family = AF_INET};
  any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rcvbuf = nmem <= 1000 ? 1 << 20 : 1 << 18;
  for (int i = 0; i < nmem; i++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    srv.sin_port = htons((uint16_t)ports[i % nports]);
    if (fd < 0 || bind(fd, (void *)&any, sizeof any) ||
        connect(fd, (void *)&srv, sizeof srv)) {
      fprintf(stderr, "loadgen: socket %d: %s\n", i, strerror(errno));
      exit(1);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    mem[i].fd = fd;
  }
}

static void print_phase(const phase_t *P) {
  static const char *names[] = {"rate", "sat", "mem"};
  double w = P->wall_s > 0 ? P->wall_s : 1;
  uint64_t expected = P->sent_win * (uint64_t)(nmem - 1);
  double loss = expected ? 1.0 - (double)P->deliv_of_win / expected : 0;
  printf("{\"mode\":\"%s\",\"rate\":%g,\"seconds\":%.3f,\"sent\":%llu,"
         "\"sent_window\":%llu,\"accepted_per_s\":%.1f,"
         "\"deliveries_window\":%llu,\"deliveries_per_s\":%.1f,"
         "\"expected\":%llu,\"delivered\":%llu,\"loss\":%.6f,"
         "\"dgrams_in_per_s\":%.1f,\"dgrams_out_per_s\":%.1f,"
         "\"bytes_out_per_s\":%.1f,"
         "\"lat_us\":{\"n\":%llu,\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,"
         "\"max\":%.0f,\"mean\":%.1f},"
         "\"server_cpu_pct\":%.1f,\"loadgen_cpu_pct\":%.1f,"
         "\"machine_cpu_pct\":%.1f,\"server_rss_kib\":%ld,\"server_rss_start_kib\":%ld,"
         "\"retransmits\":%llu,\"out_of_order\":%llu,\"duplicates\":%llu,"
         "\"server_socket_drops\":%ld,\"stalls\":%d,\"timed_out\":%s",
         names[P->mode], P->rate, P->wall_s,
         (unsigned long long)P->sent, (unsigned long long)P->sent_win,
         P->acc_win / w, (unsigned long long)P->deliv_win, P->deliv_win / w,
         (unsigned long long)expected, (unsigned long long)P->deliv_of_win,
         loss < 0 ? 0 : loss, P->tx_win / w, P->rx_win / w,
         P->bytes_rx_win / w, (unsigned long long)P->lat_n, P->p50, P->p99,
         P->p999, P->pmax, P->mean,
         P->srv_cpu_s >= 0 ? 100 * P->srv_cpu_s / w : -1,
         100 * P->lg_cpu_s / w, P->machine_pct, P->rss1_kib, P->rss0_kib,
         (unsigned long long)P->retrans, (unsigned long long)P->ooo,
         (unsigned long long)P->dup, P->drops, P->stalls,
         P->timed_out ? "true" : "false");
  const char *keys[2] = {"server_cpu_pcts", "aux_cpu_pcts"};
  const double *secs[2] = {P->srv_each_s, P->aux_s};
  int counts[2] = {npids, naux};
  for (int k = 0; k < 2; k++) {
    printf(",\"%s\":[", keys[k]);
    for (int i = 0; i < counts[k]; i++)
      printf("%s%.1f", i ? "," : "", secs[k][i] >= 0 ? 100 * secs[k][i] / w : -1);
    putchar(']');
  }
  putchar('}');
}

static void print_json(void) {
  printf("{\"target\":\"%s\",\"members\":%d,\"joined\":%llu,\"alive\":%d,"
         "\"join_seconds\":%.3f,\"settle_seconds\":%.3f,"
         "\"join_server_cpu_s\":%.3f,"
         "\"rss_before_kib\":%ld,\"rss_joined_kib\":%ld,\"rss_idle_kib\":%ld,"
         "\"rss_hwm_kib\":%ld,"
         "\"datagrams_to_server\":%llu,\"datagrams_from_server\":%llu,"
         "\"bad_crc\":%llu,\"malformed\":%llu,\"refused\":%llu,"
         "\"resets\":%llu,\"goodbyes\":%llu,\"left_events\":%llu,"
         "\"notices\":%llu,\"send_errors\":%llu,\"join_retries\":%llu,"
         "\"stale\":%llu,\"error\":",
         target == T_UDPCHAT ? "udpchat" : "text", nmem,
         (unsigned long long)joined, alive(), (join_end - join_start) / 1e9,
         (settle_end - join_end) / 1e9, join_cpu_s, rss_before, rss_joined,
         rss_mem, status_kib("VmHWM"), (unsigned long long)tx,
         (unsigned long long)rx, (unsigned long long)bad_crc,
         (unsigned long long)bad_other, (unsigned long long)refused,
         (unsigned long long)resets, (unsigned long long)goodbyes,
         (unsigned long long)lefts, (unsigned long long)notices,
         (unsigned long long)send_errors, (unsigned long long)join_retries,
         (unsigned long long)stale);
  if (first_error[0]) {
    putchar('"');
    for (const char *p = first_error; *p; p++)
      if (*p == '"' || *p == '\\') printf("\\%c", *p);
      else if ((unsigned char)*p >= 0x20) putchar(*p);
    putchar('"');
  } else {
    printf("null");
  }
  printf(",\"phases\":[");
  for (int i = 0; i < nphases; i++) {
    if (i) putchar(',');
    print_phase(&phases[i]);
  }
  printf("]}\n");
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  crc_init();
  ack_ns = (int64_t)(ack_ms * 1e6);
  mem = calloc((size_t)nmem, sizeof *mem);
  fifo = calloc((size_t)nmem, sizeof *fifo);
  fifo_due = calloc((size_t)nmem, sizeof *fifo_due);
  hist = calloc(HIST_LEN, sizeof *hist);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (!mem || !fifo || !fifo_due || !hist || epfd < 0) {
    fprintf(stderr, "loadgen: out of memory\n");
    return 1;
  }
  /* A hard stop in case something below never ends. */
  alarm((unsigned)max_seconds + 30);
  open_members();
  for (int i = 0; i < BATCH; i++) {
    riov[i].iov_base = rbuf[i];
    riov[i].iov_len = DGRAM_MAX;
    rmsg[i].msg_hdr.msg_iov = &riov[i];
    rmsg[i].msg_hdr.msg_iovlen = 1;
  }
  now_ns = mono();
  deadline_ns = now_ns + (int64_t)(max_seconds * 1e9);
  join_start = last_rx = last_join = now_ns;
  rss_before = status_kib("VmRSS");
  struct epoll_event evs[512];
  uint64_t turns = 0;
  int64_t next_report = now_ns + 5000000000LL;
  while (stage != G_DONE) {
    if (now_ns >= deadline_ns + 10000000000LL) {
      note_error("gave up at the time limit");
      break;
    }
    int sending = stage == G_RUN && phases[cur].mode == M_SAT &&
                  inflight < (uint64_t)window;
    struct timespec ts = {0, sending ? 0 : 200000};
    int n = epoll_pwait2(epfd, evs, 512, &ts, NULL);
    now_ns = mono();
    for (int i = 0; i < n; i++) receive_from(&mem[evs[i].data.u32]);
    now_ns = mono();
    if (target == T_UDPCHAT) run_acks();
    if ((++turns & 7) == 0 || n == 0) scan_members();
    advance();
    if (now_ns >= next_report) {
      next_report = now_ns + 5000000000LL;
      fprintf(stderr,
              "loadgen: stage %d, joined %llu/%d, alive %d, backlog %lld, "
              "rx %llu, tx %llu, out of order %llu, duplicates %llu\n",
              stage, (unsigned long long)joined, nmem, alive(),
              (long long)join_backlog(), (unsigned long long)rx,
              (unsigned long long)tx, (unsigned long long)ooo,
              (unsigned long long)dups);
    }
  }
  print_json();
  return 0;
}
