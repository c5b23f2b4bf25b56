/*
 * nullmilter: the cheapest milter possible on the wire, for load measurements. One thread, epoll,
 * non-blocking sockets, TCP_NODELAY. It only cuts frames and answers: OPTNEG with version 6, no
 * actions, and either no protocol flags (the default: every event is sent and answered CONTINUE)
 * or, with --nr, the no-reply flag of every stage the MTA offers (SMFIP_NR_CONN, _HELO, _MAIL,
 * _RCPT, _DATA, _UNKN, _EOH, _BODY, _HDR), so that only OPTNEG and EOM are answered. EOM gets
 * ACCEPT; MACRO, ABORT and QUIT_NC get nothing; QUIT closes. The replies to the frames of one read
 * leave in one write. No libmilter.
 *
 * Build:  cc -O2 -o nullmilter nullmilter.c                   (or `make` in this directory)
 * Run:    nullmilter [--nr] PORT                                (listens on 127.0.0.1:PORT)
 *         It prints "nullmilter: listening on 127.0.0.1:PORT" once the socket is open.
 *
 * Frames over 1 MiB (payload length checked before buffering) close the connection, as does any
 * read or write error. Connections are limited only by the descriptor limit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FRAME (1024 * 1024)
#define READ_SIZE (64 * 1024)
#define OUT_SIZE 4096

/* Protocol flags (libmilter's mfdef.h). */
#define NR_EVERY_STAGE (0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000 | 0x80000 | 0x80)

struct client {
	int fd;
	char *buf; /* unconsumed input */
	size_t len, cap;
	uint32_t nr; /* the no-reply flags negotiated */
};

static int g_nr_mode;

/* Whether `cmd` is answered under the flags negotiated. */
static int answers(const struct client *c, char cmd)
{
	switch (cmd) {
	case 'D': case 'A': case 'K': return 0;
	case 'C': return !(c->nr & 0x1000);
	case 'H': return !(c->nr & 0x2000);
	case 'M': return !(c->nr & 0x4000);
	case 'R': return !(c->nr & 0x8000);
	case 'T': return !(c->nr & 0x10000);
	case 'U': return !(c->nr & 0x20000);
	case 'N': return !(c->nr & 0x40000);
	case 'B': return !(c->nr & 0x80000);
	case 'L': return !(c->nr & 0x80);
	default: return 1;
	}
}

static void put_reply(char *out, size_t *len, char cmd, const void *data, uint32_t dlen)
{
	uint32_t n = htonl(dlen + 1);
	memcpy(out + *len, &n, 4);
	out[*len + 4] = cmd;
	if (dlen > 0)
		memcpy(out + *len + 5, data, dlen);
	*len += 5 + dlen;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Replies are tiny and the MTA reads them; wait for room rather than buffer. */
			fd_set w;
			FD_ZERO(&w);
			FD_SET(fd, &w);
			select(fd + 1, NULL, &w, NULL, NULL);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Handles every whole frame buffered; returns -1 to close the connection. */
static int handle(struct client *c)
{
	char out[OUT_SIZE];
	size_t olen = 0, pos = 0;
	int quit = 0;
	while (!quit && c->len - pos >= 5) {
		uint32_t n;
		memcpy(&n, c->buf + pos, 4);
		n = ntohl(n);
		if (n == 0 || n > MAX_FRAME)
			return -1;
		if (c->len - pos < 4 + (size_t)n)
			break;
		char cmd = c->buf[pos + 4];
		const char *payload = c->buf + pos + 5;
		pos += 4 + n;
		if (olen + 64 > OUT_SIZE) {
			if (send_all(c->fd, out, olen) < 0)
				return -1;
			olen = 0;
		}
		if (cmd == 'O') {
			if (n - 1 < 12)
				return -1;
			uint32_t offer[3], reply[3];
			memcpy(offer, payload, 12);
			c->nr = g_nr_mode ? (ntohl(offer[2]) & NR_EVERY_STAGE) : 0;
			reply[0] = htonl(6);
			reply[1] = htonl(0);
			reply[2] = htonl(c->nr);
			put_reply(out, &olen, 'O', reply, 12);
		} else if (cmd == 'Q') {
			quit = 1;
		} else if (cmd == 'E') {
			put_reply(out, &olen, 'a', NULL, 0);
		} else if (answers(c, cmd)) {
			put_reply(out, &olen, 'c', NULL, 0);
		}
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
	if (olen > 0 && send_all(c->fd, out, olen) < 0)
		return -1;
	return quit ? -1 : 0;
}

/* Reads what is there; returns -1 to close. */
static int readable(struct client *c)
{
	for (;;) {
		if (c->cap - c->len < READ_SIZE) {
			size_t cap = c->cap * 2 > c->len + READ_SIZE ? c->cap * 2 : c->len + READ_SIZE;
			if (cap > MAX_FRAME + READ_SIZE + 5)
				return -1;
			char *grown = realloc(c->buf, cap);
			if (grown == NULL)
				return -1;
			c->buf = grown;
			c->cap = cap;
		}
		size_t room = c->cap - c->len;
		ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
		if (handle(c) < 0)
			return -1;
		if ((size_t)n < room) /* a short read: the socket is drained */
			return 0;
	}
}

int main(int argc, char **argv)
{
	int argi = 1;
	if (argi < argc && strcmp(argv[argi], "--nr") == 0) {
		g_nr_mode = 1;
		argi++;
	}
	if (argc - argi != 1) {
		fprintf(stderr, "usage: nullmilter [--nr] PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int port = atoi(argv[argi]);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
		perror("nullmilter: listen");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("nullmilter: listening on 127.0.0.1:%d%s\n", port, g_nr_mode ? " (NR on every stage)" : "");
	fflush(stdout);
	struct epoll_event events[256];
	for (;;) {
		int count = epoll_wait(ep, events, 256, -1);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0) {
			perror("nullmilter: epoll_wait");
			return 1;
		}
		for (int i = 0; i < count; i++) {
			struct client *c = events[i].data.ptr;
			if (c == NULL) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					struct client *nc = calloc(1, sizeof *nc);
					if (nc == NULL) {
						close(fd);
						continue;
					}
					nc->fd = fd;
					struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
				}
				continue;
			}
			if (readable(c) < 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				free(c->buf);
				free(c);
			}
		}
	}
}
