/* seed.c - checks the "google" seed section and loads it (see seed.h). */
#include "google/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "frame/seedcheck.h"
#include "google/state.h"
#include "util/xmalloc.h"

#define PATH "google"
#define MAX_GENERATED_USERS 1000000

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
}

static int invalid(char **why, const char *path, const char *what)
{
    *why = xasprintf("%s: %s", path, what);
    return -1;
}

/* "name@project.iam.gserviceaccount.com" -> "project"; else "parley-emu". */
static char *project_of(const char *sa_email)
{
    const char *at = strchr(sa_email, '@');
    const char *dot = at ? strchr(at + 1, '.') : NULL;
    if (!at || !dot || strcmp(dot, ".iam.gserviceaccount.com") != 0 || dot == at + 1)
        return xstrdup("parley-emu");
    return xstrndup(at + 1, (size_t)(dot - at - 1));
}

static int load_config(struct gemu_state *st, const json_t *seed, char **why)
{
    static const char *const top_keys[] = {"customer_id", "domain", "admin_email",
                                           "service_account", "users", "groups", "generate", NULL};
    static const char *const sa_keys[] = {"client_email", "client_id", "scopes", NULL};
    const char *customer = NULL, *domain = NULL, *admin = NULL, *sa_email = NULL, *sa_id = NULL;
    const json_t *sa = NULL, *scopes = NULL;

    if (seed) {
        if (emu_seed_keys(seed, PATH, top_keys, why) ||
            emu_seed_str(seed, PATH, "customer_id", 0, &customer, why) ||
            emu_seed_str(seed, PATH, "domain", 0, &domain, why) ||
            emu_seed_str(seed, PATH, "admin_email", 0, &admin, why))
            return -1;
        sa = json_object_get(seed, "service_account");
    }
    if (sa && (emu_seed_keys(sa, PATH ".service_account", sa_keys, why) ||
               emu_seed_str(sa, PATH ".service_account", "client_email", 0, &sa_email, why) ||
               emu_seed_str(sa, PATH ".service_account", "client_id", 0, &sa_id, why) ||
               emu_seed_array(sa, PATH ".service_account", "scopes", &scopes, why)))
        return -1;
    for (size_t i = 0; i < json_array_size(scopes); i++)
        if (!json_is_string(json_array_get(scopes, i))) {
            char *path = emu_seed_index(PATH ".service_account.scopes", i);
            invalid(why, path, "expected a string");
            free(path);
            return -1;
        }
    replace(&st->customer_id, customer ? customer : "C0emu0000");
    replace(&st->domain, domain ? domain : "example.com");
    free(st->admin_email);
    st->admin_email = admin ? gemu_lower(admin) : xasprintf("admin@%s", st->domain);
    replace(&st->sa_email, sa_email ? sa_email : "parley@parley-emu.iam.gserviceaccount.com");
    replace(&st->sa_client_id, sa_id ? sa_id : "104857600000000000001");
    free(st->project_id);
    st->project_id = project_of(st->sa_email);
    json_decref(st->sa_scopes);
    st->sa_scopes = scopes ? json_deep_copy(scopes) : NULL;
    if (!strchr(st->admin_email, '@'))
        return invalid(why, PATH ".admin_email", "expected an email address");
    return 0;
}

static int load_user(struct gemu_state *st, const json_t *obj, const char *path, char **why)
{
    static const char *const keys[] = {"primaryEmail", "name", "suspended", "orgUnitPath",
                                       "isAdmin", NULL};
    static const char *const name_keys[] = {"givenName", "familyName", NULL};
    const char *email, *given = NULL, *family = NULL, *ou = NULL;
    int suspended, is_admin;
    const json_t *name;
    int rc = -1;
    char *name_path = xasprintf("%s.name", path);

    if (emu_seed_keys(obj, path, keys, why) ||
        emu_seed_str(obj, path, "primaryEmail", 1, &email, why) ||
        emu_seed_str(obj, path, "orgUnitPath", 0, &ou, why) ||
        emu_seed_bool(obj, path, "suspended", 0, &suspended, why) ||
        emu_seed_bool(obj, path, "isAdmin", 0, &is_admin, why))
        goto out;
    name = json_object_get(obj, "name");
    if (name && (emu_seed_keys(name, name_path, name_keys, why) ||
                 emu_seed_str(name, name_path, "givenName", 0, &given, why) ||
                 emu_seed_str(name, name_path, "familyName", 0, &family, why)))
        goto out;
    if (!strchr(email, '@') || strchr(email, '@') == email) {
        *why = xasprintf("%s.primaryEmail: expected an email address", path);
        goto out;
    }
    if (gemu_user_find(st, email)) {
        *why = xasprintf("%s.primaryEmail: duplicate user %s", path, email);
        goto out;
    }
    if (ou && ou[0] != '/') {
        *why = xasprintf("%s.orgUnitPath: must start with '/'", path);
        goto out;
    }
    struct gemu_user *u = gemu_user_add(st, email, given, family, ou, 1);
    u->suspended = suspended;
    u->is_admin = is_admin;
    rc = 0;
out:
    free(name_path);
    return rc;
}

static int load_group(struct gemu_state *st, const json_t *obj, const char *path, char **why)
{
    static const char *const keys[] = {"email", "name", "members", NULL};
    const char *email, *name = NULL;
    const json_t *members;
    char hex[EMU_GUID_LEN];

    if (emu_seed_keys(obj, path, keys, why) || emu_seed_str(obj, path, "email", 1, &email, why) ||
        emu_seed_str(obj, path, "name", 0, &name, why) ||
        emu_seed_array(obj, path, "members", &members, why))
        return -1;
    if (!strchr(email, '@')) {
        *why = xasprintf("%s.email: expected an email address", path);
        return -1;
    }
    if (gemu_group_find(st, email) || gemu_user_find(st, email)) {
        *why = xasprintf("%s.email: %s is already taken", path, email);
        return -1;
    }
    for (size_t i = 0; i < json_array_size(members); i++) {
        const char *m = json_string_value(json_array_get(members, i));
        if (!m || !strchr(m, '@')) {
            *why = xasprintf("%s.members[%zu]: expected an email address", path, i);
            return -1;
        }
    }

    struct gemu_group *g = xcalloc(1, sizeof *g);
    g->email = gemu_lower(email);
    g->name = xstrdup(name ? name : email);
    g->seq = ++st->seq;
    emu_ids_guid_stable(st->customer_id, g->email, hex);
    /* Directory group ids look like "03x8tuzt1abc": "03" and ten more. */
    snprintf(g->id, sizeof g->id, "03%.8s%.2s", hex, hex + 9);
    for (size_t i = 0; i < json_array_size(members); i++)
        emu_vec_push(&g->members, gemu_lower(json_string_value(json_array_get(members, i))));
    emu_vec_push(&st->groups, g);
    emu_map_put(st->group_by_key, g->email, g);
    emu_map_put(st->group_by_key, g->id, g);
    return 0;
}

static int load_generated(struct gemu_state *st, const json_t *gen, char **why)
{
    static const char *const keys[] = {"users", NULL};
    long long n;

    if (emu_seed_keys(gen, PATH ".generate", keys, why) ||
        emu_seed_int(gen, PATH ".generate", "users", 0, 0, MAX_GENERATED_USERS, &n, why))
        return -1;
    for (long long i = 1; i <= n; i++) {
        char *email = xasprintf("user%05lld@%s", i, st->domain);
        char *given = xasprintf("User%05lld", i);
        if (!gemu_user_find(st, email))
            gemu_user_add(st, email, given, "Generated", "/", 1);
        free(given);
        free(email);
    }
    return 0;
}

enum parley_err gemu_seed_load(struct gemu_state *st, const json_t *seed, char **why)
{
    const json_t *users = NULL, *groups = NULL, *gen = NULL;

    *why = NULL;
    if (load_config(st, seed, why))
        return PARLEY_ERR_INVALID;
    if (seed && (emu_seed_array(seed, PATH, "users", &users, why) ||
                 emu_seed_array(seed, PATH, "groups", &groups, why)))
        return PARLEY_ERR_INVALID;
    for (size_t i = 0; i < json_array_size(users); i++) {
        char *path = emu_seed_index(PATH ".users", i);
        int rc = load_user(st, json_array_get(users, i), path, why);
        free(path);
        if (rc)
            return PARLEY_ERR_INVALID;
    }
    /* The customer's admin account always exists and is a super admin. */
    struct gemu_user *admin = gemu_user_find(st, st->admin_email);
    if (!admin)
        admin = gemu_user_add(st, st->admin_email, "Admin", "User", "/", 1);
    admin->is_admin = 1;
    gen = seed ? json_object_get(seed, "generate") : NULL;
    if (gen && load_generated(st, gen, why))
        return PARLEY_ERR_INVALID;
    for (size_t i = 0; i < json_array_size(groups); i++) {
        char *path = emu_seed_index(PATH ".groups", i);
        int rc = load_group(st, json_array_get(groups, i), path, why);
        free(path);
        if (rc)
            return PARLEY_ERR_INVALID;
    }
    return PARLEY_OK;
}
