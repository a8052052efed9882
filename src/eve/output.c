/* EVE outputs: a file (append, reopened on SIGHUP), stdout, or a unix socket.
 * Workers hand over whole lines; one mutex keeps lines from interleaving. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "eve/eve.h"

static enum mk_status open_socket(struct mk_eve_output *o, struct mk_error *err)
{
    struct sockaddr_un sa;
    int type = o->kind == MK_EVE_OUT_UNIX_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
    int fd;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(o->path) >= sizeof(sa.sun_path)) {
        mk_error_set(err, o->path, "unix socket path too long");
        return MK_EINVAL;
    }
    memcpy(sa.sun_path, o->path, strlen(o->path) + 1);
    fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        mk_error_set(err, o->path, "socket: %s", strerror(errno));
        return MK_EIO;
    }
    if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
        mk_error_set(err, o->path, "connect: %s", strerror(errno));
        (void)close(fd);
        return MK_EIO;
    }
    o->fd = fd;
    return MK_OK;
}

static enum mk_status open_fd(struct mk_eve_output *o, struct mk_error *err)
{
    switch (o->kind) {
    case MK_EVE_OUT_STDOUT:
        o->fd = STDOUT_FILENO;
        return MK_OK;
    case MK_EVE_OUT_FILE:
        o->fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (o->fd < 0) {
            mk_error_set(err, o->path, "cannot open: %s", strerror(errno));
            return MK_EIO;
        }
        return MK_OK;
    case MK_EVE_OUT_UNIX_STREAM:
    case MK_EVE_OUT_UNIX_DGRAM:
        return open_socket(o, err);
    }
    return MK_EINVAL;
}

enum mk_status mk_eve_output_open(struct mk_eve_output *o, const char *spec, struct mk_error *err)
{
    const char *path = spec;
    enum mk_status st;

    memset(o, 0, sizeof(*o));
    o->fd = -1;
    o->kind = MK_EVE_OUT_FILE;
    if (strcmp(spec, "-") == 0) {
        o->kind = MK_EVE_OUT_STDOUT;
    } else if (strncmp(spec, "unix-dgram:", 11) == 0) {
        o->kind = MK_EVE_OUT_UNIX_DGRAM;
        path = spec + 11;
    } else if (strncmp(spec, "unix:", 5) == 0) {
        o->kind = MK_EVE_OUT_UNIX_STREAM;
        path = spec + 5;
    }
    if (strlen(path) >= sizeof(o->path)) {
        mk_error_set(err, "", "output path too long");
        return MK_EINVAL;
    }
    memcpy(o->path, path, strlen(path) + 1);
    st = open_fd(o, err);
    if (st == MK_OK && pthread_mutex_init(&o->lock, NULL) != 0) {
        st = MK_ENOMEM;
    }
    return st;
}

void mk_eve_output_close(struct mk_eve_output *o)
{
    if (o == NULL) {
        return;
    }
    if (o->fd >= 0 && o->kind != MK_EVE_OUT_STDOUT) {
        (void)close(o->fd);
    }
    o->fd = -1;
    (void)pthread_mutex_destroy(&o->lock);
}

enum mk_status mk_eve_output_reopen(struct mk_eve_output *o, struct mk_error *err)
{
    enum mk_status st = MK_OK;

    if (o->kind == MK_EVE_OUT_STDOUT) {
        return MK_OK;
    }
    (void)pthread_mutex_lock(&o->lock);
    if (o->fd >= 0) {
        (void)close(o->fd);
        o->fd = -1;
    }
    st = open_fd(o, err);
    o->reopens++;
    (void)pthread_mutex_unlock(&o->lock);
    return st;
}

/* A datagram socket gets one line per datagram, as syslog-style readers expect. */
static bool send_lines(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        const uint8_t *nl = memchr(data, '\n', len);
        size_t n = nl != NULL ? (size_t)(nl - data) + 1 : len;

        if (send(fd, data, n, MSG_NOSIGNAL) < 0) {
            return false;
        }
        data += n;
        len -= n;
    }
    return true;
}

static bool write_all(int fd, const uint8_t *data, size_t len, bool is_socket)
{
    while (len > 0) {
        /* a reader that went away must not kill the sensor with SIGPIPE */
        ssize_t n = is_socket ? send(fd, data, len, MSG_NOSIGNAL) : write(fd, data, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

void mk_eve_output_write(struct mk_eve_output *o, const uint8_t *data, size_t len, size_t lines)
{
    bool ok;

    (void)pthread_mutex_lock(&o->lock);
    if (o->fd < 0) {
        ok = false; /* a socket that went away: count what is lost */
    } else if (o->kind == MK_EVE_OUT_UNIX_DGRAM) {
        ok = send_lines(o->fd, data, len);
    } else {
        ok = write_all(o->fd, data, len, o->kind == MK_EVE_OUT_UNIX_STREAM);
    }
    if (ok) {
        o->bytes += len;
        o->lines += lines;
    } else {
        o->write_errors += lines;
    }
    (void)pthread_mutex_unlock(&o->lock);
}
