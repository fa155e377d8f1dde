/* google_client.c - see google_client.h. */
#include "lib/google_client.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/pem.h>

#include "util/xmalloc.h"

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) == 0 ? rc : -1;
}

/* Read endpoints.json and the key file it names; 0 on success. */
static int load(struct google_client *g, const char *endpoints)
{
    json_t *all = json_load_file(endpoints, 0, NULL);
    g->google = json_incref(json_object_get(all, "google"));
    json_decref(all);
    if (!g->google)
        return -1;
    g->root = json_string_value(json_object_get(g->google, "root_url"));
    const char *key_file =
        json_string_value(json_object_get(g->google, "service_account_key_file"));
    g->key = key_file ? json_load_file(key_file, 0, NULL) : NULL;
    const char *pem = json_string_value(json_object_get(g->key, "private_key"));
    if (!g->root || !pem)
        return -1;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    g->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return g->pkey ? 0 : -1;
}

int google_client_start(struct google_client *g, const char *seed_text,
                        const char *const extra_args[])
{
    const char *argv[32];
    size_t n = 0;
    int rc = -1;

    memset(g, 0, sizeof *g);
    g->dir = harness_tmpdir("parley-gemu");
    g->log_path = xasprintf("%s/emu.log", g->dir);
    g->http = harness_http_new(NULL);
    char *seed = xasprintf("%s/seed.json", g->dir);
    char *out = xasprintf("%s/out", g->dir);
    char *endpoints = xasprintf("%s/endpoints.json", out);
    if (!g->dir || write_file(seed, seed_text) != 0)
        goto out;
    const char *fixed[] = {harness_bin("parley-emu"), "--seed", seed, "--dir", out,
                           "--listen-microsoft", "127.0.0.1:0", "--listen-google", "127.0.0.1:0"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        argv[n++] = fixed[i];
    for (size_t i = 0; extra_args && extra_args[i] && n < sizeof argv / sizeof argv[0] - 1; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;
    g->proc = harness_proc_start(argv, NULL, g->log_path);
    if (g->proc && harness_wait_file(endpoints, 15000) == 0)
        rc = load(g, endpoints);
out:
    free(endpoints);
    free(out);
    free(seed);
    return rc;
}

int google_client_stop(struct google_client *g)
{
    int rc = 0;
    if (g->proc) {
        int status = harness_proc_stop(g->proc, SIGTERM, 10000);
        if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char *log = harness_read_file(g->log_path);
            fprintf(stderr, "parley-emu did not exit cleanly (status %d):\n%s\n", status,
                    log ? log : "(no log)");
            free(log);
            rc = -1;
        }
        harness_proc_free(g->proc);
    }
    harness_http_free(g->http);
    json_decref(g->google);
    json_decref(g->key);
    EVP_PKEY_free(g->pkey);
    harness_rmrf(g->dir);
    free(g->dir);
    free(g->log_path);
    memset(g, 0, sizeof *g);
    return rc;
}

json_t *google_client_claims(const struct google_client *g, const char *sub, const char *scopes,
                             const char *aud, long lifetime_s)
{
    long long now = (long long)time(NULL);
    json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss",
                          json_string_value(json_object_get(g->key, "client_email")), "scope",
                          scopes, "aud", aud, "iat", (json_int_t)now, "exp",
                          (json_int_t)(now + lifetime_s));
    if (sub)
        json_object_set_new(c, "sub", json_string(sub));
    return c;
}

static char *b64url(const unsigned char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

char *google_client_sign(const struct google_client *g, EVP_PKEY *key, json_t *claims)
{
    const char *header = "{\"alg\":\"RS256\"}";
    char *body = json_dumps(claims, JSON_COMPACT);
    char *h64 = b64url((const unsigned char *)header, strlen(header));
    char *c64 = b64url((const unsigned char *)body, strlen(body));
    char *input = xasprintf("%s.%s", h64, c64);
    unsigned char sig[512];
    size_t sig_len = sizeof sig;
    char *jwt = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key ? key : g->pkey) == 1 &&
        EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *)input, strlen(input)) == 1) {
        char *s64 = b64url(sig, sig_len);
        jwt = xasprintf("%s.%s", input, s64);
        free(s64);
    }
    EVP_MD_CTX_free(ctx);
    free(input);
    free(c64);
    free(h64);
    free(body);
    json_decref(claims);
    return jwt;
}

int google_client_token_request(struct google_client *g, char *assertion,
                                struct harness_resp *resp)
{
    char *url = xasprintf("%stoken", g->root);
    char *body = xasprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
                           "&assertion=%s", assertion ? assertion : "");
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    memset(resp, 0, sizeof *resp);
    int rc = harness_http_do(g->http, "POST", url, headers, body, resp);
    free(body);
    free(url);
    free(assertion);
    return rc;
}

char *google_client_token(struct google_client *g, const char *sub, const char *short_scopes)
{
    char *scopes = xstrdup("");
    char *copy = xstrdup(short_scopes);
    char *token = NULL;
    struct harness_resp r;

    for (char *save = NULL, *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
        char *next = xasprintf("%s%s" GOOGLE_CLIENT_SCOPE "%s", scopes, *scopes ? " " : "", s);
        free(scopes);
        scopes = next;
    }
    char *assertion =
        google_client_sign(g, NULL, google_client_claims(g, sub, scopes, GOOGLE_CLIENT_AUD, 3600));
    if (google_client_token_request(g, assertion, &r) == 0 && r.status == 200)
        token = xstrdup(json_string_value(json_object_get(r.json, "access_token")));
    harness_resp_clear(&r);
    free(copy);
    free(scopes);
    return token;
}

int google_client_call(struct google_client *g, const char *method, const char *token,
                       const char *body, struct harness_resp *resp, const char *fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    char *url = xasprintf("%s%s", g->root, path[0] == '/' ? path + 1 : path);
    char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
    const char *headers[] = {"Content-Type: application/json", auth, NULL};
    memset(resp, 0, sizeof *resp);
    int rc = harness_http_do(g->http, method, url, headers, body, resp);
    free(auth);
    free(url);
    return rc;
}
