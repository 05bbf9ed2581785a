/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench/booking loadgen: a small HTTP/1.1 keep-alive load generator on
 * epoll, cheap enough to share two cores with the server. It books
 * REQUESTS one-hour reservations over CONNECTIONS connections, each with
 * one request in flight, and prints throughput and latency percentiles.
 *
 * Request i books stream "bench-i" on node (i % NODES) in hour
 * (i / NODES) % HOURS from BASE: the two places the preload left free. */

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

typedef struct
{
  int fd;
  char out[1024];
  size_t out_len, out_sent;
  char in[8192];
  size_t in_len;
  int64_t sent_ns;
} Conn;

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64 (const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void
format_time (time_t t, char *buf, size_t len)
{
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *key;
static int port, nodes, hours, auto_node;
static long base;

static void
build_request (Conn *c, long i)
{
  char body[512], start[32], end[32], node[64] = "";
  long hour = (i / nodes) % hours;
  int n;

  format_time (base + hour * 3600, start, sizeof start);
  format_time (base + (hour + 1) * 3600, end, sizeof end);
  if (!auto_node)
    snprintf (node, sizeof node, ",\"node\":\"node%02ld\"", i % nodes);
  n = snprintf (body, sizeof body,
                "{\"stream\":\"bench-%ld\",\"start\":\"%s\",\"end\":\"%s\"%s}",
                i, start, end, node);
  c->out_len = snprintf (c->out, sizeof c->out,
                         "POST /api/v1/reservations HTTP/1.1\r\n"
                         "Host: 127.0.0.1:%d\r\n"
                         "Authorization: Bearer %s\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: %d\r\n\r\n%s",
                         port, key, n, body);
  c->out_sent = 0;
  c->in_len = 0;
}

/* Returns the status of a complete response in c->in, 0 if incomplete. */
static int
parse_response (Conn *c)
{
  char *head_end, *cl;
  long body_len = 0;

  c->in[c->in_len < sizeof c->in ? c->in_len : sizeof c->in - 1] = '\0';
  head_end = strstr (c->in, "\r\n\r\n");
  if (head_end == NULL)
    return 0;
  cl = strcasestr (c->in, "\r\nContent-Length:");
  if (cl != NULL && cl < head_end)
    body_len = strtol (cl + 17, NULL, 10);
  if ((size_t)(head_end + 4 - c->in) + body_len > c->in_len)
    return 0;
  return atoi (c->in + 9);
}

int
main (int argc, char **argv)
{
  long requests, next = 0, done = 0, created = 0, conflicts = 0, other = 0;
  int connections, ep;
  Conn *conns;
  int64_t *lat, t0, t1;
  struct sockaddr_in addr = { .sin_family = AF_INET };

  if (argc != 9)
    {
      fprintf (stderr, "usage: loadgen PORT KEY CONNECTIONS REQUESTS NODES "
                       "HOURS BASE_UNIX_S AUTO_NODE(0|1)\n");
      return 2;
    }
  port = atoi (argv[1]);
  key = argv[2];
  connections = atoi (argv[3]);
  requests = atol (argv[4]);
  nodes = atoi (argv[5]);
  hours = atoi (argv[6]);
  base = atol (argv[7]);
  auto_node = atoi (argv[8]);
  conns = calloc (connections, sizeof (Conn));
  lat = calloc (requests, sizeof (int64_t));
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ep = epoll_create1 (0);

  t0 = now_ns ();
  for (int k = 0; k < connections && next < requests; k++)
    {
      Conn *c = &conns[k];
      struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
      int one = 1;

      c->fd = socket (AF_INET, SOCK_STREAM, 0);
      setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (connect (c->fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        {
          perror ("connect");
          return 1;
        }
      build_request (c, next++);
      c->sent_ns = now_ns ();
      epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev);
    }

  while (done < requests)
    {
      struct epoll_event events[64];
      int n = epoll_wait (ep, events, 64, 10000);

      if (n <= 0)
        {
          fprintf (stderr, "stalled after %ld responses\n", done);
          return 1;
        }
      for (int e = 0; e < n; e++)
        {
          Conn *c = events[e].data.ptr;
          ssize_t r;
          int status;

          if ((events[e].events & EPOLLOUT) && c->out_sent < c->out_len)
            {
              r = write (c->fd, c->out + c->out_sent, c->out_len - c->out_sent);
              if (r > 0)
                c->out_sent += r;
              if (c->out_sent == c->out_len)
                {
                  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
                  epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
          if (!(events[e].events & EPOLLIN))
            continue;
          r = read (c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len);
          if (r <= 0)
            {
              fprintf (stderr, "connection closed: %s\n",
                       r == 0 ? "EOF" : strerror (errno));
              return 1;
            }
          c->in_len += r;
          if ((status = parse_response (c)) == 0)
            continue;
          lat[done++] = now_ns () - c->sent_ns;
          if (status == 201)
            created++;
          else if (status == 409)
            conflicts++;
          else
            {
              if (other++ == 0)
                fprintf (stderr, "first unexpected response: %.300s\n", c->in);
            }
          if (next < requests)
            {
              struct epoll_event ev
                  = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
              build_request (c, next++);
              c->sent_ns = now_ns ();
              epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
        }
    }
  t1 = now_ns ();

  qsort (lat, done, sizeof (int64_t), cmp_i64);
  printf ("requests=%ld created=%ld conflicts=%ld other=%ld seconds=%.2f "
          "rate=%.0f/s p50=%.2fms p99=%.2fms max=%.2fms\n",
          done, created, conflicts, other, (t1 - t0) / 1e9,
          done / ((t1 - t0) / 1e9), lat[done / 2] / 1e6,
          lat[(long)(done * 0.99)] / 1e6, lat[done - 1] / 1e6);
  for (int k = 0; k < connections; k++)
    close (conns[k].fd);
  free (conns);
  free (lat);
  close (ep);
  return other > 0;
}
