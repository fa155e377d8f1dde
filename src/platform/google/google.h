/* google.h - the Google connector: a service account's JWT-bearer tokens
 * with domain-wide delegation (acting as a Workspace user) and the Admin SDK
 * Directory users list, behind platform.h.  Teams and team members are a
 * Microsoft notion: UNSUPPORTED here.
 *
 * Settings: service_account_json (the key file: client_email, private_key,
 * private_key_id, client_id, token_uri - tokens are asked of the key's
 * token_uri), admin_email (the admin to act as), customer_id (default
 * my_customer); root_url, when set, serves every Google API (parley-emu),
 * else the real hosts (admin.googleapis.com, chat.googleapis.com); ca_file
 * trusts a private CA. */
#ifndef PARLEY_PLATFORM_GOOGLE_GOOGLE_H
#define PARLEY_PLATFORM_GOOGLE_GOOGLE_H

#include "platform/api.h"
#include "platform/platform.h"

#define GOOGLE_SCOPE_PREFIX      "https://www.googleapis.com/auth/"
#define GOOGLE_SCOPE_USERS_READ  GOOGLE_SCOPE_PREFIX "admin.directory.user.readonly"
#define GOOGLE_SCOPE_USERS_WRITE GOOGLE_SCOPE_PREFIX "admin.directory.user"
/* What Parley does as an interop account: read and post messages, spaces. */
#define GOOGLE_SCOPE_CHAT        GOOGLE_SCOPE_PREFIX "chat.messages " \
                                 GOOGLE_SCOPE_PREFIX "chat.spaces"
#define GOOGLE_DIRECTORY_ROOT    "https://admin.googleapis.com/"
#define GOOGLE_CHAT_ROOT         "https://chat.googleapis.com/"

extern const struct platform_ops google_ops;

/* A Google API error answer (AIP-193 {"error": {"code", "message",
 * "status", "details"}}, or the Directory's legacy "errors": [{"reason"}])
 * to CALL -> ERR, in words the admin can act on: e.g. a 403 "forbidden"
 * names CALL->subject, who must be a Workspace admin.  The
 * platform_describe_fn of the connector. */
void google_describe(const struct platform_answer *answer, const struct platform_call *call,
                     struct platform_error *err);

#endif
