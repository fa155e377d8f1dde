/* seed.c - the "microsoft" seed section into the state (see seed.h). */
#include "microsoft/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/seedcheck.h"
#include "microsoft/state.h"
#include "util/xmalloc.h"

#define ROOT "microsoft"
#define GENERATED_PASSWORD "Emulator-Passw0rd"

static const char *const section_keys[] = {"tenant_id", "domain", "apps", "users", "teams",
                                           "groups", "generate", NULL};
static const char *const app_keys[] = {"client_id", "client_secret", "display_name", NULL};
static const char *const user_keys[] = {"id", "displayName", "userPrincipalName", "mail",
                                        "password", "accountEnabled", "givenName", "surname",
                                        "userType", "mailNickname", NULL};
static const char *const team_keys[] = {"id", "displayName", "description", "members", "owners",
                                        NULL};
static const char *const group_keys[] = {"id", "displayName", "description", "mailNickname",
                                         "members", NULL};
static const char *const generate_keys[] = {"users", "teams", NULL};

static void add_app(struct ms_state *st, const char *client_id, const char *secret,
                    const char *name)
{
    struct ms_app *app = xcalloc(1, sizeof *app);
    app->client_id = xstrdup(client_id);
    app->client_secret = xstrdup(secret);
    app->display_name = xstrdup(name ? name : "Parley");
    emu_ids_guid_stable(st->tenant_id, client_id, app->sp_id);
    emu_vec_push(&st->apps, app);
    char *key = xstrdup(client_id);
    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    emu_map_put(st->apps_by_id, key, app);
    free(key);
}

static int load_apps(struct ms_state *st, const json_t *seed, char **why)
{
    const json_t *apps, *item;
    size_t i;
    int rc = 0;

    if (emu_seed_array(seed, ROOT, "apps", &apps, why))
        return -1;
    json_array_foreach(apps, i, item) {
        char *path = emu_seed_index(ROOT ".apps", i);
        const char *id, *secret, *name;
        rc = emu_seed_keys(item, path, app_keys, why) ||
             emu_seed_str(item, path, "client_id", 1, &id, why) ||
             emu_seed_str(item, path, "client_secret", 1, &secret, why) ||
             emu_seed_str(item, path, "display_name", 0, &name, why);
        if (!rc && ms_state_app(st, id)) {
            *why = xasprintf("%s.client_id: duplicate client_id '%s'", path, id);
            rc = -1;
        }
        if (!rc)
            add_app(st, id, secret, name);
        free(path);
        if (rc)
            return -1;
    }
    if (st->apps.len == 0) {
        char id[EMU_GUID_LEN], secret[EMU_GUID_LEN];
        emu_ids_guid_stable(st->tenant_id, "default-app", id);
        emu_ids_guid_stable(st->tenant_id, "default-app-secret", secret);
        add_app(st, id, secret, "Parley");
    }
    return 0;
}

static int load_user(struct ms_state *st, const json_t *item, const char *path, char **why)
{
    const char *id, *name, *upn, *mail, *password, *given, *surname, *type, *nick;
    int enabled;
    struct ms_user *u;

    if (emu_seed_keys(item, path, user_keys, why) || emu_seed_str(item, path, "id", 0, &id, why) ||
        emu_seed_str(item, path, "displayName", 1, &name, why) ||
        emu_seed_str(item, path, "userPrincipalName", 1, &upn, why) ||
        emu_seed_str(item, path, "mail", 0, &mail, why) ||
        emu_seed_str(item, path, "password", 0, &password, why) ||
        emu_seed_str(item, path, "givenName", 0, &given, why) ||
        emu_seed_str(item, path, "surname", 0, &surname, why) ||
        emu_seed_str(item, path, "userType", 0, &type, why) ||
        emu_seed_str(item, path, "mailNickname", 0, &nick, why) ||
        emu_seed_bool(item, path, "accountEnabled", 1, &enabled, why))
        return -1;
    if (type && strcmp(type, "Member") != 0 && strcmp(type, "Guest") != 0) {
        *why = xasprintf("%s.userType: expected \"Member\" or \"Guest\"", path);
        return -1;
    }
    if (!strchr(upn, '@')) {
        *why = xasprintf("%s.userPrincipalName: expected user@domain", path);
        return -1;
    }
    if (ms_user_add(st, id, upn, mail, name, &u) != PARLEY_OK) {
        *why = xasprintf("%s: duplicate user (id, userPrincipalName or mail)", path);
        return -1;
    }
    u->given_name = xstrdup(given);
    u->surname = xstrdup(surname);
    u->password = xstrdup(password);
    u->account_enabled = enabled;
    u->mail_nickname = nick ? xstrdup(nick) : xstrndup(upn, strcspn(upn, "@"));
    if (type && strcmp(type, "Guest") == 0) {
        u->guest = 1;
        u->external_state = "Accepted";
        u->creation_type = "Invitation";
    }
    return 0;
}

/* Resolve a list of UPNs at KEY; each user is passed to ADD. */
static int load_people(struct ms_state *st, struct ms_group *g, const json_t *item,
                       const char *path, const char *key, int owners, char **why)
{
    const json_t *list, *v;
    size_t i;

    if (emu_seed_array(item, path, key, &list, why))
        return -1;
    json_array_foreach(list, i, v) {
        struct ms_user *u = json_is_string(v) ? ms_user_find(st, json_string_value(v)) : NULL;
        if (!u) {
            *why = json_is_string(v)
                       ? xasprintf("%s.%s[%zu]: unknown user '%s'", path, key, i, json_string_value(v))
                       : xasprintf("%s.%s[%zu]: expected a userPrincipalName string", path, key, i);
            return -1;
        }
        ms_group_add_member(st, g, u);
        if (owners && !ms_group_has_owner(g, u))
            emu_vec_push(&g->owners, u);
    }
    return 0;
}

static int load_groups(struct ms_state *st, const json_t *seed, const char *key, int teams,
                       char **why)
{
    const json_t *list, *item;
    size_t i;
    char *base = xasprintf(ROOT ".%s", key);
    int rc = emu_seed_array(seed, ROOT, key, &list, why);

    json_array_foreach(list, i, item) {
        if (rc)
            break;
        char *path = emu_seed_index(base, i);
        const char *id, *name, *desc, *nick = NULL;
        rc = emu_seed_keys(item, path, teams ? team_keys : group_keys, why) ||
             emu_seed_str(item, path, "id", 0, &id, why) ||
             emu_seed_str(item, path, "displayName", 1, &name, why) ||
             emu_seed_str(item, path, "description", 0, &desc, why) ||
             (!teams && emu_seed_str(item, path, "mailNickname", 0, &nick, why));
        if (!rc && (id ? ms_group_find(st, id) : NULL)) {
            *why = xasprintf("%s.id: duplicate id", path);
            rc = -1;
        }
        if (!rc) {
            struct ms_group *g = ms_group_add(st, id, name, nick, teams);
            g->description = xstrdup(desc);
            rc = load_people(st, g, item, path, "members", 0, why) ||
                 (teams && load_people(st, g, item, path, "owners", 1, why));
        }
        free(path);
    }
    free(base);
    return rc ? -1 : 0;
}

/* "generate": N synthetic users userNNNNNN@domain and T teams sharing them. */
static int load_generated(struct ms_state *st, const json_t *seed, char **why)
{
    const json_t *gen = json_object_get(seed, "generate");
    long long users, teams;

    if (!gen)
        return 0;
    if (emu_seed_keys(gen, ROOT ".generate", generate_keys, why) ||
        emu_seed_int(gen, ROOT ".generate", "users", 0, 0, 1000000, &users, why) ||
        emu_seed_int(gen, ROOT ".generate", "teams", 0, 0, 10000, &teams, why))
        return -1;
    struct ms_group **made = xcalloc((size_t)teams + 1, sizeof *made);
    for (long long t = 0; t < teams; t++) {
        char name[64];
        snprintf(name, sizeof name, "Generated Team %04lld", t + 1);
        made[t] = ms_group_add(st, NULL, name, NULL, 1);
    }
    for (long long n = 0; n < users; n++) {
        char upn[256], name[64];
        struct ms_user *u;
        snprintf(upn, sizeof upn, "user%06lld@%s", n + 1, st->domain);
        snprintf(name, sizeof name, "User %06lld", n + 1);
        if (ms_user_add(st, NULL, upn, upn, name, &u) != PARLEY_OK) {
            *why = xasprintf(ROOT ".generate: generated user '%s' clashes with a seeded one", upn);
            free(made);
            return -1;
        }
        u->password = xstrdup(GENERATED_PASSWORD);
        u->mail_nickname = xstrndup(upn, strcspn(upn, "@"));
        if (teams > 0)
            ms_group_add_member(st, made[n % teams], u);
    }
    free(made);
    return 0;
}

enum parley_err ms_seed_load(struct ms_state *st, const json_t *seed, char **why)
{
    const char *tenant = NULL, *domain = NULL;
    const json_t *users, *item;
    size_t i;

    *why = NULL;
    if (seed && (emu_seed_keys(seed, ROOT, section_keys, why) ||
                 emu_seed_str(seed, ROOT, "tenant_id", 0, &tenant, why) ||
                 emu_seed_str(seed, ROOT, "domain", 0, &domain, why)))
        return PARLEY_ERR_INVALID;
    st->domain = xstrdup(domain ? domain : "contoso.onmicrosoft.com");
    if (tenant)
        snprintf(st->tenant_id, sizeof st->tenant_id, "%s", tenant);
    else
        emu_ids_guid_stable("tenant", st->domain, st->tenant_id);
    if (load_apps(st, seed, why) || emu_seed_array(seed, ROOT, "users", &users, why))
        return PARLEY_ERR_INVALID;
    json_array_foreach(users, i, item) {
        char *path = emu_seed_index(ROOT ".users", i);
        int rc = load_user(st, item, path, why);
        free(path);
        if (rc)
            return PARLEY_ERR_INVALID;
    }
    if (load_groups(st, seed, "teams", 1, why) || load_groups(st, seed, "groups", 0, why) ||
        load_generated(st, seed, why))
        return PARLEY_ERR_INVALID;
    return PARLEY_OK;
}
