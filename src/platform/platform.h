/* platform.h - the one interface between Parley's engines and a platform
 * connector (Microsoft Graph in platform/graph/, Google in platform/google/).
 *
 * Engines speak in people, teams and errors an admin can act on; they never
 * see a URL, a token or a JSON field of a platform.  A connection is opened
 * from the org's stored settings (struct platform_settings) and used by one
 * job or request at a time or concurrently (connectors are thread-safe).
 *
 * Listing functions stream: they call the page callback once per page the
 * platform returns, with items valid only during the call, so a directory of
 * any size is never held in memory.  A callback returning non-OK stops the
 * listing, and that code is returned.
 *
 * Later issues add slots (open a conversation, post as a person, subscribe
 * to changes): add them here. */
#ifndef PARLEY_PLATFORM_PLATFORM_H
#define PARLEY_PLATFORM_PLATFORM_H

#include <stddef.h>

#include "util/err.h"

enum platform_kind { PLATFORM_MICROSOFT, PLATFORM_GOOGLE };

/* "microsoft" / "google", and back (-1 when unknown). */
const char *platform_kind_name(enum platform_kind kind);
int platform_kind_parse(const char *name, enum platform_kind *out);

/* What an org stores for one platform (secrets decrypted by the caller). */
struct platform_settings {
    enum platform_kind kind;
    /* Microsoft */
    const char *tenant_id;
    const char *client_id;
    const char *client_secret;         /* secret */
    const char *authority_host;        /* NULL: https://login.microsoftonline.com */
    const char *graph_base;            /* NULL: https://graph.microsoft.com/v1.0 */
    /* Google */
    const char *customer_id;           /* NULL: my_customer */
    const char *domain;
    const char *admin_email;           /* the admin to act as (domain-wide delegation) */
    const char *service_account_json;  /* secret: the key file's content */
    const char *root_url;              /* NULL: the real Google hosts */
    const char *interop_domain;        /* Google: domain of interop accounts (NULL: domain) */
    const char *interop_org_unit;      /* Google: their org unit (NULL: "/") */
    /* Microsoft: domain of guest accounts' UPNs (NULL: the tenant's initial domain) */
    const char *guest_domain;
    /* Both */
    const char *ca_file;               /* NULL: the system's CAs */
};

/* An error in words an admin can act on. */
struct platform_error {
    enum parley_err code;       /* AUTH, FORBIDDEN, NETWORK, TLS, THROTTLED, PLATFORM, ... */
    int http_status;            /* 0 when no HTTP answer */
    long long retry_after_ms;   /* > 0 when the platform asked to wait */
    int retryable;              /* 1: throttling, 5xx, network: worth retrying later */
    char message[512];          /* e.g. "The client secret is wrong (AADSTS7000215) ..." */
};

/* Fill ERR: CODE, HTTP_STATUS (0: none), the printf-formatted message (cut
 * to fit), retryable from CODE and HTTP_STATUS (throttling, network,
 * timeouts, 5xx), retry_after_ms 0.  ERR NULL is a no-op. */
void platform_error_set(struct platform_error *err, enum parley_err code, int http_status,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct platform_person {
    const char *external_id;    /* the platform's user id */
    const char *email;          /* primary email / mail or UPN */
    const char *display_name;
    const char *given_name;     /* may be NULL */
    const char *family_name;    /* may be NULL */
    int suspended;              /* Google suspended / Microsoft accountEnabled == false */
    int guest;                  /* Microsoft userType Guest */
};

struct platform_team {
    const char *external_id;
    const char *name;
    const char *description;    /* may be NULL */
    long long member_count;     /* -1 when unknown */
};

/* The secondary account that represents a person of the OTHER platform here:
 * a Teams guest account (Microsoft) or a Google interop account. */
struct platform_account_spec {
    const char *person_email;   /* the person's own (primary-platform) email */
    const char *display_name;
    const char *given_name;     /* may be NULL */
    const char *family_name;    /* may be NULL */
};

/* A secondary account as it exists on the platform.  All strings owned;
 * release with platform_account_clear (which wipes the password). */
struct platform_account {
    char *external_id;          /* the platform's user id */
    char *login;                /* UPN (Microsoft) or primaryEmail (Google) */
    char *password;             /* Microsoft: the generated password Parley keeps
                                   (encrypted) to post as the guest; NULL otherwise */
};
void platform_account_clear(struct platform_account *account);

typedef enum parley_err (*platform_people_fn)(const struct platform_person *people, size_t count,
                                              void *arg);
typedef enum parley_err (*platform_teams_fn)(const struct platform_team *teams, size_t count,
                                             void *arg);

struct platform_conn;

struct platform_ops {
    enum platform_kind kind;
    /* Open a connection from SETTINGS (copied).  NULL-free on success. */
    enum parley_err (*open)(const struct platform_settings *settings, struct platform_conn **out,
                            struct platform_error *err);
    void (*close)(struct platform_conn *conn);
    /* Get a token and make one read call; fills ERR with what failed. */
    enum parley_err (*test)(struct platform_conn *conn, struct platform_error *err);
    /* Microsoft: the tenant's teams.  Google: UNSUPPORTED. */
    enum parley_err (*list_teams)(struct platform_conn *conn, platform_teams_fn fn, void *arg,
                                  struct platform_error *err);
    /* Microsoft: one team's members.  Google: UNSUPPORTED. */
    enum parley_err (*list_team_members)(struct platform_conn *conn, const char *team_id,
                                         platform_people_fn fn, void *arg,
                                         struct platform_error *err);
    /* Google: every user of the customer.  Microsoft: the tenant's users. */
    enum parley_err (*list_users)(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                  struct platform_error *err);

    /* ---- secondary accounts (user sync) ---- */
    /* The login the secondary account of SPEC has or would have here (a new
     * string): deterministic, so a retry after a crash finds what an earlier
     * attempt created. */
    char *(*account_login)(struct platform_conn *conn, const struct platform_account_spec *spec);
    /* Look the account up by LOGIN: PARLEY_OK and *out, or PARLEY_ERR_NOT_FOUND. */
    enum parley_err (*account_find)(struct platform_conn *conn, const char *login,
                                    struct platform_account *out, struct platform_error *err);
    /* Create the account for SPEC (PARLEY_ERR_EXISTS when LOGIN is taken).
     * Microsoft generates a strong password and returns it in out->password. */
    enum parley_err (*account_create)(struct platform_conn *conn,
                                      const struct platform_account_spec *spec,
                                      struct platform_account *out, struct platform_error *err);
    /* Prove Parley can act as the account with no end-user action: Microsoft
     * obtains a delegated token with its password, Google a delegated token
     * for it through domain-wide delegation. */
    enum parley_err (*account_verify)(struct platform_conn *conn,
                                      const struct platform_account *account,
                                      struct platform_error *err);
    /* Delete the account; PARLEY_OK also when it is already gone. */
    enum parley_err (*account_delete)(struct platform_conn *conn, const char *external_id,
                                      struct platform_error *err);
};

/* The connector for KIND (never NULL for a valid kind). */
const struct platform_ops *platform_ops_for(enum platform_kind kind);

#endif
