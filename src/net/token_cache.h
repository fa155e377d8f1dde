/* token_cache.h - OAuth access tokens cached per key until shortly before
 * they expire, fetched once however many threads ask at the same time.
 *
 * The key names what the token is for: the connection and the subject and
 * scopes ("org:7/google/alice@example.com/chat.messages").  A token is
 * served while it has more than min(60 s, a tenth of its lifetime) left;
 * after that the next caller fetches a new one through the connector's
 * callback.  Callers that arrive while a fetch is running wait for it and
 * share its outcome, success or failure; a failure is not cached, so the next
 * caller tries again.  Tokens are kept in memory only, wiped when replaced,
 * and never logged. */
#ifndef PARLEY_NET_TOKEN_CACHE_H
#define PARLEY_NET_TOKEN_CACHE_H

#include "util/err.h"

#define NET_TOKEN_MAX_SKEW_MS 60000LL

/* A token as a fetch produces it. */
struct net_token {
    char *access_token;          /* owned */
    long long expires_at_ms;     /* Unix ms */
};

/* Fetch a new token for the key into *OUT (the cache takes it over), or
 * return an error with a message for the admin in *WHY (owned by the cache
 * afterwards; may be left NULL).  Called without any lock held. */
typedef enum parley_err (*net_token_fetch_fn)(void *ctx, struct net_token *out, char **why);

struct net_token_cache;

/* NOW_MS tells the time (Unix ms); NULL: clock_now_ms.  Tests pass their own.
 * NULL when libsodium cannot start. */
struct net_token_cache *net_token_cache_new(long long (*now_ms)(void *ctx), void *now_ctx);
/* Wipe and free every token.  No call may be in flight.  NULL is a no-op. */
void net_token_cache_free(struct net_token_cache *cache);

/* A valid token for KEY in *token (a copy: free it with net_token_free_string),
 * fetched with FETCH(CTX) when none is cached or it is about to expire.  On
 * failure *why (may be NULL) receives the fetch's message (caller frees). */
enum parley_err net_token_cache_get(struct net_token_cache *cache, const char *key,
                                    net_token_fetch_fn fetch, void *ctx, char **token, char **why);
/* Forget KEY's token (the API answered 401 with it): the next get fetches. */
void net_token_cache_invalidate(struct net_token_cache *cache, const char *key);

/* Wipe and free a token string (NULL is a no-op). */
void net_token_free_string(char *token);
/* Wipe and free what TOKEN holds and zero it (NULL is a no-op). */
void net_token_clear(struct net_token *token);

#endif
