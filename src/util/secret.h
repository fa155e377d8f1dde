/* secret.h - secrets encrypted at rest under a master key file.
 *
 * Platform credentials (client secrets, service-account keys, refresh
 * tokens) are stored as secretbox ciphertexts: a random 24-byte nonce
 * followed by crypto_secretbox_easy(plain) (XSalsa20-Poly1305, libsodium).
 * The 32-byte master key lives in its own file (mode 0600), resolved by the
 * caller: $PARLEY_MASTER_KEY_FILE, else DATA_DIR/master.key.
 *
 * Ownership: the key from secret_key_load belongs to the caller
 * (secret_key_free wipes and frees it).  Buffers returned by secret_encrypt
 * and secret_decrypt are the caller's; release plaintexts with secret_wipe_free. */
#ifndef PARLEY_UTIL_SECRET_H
#define PARLEY_UTIL_SECRET_H

#include <stddef.h>

#include "util/err.h"

#define SECRET_KEY_BYTES 32

struct secret_key;

/* Read the master key from PATH.  When the file is absent and
 * CREATE_IF_MISSING is set, a new random key is written there first
 * (mode 0600, appearing atomically; if another process wins the race, its
 * key is used).  PARLEY_ERR_NOT_FOUND: absent and not created;
 * PARLEY_ERR_INVALID: the file is not exactly SECRET_KEY_BYTES long;
 * PARLEY_ERR_IO: any other file error. */
enum parley_err secret_key_load(const char *path, int create_if_missing, struct secret_key **out);
void secret_key_free(struct secret_key *key);           /* NULL is a no-op */

/* Encrypt LEN bytes of PLAIN; *out (nonce || box, *out_len bytes) is new. */
enum parley_err secret_encrypt(const struct secret_key *key, const void *plain, size_t len,
                               unsigned char **out, size_t *out_len);
/* Decrypt a secret_encrypt result.  *out is new and NUL-terminated (the NUL
 * is not counted in *out_len).  PARLEY_ERR_CRYPTO when the box was made under
 * another key, was altered, or is too short. */
enum parley_err secret_decrypt(const struct secret_key *key, const unsigned char *box, size_t len,
                               unsigned char **out, size_t *out_len);
/* Zero LEN bytes of P, then free it (NULL is a no-op). */
void secret_wipe_free(void *p, size_t len);

#endif
