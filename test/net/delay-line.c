/*
 * A userspace delay line on a TUN device: this kernel has no netem, so the testbed's core routes every
 * packet it forwards into this device, and this program writes each one back after a delay chosen by its
 * source and destination addresses. The core's routing then sends it on (see testbed-topology.ts).
 *
 *   delay-line TUN CONFIG
 *
 * CONFIG holds lines `A.B.C.D/LEN ONE_WAY_MS JITTER_MS`: the one-way delay between that prefix and the
 * core. A packet waits ONE_WAY(src) + ONE_WAY(dst) plus a uniform jitter up to JITTER(src) + JITTER(dst);
 * packets between one pair of addresses never overtake each other (jitter is not reordering). Addresses
 * in no prefix get 0. It prints `ready` once the device exists, and on SIGTERM or SIGINT the packets it
 * carried and dropped (a full queue drops, as a router's would).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 2048
#define QUEUE_SLOTS 32768 /* 48 MB of 1500-byte packets: 100 Mbit/s held for 4 s */
#define MAX_PREFIXES 256
#define PAIR_SLOTS 65536

struct prefix { uint32_t net, mask; int64_t delay_ns, jitter_ns; };
/* `seq` breaks ties between equal due times in arrival order: a heap is not stable, and every packet read
 * in one batch is due at the same time, so without it a burst would leave reordered. */
struct packet { int64_t due_ns; uint64_t seq; uint32_t len; unsigned char data[MAX_PACKET]; };

static struct prefix prefixes[MAX_PREFIXES];
static int prefix_count;
static struct packet *queue; /* a min-heap on due_ns, of indexes into slots */
static uint32_t heap[QUEUE_SLOTS], free_slots[QUEUE_SLOTS];
static int heap_len, free_len;
static int64_t pair_last_due[PAIR_SLOTS];
static volatile sig_atomic_t stopping;
static unsigned long long carried, dropped, next_seq;

static int due_before(uint32_t a, uint32_t b) {
  return queue[a].due_ns < queue[b].due_ns || (queue[a].due_ns == queue[b].due_ns && queue[a].seq < queue[b].seq);
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_signal(int sig) { (void)sig; stopping = 1; }

static void load_config(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(2); }
  char addr[64];
  unsigned len;
  double delay_ms, jitter_ms;
  while (prefix_count < MAX_PREFIXES && fscanf(f, " %63[0-9.]/%u %lf %lf", addr, &len, &delay_ms, &jitter_ms) == 4) {
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1 || len > 32) { fprintf(stderr, "%s: bad prefix %s/%u\n", path, addr, len); exit(2); }
    uint32_t mask = len == 0 ? 0 : htonl(~0u << (32 - len));
    prefixes[prefix_count++] = (struct prefix){ a.s_addr & mask, mask, (int64_t)(delay_ms * 1e6), (int64_t)(jitter_ms * 1e6) };
  }
  fclose(f);
}

static const struct prefix *prefix_of(uint32_t addr) {
  /* The longest prefix wins, as in routing. */
  const struct prefix *best = NULL;
  for (int i = 0; i < prefix_count; i++) {
    if ((addr & prefixes[i].mask) == prefixes[i].net && (!best || ntohl(prefixes[i].mask) > ntohl(best->mask))) best = &prefixes[i];
  }
  return best;
}

static int64_t random_below(int64_t bound) {
  return bound <= 0 ? 0 : (int64_t)((double)random() / ((double)RAND_MAX + 1.0) * (double)bound);
}

static void heap_push(uint32_t slot) {
  int i = heap_len++;
  heap[i] = slot;
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (!due_before(heap[i], heap[parent])) break;
    uint32_t t = heap[parent]; heap[parent] = heap[i]; heap[i] = t;
    i = parent;
  }
}

static uint32_t heap_pop(void) {
  uint32_t top = heap[0];
  heap[0] = heap[--heap_len];
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap_len && due_before(heap[l], heap[m])) m = l;
    if (r < heap_len && due_before(heap[r], heap[m])) m = r;
    if (m == i) break;
    uint32_t t = heap[m]; heap[m] = heap[i]; heap[i] = t;
    i = m;
  }
  return top;
}

static void enqueue(struct packet *p, int64_t now) {
  int64_t delay = 0;
  uint32_t pair = 0;
  if (p->len >= 20 && (p->data[0] >> 4) == 4) {
    uint32_t src, dst;
    memcpy(&src, p->data + 12, 4);
    memcpy(&dst, p->data + 16, 4);
    const struct prefix *a = prefix_of(src), *b = prefix_of(dst);
    int64_t jitter = (a ? a->jitter_ns : 0) + (b ? b->jitter_ns : 0);
    delay = (a ? a->delay_ns : 0) + (b ? b->delay_ns : 0) + random_below(jitter);
    pair = (src * 2654435761u ^ dst * 40503u) % PAIR_SLOTS;
  }
  p->seq = next_seq++;
  p->due_ns = now + delay;
  if (p->due_ns < pair_last_due[pair]) p->due_ns = pair_last_due[pair];
  pair_last_due[pair] = p->due_ns;
}

static void flush_due(int fd, int64_t now) {
  while (heap_len > 0 && queue[heap[0]].due_ns <= now) {
    uint32_t slot = heap_pop();
    if (write(fd, queue[slot].data, queue[slot].len) < 0 && errno != EAGAIN) dropped++;
    else carried++;
    free_slots[free_len++] = slot;
  }
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s TUN CONFIG\n", argv[0]); return 2; }
  load_config(argv[2]);
  queue = calloc(QUEUE_SLOTS, sizeof *queue);
  if (!queue) { perror("calloc"); return 1; }
  for (uint32_t i = 0; i < QUEUE_SLOTS; i++) free_slots[free_len++] = QUEUE_SLOTS - 1 - i;
  srandom((unsigned)now_ns());

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
  if (fd < 0) { perror("/dev/net/tun"); return 1; }
  struct ifreq ifr = { 0 };
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }

  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready %s\n", ifr.ifr_name);
  fflush(stdout);

  while (!stopping) {
    int64_t now = now_ns();
    flush_due(fd, now);
    struct timespec wait, *timeout = NULL;
    if (heap_len > 0) {
      int64_t ns = queue[heap[0]].due_ns - now;
      wait = (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
      timeout = &wait;
    }
    struct pollfd pfd = { fd, POLLIN, 0 };
    if (ppoll(&pfd, 1, timeout, NULL) < 0) {
      if (errno == EINTR) continue;
      perror("poll");
      break;
    }
    if (!(pfd.revents & POLLIN)) continue;
    now = now_ns();
    for (;;) {
      if (free_len == 0) {
        unsigned char discard[MAX_PACKET];
        if (read(fd, discard, sizeof discard) <= 0) break;
        dropped++;
        continue;
      }
      uint32_t slot = free_slots[free_len - 1];
      ssize_t n = read(fd, queue[slot].data, MAX_PACKET);
      if (n <= 0) break;
      free_len--;
      queue[slot].len = (uint32_t)n;
      enqueue(&queue[slot], now);
      heap_push(slot);
    }
  }
  fprintf(stderr, "delay-line: carried %llu packets, dropped %llu\n", carried, dropped);
  return 0;
}
