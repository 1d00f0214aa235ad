/* auth.h — API tokens: generation, hashing, and who may call what.
 *
 * A token is "sw_" followed by 43 characters of base64url (32 random bytes
 * from libsodium). Only its BLAKE2b-256 hash is ever stored; lookups
 * compare hashes in constant time. Roles: admin (everything), provider
 * (its sites and offers), consumer (its own tenant's jobs), agent (its one
 * site).
 */
#ifndef SW_SERVER_AUTH_H
#define SW_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define SW_TOKEN_TEXT_MAX 64 /* "sw_" + 43 + NUL fits */

/* Who is calling: filled from the token. */
struct sw_principal {
    enum sw_role role;
    char tenant[SW_STORE_NAME_MAX];
    char site[SW_STORE_NAME_MAX]; /* agents only */
    uint64_t token_id;
};

/* Initialise libsodium (idempotent). Returns 0 or -1. */
int sw_auth_init(void);

/* A new random token into out (NUL-terminated). */
void sw_token_generate(char out[SW_TOKEN_TEXT_MAX]);

/* The hash stored for a token. */
void sw_token_hash(const char *token, unsigned char hash[SW_TOKEN_HASH_BYTES]);

/* Constant-time comparison of two hashes. */
bool sw_token_hash_equal(const unsigned char *a, const unsigned char *b);

/* A bit per role, for route tables: SW_ROLES(ADMIN) | SW_ROLES(CONSUMER). */
#define SW_ROLE_BIT(r) (1u << (r))
#define SW_ANY_ROLE (SW_ROLE_BIT(SW_ROLE_ADMIN) | SW_ROLE_BIT(SW_ROLE_PROVIDER) | \
                     SW_ROLE_BIT(SW_ROLE_CONSUMER) | SW_ROLE_BIT(SW_ROLE_AGENT))

#endif
