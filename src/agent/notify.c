/*
 * notify.c - telling systemd how the agent is doing (sd_notify(3)'s
 * protocol, written here so no libsystemd is needed): one datagram of
 * "READY=1", "WATCHDOG=1" or "STOPPING=1" to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for an abstract socket).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "util/banned.h"

void agent_notify(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL || (path[0] != '/' && path[0] != '@'))
        return;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n < 2 || n >= sizeof(sa.sun_path))
        return;
    memcpy(sa.sun_path, path, n);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0'; /* sd_notify(3): an abstract socket */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    (void)!sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)&sa, len);
    close(fd);
}

unsigned long agent_watchdog_ms(void)
{
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    if (usec == NULL)
        return 0;
    /* sd_watchdog_enabled(3): WATCHDOG_PID, when set, must be this process. */
    if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
        return 0;
    char *end = NULL;
    unsigned long long us = strtoull(usec, &end, 10);
    if (end == usec || *end != '\0' || us == 0)
        return 0;
    return (unsigned long)(us / 1000 > 0 ? us / 1000 : 1);
}
