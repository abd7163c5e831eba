/*
 * journal.c - each audit record to the system journal, with structured
 * fields, through the journal's native protocol (systemd.journal-fields(7);
 * one datagram of "FIELD=value" lines to /run/systemd/journal/socket, no
 * libsystemd needed), or to syslog when there is no journal
 * (docs/audit.md, "The journal").  Best effort: the record is already
 * committed to the log, so a journal that is down loses nothing there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "crypto/hash.h"
#include "util/codec.h"
#include "util/banned.h"

#define DGRAM_MAX 32768

/* Appends "NAME=value\n" when value is set (values hold no newline: the
 * writer sanitised them). */
static int field(rbuf *b, const char *name, const char *value)
{
    if (value == NULL)
        return 0;
    return rbuf_appendf(b, "%s=%s\n", name, value);
}

static int priority(const audit_rec *r)
{
    if (strcmp(r->kind, "refused") == 0 || strcmp(r->kind, "anomaly") == 0 || strcmp(r->kind, "health-failed") == 0 ||
        strcmp(r->kind, "torn") == 0 || strcmp(r->kind, "interrupted") == 0)
        return LOG_WARNING;
    return LOG_INFO;
}

static bool send_dgram(const char *path, const rbuf *b)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(sa.sun_path))
        return false;
    memcpy(sa.sun_path, path, n);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    ssize_t w = sendto(fd, b->data, b->len, MSG_NOSIGNAL, (const struct sockaddr *)&sa, sizeof(sa));
    close(fd);
    return w == (ssize_t)b->len;
}

void audit_journal_send(const char *socket_path, const char *ident, const uint8_t *line, size_t n, const audit_rec *r)
{
    char summary[512];
    (void)snprintf(summary, sizeof(summary), "audit %" PRIu64 ": %s%s%s%s%s%s%s", r->seq, r->kind,
                   r->attack != NULL ? " (" : "", r->attack != NULL ? r->attack : "", r->attack != NULL ? ")" : "",
                   r->target != NULL ? " " : "", r->target != NULL ? r->target : "", r->version != NULL ? " " : "");
    if (r->version != NULL)
        (void)snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary), "%s", r->version);
    uint8_t d[RHASH_MAX_LEN];
    char hex[AUDIT_HEX_LEN + 1] = "";
    if (rhash_digest(RHASH_SHA256, line, n, d) == 0)
        rhex_encode(hex, d, 32);
    char seq[24], prio[4];
    (void)snprintf(seq, sizeof(seq), "%" PRIu64, r->seq);
    (void)snprintf(prio, sizeof(prio), "%d", priority(r));
    rbuf b;
    rbuf_init(&b, DGRAM_MAX);
    int rc = field(&b, "MESSAGE", summary);
    const char *fields[][2] = {
        {"PRIORITY", prio},
        {"SYSLOG_IDENTIFIER", ident},
        {"RAMPART_SEQ", seq},
        {"RAMPART_KIND", r->kind},
        {"RAMPART_ATTACK", r->attack},
        {"RAMPART_CODE", r->code},
        {"RAMPART_TARGET", r->target},
        {"RAMPART_VERSION", r->version},
        {"RAMPART_PREVIOUS", r->previous},
        {"RAMPART_SHA256", r->sha256},
        {"RAMPART_ANOMALY", r->anomaly},
        {"RAMPART_ANOMALY_ID", r->id},
        {"RAMPART_DETAIL", r->message},
        {"RAMPART_RECORD_SHA256", hex},
    };
    for (size_t i = 0; rc == 0 && i < RAMPART_ARRAY_LEN(fields); i++)
        rc = field(&b, fields[i][0], fields[i][1]);
    if (rc == 0)
        rc = rbuf_appendf(&b, "RAMPART_RECORD=%.*s\n", (int)n, (const char *)line);
    if (rc == 0 && !send_dgram(socket_path, &b)) {
        /* No journal: one syslog line with the record itself. */
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
        syslog(priority(r), "%s record=%.*s", summary, (int)n, (const char *)line);
        closelog();
    }
    rbuf_free(&b);
}
