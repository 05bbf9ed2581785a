/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench/fanout viewers: N RTSP viewers in one process (epoll, raw RTSP over
 * TCP: DESCRIBE, SETUP of the first track, PLAY, then interleaved RTP),
 * cheap enough to share two cores with the server. Counts each viewer's
 * bytes per second and prints how many kept at least 95 % of the expected
 * bitrate, and how many seconds went without data.
 *
 *   viewers URL N SECONDS EXPECTED_BITS_PER_S [CYCLES]
 *
 * With CYCLES > 1 all viewers disconnect and connect again that many
 * times (a mass-disconnect check); the figures are of the last cycle. */

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

enum
{
  DESCRIBE,
  SETUP,
  PLAY,
  STREAMING,
  FAILED
};

typedef struct
{
  int fd, state, cseq;
  char in[65536];
  size_t in_len;
  char session[128];
  char setup_url[1024];
  uint64_t bytes, bytes_mark, bytes_last_second;
  int empty_seconds;
} Viewer;

static char url[512], host[256], path[256];
static int port;

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_request (Viewer *v, const char *method, const char *target,
              const char *extra)
{
  char buf[2048];
  int n;

  if (v->session[0])
    n = snprintf (buf, sizeof buf,
                  "%s %s RTSP/1.0\r\nCSeq: %d\r\nUser-Agent: sc-bench\r\n"
                  "%sSession: %s\r\n\r\n",
                  method, target, ++v->cseq, extra, v->session);
  else
    n = snprintf (buf, sizeof buf,
                  "%s %s RTSP/1.0\r\nCSeq: %d\r\nUser-Agent: sc-bench\r\n"
                  "%s\r\n",
                  method, target, ++v->cseq, extra);
  if (n <= 0 || n >= (int)sizeof buf || write (v->fd, buf, n) != n)
    v->state = FAILED;
}

static const char *
header (const char *msg, const char *name, char *out, size_t len)
{
  const char *p = strcasestr (msg, name);
  size_t n;

  if (p == NULL)
    return NULL;
  p += strlen (name);
  while (*p == ' ')
    p++;
  n = strcspn (p, ";\r\n");
  if (n >= len)
    n = len - 1;
  memcpy (out, p, n);
  out[n] = '\0';
  return out;
}

/* Handles one complete RTSP response at the start of v->in; returns its
 * length, 0 if incomplete. */
static size_t
on_response (Viewer *v)
{
  char *end = memmem (v->in, v->in_len, "\r\n\r\n", 4);
  char tmp[512];
  size_t head, body = 0;

  if (end == NULL)
    return 0;
  *end = '\0';
  head = end - v->in + 4;
  if (header (v->in, "\r\nContent-Length:", tmp, sizeof tmp))
    body = strtoul (tmp, NULL, 10);
  if (head + body > v->in_len)
    {
      *end = '\r';
      return 0;
    }
  if (strncmp (v->in, "RTSP/1.0 200", 12) != 0)
    {
      fprintf (stderr, "viewer refused: %.60s\n", v->in);
      v->state = FAILED;
      return head + body;
    }
  switch (v->state)
    {
      case DESCRIBE:
        {
          char base[512] = "", control[256] = "";
          char *sdp = v->in + head;
          char *c;

          sdp[body - 1] = '\0';
          header (v->in, "\r\nContent-Base:", base, sizeof base);
          c = strstr (sdp, "a=control:stream=");
          if (c == NULL)
            {
              v->state = FAILED;
              break;
            }
          sscanf (c + 10, "%255s", control);
          snprintf (v->setup_url, sizeof v->setup_url, "%s%s%s", base,
                    base[strlen (base) - 1] == '/' ? "" : "/", control);
          v->state = SETUP;
          send_request (v, "SETUP", v->setup_url,
                        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
          break;
        }
      case SETUP:
        header (v->in, "\r\nSession:", v->session, sizeof v->session);
        v->state = PLAY;
        send_request (v, "PLAY", url, "Range: npt=0-\r\n");
        break;
      case PLAY:
        v->state = STREAMING;
        break;
      default:
        break;
    }
  return head + body;
}

static void
on_readable (Viewer *v)
{
  ssize_t r = read (v->fd, v->in + v->in_len, sizeof v->in - v->in_len);
  size_t used = 0;

  if (r <= 0)
    {
      if (v->state != FAILED)
        fprintf (stderr, "viewer connection closed (%s)\n",
                 r == 0 ? "EOF" : strerror (errno));
      v->state = FAILED;
      return;
    }
  v->in_len += r;
  while (used < v->in_len)
    {
      char *p = v->in + used;
      size_t left = v->in_len - used, n;

      if (p[0] == '$')
        {
          if (left < 4)
            break;
          n = 4 + (((unsigned char)p[2] << 8) | (unsigned char)p[3]);
          if (left < n)
            break;
          v->bytes += n - 4;
          used += n;
          continue;
        }
      memmove (v->in, p, left);
      v->in_len = left;
      used = 0;
      if ((n = on_response (v)) == 0)
        return;
      used = n;
    }
  memmove (v->in, v->in + used, v->in_len - used);
  v->in_len -= used;
}

static int
connect_viewer (Viewer *v, int ep)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = v };
  int one = 1;

  memset (v, 0, sizeof *v);
  inet_pton (AF_INET, host, &addr.sin_addr);
  v->fd = socket (AF_INET, SOCK_STREAM, 0);
  setsockopt (v->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (v->fd, (struct sockaddr *)&addr, sizeof addr) != 0)
    return -1;
  epoll_ctl (ep, EPOLL_CTL_ADD, v->fd, &ev);
  v->state = DESCRIBE;
  send_request (v, "DESCRIBE", url, "Accept: application/sdp\r\n");
  return 0;
}

static int
cmp_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int n, seconds, cycles, ep = epoll_create1 (0);
  double expected;
  Viewer *v;

  if (argc < 5)
    {
      fprintf (stderr, "usage: viewers rtsp://HOST:PORT/PATH N SECONDS "
                       "EXPECTED_BITS_PER_S [CYCLES]\n");
      return 2;
    }
  if (strlen (argv[1]) >= sizeof url - 64)
    return 2;
  snprintf (url, sizeof url, "%s", argv[1]);
  if (sscanf (url, "rtsp://%255[^:]:%d%255s", host, &port, path) != 3)
    return 2;
  n = atoi (argv[2]);
  seconds = atoi (argv[3]);
  expected = atof (argv[4]);
  cycles = argc > 5 ? atoi (argv[5]) : 1;
  v = calloc (n, sizeof *v);

  for (int cycle = 1; cycle <= cycles; cycle++)
    {
      int64_t t0 = now_ms (), tick = t0 + 1000, end;
      int streaming = 0, failed = 0, fed = 0;
      uint64_t *rates = calloc (n, sizeof *rates);

      for (int i = 0; i < n; i++)
        if (connect_viewer (&v[i], ep) != 0)
          v[i].state = FAILED;
      /* Wait for every viewer to stream (or fail), at most 20 s. */
      while (now_ms () - t0 < 20000)
        {
          struct epoll_event evs[256];
          int k = epoll_wait (ep, evs, 256, 100);

          for (int e = 0; e < k; e++)
            on_readable (evs[e].data.ptr);
          streaming = failed = 0;
          for (int i = 0; i < n; i++)
            streaming += v[i].state == STREAMING,
                failed += v[i].state == FAILED;
          if (streaming + failed == n)
            break;
        }
      fprintf (stderr, "cycle %d: %d streaming, %d failed after %.1f s\n",
               cycle, streaming, failed, (now_ms () - t0) / 1000.0);
      for (int i = 0; i < n; i++)
        v[i].bytes_mark = v[i].bytes_last_second = v[i].bytes;
      t0 = now_ms ();
      tick = t0 + 1000;
      end = t0 + (int64_t)seconds * 1000;
      while (now_ms () < end)
        {
          struct epoll_event evs[256];
          int k = epoll_wait (ep, evs, 256, 50);

          for (int e = 0; e < k; e++)
            on_readable (evs[e].data.ptr);
          if (now_ms () >= tick)
            {
              for (int i = 0; i < n; i++)
                {
                  if (v[i].state == STREAMING
                      && v[i].bytes == v[i].bytes_last_second)
                    v[i].empty_seconds++;
                  v[i].bytes_last_second = v[i].bytes;
                }
              tick += 1000;
            }
        }
      int gaps = 0;

      for (int i = 0; i < n; i++)
        {
          rates[i] = (v[i].bytes - v[i].bytes_mark) * 8 / seconds;
          fed += v[i].state == STREAMING && rates[i] >= 0.95 * expected;
          gaps += v[i].empty_seconds;
        }
      qsort (rates, n, sizeof *rates, cmp_u64);
      printf ("cycle=%d viewers=%d streaming=%d fed=%d (>=95%% of %.0f bit/s) "
              "empty_seconds=%d min=%llu median=%llu max=%llu bit/s\n",
              cycle, n, streaming, fed, expected, gaps,
              (unsigned long long)rates[0], (unsigned long long)rates[n / 2],
              (unsigned long long)rates[n - 1]);
      fflush (stdout);
      free (rates);
      for (int i = 0; i < n; i++)
        close (v[i].fd);
    }
  free (v);
  close (ep);
  return 0;
}
