/* oauth_error.h - turn a token endpoint's refusal into a parley error and a
 * message the admin can act on.
 *
 * Microsoft answers {"error", "error_description": "AADSTSnnnn: ...",
 * "error_codes": [nnnn]}; Google answers {"error", "error_description"}
 * (RFC 6749 5.2).  The knowledge of what each refusal means and what to do
 * about it is one table in oauth_error.c. */
#ifndef PARLEY_NET_OAUTH_ERROR_H
#define PARLEY_NET_OAUTH_ERROR_H

#include <stddef.h>

#include "util/err.h"

enum net_oauth_provider { NET_OAUTH_MICROSOFT, NET_OAUTH_GOOGLE };

/* Describe a non-200 answer with HTTP STATUS and BODY (LEN bytes, any
 * content) from PROVIDER's token endpoint.  Returns the error to report:
 * PARLEY_ERR_AUTH (credentials rejected), PARLEY_ERR_FORBIDDEN (consent,
 * delegation, policy), PARLEY_ERR_NOT_FOUND (tenant, app or user unknown),
 * PARLEY_ERR_INVALID (bad request or scope), PARLEY_ERR_THROTTLED (429), or
 * PARLEY_ERR_PLATFORM (anything else).  *message (caller frees) reads like
 * "Microsoft sign-in refused (HTTP 401, invalid_client, AADSTS7000215): the
 * client secret is wrong: ... Server: AADSTS7000215: Invalid client secret
 * provided. ..." and never contains a secret. */
enum parley_err net_oauth_error_describe(enum net_oauth_provider provider, int status,
                                         const char *body, size_t len, char **message);

#endif
