/* directory_query.h - the search syntax of users.list's `query` parameter:
 * space-separated clauses, all of which must hold.
 *
 *   email:al*  givenName:'Ann'  familyName=Ng  name:'Ann Ng'
 *   isSuspended=false  isAdmin=true  orgUnitPath='/Teams Interop'
 *   ann                    (no field: a prefix of the email or a name)
 *
 * `=` is an exact match, `:` a match of a whole word or, with a trailing
 * `*`, a prefix; strings compare case-insensitively; values with spaces are
 * single-quoted. */
#ifndef EMU_GOOGLE_DIRECTORY_QUERY_H
#define EMU_GOOGLE_DIRECTORY_QUERY_H

#include "util/err.h"

struct gemu_query;
struct gemu_user;

/* Parse TEXT (NULL or "" matches everyone).  PARLEY_ERR_INVALID with *why
 * (the caller frees it) on an unknown field or malformed clause. */
enum parley_err gemu_query_parse(const char *text, struct gemu_query **out, char **why);
int gemu_query_match(const struct gemu_query *q, const struct gemu_user *u);
void gemu_query_free(struct gemu_query *q);          /* NULL is a no-op */

#endif
