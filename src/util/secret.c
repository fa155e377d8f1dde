/* secret.c - master key file handling and secretbox encryption (see secret.h).
 *
 * A missing key file is created without a window where a half-written or
 * world-readable key exists: the key is written to a mkstemp() file (0600),
 * synced, then link()ed to the final name, which fails with EEXIST if
 * another process got there first -- then that process's key is read. */
#include "util/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xmalloc.h"

struct secret_key {
    unsigned char bytes[SECRET_KEY_BYTES];
};

static enum parley_err sodium_ready(void)
{
    return sodium_init() < 0 ? PARLEY_ERR_CRYPTO : PARLEY_OK;
}

static enum parley_err write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PARLEY_ERR_IO;
        p += n;
        len -= (size_t)n;
    }
    return PARLEY_OK;
}

/* Make the directory entry of PATH durable (best effort). */
static void sync_parent_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Create PATH holding a fresh random key.  PARLEY_ERR_EXISTS if it appeared meanwhile. */
static enum parley_err create_key_file(const char *path)
{
    unsigned char key[SECRET_KEY_BYTES];
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    enum parley_err rc = PARLEY_ERR_IO;
    int fd = mkstemp(tmp);          /* mode 0600, O_EXCL */

    if (fd < 0) {
        log_error("secret", "cannot create master key file", "s:path", path,
                  "s:error", strerror(errno));
        goto out;
    }
    randombytes_buf(key, sizeof key);
    rc = write_all(fd, key, sizeof key);
    if (rc == PARLEY_OK && fsync(fd) != 0)
        rc = PARLEY_ERR_IO;
    if (close(fd) != 0 && rc == PARLEY_OK)
        rc = PARLEY_ERR_IO;
    if (rc != PARLEY_OK) {
        log_error("secret", "cannot write master key file", "s:path", tmp);
        goto out;
    }
    if (link(tmp, path) != 0) {
        rc = errno == EEXIST ? PARLEY_ERR_EXISTS : PARLEY_ERR_IO;
        if (rc == PARLEY_ERR_IO)
            log_error("secret", "cannot install master key file", "s:path", path,
                      "s:error", strerror(errno));
        goto out;
    }
    sync_parent_dir(path);
    log_info("secret", "created master key file", "s:path", path);
out:
    if (fd >= 0)
        unlink(tmp);
    sodium_memzero(key, sizeof key);
    free(tmp);
    return rc;
}

static enum parley_err read_key_file(const char *path, struct secret_key *key)
{
    struct stat sb;
    enum parley_err rc = PARLEY_ERR_IO;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        rc = errno == ENOENT ? PARLEY_ERR_NOT_FOUND : PARLEY_ERR_IO;
        if (rc == PARLEY_ERR_IO)
            log_error("secret", "cannot open master key file", "s:path", path,
                      "s:error", strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0)
        goto out;
    if (!S_ISREG(sb.st_mode) || sb.st_size != SECRET_KEY_BYTES) {
        log_error("secret", "master key file must hold exactly 32 bytes", "s:path", path,
                  "l:size", (long long)sb.st_size);
        rc = PARLEY_ERR_INVALID;
        goto out;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO))
        log_warn("secret", "master key file is readable by others; chmod 600 it", "s:path", path);
    while (got < sizeof key->bytes) {
        ssize_t n = read(fd, key->bytes + got, sizeof key->bytes - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto out;
        got += (size_t)n;
    }
    rc = PARLEY_OK;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

enum parley_err secret_key_load(const char *path, int create_if_missing, struct secret_key **out)
{
    struct secret_key *key = NULL;
    enum parley_err rc;

    *out = NULL;
    if (!path || !*path)
        return PARLEY_ERR_INVALID;
    rc = sodium_ready();
    if (rc != PARLEY_OK)
        return rc;
    key = xmalloc(sizeof *key);
    rc = read_key_file(path, key);
    if (rc == PARLEY_ERR_NOT_FOUND && create_if_missing) {
        rc = create_key_file(path);
        if (rc == PARLEY_OK || rc == PARLEY_ERR_EXISTS)
            rc = read_key_file(path, key);
    }
    if (rc != PARLEY_OK)
        goto out;
    *out = key;
    key = NULL;
out:
    secret_key_free(key);
    return rc;
}

void secret_key_free(struct secret_key *key)
{
    if (!key)
        return;
    sodium_memzero(key, sizeof *key);
    free(key);
}

enum parley_err secret_encrypt(const struct secret_key *key, const void *plain, size_t len,
                               unsigned char **out, size_t *out_len)
{
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    unsigned char *box;

    *out = NULL;
    *out_len = 0;
    if (!key || (!plain && len > 0))
        return PARLEY_ERR_INVALID;
    if (sodium_ready() != PARLEY_OK)
        return PARLEY_ERR_CRYPTO;
    box = xmalloc(total);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain ? plain : (const void *)"",
                              len, box, key->bytes) != 0) {
        free(box);
        return PARLEY_ERR_CRYPTO;
    }
    *out = box;
    *out_len = total;
    return PARLEY_OK;
}

enum parley_err secret_decrypt(const struct secret_key *key, const unsigned char *box, size_t len,
                               unsigned char **out, size_t *out_len)
{
    const size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    unsigned char *plain;

    *out = NULL;
    *out_len = 0;
    if (!key || !box)
        return PARLEY_ERR_INVALID;
    if (len < overhead)
        return PARLEY_ERR_CRYPTO;
    if (sodium_ready() != PARLEY_OK)
        return PARLEY_ERR_CRYPTO;
    plain = xmalloc(len - overhead + 1);
    if (crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, key->bytes) != 0) {
        secret_wipe_free(plain, len - overhead + 1);
        return PARLEY_ERR_CRYPTO;
    }
    plain[len - overhead] = '\0';
    *out = plain;
    *out_len = len - overhead;
    return PARLEY_OK;
}

void secret_wipe_free(void *p, size_t len)
{
    if (!p)
        return;
    sodium_memzero(p, len);
    free(p);
}
