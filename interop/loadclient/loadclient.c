/*
 * loadclient: a C milter load generator that speaks the milter protocol itself (no libmilter),
 * shaped like Postfix 3.x. It is the baseline that `milter-replay --connections N` is compared with.
 *
 * Build:  cc -O2 -o loadclient loadclient.c -lpthread          (or `make` in this directory)
 * Run:    loadclient [-c CONNECTIONS] [-m MESSAGES] [-b BODY_BYTES] [-t TIMEOUT_S] HOST PORT
 *         defaults: 64 connections, 100 messages per connection, 4096-byte body, 30 s timeout.
 *
 * Each connection (one thread each) does what Postfix does per SMTP connection:
 *   OPTNEG (version 6, actions 0x1FF, protocol 0x1FFFFF), CONNECT, HELO, then per message
 *   MAIL, RCPT, DATA, 10 HEADERs, EOH, one BODY chunk, EOM, ABORT; finally QUIT.
 * Every command is preceded by Postfix's default macros ("D" packets), also for skipped events.
 * It honours the milter's answer: events the milter declined (SMFIP_NO*) are not sent, and replies
 * are not awaited for events it flagged no-reply (SMFIP_NR_*). At EOM it reads modification
 * packets until the final reply. A non-continue reply before EOM ends the message early, as Postfix.
 *
 * Output (one line): connections, messages, errors, elapsed seconds, messages per second, and the
 * p50 / p99 / max latency of one message (MAIL sent .. EOM's final reply), in milliseconds.
 * The exit status is 1 if any connection failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPLY (1024 * 1024) /* refuse replies larger than this before buffering them */

/* Protocol bits this client looks at (see /usr/include/libmilter/mfdef.h). */
#define P_NOCONNECT 0x1
#define P_NOHELO 0x2
#define P_NOMAIL 0x4
#define P_NORCPT 0x8
#define P_NOBODY 0x10
#define P_NOHDRS 0x20
#define P_NOEOH 0x40
#define P_NR_HDR 0x80
#define P_NODATA 0x200
#define P_NR_CONN 0x1000
#define P_NR_HELO 0x2000
#define P_NR_MAIL 0x4000
#define P_NR_RCPT 0x8000
#define P_NR_DATA 0x10000
#define P_NR_EOH 0x40000
#define P_NR_BODY 0x80000

struct options {
	const char *host, *port;
	int connections, messages, body_bytes, timeout;
};

struct worker {
	const struct options *opt;
	int index;
	double *latencies; /* one per message, milliseconds */
	int done;          /* messages completed */
	int failed;        /* 1 if the connection broke */
	char error[256];
};

struct conn {
	int fd;
	uint32_t protocol; /* what the milter asked for */
	char *body;
	struct worker *w;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int fail(struct conn *c, const char *what)
{
	if (!c->w->failed)
		snprintf(c->w->error, sizeof c->w->error, "connection %d: %s (%s)", c->w->index, what,
			 errno ? strerror(errno) : "protocol");
	c->w->failed = 1;
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes one packet: u32 length (command byte included), command, payload. */
static int send_packet(struct conn *c, char cmd, const char *data, size_t len)
{
	char header[5];
	uint32_t n = htonl((uint32_t)len + 1);
	memcpy(header, &n, 4);
	header[4] = cmd;
	errno = 0;
	if (write_all(c->fd, header, 5) < 0 || (len > 0 && write_all(c->fd, data, len) < 0))
		return fail(c, "write");
	return 0;
}

/* Reads one packet into *buf (malloc'd, caller frees); returns the command byte or -1. */
static int read_packet(struct conn *c, char **buf, uint32_t *len)
{
	uint32_t n;
	char cmd;
	errno = 0;
	if (read_all(c->fd, (char *)&n, 4) < 0)
		return fail(c, "read length");
	n = ntohl(n);
	if (n == 0 || n > MAX_REPLY)
		return fail(c, "reply length out of range");
	if (read_all(c->fd, &cmd, 1) < 0)
		return fail(c, "read command");
	*len = n - 1;
	*buf = malloc(*len + 1);
	if (*buf == NULL)
		return fail(c, "out of memory");
	if (*len > 0 && read_all(c->fd, *buf, *len) < 0) {
		free(*buf);
		return fail(c, "read payload");
	}
	(*buf)[*len] = '\0';
	return (unsigned char)cmd;
}

/* A "D" packet: stage, then NUL-separated name/value pairs given as one buffer. */
static int send_macros(struct conn *c, char stage, const char *pairs, size_t len)
{
	char buf[512];
	buf[0] = stage;
	memcpy(buf + 1, pairs, len);
	return send_packet(c, 'D', buf, len + 1);
}

/*
 * Reads replies until a final one: 'c' (continue) is returned as 'c'; progress 'p' is skipped;
 * at EOM (at_eom) modification packets are skipped too. Returns the final reply byte or -1.
 */
static int await_reply(struct conn *c, int at_eom)
{
	for (;;) {
		char *buf = NULL;
		uint32_t len = 0;
		int cmd = read_packet(c, &buf, &len);
		free(buf);
		if (cmd < 0)
			return -1;
		if (cmd == 'p')
			continue;
		if (at_eom && strchr("+-2ebhimq", cmd) != NULL)
			continue;
		if (cmd == 's') /* SKIP: the rest of this event type is not wanted; for us, continue */
			return 'c';
		if (strchr("acdrty", cmd) != NULL)
			return cmd;
		errno = 0;
		return fail(c, "unexpected reply");
	}
}

/* Sends macros + command, then waits for the reply unless the milter declined or said no-reply. */
static int step(struct conn *c, char stage, const char *macros, size_t mlen, char cmd, const char *data,
		size_t len, uint32_t no_flag, uint32_t nr_flag)
{
	if (macros != NULL && send_macros(c, stage, macros, mlen) < 0)
		return -1;
	if (c->protocol & no_flag)
		return 'c';
	if (send_packet(c, cmd, data, len) < 0)
		return -1;
	if (c->protocol & nr_flag)
		return 'c';
	return await_reply(c, 0);
}

#define LIT(s) s, sizeof(s) - 1 /* a string literal with its embedded NULs, without the last one */

static int negotiate(struct conn *c)
{
	char offer[12], *buf = NULL;
	uint32_t v[3] = {htonl(6), htonl(0x1FF), htonl(0x1FFFFF)}, len = 0;
	memcpy(offer, v, 12);
	if (send_packet(c, 'O', offer, 12) < 0)
		return -1;
	int cmd = read_packet(c, &buf, &len);
	if (cmd < 0)
		return -1;
	if (cmd != 'O' || len < 12) {
		free(buf);
		errno = 0;
		return fail(c, "bad OPTNEG reply");
	}
	memcpy(v, buf, 12);
	free(buf);
	c->protocol = ntohl(v[2]) & ~0x70000000u;
	return 0;
}

static int run_message(struct conn *c, int n)
{
	static const char *names[10] = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
					"Content-Type", "X-Mailer", "X-Load-Index", "Received-SPF"};
	char hdr[256];
	int r = step(c, 'M', LIT("i\0LOAD1\0{mail_addr}\0sender@example.com\0{mail_host}\0example.com\0{mail_mailer}\0smtp\0"),
		     'M', LIT("<sender@example.com>\0SIZE=5000\0"), P_NOMAIL, P_NR_MAIL);
	if (r == 'c')
		r = step(c, 'R', LIT("i\0LOAD1\0{rcpt_addr}\0rcpt@example.org\0{rcpt_host}\0example.org\0{rcpt_mailer}\0smtp\0"),
			 'R', LIT("<rcpt@example.org>\0"), P_NORCPT, P_NR_RCPT);
	if (r == 'c')
		r = step(c, 'T', LIT("i\0LOAD1\0"), 'T', NULL, 0, P_NODATA, P_NR_DATA);
	for (int h = 0; h < 10 && r == 'c'; h++) {
		int len = snprintf(hdr, sizeof hdr, "%s%cvalue %d of message %d on connection %d", names[h], 0, h,
				   n, c->w->index);
		r = step(c, 'L', LIT("i\0LOAD1\0"), 'L', hdr, (size_t)len + 1, P_NOHDRS, P_NR_HDR);
	}
	if (r == 'c')
		r = step(c, 'N', LIT("i\0LOAD1\0"), 'N', NULL, 0, P_NOEOH, P_NR_EOH);
	if (r == 'c')
		r = step(c, 'B', LIT("i\0LOAD1\0"), 'B', c->body, (size_t)c->w->opt->body_bytes, P_NOBODY, P_NR_BODY);
	if (r == 'c') {
		if (send_macros(c, 'E', LIT("i\0LOAD1\0")) < 0 || send_packet(c, 'E', NULL, 0) < 0)
			return -1;
		r = await_reply(c, 1);
	}
	if (r < 0)
		return -1;
	return send_packet(c, 'A', NULL, 0);
}

static int connect_to(const struct options *opt)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(opt->host, opt->port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd >= 0) {
		struct timeval tv = {.tv_sec = opt->timeout};
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct conn c = {.w = w, .body = malloc((size_t)w->opt->body_bytes)};
	if (c.body == NULL) {
		w->failed = 1;
		return NULL;
	}
	for (int i = 0; i < w->opt->body_bytes; i++) /* 72-character lines with CRLF, like a real body */
		c.body[i] = (i % 74 == 72) ? '\r' : (i % 74 == 73) ? '\n' : (char)('a' + i % 26);
	errno = 0;
	c.fd = connect_to(w->opt);
	if (c.fd < 0) {
		fail(&c, "connect");
		free(c.body);
		return NULL;
	}
	int r = negotiate(&c) < 0 ? -1 : 'c';
	if (r == 'c')
		r = step(&c, 'C', LIT("j\0mta.load.test\0{daemon_name}\0mta.load.test\0{daemon_addr}\0127.0.0.1\0v\0Postfix 3.7.11\0_\0client.load.test [127.0.0.1]\0"),
			 'C', LIT("client.load.test\0" "4\x30\x39" "127.0.0.1\0"), P_NOCONNECT, P_NR_CONN);
	if (r == 'c')
		r = step(&c, 'H', "", 0, 'H', LIT("client.load.test\0"), P_NOHELO, P_NR_HELO);
	for (int m = 0; m < w->opt->messages && r == 'c'; m++) {
		double start = now_ms();
		if (run_message(&c, m) < 0)
			break;
		w->latencies[w->done++] = now_ms() - start;
	}
	if (!w->failed)
		send_packet(&c, 'Q', NULL, 0);
	close(c.fd);
	free(c.body);
	return NULL;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: loadclient [-c CONNECTIONS] [-m MESSAGES] [-b BODY_BYTES] [-t TIMEOUT_S] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct options opt = {.connections = 64, .messages = 100, .body_bytes = 4096, .timeout = 30};
	int ch;
	while ((ch = getopt(argc, argv, "c:m:b:t:")) != -1) {
		switch (ch) {
		case 'c': opt.connections = atoi(optarg); break;
		case 'm': opt.messages = atoi(optarg); break;
		case 'b': opt.body_bytes = atoi(optarg); break;
		case 't': opt.timeout = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || opt.connections < 1 || opt.messages < 1 || opt.body_bytes < 1 ||
	    opt.body_bytes > 65535 || opt.timeout < 1)
		usage();
	opt.host = argv[optind];
	opt.port = argv[optind + 1];

	struct worker *workers = calloc((size_t)opt.connections, sizeof *workers);
	pthread_t *threads = calloc((size_t)opt.connections, sizeof *threads);
	if (workers == NULL || threads == NULL)
		return 1;
	double start = now_ms();
	for (int i = 0; i < opt.connections; i++) {
		workers[i] = (struct worker){.opt = &opt, .index = i,
					     .latencies = calloc((size_t)opt.messages, sizeof(double))};
		if (workers[i].latencies == NULL || pthread_create(&threads[i], NULL, worker_main, &workers[i]) != 0)
			return 1;
	}
	long total = 0, failed = 0;
	for (int i = 0; i < opt.connections; i++) {
		pthread_join(threads[i], NULL);
		total += workers[i].done;
		if (workers[i].failed) {
			failed++;
			fprintf(stderr, "loadclient: %s\n", workers[i].error);
		}
	}
	double elapsed = (now_ms() - start) / 1000.0;
	double *all = calloc((size_t)(total > 0 ? total : 1), sizeof(double));
	long k = 0;
	for (int i = 0; i < opt.connections; i++)
		for (int j = 0; j < workers[i].done; j++)
			all[k++] = workers[i].latencies[j];
	qsort(all, (size_t)total, sizeof(double), compare_double);
	double p50 = total ? all[(total - 1) * 50 / 100] : 0, p99 = total ? all[(total - 1) * 99 / 100] : 0;
	printf("loadclient: connections=%d messages=%ld failed_connections=%ld elapsed=%.3fs rate=%.1f msg/s "
	       "p50=%.3fms p99=%.3fms max=%.3fms\n",
	       opt.connections, total, failed, elapsed, total / elapsed, p50, p99, total ? all[total - 1] : 0);
	return failed ? 1 : 0;
}
