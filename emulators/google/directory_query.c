/* directory_query.c - parse and evaluate users.list queries (see
 * directory_query.h). */
#include "google/directory_query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/vec.h"
#include "google/state.h"
#include "util/xmalloc.h"

enum field { F_ANY, F_EMAIL, F_GIVEN, F_FAMILY, F_NAME, F_SUSPENDED, F_ADMIN, F_OU };

static const struct {
    const char *name;
    enum field field;
} FIELDS[] = {
    {"email", F_EMAIL},       {"givenName", F_GIVEN},      {"familyName", F_FAMILY},
    {"name", F_NAME},         {"isSuspended", F_SUSPENDED}, {"isAdmin", F_ADMIN},
    {"orgUnitPath", F_OU},
};

struct clause {
    enum field field;
    char op;                         /* '=' or ':' */
    int prefix;                      /* the value ended in '*' */
    char *value;                     /* without quotes and '*' */
};

struct gemu_query {
    struct emu_vec clauses;          /* struct clause *, owned */
};

void gemu_query_free(struct gemu_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->clauses.len; i++) {
        struct clause *c = q->clauses.items[i];
        free(c->value);
        free(c);
    }
    emu_vec_free(&q->clauses);
    free(q);
}

/* Read a value at *P (quoted or up to a space); advances *P. */
static char *read_value(const char **p, char **why)
{
    const char *s = *p;
    if (*s == '\'') {
        const char *end = strchr(s + 1, '\'');
        if (!end) {
            *why = xstrdup("unterminated quote");
            return NULL;
        }
        *p = end + 1;
        return xstrndup(s + 1, (size_t)(end - s - 1));
    }
    size_t n = strcspn(s, " ");
    *p = s + n;
    return xstrndup(s, n);
}

static enum parley_err parse_clause(const char **p, struct clause *c, char **why)
{
    const char *s = *p;
    size_t name_len = 0;
    while (isalnum((unsigned char)s[name_len]) || s[name_len] == '.')
        name_len++;
    if (s[name_len] != '=' && s[name_len] != ':') {
        /* No operator: free text. */
        c->field = F_ANY;
        c->op = ':';
        c->prefix = 1;
        c->value = read_value(p, why);
    } else {
        int known = 0;
        for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0] && !known; i++)
            if (strlen(FIELDS[i].name) == name_len && strncmp(FIELDS[i].name, s, name_len) == 0) {
                c->field = FIELDS[i].field;
                known = 1;
            }
        if (!known) {
            *why = xasprintf("unknown field '%.*s'", (int)name_len, s);
            return PARLEY_ERR_INVALID;
        }
        c->op = s[name_len];
        *p = s + name_len + 1;
        c->value = read_value(p, why);
    }
    if (!c->value)
        return PARLEY_ERR_INVALID;
    size_t len = strlen(c->value);
    if (len && c->value[len - 1] == '*') {
        c->value[len - 1] = '\0';
        c->prefix = 1;
    }
    if ((c->field == F_SUSPENDED || c->field == F_ADMIN) && strcmp(c->value, "true") != 0 &&
        strcmp(c->value, "false") != 0) {
        *why = xstrdup("expected true or false");
        return PARLEY_ERR_INVALID;
    }
    return PARLEY_OK;
}

enum parley_err gemu_query_parse(const char *text, struct gemu_query **out, char **why)
{
    struct gemu_query *q = xcalloc(1, sizeof *q);
    const char *p = text ? text : "";
    enum parley_err err = PARLEY_OK;

    *out = NULL;
    *why = NULL;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        struct clause *c = xcalloc(1, sizeof *c);
        emu_vec_push(&q->clauses, c);
        err = parse_clause(&p, c, why);
        if (err)
            goto out;
    }
    *out = q;
    q = NULL;
out:
    gemu_query_free(q);
    return err;
}

/* VALUE matches TEXT: exactly for '=', as a whole word for ':', as a prefix
 * (of the text, or for ':' of a word) when PREFIX. */
static int match_text(const struct clause *c, const char *text)
{
    size_t n = strlen(c->value);
    if (c->op == '=')
        return c->prefix ? strncasecmp(text, c->value, n) == 0 : strcasecmp(text, c->value) == 0;
    /* ':' looks at the whole text, then at each word after a space. */
    for (const char *w = text; w; w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL) {
        size_t wlen = strcspn(w, " ");
        int hit = c->prefix ? strncasecmp(w, c->value, n) == 0
                            : (w == text ? strcasecmp(w, c->value) == 0 : 0) ||
                                  (wlen == n && strncasecmp(w, c->value, n) == 0);
        if (hit)
            return 1;
    }
    return 0;
}

static int match_clause(const struct clause *c, const struct gemu_user *u)
{
    switch (c->field) {
    case F_EMAIL: return match_text(c, u->email);
    case F_GIVEN: return match_text(c, u->given_name);
    case F_FAMILY: return match_text(c, u->family_name);
    case F_OU: return match_text(c, u->org_unit);
    case F_SUSPENDED: return u->suspended == (strcmp(c->value, "true") == 0);
    case F_ADMIN: return u->is_admin == (strcmp(c->value, "true") == 0);
    case F_NAME: {
        char *full = xasprintf("%s %s", u->given_name, u->family_name);
        int ok = match_text(c, full);
        free(full);
        return ok;
    }
    case F_ANY:
    default:
        return match_text(c, u->email) || match_text(c, u->given_name) ||
               match_text(c, u->family_name);
    }
}

int gemu_query_match(const struct gemu_query *q, const struct gemu_user *u)
{
    for (size_t i = 0; q && i < q->clauses.len; i++)
        if (!match_clause(q->clauses.items[i], u))
            return 0;
    return 1;
}
