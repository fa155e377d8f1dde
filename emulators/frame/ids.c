/* ids.c - GUIDs, random hex, base64url and ISO times (see ids.h), on OpenSSL. */
#include "frame/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/xmalloc.h"

static void format_guid(const unsigned char b[16], char out[EMU_GUID_LEN])
{
    snprintf(out, EMU_GUID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

void emu_ids_guid_stable(const char *ns, const char *key, char out[EMU_GUID_LEN])
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, ns, strlen(ns));
    EVP_DigestUpdate(ctx, "\n", 1);
    EVP_DigestUpdate(ctx, key, strlen(key));
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    digest[6] = (unsigned char)((digest[6] & 0x0f) | 0x50);   /* version 5 style (name-based) */
    digest[8] = (unsigned char)((digest[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    format_guid(digest, out);
}

void emu_ids_guid_random(char out[EMU_GUID_LEN])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        abort();
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    format_guid(b, out);
}

void emu_ids_hex_random(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b || RAND_bytes(b, (int)nbytes) != 1)
        abort();
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

char *emu_ids_base64url(const unsigned char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    }
    return out;
}

unsigned char *emu_ids_base64url_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    size_t padded = (n + 3) / 4 * 4;
    char *std = xmalloc(padded + 1);
    unsigned char *out = NULL;

    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '=')
            break;
        std[i] = c;
    }
    size_t data_len = strcspn(text, "=");
    for (size_t i = data_len; i < padded; i++)
        std[i] = '=';
    std[padded] = '\0';
    if (data_len % 4 == 1)
        goto out;
    out = xmalloc(padded / 4 * 3 + 1);
    int got = EVP_DecodeBlock(out, (unsigned char *)std, (int)padded);
    if (got < 0) {
        free(out);
        out = NULL;
        goto out;
    }
    got -= (int)(padded - data_len);     /* DecodeBlock counts padding as zero bytes */
    out[got] = '\0';
    *len = (size_t)got;
out:
    free(std);
    return out;
}

void emu_ids_time_iso(long long ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

int emu_ids_time_parse(const char *text, long long *ms)
{
    struct tm tm = {0};
    const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    long long frac_ms = 0;

    if (!rest)
        return -1;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++) {
            if (digits < 3)
                frac_ms = frac_ms * 10 + (*rest - '0');
        }
        for (; digits < 3; digits++)
            frac_ms *= 10;
    }
    if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0 && *rest != '\0')
        return -1;
    *ms = (long long)timegm(&tm) * 1000 + frac_ms;
    return 0;
}
