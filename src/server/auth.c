/* auth.c — token generation and hashing with libsodium (see auth.h). */
#include "server/auth.h"

#include <sodium.h>
#include <string.h>

int sw_auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void sw_token_generate(char out[SW_TOKEN_TEXT_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, "sw_", 3);
    sodium_bin2base64(out + 3, SW_TOKEN_TEXT_MAX - 3, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void sw_token_hash(const char *token, unsigned char hash[SW_TOKEN_HASH_BYTES])
{
    crypto_generichash(hash, SW_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
                       NULL, 0);
}

bool sw_token_hash_equal(const unsigned char *a, const unsigned char *b)
{
    return sodium_memcmp(a, b, SW_TOKEN_HASH_BYTES) == 0;
}
