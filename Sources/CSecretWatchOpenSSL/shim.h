#ifndef CSECRETWATCHOPENSSL_SHIM_H
#define CSECRETWATCHOPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* libcrypto (OpenSSL 3) for certificates, private keys and signatures. Macros and callbacks Swift cannot use
   get a typed wrapper here. */

/* OPENSSL_free is a macro (it passes the caller's file and line). */
static inline void sw_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

/* BIO_get_mem_data is a macro over BIO_ctrl: the bytes written to a memory BIO so far. */
static inline long sw_bio_mem_contents(BIO *bio, char **contents) {
    return BIO_get_mem_data(bio, contents);
}

/* OpenSSL 3's one-line name format (`openssl x509 -noout -subject`), with UTF-8 kept as it is instead of
   escaped (`-nameopt oneline,-esc_msb`): "C = DE, O = \"Contoso, Ltd\", CN = name". Control characters are escaped. */
static inline unsigned long sw_name_print_flags(void) {
    return (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
}

/* The last error on the queue is PEM's "no start line": a PEM reader ran out of blocks of the kind asked for. */
static inline int sw_err_is_pem_no_start_line(unsigned long code) {
    return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

/* A password callback that refuses: nothing is ever prompted for, and `*asked` records that the key wanted one. */
static int sw_refuse_password(char *buffer, int size, int rwflag, void *asked) {
    (void)buffer; (void)size; (void)rwflag;
    *(int *)asked = 1;
    return -1;
}

/* The first private key in PEM `bio` (PKCS#8 or traditional), never asking for a password: an encrypted key
   fails with `*encrypted` set to 1. */
static inline EVP_PKEY *sw_read_private_key(BIO *bio, int *encrypted) {
    *encrypted = 0;
    return PEM_read_bio_PrivateKey(bio, NULL, sw_refuse_password, encrypted);
}

#endif
