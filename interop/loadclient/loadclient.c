/*
 * loadclient: a C milter load generator that speaks the milter protocol itself (no libmilter),
 * shaped like Postfix 3.x. It is the yardstick `milter-replay --connections N` is compared with
 * (scripts/load-vs-c-client.sh), so it is written to be fast: a thread per connection, blocking
 * sockets with TCP_NODELAY, buffered reads, and one write per step (the MACRO packet and the
 * command together; inside a message, commands that take no reply wait in the buffer for the next
 * one that does). CONNECT, HELO, ABORT and QUIT leave at once, when the SMTP session would send
 * them: that is also when milter-replay sends them.
 *
 * Build:  cc -O2 -o loadclient loadclient.c -lpthread          (or `make` in this directory)
 * Run:    loadclient [-c CONNECTIONS] [-m MESSAGES] [-n TOTAL] [-b BODY_BYTES] [-t TIMEOUT_S] [-f FILE]... HOST PORT
 *         loadclient -w SESSION_FILE [-c CONNECTIONS] [-n SESSIONS] [-t TIMEOUT_S] HOST PORT
 *         defaults: 64 connections at once, 5 messages per connection, TOTAL = CONNECTIONS x MESSAGES
 *         (each thread then opens one connection), a 4096-byte body, 30 s timeout. With a larger
 *         TOTAL each thread opens connection after connection until TOTAL messages are sent.
 *
 * Each connection does what Postfix does per SMTP connection:
 *   OPTNEG (version 6, actions 0x1FF, protocol 0x1FFFFF), CONNECT, HELO, then per message
 *   MAIL, RCPT, DATA, 10 HEADERs, EOH, one BODY chunk, EOM, ABORT; finally ABORT and QUIT in one write
 *   (Postfix's helo_reset aborts the milter once more before milter_disc_event's QUIT), and close.
 *   After a verdict at CONNECT or HELO it closes without either, as Postfix does.
 * With -f (repeatable) the messages are those files (RFC 5322 messages, .eml), taken in turn, instead
 * of the generated one: each header field is sent as `milter-replay` sends it (one leading space
 * dropped unless the milter asked for SMFIP_HDR_LEADSPC, folding kept as bare LF, NULs dropped; a first
 * "From " line skipped), the body with CRLF
 * line ends in BODY chunks of at most 65,535 bytes. The envelope stays the same for every message.
 * Every command is preceded by Postfix's default macros ("D" packets), also for skipped events.
 * It honours the milter's answer: events the milter declined (SMFIP_NO*) are not sent, and replies
 * are not awaited for events it flagged no-reply (SMFIP_NR_*). At EOM it reads modification
 * packets until the final reply. A non-continue reply before EOM ends the message early, as Postfix.
 *
 * With -w the connections replay recorded sessions instead: the MTA side of real milter connections,
 * written from a capture by scripts/pcap-to-sessions.py ("MTASESS1", then per session a 4-byte
 * big-endian length and the MTA's frames, OPTNEG first). Each session is one connection; the threads
 * take sessions in file order, round after round, until SESSIONS (default: each once) have run, as
 * `milter-replay --pcap FILE --repeat K` hands them out. Every recorded frame after OPTNEG goes out as
 * recorded (the client's own OPTNEG above replaces the recorded one), adapted to the milter's answer as
 * Postfix adapts (src/milter/milter8.c): declined events are not sent (their macros are), NR replies are
 * not awaited, BODY chunks after SKIP are not sent, a reply other than continue to MAIL, DATA, a header
 * stage, BODY (or to RCPT when no recipient is left) skips the rest of the transaction up to the next
 * ABORT or MAIL (an ABORT is sent before that MAIL if the recording has none), and one to CONNECT or
 * HELO closes the connection without QUIT. CONNECT, HELO, ABORT and QUIT leave at once, as above. A
 * message runs from its MAIL to EOM's final reply, or to the reply that ended it, or to the ABORT or
 * MAIL that follows a recorded transaction with no EOM. The file is checked whole before the run; a
 * truncated or malformed file is refused with the offset of the fault.
 *
 * Output (one line): connections, messages, failed connections, elapsed seconds, messages per
 * second, and the p50 / p99 / max latency of one message (MAIL sent .. EOM's final reply), in ms;
 * with -w also the sessions run and sessions per second (sessions_per_s).
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
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPLY (1024 * 1024) /* refuse replies larger than this before buffering them */
#define IN_SIZE (64 * 1024)
#define OUT_SIZE (256 * 1024)

/* Protocol bits this client looks at (see /usr/include/libmilter/mfdef.h). */
#define P_NOCONNECT 0x1
#define P_NOHELO 0x2
#define P_NOMAIL 0x4
#define P_NORCPT 0x8
#define P_NOBODY 0x10
#define P_NOHDRS 0x20
#define P_NOEOH 0x40
#define P_NR_HDR 0x80
#define P_NOUNKNOWN 0x100
#define P_NODATA 0x200
#define P_NR_CONN 0x1000
#define P_NR_HELO 0x2000
#define P_NR_MAIL 0x4000
#define P_NR_RCPT 0x8000
#define P_NR_DATA 0x10000
#define P_NR_UNKN 0x20000
#define P_NR_EOH 0x40000
#define P_NR_BODY 0x80000
#define P_HDR_LEADSPC 0x100000

#define MAX_FILES 4096
#define MAX_FILE_BYTES (64L * 1024 * 1024) /* refuse larger message files before reading them */
#define BODY_CHUNK 65535
#define MAX_SESSION_FILE_BYTES (512L * 1024 * 1024) /* refuse larger session files before reading them */

/* A message from a file, as the milter gets it: HEADER payloads ("name\0value\0") and the body. Each payload
 * comes twice: with one leading space of the value dropped (as Postfix sends it), and as written (as Postfix
 * sends it when the milter asked for SMFIP_HDR_LEADSPC), so that neither costs a copy per message. */
struct message {
	char **headers;
	size_t *header_lengths;
	char **headers_leadspc;
	size_t *header_lengths_leadspc;
	int header_count;
	char *body; /* CRLF line ends */
	size_t body_length;
};

struct options {
	const char *host, *port;
	int connections, messages, body_bytes, timeout;
	long total;
	struct addrinfo *address;
	struct message *files; /* -f: the messages sent in turn; NULL: the generated message */
	int file_count;
	struct recording *recording; /* -w: the recorded sessions replayed in turn; NULL: generated ones */
};

/* A session file (-w), checked whole: session k is bytes [start[k], start[k] + length[k]) of data. */
struct recording {
	unsigned char *data;
	size_t *start, *length;
	long *messages; /* MAIL commands in each session */
	long count;
	long max_messages;
};

/* The messages handed out so far, shared by the threads; g_next_file picks the next -f message. */
static long g_taken, g_next_file;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	const struct options *opt;
	int index;
	double *latencies; /* one per message, milliseconds */
	long capacity;
	long done;          /* messages completed */
	long sessions;      /* connections opened */
	long failed;        /* connections that broke */
	char error[256];
};

struct conn {
	int fd;
	uint32_t protocol; /* what the milter asked for */
	const char *body;
	struct worker *w;
	char out[OUT_SIZE];
	size_t out_len;
	char in[IN_SIZE];
	size_t in_start, in_end;
	int skipped; /* the last reply awaited was SKIP */
};

/* Appends `len` bytes to a growing buffer; returns -1 when out of memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n > *cap) {
		size_t want = (*cap ? *cap * 2 : 256);
		while (want < *len + n)
			want *= 2;
		char *grown = realloc(*buf, want);
		if (grown == NULL)
			return -1;
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

/* The end of the line starting at `i` (its LF, or `n`), and its content end (before CR LF / LF). */
static size_t line_end(const char *b, size_t i, size_t n, size_t *content_end)
{
	size_t e = i;
	while (e < n && b[e] != '\n')
		e++;
	*content_end = (e > i && e < n && b[e - 1] == '\r') ? e - 1 : e;
	return e;
}

/* A field line's colon: printable ASCII name without colon, optional blanks, then ':'; or 0. */
static size_t field_colon(const char *b, size_t i, size_t end, size_t *name_end)
{
	size_t k = i;
	while (k < end && (unsigned char)b[k] > 0x20 && (unsigned char)b[k] < 0x7F && b[k] != ':')
		k++;
	if (k == i)
		return 0;
	*name_end = k;
	while (k < end && (b[k] == ' ' || b[k] == '\t'))
		k++;
	return (k < end && b[k] == ':') ? k : 0;
}

/* One HEADER payload: the name, NUL, the value (one leading space dropped unless `keep_space`, CR before LF
 * and NULs dropped: folding stays a bare LF, as Postfix sends it), NUL; its length in *length. */
static char *header_payload(const char *b, size_t name_start, size_t name_end, size_t value_start, size_t value_end,
			    int keep_space, size_t *length)
{
	size_t cap = (name_end - name_start) + (value_end - value_start) + 2, len = 0;
	char *payload = malloc(cap);
	if (payload == NULL)
		return NULL;
	for (size_t k = name_start; k < name_end; k++)
		if (b[k] != 0)
			payload[len++] = b[k];
	payload[len++] = 0;
	if (!keep_space && value_start < value_end && b[value_start] == ' ')
		value_start++;
	for (size_t k = value_start; k < value_end; k++) {
		if (b[k] == 0 || (b[k] == '\r' && k + 1 < value_end && b[k + 1] == '\n'))
			continue;
		payload[len++] = b[k];
	}
	payload[len++] = 0;
	*length = len;
	return payload;
}

/* Adds one header field's two HEADER payloads (see struct message). */
static int add_header(struct message *m, const char *b, size_t name_start, size_t name_end, size_t value_start,
		      size_t value_end)
{
	size_t n = (size_t)(m->header_count + 1), len = 0, len_leadspc = 0;
	char **headers = realloc(m->headers, sizeof(char *) * n);
	if (headers != NULL)
		m->headers = headers;
	size_t *lengths = realloc(m->header_lengths, sizeof(size_t) * n);
	if (lengths != NULL)
		m->header_lengths = lengths;
	char **headers_leadspc = realloc(m->headers_leadspc, sizeof(char *) * n);
	if (headers_leadspc != NULL)
		m->headers_leadspc = headers_leadspc;
	size_t *lengths_leadspc = realloc(m->header_lengths_leadspc, sizeof(size_t) * n);
	if (lengths_leadspc != NULL)
		m->header_lengths_leadspc = lengths_leadspc;
	char *payload = header_payload(b, name_start, name_end, value_start, value_end, 0, &len);
	char *payload_leadspc = header_payload(b, name_start, name_end, value_start, value_end, 1, &len_leadspc);
	if (payload == NULL || payload_leadspc == NULL || headers == NULL || lengths == NULL || headers_leadspc == NULL ||
	    lengths_leadspc == NULL) {
		free(payload);
		free(payload_leadspc);
		return -1;
	}
	m->headers[m->header_count] = payload;
	m->header_lengths[m->header_count] = len;
	m->headers_leadspc[m->header_count] = payload_leadspc;
	m->header_lengths_leadspc[m->header_count++] = len_leadspc;
	return 0;
}

/* Reads a message file into `m` as milter-replay sends it (see the top of this file). */
static int load_message(const char *path, struct message *m)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "loadclient: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *b = NULL;
	size_t n = 0, cap = 0;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (n + got > (size_t)MAX_FILE_BYTES || append(&b, &n, &cap, chunk, got) < 0) {
			fprintf(stderr, "loadclient: %s: larger than %ld bytes, or out of memory\n", path, MAX_FILE_BYTES);
			fclose(f);
			free(b);
			return -1;
		}
	}
	fclose(f);
	*m = (struct message){0};
	size_t i = 0, content_end, body_start = n;
	if (n >= 5 && memcmp(b, "From ", 5) == 0) { /* an mbox "From " line is not a header field */
		size_t e = line_end(b, 0, n, &content_end);
		i = e < n ? e + 1 : n;
	}
	/* The field being collected: its name, and its value up to the content end of its last line. */
	size_t name_start = 0, name_end = 0, value_start = 0, value_end = 0;
	int pending = 0;
	while (i < n) {
		size_t e = line_end(b, i, n, &content_end), next = e < n ? e + 1 : n, colon, nend;
		if (content_end == i) { /* the empty line */
			body_start = next;
			break;
		}
		if ((b[i] == ' ' || b[i] == '\t') && pending) {
			value_end = content_end;
		} else if ((colon = field_colon(b, i, content_end, &nend)) != 0) {
			if (pending && add_header(m, b, name_start, name_end, value_start, value_end) < 0)
				goto oom;
			name_start = i, name_end = nend, value_start = colon + 1, value_end = content_end, pending = 1;
		} else { /* neither a field nor its continuation: the body starts here */
			body_start = i;
			break;
		}
		i = next;
	}
	if (pending && add_header(m, b, name_start, name_end, value_start, value_end) < 0)
		goto oom;
	/* The body: lines split at LF, one CR before each LF dropped, each ended with CRLF. */
	size_t body_cap = 0;
	for (size_t k = body_start; k < n;) {
		size_t e = line_end(b, k, n, &content_end);
		if (append(&m->body, &m->body_length, &body_cap, b + k, content_end - k) < 0 ||
		    append(&m->body, &m->body_length, &body_cap, "\r\n", 2) < 0)
			goto oom;
		k = e < n ? e + 1 : n;
	}
	free(b);
	return 0;
oom:
	fprintf(stderr, "loadclient: %s: out of memory\n", path);
	free(b);
	return -1;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Checks the frames of session `k` (bytes [at, at + len) of the file); returns its MAIL count, or -1
 * after printing what is wrong and where. */
static long check_session(const char *path, const unsigned char *data, size_t at, size_t len, long k)
{
	long messages = 0;
	const char *what = NULL;
	size_t i = 0;
	if (len == 0)
		what = "is empty";
	while (what == NULL && i < len) {
		uint32_t n = len - i >= 5 ? be32(data + at + i) : 0;
		unsigned char cmd = n > 0 ? data[at + i + 4] : 0;
		if (len - i < 5)
			what = "ends inside a frame header";
		else if (n == 0)
			what = "has a frame of length 0";
		else if (n > len - i - 4)
			what = "has a frame longer than the rest of the session";
		else if (n - 1 > OUT_SIZE - 5)
			what = "has a frame too large to send";
		else if (i == 0 && (cmd != 'O' || n != 13))
			what = "does not start with OPTNEG";
		else if (i > 0 && (cmd == 0 || strchr("DCHMRTLNBEAQU", cmd) == NULL))
			what = "has a command Postfix does not send";
		else if (cmd == 'D' && n < 2)
			what = "has a MACRO frame without its stage";
		else {
			messages += cmd == 'M';
			i += 4 + n;
		}
	}
	if (what == NULL)
		return messages;
	fprintf(stderr, "loadclient: %s: session %ld %s (file offset %zu)\n", path, k + 1, what, at + i);
	return -1;
}

/* Reads and checks a session file (-w; the format is at the top of this file). */
static int load_recording(const char *path, struct recording *r)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (f == NULL || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "loadclient: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_SESSION_FILE_BYTES) {
		fprintf(stderr, "loadclient: %s: not a regular file of at most %ld bytes\n", path, MAX_SESSION_FILE_BYTES);
		fclose(f);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	*r = (struct recording){.data = malloc(size > 0 ? size : 1)};
	if (r->data == NULL || fread(r->data, 1, size, f) != size) {
		fprintf(stderr, "loadclient: %s: cannot read %zu bytes\n", path, size);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (size < 8 || memcmp(r->data, "MTASESS1", 8) != 0) {
		fprintf(stderr, "loadclient: %s: not a session file (no MTASESS1 header; see scripts/pcap-to-sessions.py)\n",
			path);
		return -1;
	}
	/* The first pass checks and counts the sessions, the second records where each one is. */
	for (int pass = 0; pass < 2; pass++) {
		long k = 0;
		for (size_t at = 8; at < size; k++) {
			size_t len = size - at >= 4 ? be32(r->data + at) : 0;
			if (size - at < 4 || len > size - at - 4) {
				fprintf(stderr, "loadclient: %s: session %ld is cut short (file offset %zu): a truncated file\n",
					path, k + 1, at);
				return -1;
			}
			long messages = check_session(path, r->data, at + 4, len, k);
			if (messages < 0)
				return -1;
			if (pass == 1) {
				r->start[k] = at + 4, r->length[k] = len, r->messages[k] = messages;
				if (messages > r->max_messages)
					r->max_messages = messages;
			}
			at += 4 + len;
		}
		if (k == 0) {
			fprintf(stderr, "loadclient: %s: no session in the file\n", path);
			return -1;
		}
		r->count = k;
		if (pass == 0) {
			r->start = calloc((size_t)k, sizeof(size_t));
			r->length = calloc((size_t)k, sizeof(size_t));
			r->messages = calloc((size_t)k, sizeof(long));
			if (r->start == NULL || r->length == NULL || r->messages == NULL) {
				fprintf(stderr, "loadclient: %s: out of memory\n", path);
				return -1;
			}
		}
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int fail(struct conn *c, const char *what)
{
	if (c->w->error[0] == '\0')
		snprintf(c->w->error, sizeof c->w->error, "connection %d: %s (%s)", c->w->index, what,
			 errno ? strerror(errno) : "protocol");
	return -1;
}

/* Sends what is buffered. */
static int flush(struct conn *c)
{
	size_t sent = 0;
	errno = 0;
	while (sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + sent, c->out_len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			return fail(c, "write");
		sent += (size_t)n;
	}
	c->out_len = 0;
	return 0;
}

/* Buffers one packet: u32 length (command byte included), command, payload. */
static int put_packet(struct conn *c, char cmd, const char *data, size_t len)
{
	if (c->out_len + 5 + len > OUT_SIZE && flush(c) < 0)
		return -1;
	if (5 + len > OUT_SIZE) {
		errno = 0;
		return fail(c, "packet too large");
	}
	uint32_t n = htonl((uint32_t)len + 1);
	memcpy(c->out + c->out_len, &n, 4);
	c->out[c->out_len + 4] = cmd;
	if (len > 0)
		memcpy(c->out + c->out_len + 5, data, len);
	c->out_len += 5 + len;
	return 0;
}

/* Makes sure `need` bytes are buffered from in_start; returns -1 on EOF or error. */
static int fill(struct conn *c, size_t need)
{
	if (c->in_end - c->in_start >= need)
		return 0;
	if (c->in_start > 0) {
		memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
		c->in_end -= c->in_start;
		c->in_start = 0;
	}
	while (c->in_end < need) {
		ssize_t n = recv(c->fd, c->in + c->in_end, IN_SIZE - c->in_end, 0);
		if (n <= 0)
			return -1;
		c->in_end += (size_t)n;
	}
	return 0;
}

/* Reads one packet; returns the command byte or -1. The payload is skipped (this client needs
 * only OPTNEG's, which fits in the buffer and is copied to `optneg` when given). */
static int read_packet(struct conn *c, uint32_t optneg[3])
{
	uint32_t n;
	errno = 0;
	if (fill(c, 5) < 0)
		return fail(c, "read");
	memcpy(&n, c->in + c->in_start, 4);
	n = ntohl(n);
	if (n == 0 || n > MAX_REPLY) {
		errno = 0;
		return fail(c, "reply length out of range");
	}
	int cmd = (unsigned char)c->in[c->in_start + 4];
	size_t len = n - 1;
	c->in_start += 5;
	if (optneg != NULL) {
		if (len < 12 || len > IN_SIZE - 5 || fill(c, len) < 0) {
			errno = 0;
			return fail(c, "bad OPTNEG reply");
		}
		memcpy(optneg, c->in + c->in_start, 12);
		c->in_start += len;
		return cmd;
	}
	while (len > 0) { /* skip the payload, however long */
		if (c->in_end == c->in_start && fill(c, 1) < 0)
			return fail(c, "read payload");
		size_t have = c->in_end - c->in_start, take = have < len ? have : len;
		c->in_start += take;
		len -= take;
	}
	return cmd;
}

/*
 * Sends what is buffered and reads replies until a final one: 'c' (continue) is returned as 'c';
 * progress 'p' is skipped; at EOM (at_eom) modification packets are skipped too. Returns the final
 * reply byte or -1.
 */
static int await_reply(struct conn *c, int at_eom)
{
	c->skipped = 0;
	if (flush(c) < 0)
		return -1;
	for (;;) {
		int cmd = read_packet(c, NULL);
		if (cmd < 0)
			return -1;
		if (cmd == 'p')
			continue;
		if (at_eom && strchr("+-2ebhimq", cmd) != NULL)
			continue;
		if (cmd == 's') { /* SKIP: the rest of this event type is not wanted; for us, continue */
			c->skipped = 1;
			return 'c';
		}
		if (strchr("acdrty", cmd) != NULL)
			return cmd;
		errno = 0;
		return fail(c, "unexpected reply");
	}
}

/* A "D" packet: stage, then NUL-separated name/value pairs given as one buffer. */
static int put_macros(struct conn *c, char stage, const char *pairs, size_t len)
{
	char buf[512];
	buf[0] = stage;
	memcpy(buf + 1, pairs, len);
	return put_packet(c, 'D', buf, len + 1);
}

/* Buffers macros + command, then waits for the reply unless the milter declined or said no-reply. */
static int step(struct conn *c, char stage, const char *macros, size_t mlen, char cmd, const char *data,
		size_t len, uint32_t no_flag, uint32_t nr_flag)
{
	if (macros != NULL && put_macros(c, stage, macros, mlen) < 0)
		return -1;
	if (c->protocol & no_flag)
		return 'c';
	if (put_packet(c, cmd, data, len) < 0)
		return -1;
	if (c->protocol & nr_flag)
		return 'c';
	int r = await_reply(c, 0);
	/* Postfix ignores DISCARD at CONNECT and HELO */
	return (cmd == 'C' || cmd == 'H') && r == 'd' ? 'c' : r;
}

#define LIT(s) s, sizeof(s) - 1 /* a string literal with its embedded NULs, without the last one */

static int negotiate(struct conn *c)
{
	uint32_t v[3] = {htonl(6), htonl(0x1FF), htonl(0x1FFFFF)};
	if (put_packet(c, 'O', (const char *)v, 12) < 0 || flush(c) < 0)
		return -1;
	int cmd = read_packet(c, v);
	if (cmd < 0)
		return -1;
	if (cmd != 'O') {
		errno = 0;
		return fail(c, "bad OPTNEG reply");
	}
	c->protocol = ntohl(v[2]) & ~0x70000000u;
	return 0;
}

static int run_message(struct conn *c, long n)
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
	const struct options *opt = c->w->opt;
	if (opt->files != NULL) { /* the next message file's headers and body chunks */
		long pick = __atomic_fetch_add(&g_next_file, 1, __ATOMIC_RELAXED) % opt->file_count;
		const struct message *m = &opt->files[pick];
		int leadspc = (c->protocol & P_HDR_LEADSPC) != 0;
		char **headers = leadspc ? m->headers_leadspc : m->headers;
		size_t *lengths = leadspc ? m->header_lengths_leadspc : m->header_lengths;
		for (int h = 0; h < m->header_count && r == 'c'; h++)
			r = step(c, 'L', LIT("i\0LOAD1\0"), 'L', headers[h], lengths[h], P_NOHDRS, P_NR_HDR);
		if (r == 'c')
			r = step(c, 'N', LIT("i\0LOAD1\0"), 'N', NULL, 0, P_NOEOH, P_NR_EOH);
		for (size_t at = 0; at < m->body_length && r == 'c'; at += BODY_CHUNK) {
			size_t len = m->body_length - at < BODY_CHUNK ? m->body_length - at : BODY_CHUNK;
			r = step(c, 'B', LIT("i\0LOAD1\0"), 'B', m->body + at, len, P_NOBODY, P_NR_BODY);
		}
	} else {
		for (int h = 0; h < 10 && r == 'c'; h++) {
			/* With SMFIP_HDR_LEADSPC Postfix sends the space after the colon too. */
			int len = snprintf(hdr, sizeof hdr, "%s%c%svalue %d of message %ld on connection %d", names[h], 0,
					   (c->protocol & P_HDR_LEADSPC) ? " " : "",
					   h, n, c->w->index);
			r = step(c, 'L', LIT("i\0LOAD1\0"), 'L', hdr, (size_t)len + 1, P_NOHDRS, P_NR_HDR);
		}
		if (r == 'c')
			r = step(c, 'N', LIT("i\0LOAD1\0"), 'N', NULL, 0, P_NOEOH, P_NR_EOH);
		if (r == 'c')
			r = step(c, 'B', LIT("i\0LOAD1\0"), 'B', c->body, (size_t)opt->body_bytes, P_NOBODY, P_NR_BODY);
	}
	if (r == 'c') {
		if (put_macros(c, 'E', LIT("i\0LOAD1\0")) < 0 || put_packet(c, 'E', NULL, 0) < 0)
			return -1;
		r = await_reply(c, 1);
	}
	if (r < 0)
		return -1;
	/* ABORT goes out at once, as Postfix sends it when the SMTP transaction ends. */
	return put_packet(c, 'A', NULL, 0) < 0 ? -1 : flush(c);
}

/* A recorded message ends: its latency (MAIL .. now) is kept, if one is running. */
static void end_message(struct conn *c, double *start)
{
	struct worker *w = c->w;
	if (*start < 0)
		return;
	if (w->done < w->capacity)
		w->latencies[w->done] = now_ms() - *start;
	w->done++;
	*start = -1;
}

/* Whether a command (or a MACRO's stage) belongs to a transaction after its MAIL. */
static int after_mail(char stage)
{
	return stage != 0 && strchr("RTLNBE", stage) != NULL;
}

/* The NO and NR flags that switch an event off or its reply. */
static void event_flags(char cmd, uint32_t *no, uint32_t *nr)
{
	static const char cmds[] = "CHMRTLNBU";
	static const uint32_t nos[] = {P_NOCONNECT, P_NOHELO, P_NOMAIL, P_NORCPT, P_NODATA,
				       P_NOHDRS,    P_NOEOH,  P_NOBODY, P_NOUNKNOWN};
	static const uint32_t nrs[] = {P_NR_CONN, P_NR_HELO, P_NR_MAIL, P_NR_RCPT, P_NR_DATA,
				       P_NR_HDR,  P_NR_EOH,  P_NR_BODY, P_NR_UNKN};
	const char *at = strchr(cmds, cmd);
	*no = at != NULL ? nos[at - cmds] : 0;
	*nr = at != NULL ? nrs[at - cmds] : 0;
}

/*
 * Replays one recorded session (checked by check_session) after OPTNEG, adapted to the milter's
 * answers as the top of this file says. Returns 0, or -1 if the connection broke.
 */
static int replay_session(struct conn *c, const unsigned char *p, size_t len)
{
	double start = -1;                     /* when the running message's MAIL (or its macros) went out */
	int mail_sent = 0, skip = 0, skip_body = 0, aborted = 1;
	long accepted = 0, refused = 0;        /* the transaction's recipients, by the milter's replies */
	for (size_t at = 4 + be32(p); at < len;) {
		uint32_t n = be32(p + at), no, nr;
		char cmd = (char)p[at + 4], stage = cmd;
		const char *data = (const char *)p + at + 5;
		int r = 'c';
		at += 4 + n;
		if (cmd == 'D')
			stage = data[0];
		if (stage == 'M') { /* a new transaction: the last one is over */
			if (mail_sent)
				end_message(c, &start);
			if (skip && !aborted && (put_packet(c, 'A', NULL, 0) < 0 || flush(c) < 0))
				return -1;
			skip = skip_body = mail_sent = 0, aborted = 1;
			if (start < 0)
				start = now_ms();
		}
		if (after_mail(stage) && stage != 'R' && !skip && accepted == 0 && refused > 0) {
			end_message(c, &start); /* every recipient refused: Postfix ends the transaction */
			skip = 1;
		}
		if (after_mail(stage) && (skip || (stage == 'B' && skip_body)))
			continue;
		event_flags(cmd, &no, &nr);
		switch (cmd) {
		case 'D':
			r = put_packet(c, 'D', data, n - 1) < 0 ? -1 : 'c';
			break;
		case 'E':
			if (put_packet(c, 'E', data, n - 1) < 0 || (r = await_reply(c, 1)) < 0)
				return -1;
			end_message(c, &start);
			break;
		case 'A':
		case 'Q':
			end_message(c, &start);
			if (put_packet(c, cmd, data, n - 1) < 0 || flush(c) < 0)
				return -1;
			if (cmd == 'Q')
				return 0; /* the caller closes right after QUIT, as Postfix */
			aborted = 1, skip = skip_body = 0;
			break;
		default:
			if ((r = step(c, 0, NULL, 0, cmd, data, n - 1, no, nr)) < 0)
				return -1;
			if ((cmd == 'C' || cmd == 'H') && flush(c) < 0)
				return -1;
			if ((cmd == 'C' || cmd == 'H') && r != 'c')
				return 0; /* a connection-level verdict: Postfix closes without QUIT */
			if (cmd == 'M')
				mail_sent = 1, aborted = 0, accepted = refused = 0;
			if (cmd == 'B' && r == 'c' && c->skipped && !(c->protocol & (no | nr)))
				skip_body = 1;
			if (cmd == 'R' && r == 'c')
				accepted++;
			else if (cmd == 'R' && r != 'a' && r != 'd')
				refused++; /* this recipient only */
			else if (cmd != 'U' && r != 'c') {
				end_message(c, &start);
				skip = 1;
			}
		}
		if (r < 0)
			return -1;
	}
	end_message(c, &start); /* the recording ends with a close, not QUIT */
	return flush(c);
}

static int connect_to(const struct options *opt)
{
	struct addrinfo *res = opt->address;
	int fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = opt->timeout};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Takes up to `want` messages of the run; returns how many, 0 when the run is over. */
static long take(const struct options *opt, long want)
{
	pthread_mutex_lock(&g_lock);
	long left = opt->total - g_taken, got = left < want ? left : want;
	if (got < 0)
		got = 0;
	g_taken += got;
	pthread_mutex_unlock(&g_lock);
	return got;
}

/* One connection: OPTNEG, CONNECT, HELO, `count` messages, QUIT; or with -w, OPTNEG and recorded
 * session `count`. Returns 0, or -1 if it broke. */
static int session(struct conn *c, long count)
{
	struct worker *w = c->w;
	c->out_len = 0;
	c->in_start = c->in_end = 0;
	errno = 0;
	c->fd = connect_to(w->opt);
	if (c->fd < 0)
		return fail(c, "connect");
	int r = negotiate(c) < 0 ? -1 : 'c';
	const struct recording *rec = w->opt->recording;
	if (rec != NULL) {
		if (r == 'c')
			r = replay_session(c, rec->data + rec->start[count], rec->length[count]);
		close(c->fd);
		return r < 0 ? -1 : 0;
	}
	/* "\0" "127..." is split: "\0127" would be one octal escape and shift every later name and value. */
	if (r == 'c')
		r = step(c, 'C', LIT("j\0mta.load.test\0{daemon_name}\0mta.load.test\0{daemon_addr}\0" "127.0.0.1\0v\0Postfix 3.7.11\0_\0client.load.test [127.0.0.1]\0"),
			 'C', LIT("client.load.test\0" "4\x30\x39" "127.0.0.1\0"), P_NOCONNECT, P_NR_CONN);
	if (r == 'c' && flush(c) < 0) /* CONNECT and HELO leave when the SMTP client connects and greets */
		r = -1;
	if (r == 'c')
		r = step(c, 'H', "", 0, 'H', LIT("client.load.test\0"), P_NOHELO, P_NR_HELO);
	if (r == 'c' && flush(c) < 0)
		r = -1;
	for (long m = 0; m < count && r == 'c'; m++) {
		double start = now_ms();
		if (run_message(c, w->done) < 0) {
			r = -1;
			break;
		}
		if (w->done < w->capacity)
			w->latencies[w->done] = now_ms() - start;
		w->done++;
	}
	/* Postfix's smtpd.c ends the session with helo_reset, whose milter_abort (milter8_abort) writes ABORT to a
	 * milter still in the session, then milter_disc_event's QUIT: one write, as milter-replay sends them. A
	 * verdict at CONNECT or HELO (r is not 'c') closed the milter for Postfix: neither goes. */
	if (r == 'c' && (put_packet(c, 'A', NULL, 0) < 0 || put_packet(c, 'Q', NULL, 0) < 0 || flush(c) < 0))
		r = -1;
	close(c->fd); /* right after QUIT, as Postfix */
	return r < 0 ? -1 : 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct conn *c = calloc(1, sizeof *c);
	char *body = malloc((size_t)w->opt->body_bytes);
	if (c == NULL || body == NULL) {
		snprintf(w->error, sizeof w->error, "connection %d: out of memory", w->index);
		w->failed++;
		free(c);
		free(body);
		return NULL;
	}
	for (int i = 0; i < w->opt->body_bytes; i++) /* 72-character lines with CRLF, like a real body */
		body[i] = (i % 74 == 72) ? '\r' : (i % 74 == 73) ? '\n' : (char)('a' + i % 26);
	c->body = body;
	c->w = w;
	long count;
	const struct recording *rec = w->opt->recording;
	while ((count = take(w->opt, rec != NULL ? 1 : w->opt->messages)) > 0) {
		if (rec != NULL) /* the next recorded session, in file order, round after round */
			count = __atomic_fetch_add(&g_next_file, 1, __ATOMIC_RELAXED) % rec->count;
		w->sessions++;
		if (session(c, count) < 0)
			w->failed++;
	}
	free(body);
	free(c);
	return NULL;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: loadclient [-c CONNECTIONS] [-m MESSAGES] [-n TOTAL] [-b BODY_BYTES] [-t TIMEOUT_S] "
			"[-f MESSAGE_FILE]... HOST PORT\n"
			"       loadclient -w SESSION_FILE [-c CONNECTIONS] [-n SESSIONS] [-t TIMEOUT_S] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct options opt = {.connections = 64, .messages = 5, .body_bytes = 4096, .timeout = 30, .total = -1};
	int ch;
	static struct message files[MAX_FILES];
	static struct recording recording;
	while ((ch = getopt(argc, argv, "c:m:n:b:t:f:w:")) != -1) {
		switch (ch) {
		case 'c': opt.connections = atoi(optarg); break;
		case 'm': opt.messages = atoi(optarg); break;
		case 'n': opt.total = atol(optarg); break;
		case 'b': opt.body_bytes = atoi(optarg); break;
		case 't': opt.timeout = atoi(optarg); break;
		case 'f':
			if (opt.file_count == MAX_FILES) {
				fprintf(stderr, "loadclient: more than %d message files\n", MAX_FILES);
				return 2;
			}
			if (load_message(optarg, &files[opt.file_count]) < 0)
				return 2;
			opt.files = files;
			opt.file_count++;
			break;
		case 'w':
			if (opt.recording != NULL || load_recording(optarg, &recording) < 0)
				return 2;
			opt.recording = &recording;
			break;
		default: usage();
		}
	}
	if (opt.total < 0)
		opt.total = opt.recording != NULL ? opt.recording->count : (long)opt.connections * opt.messages;
	if (opt.recording != NULL && opt.files != NULL) {
		fprintf(stderr, "loadclient: -w and -f do not go together\n");
		return 2;
	}
	if (argc - optind != 2 || opt.connections < 1 || opt.messages < 1 || opt.total < 1 || opt.body_bytes < 1 ||
	    opt.body_bytes > 65535 || opt.timeout < 1)
		usage();
	opt.host = argv[optind];
	opt.port = argv[optind + 1];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	if (getaddrinfo(opt.host, opt.port, &hints, &opt.address) != 0) {
		fprintf(stderr, "loadclient: cannot resolve %s %s\n", opt.host, opt.port);
		return 2;
	}

	struct worker *workers = calloc((size_t)opt.connections, sizeof *workers);
	pthread_t *threads = calloc((size_t)opt.connections, sizeof *threads);
	if (workers == NULL || threads == NULL)
		return 1;
	/* Each thread keeps the latencies of up to its fair share, plus slack for an uneven split. */
	long capacity = opt.total / opt.connections + opt.messages * 4L + 16;
	if (opt.recording != NULL) { /* the run's messages: sessions 0, 1, ... in turn */
		long messages = 0;
		for (long k = 0; k < opt.total; k++)
			messages += opt.recording->messages[k % opt.recording->count];
		capacity = messages / opt.connections + messages / opt.connections / 2 + opt.recording->max_messages * 4 + 16;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	double start = now_ms();
	for (int i = 0; i < opt.connections; i++) {
		workers[i] = (struct worker){.opt = &opt, .index = i, .capacity = capacity,
					     .latencies = calloc((size_t)capacity, sizeof(double))};
		if (workers[i].latencies == NULL || pthread_create(&threads[i], &attr, worker_main, &workers[i]) != 0)
			return 1;
	}
	long total = 0, failed = 0, kept = 0, sessions = 0;
	for (int i = 0; i < opt.connections; i++) {
		pthread_join(threads[i], NULL);
		total += workers[i].done;
		kept += workers[i].done < workers[i].capacity ? workers[i].done : workers[i].capacity;
		failed += workers[i].failed;
		sessions += workers[i].sessions;
		if (workers[i].failed)
			fprintf(stderr, "loadclient: %s\n", workers[i].error);
	}
	double elapsed = (now_ms() - start) / 1000.0;
	double *all = calloc((size_t)(kept > 0 ? kept : 1), sizeof(double));
	long k = 0;
	for (int i = 0; i < opt.connections; i++)
		for (long j = 0; j < workers[i].done && j < workers[i].capacity; j++)
			all[k++] = workers[i].latencies[j];
	qsort(all, (size_t)kept, sizeof(double), compare_double);
	double p50 = kept ? all[(kept - 1) * 50 / 100] : 0, p99 = kept ? all[(kept - 1) * 99 / 100] : 0;
	printf("loadclient: connections=%d messages=%ld failed_connections=%ld elapsed=%.3fs rate=%.1f msg/s "
	       "p50=%.3fms p99=%.3fms max=%.3fms",
	       opt.connections, total, failed, elapsed, total / elapsed, p50, p99, kept ? all[kept - 1] : 0);
	if (opt.recording != NULL)
		printf(" sessions=%ld sessions_per_s=%.1f", sessions, sessions / elapsed);
	printf("\n");
	freeaddrinfo(opt.address);
	return failed ? 1 : 0;
}
