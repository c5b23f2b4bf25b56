/*
 * cmilter: a libmilter test milter that covers every verdict and every modification,
 * for the swift-milter interop tests. It is a real peer to compare our code against.
 *
 * Build:  cc -O2 -o cmilter cmilter.c -lmilter -lpthread      (or `make` in this directory)
 * Run:    cmilter [--headers|--subject|--plain] [-v] [-t SECONDS] SOCKET
 *         SOCKET is a libmilter connection spec: inet:PORT@127.0.0.1, inet6:PORT@::1, unix:/path.
 *         The mode may also come from the environment: CMILTER_MODE=headers|subject|plain.
 *         -v traces each callback to stderr, one line each ("cmilter: eom verdict=reject ...").
 *         It prints "cmilter: listening on SOCKET" to stdout once the socket is open.
 *
 * THE DECISION RULES (a Swift milter mirroring this one must implement exactly these):
 *
 * Mode "headers" (default). Negotiates version 6 and actions ADDHDRS CHGBODY ADDRCPT DELRCPT
 * CHGHDRS QUARANTINE CHGFROM ADDRCPT_PAR (0xFF).
 *   HELO whose argument starts with "reject-helo"        -> REJECT at HELO.
 *   MAIL whose address starts with "<reject-mail"        -> REJECT at MAIL.
 *   RCPT whose address starts with "<reject-rcpt"        -> REPLYCODE "550 5.1.1 cmilter rejects this
 *                                                           recipient" at RCPT (the session goes on).
 *   RCPT whose address starts with "<tempfail-rcpt"      -> TEMPFAIL at RCPT.
 *   Every other event                                     -> CONTINUE.
 *   At end of message, first the modifications named by every "X-Test-Mod:" header
 *   (a list separated by spaces or commas; unknown words are ignored), in this order:
 *     progress     smfi_progress (a PROGRESS packet)
 *     addheader    add      "X-CMilter-Added: added by cmilter"
 *     insheader    insert   "X-CMilter-Inserted: inserted by cmilter" at index 0
 *     chgheader    change   the 1st "Subject" to "changed by cmilter"
 *     delheader    delete   the 1st "X-Test-Delete" (change with an empty value)
 *     addrcpt      add      recipient "<added@example.org>"
 *     addrcpt_par  add      recipient "<added-par@example.org>" with args "NOTIFY=NEVER"
 *     delrcpt      delete   every recipient whose address starts with "<delete-me" (as sent in RCPT)
 *     chgfrom      change   sender to "<changed-from@example.org>"
 *     replbody     replace  the body with "Body replaced by cmilter.\r\n"
 *   then the verdict named by the first "X-Test-Action:" header (its first word):
 *     accept (or no header, or an unknown word)  -> ACCEPT
 *     continue                                   -> CONTINUE
 *     reject                                     -> REJECT (the MTA's default text)
 *     tempfail                                   -> TEMPFAIL
 *     discard                                    -> DISCARD
 *     quarantine                                 -> QUARANTINE "cmilter quarantine", then ACCEPT
 *     replycode [CODE XCODE TEXT...]             -> REPLYCODE, default "554 5.7.0 cmilter replycode";
 *                                                   a 4xx CODE gives TEMPFAIL, else REJECT
 *
 * Mode "subject": the same decisions as ReferenceMilter's built-in rules
 * (RulesClassifier.defaultRulesText), so a replay against either gives the same replies. Negotiates
 * ADDHDRS and QUARANTINE; no envelope rules: every event before end of message is CONTINUE. At end of
 * message, from the first Subject header, first match wins (case-sensitive substring):
 *     "[reject]"     -> REPLYCODE "550 5.7.1 rejected by subject rule"
 *     "[tempfail]"   -> REPLYCODE "451 4.7.1 tempfail by subject rule"
 *     "[discard]"    -> DISCARD
 *     "[quarantine]" -> QUARANTINE "subject rule", then ACCEPT
 *     otherwise      -> add "X-Reference-Milter: checked", then ACCEPT
 *
 * Mode "plain": negotiates no actions; every event CONTINUE, end of message ACCEPT. For load tests.
 */
#include <libmilter/mfapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum mode { MODE_HEADERS, MODE_SUBJECT, MODE_PLAIN };
static enum mode g_mode = MODE_HEADERS;
static int g_verbose = 0;

#define MAX_DELETE 32
#define VALUE_MAX 1024

enum mod_bits {
	MOD_PROGRESS = 1 << 0, MOD_ADDHEADER = 1 << 1, MOD_INSHEADER = 1 << 2, MOD_CHGHEADER = 1 << 3,
	MOD_DELHEADER = 1 << 4, MOD_ADDRCPT = 1 << 5, MOD_ADDRCPT_PAR = 1 << 6, MOD_DELRCPT = 1 << 7,
	MOD_CHGFROM = 1 << 8, MOD_REPLBODY = 1 << 9,
};

static const struct { const char *word; unsigned bit; } mod_words[] = {
	{"progress", MOD_PROGRESS}, {"addheader", MOD_ADDHEADER}, {"insheader", MOD_INSHEADER},
	{"chgheader", MOD_CHGHEADER}, {"delheader", MOD_DELHEADER}, {"addrcpt", MOD_ADDRCPT},
	{"addrcpt_par", MOD_ADDRCPT_PAR}, {"delrcpt", MOD_DELRCPT}, {"chgfrom", MOD_CHGFROM},
	{"replbody", MOD_REPLBODY},
};

/* Per-connection state; the per-message part is reset at MAIL, EOM and ABORT. */
struct conn {
	unsigned mods;
	char action[VALUE_MAX];
	char subject[VALUE_MAX];
	char *delete_rcpts[MAX_DELETE];
	int n_delete;
	int n_headers;
	size_t body_bytes;
	unsigned long messages;
};

#define TRACE(...) do { if (g_verbose) { fprintf(stderr, "cmilter: " __VA_ARGS__); fputc('\n', stderr); } } while (0)

static struct conn *conn_of(SMFICTX *ctx) { return (struct conn *)smfi_getpriv(ctx); }

static void reset_message(struct conn *c)
{
	for (int i = 0; i < c->n_delete; i++)
		free(c->delete_rcpts[i]);
	c->n_delete = 0;
	c->mods = 0;
	c->action[0] = c->subject[0] = '\0';
	c->n_headers = 0;
	c->body_bytes = 0;
}

static void copy_value(char *dst, const char *src)
{
	snprintf(dst, VALUE_MAX, "%s", src);
}

static void parse_mods(struct conn *c, const char *value)
{
	char buf[VALUE_MAX];
	char *save = NULL;
	copy_value(buf, value);
	for (char *w = strtok_r(buf, " ,\t\r\n", &save); w != NULL; w = strtok_r(NULL, " ,\t\r\n", &save)) {
		for (size_t i = 0; i < sizeof mod_words / sizeof mod_words[0]; i++)
			if (strcasecmp(w, mod_words[i].word) == 0)
				c->mods |= mod_words[i].bit;
	}
}

static int starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)addr;
	struct conn *c = conn_of(ctx);
	if (c == NULL) {
		c = calloc(1, sizeof *c);
		if (c == NULL)
			return SMFIS_TEMPFAIL;
		smfi_setpriv(ctx, c);
	}
	TRACE("connect host=%s", host ? host : "(null)");
	return SMFIS_CONTINUE;
}

static sfsistat on_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx;
	TRACE("helo %s", helo);
	if (g_mode == MODE_HEADERS && starts_with(helo, "reject-helo"))
		return SMFIS_REJECT;
	return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	if (c != NULL)
		reset_message(c);
	TRACE("mail %s", argv[0]);
	if (g_mode == MODE_HEADERS && starts_with(argv[0], "<reject-mail"))
		return SMFIS_REJECT;
	return SMFIS_CONTINUE;
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	TRACE("rcpt %s", argv[0]);
	if (g_mode != MODE_HEADERS)
		return SMFIS_CONTINUE;
	if (starts_with(argv[0], "<reject-rcpt")) {
		smfi_setreply(ctx, "550", "5.1.1", "cmilter rejects this recipient");
		return SMFIS_REJECT;
	}
	if (starts_with(argv[0], "<tempfail-rcpt"))
		return SMFIS_TEMPFAIL;
	if (c != NULL && starts_with(argv[0], "<delete-me") && c->n_delete < MAX_DELETE)
		c->delete_rcpts[c->n_delete++] = strdup(argv[0]);
	return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_CONTINUE;
	c->n_headers++;
	TRACE("header %s", name);
	if (strcasecmp(name, "X-Test-Mod") == 0)
		parse_mods(c, value);
	else if (strcasecmp(name, "X-Test-Action") == 0 && c->action[0] == '\0')
		copy_value(c->action, value);
	else if (strcasecmp(name, "Subject") == 0 && c->subject[0] == '\0')
		copy_value(c->subject, value);
	return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)chunk;
	struct conn *c = conn_of(ctx);
	if (c != NULL)
		c->body_bytes += len;
	return SMFIS_CONTINUE;
}

static void apply_mods(SMFICTX *ctx, struct conn *c)
{
	static char body[] = "Body replaced by cmilter.\r\n";
	if (c->mods & MOD_PROGRESS)
		smfi_progress(ctx);
	if (c->mods & MOD_ADDHEADER)
		smfi_addheader(ctx, "X-CMilter-Added", "added by cmilter");
	if (c->mods & MOD_INSHEADER)
		smfi_insheader(ctx, 0, "X-CMilter-Inserted", "inserted by cmilter");
	if (c->mods & MOD_CHGHEADER)
		smfi_chgheader(ctx, "Subject", 1, "changed by cmilter");
	if (c->mods & MOD_DELHEADER)
		smfi_chgheader(ctx, "X-Test-Delete", 1, NULL);
	if (c->mods & MOD_ADDRCPT)
		smfi_addrcpt(ctx, "<added@example.org>");
	if (c->mods & MOD_ADDRCPT_PAR)
		smfi_addrcpt_par(ctx, "<added-par@example.org>", "NOTIFY=NEVER");
	if (c->mods & MOD_DELRCPT)
		for (int i = 0; i < c->n_delete; i++)
			smfi_delrcpt(ctx, c->delete_rcpts[i]);
	if (c->mods & MOD_CHGFROM)
		smfi_chgfrom(ctx, "<changed-from@example.org>", NULL);
	if (c->mods & MOD_REPLBODY)
		smfi_replacebody(ctx, (unsigned char *)body, (int)strlen(body));
}

/* "replycode [CODE XCODE TEXT...]": a 4xx code is a temporary failure, anything else a rejection. */
static sfsistat reply_code(SMFICTX *ctx, const char *args)
{
	char code[4] = "554", xcode[16] = "5.7.0";
	const char *text = "cmilter replycode";
	while (*args == ' ')
		args++;
	if (*args != '\0') {
		int used = 0;
		if (sscanf(args, "%3s %15s %n", code, xcode, &used) >= 2 && used > 0)
			text = args + used;
	}
	smfi_setreply(ctx, code, xcode, (char *)text);
	return code[0] == '4' ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

static sfsistat header_verdict(SMFICTX *ctx, struct conn *c)
{
	char word[32] = "";
	const char *a = c->action;
	while (*a == ' ')
		a++;
	sscanf(a, "%31s", word);
	if (strcasecmp(word, "continue") == 0)
		return SMFIS_CONTINUE;
	if (strcasecmp(word, "reject") == 0)
		return SMFIS_REJECT;
	if (strcasecmp(word, "tempfail") == 0)
		return SMFIS_TEMPFAIL;
	if (strcasecmp(word, "discard") == 0)
		return SMFIS_DISCARD;
	if (strcasecmp(word, "quarantine") == 0) {
		smfi_quarantine(ctx, "cmilter quarantine");
		return SMFIS_ACCEPT;
	}
	if (strcasecmp(word, "replycode") == 0)
		return reply_code(ctx, a + strlen(word));
	return SMFIS_ACCEPT;
}

static sfsistat subject_verdict(SMFICTX *ctx, struct conn *c)
{
	if (strstr(c->subject, "[reject]") != NULL) {
		smfi_setreply(ctx, "550", "5.7.1", "rejected by subject rule");
		return SMFIS_REJECT;
	}
	if (strstr(c->subject, "[tempfail]") != NULL) {
		smfi_setreply(ctx, "451", "4.7.1", "tempfail by subject rule");
		return SMFIS_TEMPFAIL;
	}
	if (strstr(c->subject, "[discard]") != NULL)
		return SMFIS_DISCARD;
	if (strstr(c->subject, "[quarantine]") != NULL) {
		smfi_quarantine(ctx, "subject rule");
		return SMFIS_ACCEPT;
	}
	smfi_addheader(ctx, "X-Reference-Milter", "checked");
	return SMFIS_ACCEPT;
}

static sfsistat on_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	sfsistat verdict = SMFIS_ACCEPT;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	c->messages++;
	if (g_mode == MODE_HEADERS) {
		apply_mods(ctx, c);
		verdict = header_verdict(ctx, c);
	} else if (g_mode == MODE_SUBJECT) {
		verdict = subject_verdict(ctx, c);
	}
	TRACE("eom message=%lu headers=%d body=%zu mods=0x%x verdict=%d", c->messages, c->n_headers,
	      c->body_bytes, c->mods, verdict);
	reset_message(c);
	return verdict;
}

static sfsistat on_abort(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	TRACE("abort");
	if (c != NULL)
		reset_message(c);
	return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	TRACE("close");
	if (c != NULL) {
		reset_message(c);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static sfsistat on_data(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat on_eoh(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat on_unknown(SMFICTX *ctx, const char *cmd) { (void)ctx; (void)cmd; return SMFIS_CONTINUE; }

static void usage(void)
{
	fprintf(stderr, "usage: cmilter [--headers|--subject|--plain] [-v] [-t SECONDS] SOCKET\n");
	exit(2);
}

static void set_mode(const char *name)
{
	if (strcmp(name, "headers") == 0) g_mode = MODE_HEADERS;
	else if (strcmp(name, "subject") == 0) g_mode = MODE_SUBJECT;
	else if (strcmp(name, "plain") == 0) g_mode = MODE_PLAIN;
	else usage();
}

int main(int argc, char **argv)
{
	const char *spec = NULL;
	int timeout = 0;
	const char *env = getenv("CMILTER_MODE");
	if (env != NULL && *env != '\0')
		set_mode(env);
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') set_mode(argv[i] + 2);
		else if (strcmp(argv[i], "-v") == 0) g_verbose = 1;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) timeout = atoi(argv[++i]);
		else if (spec == NULL) spec = argv[i];
		else usage();
	}
	if (spec == NULL)
		usage();

	struct smfiDesc desc = {
		.xxfi_name = "cmilter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = g_mode == MODE_HEADERS ? (SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_ADDRCPT |
			SMFIF_DELRCPT | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR)
			: g_mode == MODE_SUBJECT ? (SMFIF_ADDHDRS | SMFIF_QUARANTINE) : SMFIF_NONE,
		.xxfi_connect = on_connect, .xxfi_helo = on_helo, .xxfi_envfrom = on_envfrom,
		.xxfi_envrcpt = on_envrcpt, .xxfi_header = on_header, .xxfi_eoh = on_eoh,
		.xxfi_body = on_body, .xxfi_eom = on_eom, .xxfi_abort = on_abort, .xxfi_close = on_close,
		.xxfi_unknown = on_unknown, .xxfi_data = on_data, .xxfi_negotiate = NULL,
	};
	if (smfi_setconn((char *)spec) == MI_FAILURE || smfi_register(desc) == MI_FAILURE) {
		fprintf(stderr, "cmilter: cannot use %s\n", spec);
		return 1;
	}
	if (timeout > 0)
		smfi_settimeout(timeout);
	if (smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "cmilter: cannot open %s\n", spec);
		return 1;
	}
	printf("cmilter: listening on %s\n", spec);
	fflush(stdout);
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
