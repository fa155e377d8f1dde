/* url.h - percent-encoding for query strings and form bodies.
 *
 * Values are encoded as RFC 3986 asks: the unreserved characters
 * (A-Z a-z 0-9 - . _ ~) are kept, every other byte becomes %XX.  The same
 * encoding is valid in application/x-www-form-urlencoded bodies (OAuth token
 * requests), where a space may be "+" or "%20"; we always send "%20".
 *
 *   struct buf form = BUF_INIT;
 *   net_url_form_add(&form, "grant_type", "client_credentials");
 *   net_url_form_add(&form, "scope", "https://graph.microsoft.com/.default");
 *   -> "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
 *
 * All functions append to OUT and return its buf_append result (only a
 * buffer with a limit can refuse: PARLEY_ERR_TOO_LARGE). */
#ifndef PARLEY_NET_URL_H
#define PARLEY_NET_URL_H

#include "util/buf.h"
#include "util/err.h"

/* Append VALUE percent-encoded. */
enum parley_err net_url_encode(struct buf *out, const char *value);
/* Append "NAME=VALUE" (both encoded) to a form body, with a leading '&'
 * unless OUT is empty. */
enum parley_err net_url_form_add(struct buf *out, const char *name, const char *value);
/* Append "?NAME=VALUE" to a URL, or "&NAME=VALUE" when it has a query. */
enum parley_err net_url_query_add(struct buf *url, const char *name, const char *value);

/* Whether HOST (LEN bytes, as written in a URL: "localhost", "127.0.0.9",
 * "[::1]") is a loopback host: localhost, 127.0.0.0/8 or ::1. */
int net_url_host_is_loopback(const char *host, size_t len);

/* The product rule for every URL Parley sends credentials to: https://, or
 * http:// to a loopback host only (the local demo runs the emulators over
 * plain HTTP; credentials never cross a network unencrypted).  PARLEY_OK,
 * or PARLEY_ERR_INVALID with a message for the admin in *why (caller frees). */
enum parley_err net_url_check_transport(const char *url, char **why);

/* A copy of URL without its query and fragment, for logs (queries may carry
 * paging tokens).  The caller frees it. */
char *net_url_for_log(const char *url);

#endif
