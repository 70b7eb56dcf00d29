#include "standin_tls.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* The library's last error (or errno) as text, with what we were doing. */
static void report(char *err, size_t errlen, const char *what) {
    unsigned long code = ERR_get_error();
    char detail[256];
    if (code != 0) {
        ERR_error_string_n(code, detail, sizeof detail);
    } else if (errno != 0) {
        snprintf(detail, sizeof detail, "%s (errno %d)", strerror(errno), errno);
    } else {
        snprintf(detail, sizeof detail, "no further detail");
    }
    ERR_clear_error();
    if (err && errlen > 0) snprintf(err, errlen, "%s: %s", what, detail);
}

static EVP_PKEY *new_key(void) { return EVP_EC_gen("P-256"); }

static int write_pem(const char *cert_path, const char *key_path, X509 *cert, EVP_PKEY *key, char *err, size_t errlen) {
    FILE *f = fopen(cert_path, "w");
    if (!f) { report(err, errlen, "opening certificate file"); return -1; }
    int ok = PEM_write_X509(f, cert);
    if (fclose(f) != 0) ok = 0;
    if (!ok) { report(err, errlen, "writing certificate"); return -1; }
    f = fopen(key_path, "w");
    if (!f) { report(err, errlen, "opening key file"); return -1; }
    if (chmod(key_path, 0600) != 0) { report(err, errlen, "chmod 0600 on key file"); fclose(f); return -1; }
    ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    if (fclose(f) != 0) ok = 0;
    if (!ok) { report(err, errlen, "writing key"); return -1; }
    return 0;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate skeleton: random serial, valid from `from` to `until` seconds from now, subject CN. */
static X509 *new_cert_valid(EVP_PKEY *key, const char *common_name, long from, long until) {
    X509 *cert = X509_new();
    if (!cert) return NULL;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) { X509_free(cert); return NULL; }
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    ASN1_INTEGER *asn = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = bn && asn && X509_set_version(cert, 2) && X509_set_serialNumber(cert, asn)
        && X509_gmtime_adj(X509_getm_notBefore(cert), from) && X509_gmtime_adj(X509_getm_notAfter(cert), until)
        && X509_set_pubkey(cert, key);
    BN_free(bn);
    ASN1_INTEGER_free(asn);
    X509_NAME *name = X509_get_subject_name(cert);
    ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"secretwatch stand-in (test only)", -1, -1, 0)
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name, -1, -1, 0);
    if (!ok) { X509_free(cert); return NULL; }
    return cert;
}

/* Valid from an hour ago for 397 days: beyond every expiry threshold, so a stand-in's chain or CA file never raises
   endpoint_certificate_expiring unless a test asks for a certificate near its end (sw_pki_make_cert). */
static X509 *new_cert(EVP_PKEY *key, const char *common_name) { return new_cert_valid(key, common_name, -3600, 397L * 86400); }

int sw_pki_make_ca(const char *cert_path, const char *key_path, const char *common_name, char *err, size_t errlen) {
    errno = 0;
    EVP_PKEY *key = new_key();
    if (!key) { report(err, errlen, "generating CA key"); return -1; }
    X509 *cert = new_cert(key, common_name);
    if (!cert) { report(err, errlen, "building CA certificate"); EVP_PKEY_free(key); return -1; }
    int ok = X509_set_issuer_name(cert, X509_get_subject_name(cert))
        && add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE")
        && add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign")
        && add_ext(cert, cert, NID_subject_key_identifier, "hash")
        && X509_sign(cert, key, EVP_sha256()) > 0;
    int rc = -1;
    if (!ok) report(err, errlen, "signing CA certificate");
    else rc = write_pem(cert_path, key_path, cert, key, err, errlen);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* A self-signed client (app) certificate with an RSA key of `bits`, valid from now + not_before_seconds to
   now + not_after_seconds (either may be negative: an expired certificate), as uploaded to an app registration. */
int sw_pki_make_app_cert(const char *cert_path, const char *key_path, const char *common_name, int bits,
                         long not_before_seconds, long not_after_seconds, char *err, size_t errlen) {
    errno = 0;
    EVP_PKEY *key = EVP_RSA_gen((unsigned int)bits);
    if (!key) { report(err, errlen, "generating RSA key"); return -1; }
    X509 *cert = new_cert(key, common_name);
    if (!cert) { report(err, errlen, "building app certificate"); EVP_PKEY_free(key); return -1; }
    int ok = X509_gmtime_adj(X509_getm_notBefore(cert), not_before_seconds)
        && X509_gmtime_adj(X509_getm_notAfter(cert), not_after_seconds)
        && X509_set_issuer_name(cert, X509_get_subject_name(cert))
        && add_ext(cert, cert, NID_basic_constraints, "critical,CA:FALSE")
        && add_ext(cert, cert, NID_key_usage, "critical,digitalSignature")
        && X509_sign(cert, key, EVP_sha256()) > 0;
    int rc = -1;
    if (!ok) report(err, errlen, "signing app certificate");
    else rc = write_pem(cert_path, key_path, cert, key, err, errlen);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static int read_ca(const char *ca_cert_path, const char *ca_key_path, X509 **ca, EVP_PKEY **ca_key, char *err, size_t errlen) {
    FILE *f = fopen(ca_cert_path, "r");
    if (!f) { report(err, errlen, "opening CA certificate"); return -1; }
    *ca = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!*ca) { report(err, errlen, "reading CA certificate"); return -1; }
    f = fopen(ca_key_path, "r");
    if (!f) { report(err, errlen, "opening CA key"); X509_free(*ca); return -1; }
    *ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!*ca_key) { report(err, errlen, "reading CA key"); X509_free(*ca); return -1; }
    return 0;
}

int sw_pki_make_cert(const char *ca_cert_path, const char *ca_key_path, const char *cert_path, const char *key_path,
                     const char *common_name, const char *sans, int is_ca, long not_before, long not_after,
                     char *err, size_t errlen) {
    errno = 0;
    X509 *ca = NULL;
    EVP_PKEY *ca_key = NULL;
    if (read_ca(ca_cert_path, ca_key_path, &ca, &ca_key, err, errlen) != 0) return -1;
    EVP_PKEY *key = new_key();
    X509 *cert = key ? new_cert_valid(key, common_name, not_before, not_after) : NULL;
    int ok = cert && X509_set_issuer_name(cert, X509_get_subject_name(ca))
        && add_ext(cert, ca, NID_basic_constraints, is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE")
        && add_ext(cert, ca, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment")
        && (is_ca || add_ext(cert, ca, NID_ext_key_usage, "serverAuth"))
        && add_ext(cert, ca, NID_subject_key_identifier, "hash")
        && add_ext(cert, ca, NID_authority_key_identifier, "keyid:always")
        && (sans == NULL || sans[0] == 0 || add_ext(cert, ca, NID_subject_alt_name, sans))
        && X509_sign(cert, ca_key, EVP_sha256()) > 0;
    int rc = -1;
    if (!ok) report(err, errlen, "building certificate");
    else rc = write_pem(cert_path, key_path, cert, key, err, errlen);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rc;
}

int sw_pki_make_leaf(const char *ca_cert_path, const char *ca_key_path, const char *cert_path, const char *key_path,
                     const char *common_name, const char *sans, char *err, size_t errlen) {
    return sw_pki_make_cert(ca_cert_path, ca_key_path, cert_path, key_path, common_name, sans, 0, -3600, 397L * 86400,
                            err, errlen);
}

void *sw_tls_server_new(const char *cert_path, const char *key_path, int min_version, int max_version,
                        char *err, size_t errlen) {
    errno = 0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) { report(err, errlen, "SSL_CTX_new"); return NULL; }
    /* Old protocol versions only exist at security level 0 in OpenSSL 3 (the TLS-version stand-in needs them). */
    if (max_version != 0 && max_version < SW_TLS_VERSION_1_2) SSL_CTX_set_security_level(ctx, 0);
    if ((min_version && SSL_CTX_set_min_proto_version(ctx, min_version) != 1)
        || (max_version && SSL_CTX_set_max_proto_version(ctx, max_version) != 1)) {
        report(err, errlen, "setting protocol versions"); SSL_CTX_free(ctx); return NULL;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
        report(err, errlen, "loading server certificate"); SSL_CTX_free(ctx); return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        report(err, errlen, "loading server key"); SSL_CTX_free(ctx); return NULL;
    }
    return ctx;
}

void sw_tls_server_free(void *ctx) { SSL_CTX_free((SSL_CTX *)ctx); }

void *sw_tls_accept(void *ctx, int fd, char *err, size_t errlen) {
    errno = 0;
    SSL *ssl = SSL_new((SSL_CTX *)ctx);
    if (!ssl) { report(err, errlen, "SSL_new"); return NULL; }
    if (SSL_set_fd(ssl, fd) != 1) { report(err, errlen, "SSL_set_fd"); SSL_free(ssl); return NULL; }
    int rc = SSL_accept(ssl);
    if (rc != 1) {
        char what[64];
        snprintf(what, sizeof what, "TLS handshake (SSL_get_error %d)", SSL_get_error(ssl, rc));
        report(err, errlen, what);
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

long sw_tls_read(void *session, void *buffer, size_t length, char *err, size_t errlen) {
    errno = 0;
    SSL *ssl = (SSL *)session;
    int rc = SSL_read(ssl, buffer, length > 0x7fffffff ? 0x7fffffff : (int)length);
    if (rc > 0) return rc;
    int e = SSL_get_error(ssl, rc);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    /* A peer that closes the TCP connection without close_notify (curl does this) is an orderly end here. */
    if (e == SSL_ERROR_SYSCALL && errno == 0) { ERR_clear_error(); return 0; }
    char what[48];
    snprintf(what, sizeof what, "SSL_read (SSL_get_error %d)", e);
    report(err, errlen, what);
    return -1;
}

long sw_tls_write(void *session, const void *buffer, size_t length, char *err, size_t errlen) {
    errno = 0;
    SSL *ssl = (SSL *)session;
    size_t done = 0;
    while (done < length) {
        size_t chunk = length - done > 0x7fffffff ? 0x7fffffff : length - done;
        int rc = SSL_write(ssl, (const char *)buffer + done, (int)chunk);
        if (rc <= 0) {
            char what[48];
            snprintf(what, sizeof what, "SSL_write (SSL_get_error %d)", SSL_get_error(ssl, rc));
            report(err, errlen, what);
            return -1;
        }
        done += (size_t)rc;
    }
    return (long)done;
}

void sw_tls_session_free(void *session) {
    SSL *ssl = (SSL *)session;
    if (!ssl) return;
    SSL_shutdown(ssl);
    SSL_free(ssl);
    ERR_clear_error();
}
