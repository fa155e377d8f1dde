/* internal.h - what the Google connector's files share: the connection,
 * per-call tokens for a (subject, scopes) pair, and the listing and
 * interop-account slots. */
#ifndef PARLEY_PLATFORM_GOOGLE_INTERNAL_H
#define PARLEY_PLATFORM_GOOGLE_INTERNAL_H

#include "platform/google/google.h"

struct google_conn {
    struct platform_conn base;          /* first: the engines hold &base */
    /* from the service-account key file */
    char *client_email, *client_id, *private_key, *private_key_id, *token_uri;
    char *admin_email;
    char *customer;                     /* customer_id, or "my_customer" */
    char *directory_root, *chat_root;   /* end with '/' */
    char *interop_domain;               /* interop_domain, else domain, else admin_email's */
    char *interop_org_unit;             /* interop_org_unit, else "/" */
};

static inline struct google_conn *google_conn_of(struct platform_conn *c)
{
    return (struct google_conn *)c;
}

/* One call acting as SUBJECT with SCOPES (space-separated URLs): its token
 * is cached per (subject, scopes).  Lives on the caller's stack; do not copy
 * (call.token points into it). */
struct google_call {
    struct platform_call call;
    struct platform_token token;
    struct google_conn *conn;
    const char *scopes;
    char *key;
};

void google_call_init(struct google_call *gc, struct google_conn *g, const char *subject,
                      const char *scopes, const char *what);
void google_call_clear(struct google_call *gc);

/* The users.list URL for the customer with MAX_RESULTS a page (new string). */
char *google_users_url(const struct google_conn *g, int max_results);

enum parley_err google_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                  struct platform_error *err);

/* Interop accounts (accounts.c): the platform_ops account_* slots. */
char *google_account_login(struct platform_conn *conn, const struct platform_account_spec *spec);
enum parley_err google_account_find(struct platform_conn *conn, const char *login,
                                    struct platform_account *out, struct platform_error *err);
enum parley_err google_account_create(struct platform_conn *conn,
                                      const struct platform_account_spec *spec,
                                      struct platform_account *out, struct platform_error *err);
enum parley_err google_account_verify(struct platform_conn *conn,
                                      const struct platform_account *account,
                                      struct platform_error *err);
enum parley_err google_account_delete(struct platform_conn *conn, const char *external_id,
                                      struct platform_error *err);

#endif
