/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench RTMP load: many RTMP clients in one process (epoll, raw RTMP over
 * TCP), against slotcast or nginx-rtmp alike.
 *
 *   rtmpload refuse PORT APP NAME N SECONDS
 *     N connections at a time, each: handshake, connect, createStream,
 *     publish NAME; the server must refuse (onStatus error and/or close).
 *     Then the next attempt. Prints refusals per second and the time from
 *     publish to refusal (p50, p99).
 *   rtmpload play PORT APP NAME N SECONDS EXPECTED_BITS_PER_S
 *     N viewers playing NAME; after 2 s, counts each one's bytes for
 *     SECONDS and prints how many kept >= 95 % of the expected bitrate.
 *
 * Commands are pipelined after the handshake (no wait for _result), which
 * both servers accept. Connection k binds 127.0.0.(2 + k % 250), so a
 * per-address connection limit sees many clients, as it would in the field. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HANDSHAKE 1536
#define KEEP 8192

enum
{
  CONNECTING,
  HANDSHAKING,
  RUNNING,
  DEAD
};

typedef struct
{
  int fd, state, slot;
  uint8_t in[KEEP];
  size_t in_len; /* handshake bytes, then the first KEEP bytes after it */
  int64_t t_publish_us;
  uint64_t bytes, acked, bytes_mark;
} Conn;

static int refuse_mode, port, epfd;
static const char *app, *name;
static uint8_t commands[4096];
static size_t commands_len;
static uint64_t refusals, admitted, errors;
static double *latencies;
static size_t n_latencies, cap_latencies;

static int64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* AMF0 writers. */
static void
put (uint8_t **p, const void *data, size_t n)
{
  memcpy (*p, data, n);
  *p += n;
}

static void
amf_string (uint8_t **p, const char *s)
{
  size_t n = strlen (s);
  uint8_t h[3] = { 2, n >> 8, n & 0xff };

  put (p, h, 3);
  put (p, s, n);
}

static void
amf_number (uint8_t **p, double v)
{
  uint64_t bits;
  uint8_t b[9] = { 0 };

  memcpy (&bits, &v, 8);
  for (int i = 0; i < 8; i++)
    b[1 + i] = bits >> (56 - 8 * i);
  put (p, b, 9);
}

static void
amf_key (uint8_t **p, const char *k)
{
  size_t n = strlen (k);
  uint8_t h[2] = { n >> 8, n & 0xff };

  put (p, h, 2);
  put (p, k, n);
}

/* One message as chunks of 128 bytes (the default size). */
static void
chunk (uint8_t csid, uint8_t type, uint32_t stream, const uint8_t *body,
       size_t n)
{
  uint8_t *p = commands + commands_len;
  uint8_t h[12]
      = { csid, 0,    0,      0,           n >> 16,      n >> 8,
          n,    type, stream, stream >> 8, stream >> 16, stream >> 24 };

  put (&p, h, 12);
  for (size_t off = 0; off < n; off += 128)
    {
      if (off > 0)
        *p++ = 0xc0 | csid;
      put (&p, body + off, n - off < 128 ? n - off : 128);
    }
  commands_len = p - commands;
}

static void
build_commands (void)
{
  uint8_t body[1024], *p;
  char tc_url[256];

  snprintf (tc_url, sizeof tc_url, "rtmp://127.0.0.1:%d/%s", port, app);
  p = body;
  amf_string (&p, "connect");
  amf_number (&p, 1);
  *p++ = 3;
  amf_key (&p, "app");
  amf_string (&p, app);
  amf_key (&p, "type");
  amf_string (&p, "nonprivate");
  amf_key (&p, "flashVer");
  amf_string (&p, "FMLE/3.0 (compatible; sc-bench)");
  amf_key (&p, "tcUrl");
  amf_string (&p, tc_url);
  put (&p, "\0\0\x09", 3);
  chunk (3, 20, 0, body, p - body);

  p = body;
  amf_string (&p, "createStream");
  amf_number (&p, 2);
  *p++ = 5;
  chunk (3, 20, 0, body, p - body);

  p = body;
  amf_string (&p, refuse_mode ? "publish" : "play");
  amf_number (&p, 3);
  *p++ = 5;
  amf_string (&p, name);
  if (refuse_mode)
    amf_string (&p, "live");
  else
    amf_number (&p, -2000);
  chunk (4, 20, 1, body, p - body);
}

static int
open_conn (Conn *c)
{
  struct sockaddr_in local = { .sin_family = AF_INET };
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = c };
  int one = 1;

  local.sin_addr.s_addr = htonl (0x7f000002 + c->slot % 250);
  to.sin_addr.s_addr = htonl (0x7f000001);
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (bind (c->fd, (struct sockaddr *)&local, sizeof local) < 0
      || (connect (c->fd, (struct sockaddr *)&to, sizeof to) < 0
          && errno != EINPROGRESS))
    {
      close (c->fd);
      return -1;
    }
  c->state = CONNECTING;
  c->in_len = 0;
  c->bytes = c->acked = c->bytes_mark = 0;
  epoll_ctl (epfd, EPOLL_CTL_ADD, c->fd, &ev);
  return 0;
}

static void
close_conn (Conn *c)
{
  epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->state = DEAD;
}

static void
record_latency (double ms)
{
  if (n_latencies == cap_latencies)
    {
      cap_latencies = cap_latencies ? cap_latencies * 2 : 4096;
      latencies = realloc (latencies, cap_latencies * sizeof *latencies);
    }
  latencies[n_latencies++] = ms;
}

static int
send_all (int fd, const void *data, size_t n)
{
  /* Small writes into an empty socket buffer: they go at once. */
  return write (fd, data, n) == (ssize_t)n ? 0 : -1;
}

/* An attempt ended; in refuse mode the next one starts. */
static void
finish (Conn *c, int refused)
{
  if (refuse_mode)
    {
      if (refused)
        {
          refusals++;
          record_latency ((now_us () - c->t_publish_us) / 1000.0);
        }
      close_conn (c);
      if (open_conn (c) < 0)
        errors++;
      return;
    }
  close_conn (c);
}

static void
on_readable (Conn *c)
{
  uint8_t buf[65536];

  for (;;)
    {
      ssize_t n = read (c->fd, buf, sizeof buf);

      if (n == 0 || (n < 0 && errno != EAGAIN))
        {
          /* Closed: a refusal if it came after the publish went out. */
          if (c->state != RUNNING)
            errors++;
          finish (c, c->state == RUNNING);
          return;
        }
      if (n < 0)
        return;
      c->bytes += n;
      if (c->state == HANDSHAKING)
        {
          size_t take
              = (size_t)n < KEEP - c->in_len ? (size_t)n : KEEP - c->in_len;
          memcpy (c->in + c->in_len, buf, take);
          c->in_len += take;
          if (c->in_len < 1 + 2 * HANDSHAKE)
            continue;
          /* C2 echoes S1, then every command at once. */
          if (send_all (c->fd, c->in + 1, HANDSHAKE) < 0
              || send_all (c->fd, commands, commands_len) < 0)
            {
              errors++;
              finish (c, 0);
              return;
            }
          c->t_publish_us = now_us ();
          c->state = RUNNING;
          memmove (c->in, c->in + 1 + 2 * HANDSHAKE,
                   c->in_len - 1 - 2 * HANDSHAKE);
          c->in_len -= 1 + 2 * HANDSHAKE;
        }
      else if (refuse_mode && c->in_len < KEEP)
        {
          size_t take
              = (size_t)n < KEEP - c->in_len ? (size_t)n : KEEP - c->in_len;
          memcpy (c->in + c->in_len, buf, take);
          c->in_len += take;
        }
      if (refuse_mode
          && memmem (c->in, c->in_len, "NetStream.Publish.Start", 23) != NULL)
        {
          admitted++;
          finish (c, 0);
          return;
        }
      /* Viewers acknowledge every 1 MB, whatever window was asked. */
      if (!refuse_mode && c->bytes - c->acked > 1000000)
        {
          uint32_t total = (uint32_t)c->bytes;
          uint8_t ack[16]
              = { 2, 0, 0, 0, 0,           0,           4,          3,
                  0, 0, 0, 0, total >> 24, total >> 16, total >> 8, total };
          c->acked = c->bytes;
          if (send_all (c->fd, ack, sizeof ack) < 0)
            errors++;
        }
    }
}

static void
on_writable (Conn *c)
{
  static uint8_t c0c1[1 + HANDSHAKE] = { 3 };
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
  int err = 0;
  socklen_t len = sizeof err;

  getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0 || send_all (c->fd, c0c1, sizeof c0c1) < 0)
    {
      errors++;
      finish (c, 0);
      return;
    }
  c->state = HANDSHAKING;
  epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int n, seconds;
  double expected = 0;
  Conn *conns;
  int64_t t0, measure_from, until;
  struct epoll_event events[256];

  if (argc < 7 || (strcmp (argv[1], "play") == 0 && argc < 8))
    {
      fprintf (stderr, "usage: rtmpload refuse|play PORT APP NAME N SECONDS "
                       "[EXPECTED_BITS_PER_S]\n");
      return 2;
    }
  refuse_mode = strcmp (argv[1], "refuse") == 0;
  port = atoi (argv[2]);
  app = argv[3];
  name = argv[4];
  n = atoi (argv[5]);
  seconds = atoi (argv[6]);
  if (!refuse_mode)
    expected = atof (argv[7]);
  build_commands ();
  epfd = epoll_create1 (0);
  conns = calloc (n, sizeof *conns);
  for (int i = 0; i < n; i++)
    {
      conns[i].slot = i;
      if (open_conn (&conns[i]) < 0)
        {
          perror ("connect");
          return 1;
        }
    }

  t0 = now_us ();
  measure_from = refuse_mode ? t0 : t0 + 2000000;
  until = measure_from + (int64_t)seconds * 1000000;
  for (int marked = refuse_mode; now_us () < until;)
    {
      int k = epoll_wait (epfd, events, 256, 100);

      if (!marked && now_us () >= measure_from)
        {
          for (int i = 0; i < n; i++)
            conns[i].bytes_mark = conns[i].bytes;
          marked = 1;
        }
      for (int i = 0; i < k; i++)
        {
          Conn *c = events[i].data.ptr;

          if (c->state == DEAD)
            continue;
          if (c->state == CONNECTING)
            on_writable (c);
          else
            on_readable (c);
        }
    }

  if (refuse_mode)
    {
      qsort (latencies, n_latencies, sizeof *latencies, compare);
      printf ("connections=%d seconds=%d refusals=%llu refusals_per_s=%.0f "
              "p50_ms=%.2f p99_ms=%.2f admitted=%llu errors=%llu\n",
              n, seconds, (unsigned long long)refusals,
              refusals / (double)seconds,
              n_latencies ? latencies[n_latencies / 2] : 0,
              n_latencies ? latencies[n_latencies * 99 / 100] : 0,
              (unsigned long long)admitted, (unsigned long long)errors);
    }
  else
    {
      int fed = 0, alive = 0;
      double sum = 0;

      for (int i = 0; i < n; i++)
        {
          double rate = (conns[i].bytes - conns[i].bytes_mark) * 8.0 / seconds;

          alive += conns[i].state == RUNNING;
          fed += rate >= 0.95 * expected;
          sum += rate;
        }
      printf ("viewers=%d playing=%d fed=%d mean_bits_per_s=%.0f\n", n, alive,
              fed, sum / n);
    }
  return 0;
}
