/* connection.h - an org's connection to one platform: its settings, saved
 * through the store with the secret (Microsoft client secret, Google
 * service-account key) encrypted under the master key, checked before they
 * are saved, shown without the secret, and opened as a connector.
 *
 *   struct platform_source src = { store, master_key, platform_ops_for };
 *   const struct platform_ops *ops;  struct platform_conn *conn;
 *   struct platform_error perr;
 *   if (platform_connection_open(&src, org_id, PLATFORM_GOOGLE, &ops, &conn, &perr) == PARLEY_OK) {
 *       ops->list_users(conn, on_people, arg, &perr);
 *       ops->close(conn);
 *   }
 *
 * The JSON form (the admin API and config_json in the store) uses the field
 * names of struct platform_settings: "tenant_id", "graph_base", ...; the
 * secret travels in as "client_secret" / "service_account_key" and is only
 * ever shown as "client_secret_set" / "service_account_key_set": true. */
#ifndef PARLEY_PLATFORM_CONNECTION_H
#define PARLEY_PLATFORM_CONNECTION_H

#include <jansson.h>

#include "platform/platform.h"
#include "util/err.h"

struct store;
struct secret_key;

/* Where connections come from.  OPS_FOR is platform_ops_for in the hub and
 * a fake connector in tests. */
struct platform_source {
    struct store *store;                                      /* borrowed */
    const struct secret_key *key;                             /* borrowed: the master key */
    const struct platform_ops *(*ops_for)(enum platform_kind kind);
};

/* One platform's settings with owned strings (NULL: not set). */
struct platform_connection {
    enum platform_kind kind;
    char *tenant_id, *client_id, *authority_host, *graph_base;          /* Microsoft */
    char *guest_domain;                                                 /* Microsoft */
    char *customer_id, *domain, *admin_email, *root_url;                /* Google */
    char *interop_domain, *interop_org_unit;                            /* Google */
    char *ca_file;
    char *secret;            /* client secret / key JSON; NULL: keep the stored one */
    long long updated_at;    /* set by platform_connection_get */
};

/* Free the strings (wiping the secret) and zero C.  NULL is a no-op. */
void platform_connection_clear(struct platform_connection *c);

/* The JSON name of the secret of KIND: "client_secret" or "service_account_key". */
const char *platform_connection_secret_name(enum platform_kind kind);

/* Fill *OUT (zeroed by the caller, of KIND) from the JSON object BODY: every
 * known field that is a string, "" meaning unset.  Unknown keys or a value
 * that is not a string: PARLEY_ERR_INVALID with a message in WHY. */
enum parley_err platform_connection_from_json(enum platform_kind kind, const json_t *body,
                                              struct platform_connection *out, char *why,
                                              size_t why_size);

/* Check C for saving: required fields present, ids and emails well formed,
 * URLs https:// (http:// only on loopback), the CA file readable PEM, the
 * Google key a service-account key.  HAVE_STORED_SECRET: C->secret may be
 * NULL (the stored one is kept).  PARLEY_ERR_INVALID with an admin-facing
 * sentence in WHY, e.g. "tenant_id is required". */
enum parley_err platform_connection_validate(const struct platform_connection *c,
                                             int have_stored_secret, char *why, size_t why_size);

/* Validate C and save it for ORG_ID: the settings in config_json, the
 * secret encrypted (C->secret NULL keeps the stored secret).  *CREATED (may
 * be NULL) says whether there was none before.  PARLEY_ERR_INVALID with WHY
 * as platform_connection_validate. */
enum parley_err platform_connection_save(const struct platform_source *src, long long org_id,
                                         const struct platform_connection *c, int *created,
                                         char *why, size_t why_size);

/* Load ORG_ID's connection to KIND into *OUT.  With DECRYPT the secret is
 * decrypted into out->secret; without, out->secret stays NULL and *SECRET_SET
 * (may be NULL) says whether one is stored.  PARLEY_ERR_NOT_FOUND when none
 * is saved; PARLEY_ERR_CRYPTO when the secret was saved under another key. */
enum parley_err platform_connection_get(const struct platform_source *src, long long org_id,
                                        enum platform_kind kind, int decrypt,
                                        struct platform_connection *out, int *secret_set);

/* The settings without the secret, plus "<secret>_set" and "updated_at";
 * a new reference. */
json_t *platform_connection_to_json(const struct platform_connection *c, int secret_set);

/* Forget ORG_ID's connection to KIND.  PARLEY_ERR_NOT_FOUND when none. */
enum parley_err platform_connection_delete(const struct platform_source *src, long long org_id,
                                           enum platform_kind kind);

/* Load, decrypt and open ORG_ID's connection to KIND: *OPS and *CONN on
 * success (close with (*ops)->close(*conn)).  On failure ERR says what the
 * admin should do ("No Microsoft connection is set up ...", a key saved
 * under another master key, or the connector's own message). */
enum parley_err platform_connection_open(const struct platform_source *src, long long org_id,
                                         enum platform_kind kind, const struct platform_ops **ops,
                                         struct platform_conn **conn, struct platform_error *err);

/* platform_connection_open with CTX a struct platform_source *: the shape
 * of the sync engine's sync_env.open_conn callback. */
enum parley_err platform_source_open_conn(void *ctx, long long org_id, enum platform_kind kind,
                                          const struct platform_ops **ops,
                                          struct platform_conn **conn, struct platform_error *err);

#endif
