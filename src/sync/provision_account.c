/* provision_account.c - the platform side of user sync: finding, adopting,
 * creating, verifying and deleting a person's secondary account through
 * the connector's account_* slots, and recording it (identity + encrypted
 * password) in the store.
 *
 * Crash safety rests on one rule: before creating anything, look the
 * account up by the login the connector derives from the person
 * (account_login is deterministic).  An attempt that died after the
 * platform created the account, but before Parley recorded it, is then
 * found by the next attempt instead of being created twice.  A Microsoft
 * account found that way has no password Parley knows, so nobody can act
 * as it: it is deleted and created again (docs/sync.md explains why that
 * rather than a password reset). */
#include "sync/provision_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/xmalloc.h"

const char *sync_secondary_kind(enum platform_kind kind)
{
    return kind == PLATFORM_MICROSOFT ? "guest" : "interop";
}

void sync_run_error(struct provision_run *pr, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(pr->message, sizeof pr->message, fmt, ap);
    va_end(ap);
}

/* The connection to KIND, opened on first use in this attempt. */
static enum parley_err conn_for(struct provision_run *pr, enum platform_kind kind)
{
    enum parley_err rc;

    if (pr->conn[kind])
        return PARLEY_OK;
    rc = pr->env->open_conn(pr->env->ctx, pr->org_id, kind, &pr->ops[kind], &pr->conn[kind],
                            &pr->err);
    if (rc != PARLEY_OK) {
        pr->ops[kind] = NULL;
        pr->conn[kind] = NULL;
    }
    return rc;
}

/* The person's identity of KIND on PLATFORM (borrowed), or NULL. */
static const struct store_identity *identity_of(const struct store_person *p,
                                                const char *platform, const char *kind)
{
    for (size_t i = 0; i < p->identity_count; i++)
        if (strcmp(p->identities[i].platform, platform) == 0 &&
            strcmp(p->identities[i].kind, kind) == 0)
            return &p->identities[i];
    return NULL;
}

/* The login of the person's secondary account on KIND (new), or NULL with
 * the error text set. */
static char *login_of(struct provision_run *pr, enum platform_kind kind,
                      struct platform_account_spec *spec)
{
    char *login;

    *spec = (struct platform_account_spec){
        .person_email = pr->person.email, .display_name = pr->person.display_name,
        .given_name = pr->person.given_name, .family_name = pr->person.family_name,
    };
    login = pr->ops[kind]->account_login(pr->conn[kind], spec);
    if (!login)
        sync_run_error(pr, "no %s account name can be made for %s", platform_kind_name(kind),
                       pr->person.email);
    return login;
}

/* Look LOGIN up: PARLEY_OK and *out, or PARLEY_ERR_NOT_FOUND.  An account
 * that is the person's own native one is never taken for a secondary one
 * (the guest or interop domain would be set up wrongly): PARLEY_ERR_INVALID. */
static enum parley_err find(struct provision_run *pr, enum platform_kind kind, const char *login,
                            struct platform_account *out)
{
    const struct store_identity *native;
    enum parley_err rc = pr->ops[kind]->account_find(pr->conn[kind], login, out, &pr->err);

    if (rc == PARLEY_ERR_NOT_FOUND)
        memset(&pr->err, 0, sizeof pr->err);        /* not a failure */
    if (rc != PARLEY_OK)
        return rc;
    native = identity_of(&pr->person, platform_kind_name(kind), "native");
    if (native && strcmp(native->external_id, out->external_id) == 0) {
        sync_run_error(pr, "%s is %s's own %s account, not one Parley made; check the guest / "
                       "interop domain settings", login, pr->person.email,
                       platform_kind_name(kind));
        return PARLEY_ERR_INVALID;
    }
    return PARLEY_OK;
}

/* Put the password Parley keeps for the Microsoft ACCOUNT into
 * account->password: PARLEY_ERR_NOT_FOUND when none is kept for it (not
 * recorded, or recorded for another account, or not readable). */
static enum parley_err stored_password(struct provision_run *pr, struct platform_account *account)
{
    const struct store_identity *ident = identity_of(&pr->person, "microsoft", "guest");
    unsigned char *box = NULL, *plain = NULL;
    size_t box_len = 0, plain_len = 0;
    enum parley_err rc;

    if (!ident || strcmp(ident->external_id, account->external_id) != 0)
        return PARLEY_ERR_NOT_FOUND;
    rc = store_identity_get_secret(pr->st, ident->id, &box, &box_len);
    if (rc == PARLEY_OK && !box)
        rc = PARLEY_ERR_NOT_FOUND;
    if (rc == PARLEY_OK)
        rc = secret_decrypt(pr->env->key, box, box_len, &plain, &plain_len);
    if (rc == PARLEY_ERR_CRYPTO) {
        log_warn("sync", "stored guest password unreadable (master key changed?)",
                 "s:login", account->login ? account->login : "");
        rc = PARLEY_ERR_NOT_FOUND;
    }
    if (rc == PARLEY_OK) {
        free(account->password);
        account->password = xstrdup((const char *)plain);
    }
    secret_wipe_free(plain, plain_len);
    free(box);
    return rc;
}

struct record {
    struct provision_run *pr;
    enum platform_kind kind;
    const struct platform_account *account;
    const char *login;
    const unsigned char *box;      /* the encrypted password, or NULL */
    size_t box_len;
};

/* The identity and its secret, in one transaction. */
static enum parley_err write_record(struct store *st, void *arg)
{
    struct record *r = arg;
    struct store_identity_new ident = {
        .person_id = r->pr->person.id, .platform = platform_kind_name(r->kind),
        .kind = sync_secondary_kind(r->kind), .external_id = r->account->external_id,
        .email = r->account->login ? r->account->login : r->login,
    };
    long long now = clock_now_ms(), id = 0;
    enum parley_err rc = store_identity_upsert(st, &ident, now, &id, NULL);

    if (rc == PARLEY_OK)
        rc = store_identity_set_secret(st, id, r->box, r->box_len, now);
    return rc;
}

/* Record ACCOUNT as the person's secondary account on KIND. */
static enum parley_err record(struct provision_run *pr, enum platform_kind kind,
                              const struct platform_account *account, const char *login)
{
    struct record r = { pr, kind, account, login, NULL, 0 };
    unsigned char *box = NULL;
    enum parley_err rc = PARLEY_OK;

    if (account->password)
        rc = secret_encrypt(pr->env->key, account->password, strlen(account->password), &box,
                            &r.box_len);
    r.box = box;
    if (rc == PARLEY_OK)
        rc = store_tx(pr->st, write_record, &r);
    if (rc == PARLEY_ERR_CONFLICT) {
        sync_run_error(pr, "%s account %s is recorded for a person of another org",
                       platform_kind_name(kind), account->external_id);
        rc = PARLEY_ERR_INVALID;
    }
    free(box);
    return rc;
}

/* Delete the account EXTERNAL_ID on KIND (gone already is fine). */
static enum parley_err delete_account(struct provision_run *pr, enum platform_kind kind,
                                      const char *external_id)
{
    enum parley_err rc = pr->ops[kind]->account_delete(pr->conn[kind], external_id, &pr->err);

    if (rc == PARLEY_ERR_NOT_FOUND) {
        memset(&pr->err, 0, sizeof pr->err);
        rc = PARLEY_OK;
    }
    if (rc == PARLEY_OK)
        json_array_append_new(json_object_get(pr->details, "deleted"), json_string(external_id));
    return rc;
}

/* Create the account of SPEC.  The login being taken right after we did
 * not find it (a deletion or creation still settling) is worth a retry. */
static enum parley_err create(struct provision_run *pr, enum platform_kind kind,
                              const struct platform_account_spec *spec,
                              struct platform_account *out)
{
    enum parley_err rc = pr->ops[kind]->account_create(pr->conn[kind], spec, out, &pr->err);

    if (rc == PARLEY_ERR_EXISTS) {
        if (pr->err.code == PARLEY_OK)
            platform_error_set(&pr->err, rc, 0, "the %s account name is taken",
                               platform_kind_name(kind));
        pr->err.retryable = 1;
    }
    if (rc == PARLEY_OK && kind == PLATFORM_MICROSOFT && !out->password) {
        sync_run_error(pr, "the Microsoft connector returned no password for %s",
                       out->login ? out->login : spec->person_email);
        rc = PARLEY_ERR_INVALID;
    }
    return rc;
}

enum parley_err sync_account_ensure(struct provision_run *pr, enum platform_kind kind)
{
    const struct store_identity *recorded =
        identity_of(&pr->person, platform_kind_name(kind), sync_secondary_kind(kind));
    struct platform_account account = { 0 };
    struct platform_account_spec spec;
    const char *how = "adopted";
    char *login = NULL;
    enum parley_err rc = conn_for(pr, kind);

    if (rc != PARLEY_OK)
        return rc;
    login = login_of(pr, kind, &spec);
    rc = login ? find(pr, kind, login, &account) : PARLEY_ERR_INVALID;
    if (rc == PARLEY_OK && kind == PLATFORM_MICROSOFT && stored_password(pr, &account) != PARLEY_OK) {
        /* Created by an attempt that died before recording its password:
         * nobody can act as it.  Start again with a password we keep. */
        how = "recreated";
        rc = delete_account(pr, kind, account.external_id);
        platform_account_clear(&account);
        if (rc == PARLEY_OK)
            rc = PARLEY_ERR_NOT_FOUND;
    }
    if (rc == PARLEY_ERR_NOT_FOUND) {
        /* A recorded account under another login (the email changed) goes. */
        if (recorded)
            rc = delete_account(pr, kind, recorded->external_id);
        else
            rc = PARLEY_OK;
        if (rc == PARLEY_OK)
            rc = create(pr, kind, &spec, &account);
        if (strcmp(how, "adopted") == 0)
            how = "created";
    }
    if (rc == PARLEY_OK)
        rc = record(pr, kind, &account, login);
    if (rc == PARLEY_OK)
        rc = pr->ops[kind]->account_verify(pr->conn[kind], &account, &pr->err);
    if (rc == PARLEY_OK) {
        json_object_set_new(pr->details, "platform", json_string(platform_kind_name(kind)));
        json_object_set_new(pr->details, "kind", json_string(sync_secondary_kind(kind)));
        json_object_set_new(pr->details, "login", json_string(account.login ? account.login
                                                                             : login));
        json_object_set_new(pr->details, "account", json_string(how));
    }
    platform_account_clear(&account);
    free(login);
    return rc;
}

enum parley_err sync_account_remove(struct provision_run *pr, enum platform_kind kind, int sweep)
{
    const struct store_identity *recorded =
        identity_of(&pr->person, platform_kind_name(kind), sync_secondary_kind(kind));
    struct platform_account found = { 0 };
    struct platform_account_spec spec;
    char *login = NULL;
    enum parley_err rc;

    if (!recorded && !sweep)
        return PARLEY_OK;
    rc = conn_for(pr, kind);
    if (rc == PARLEY_OK && recorded) {
        rc = delete_account(pr, kind, recorded->external_id);
        if (rc == PARLEY_OK)
            rc = store_identity_delete(pr->st, pr->org_id, recorded->id, NULL);
    }
    if (rc != PARLEY_OK || !sweep)
        goto out;
    /* An account an earlier attempt created but never recorded. */
    login = login_of(pr, kind, &spec);
    rc = login ? find(pr, kind, login, &found) : PARLEY_ERR_INVALID;
    if (rc == PARLEY_OK && (!recorded || strcmp(recorded->external_id, found.external_id) != 0))
        rc = delete_account(pr, kind, found.external_id);
    if (rc == PARLEY_ERR_NOT_FOUND || (login && rc == PARLEY_ERR_INVALID)) {
        pr->message[0] = '\0';         /* nothing of ours there (or the person's own account) */
        rc = PARLEY_OK;
    }
out:
    platform_account_clear(&found);
    free(login);
    return rc;
}
