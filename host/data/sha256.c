/* SHA-256 through libmd. */
#include "data/sha256.h"

#include <sys/types.h>
#include <sha2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void to_hex(const uint8_t d[SHA256_DIGEST_LENGTH], char hex[GN_SHA256_HEX_LEN + 1]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[GN_SHA256_HEX_LEN] = '\0';
}

void gn_sha256_buffer(const void *buf, size_t n, char hex[GN_SHA256_HEX_LEN + 1]) {
    SHA2_CTX ctx;
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256Init(&ctx);
    SHA256Update(&ctx, buf, n);
    SHA256Final(d, &ctx);
    to_hex(d, hex);
}

gn_status gn_sha256_file(const char *path, char hex[GN_SHA256_HEX_LEN + 1], gn_error *err) {
    hex[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return gn_error_set(err, GN_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return gn_error_set(err, GN_ERR_IO, "'%s' is not a regular file", path);
    }
    enum { CHUNK = 1 << 16 };
    uint8_t *buf = malloc(CHUNK);
    if (!buf) {
        close(fd);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory hashing '%s'", path);
    }
    SHA2_CTX ctx;
    SHA256Init(&ctx);
    for (;;) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return gn_error_set(err, GN_ERR_IO, "cannot read '%s': %s", path, strerror(e));
        }
        if (r == 0) break;
        SHA256Update(&ctx, buf, (size_t)r);
    }
    free(buf);
    close(fd);
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256Final(d, &ctx);
    to_hex(d, hex);
    return GN_OK;
}

int gn_sha256_is_hex(const char *s) {
    if (!s) return 0;
    for (int i = 0; i < GN_SHA256_HEX_LEN; i++) {
        char c = s[i];
        int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!ok) return 0;
    }
    return s[GN_SHA256_HEX_LEN] == '\0';
}
