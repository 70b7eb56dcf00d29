#ifndef SECRETWATCH_STANDIN_TLS_H
#define SECRETWATCH_STANDIN_TLS_H
/* Throwaway PKI and a blocking TLS server for the test stand-ins (Entra token endpoint, Exchange SMTP).
   Never linked into the production executable. Every function reports failure with a non-zero/NULL result
   and an error text (OpenSSL's error queue or errno) in `err`. Handles are opaque to Swift. */
#include <stddef.h>

#define SW_TLS_VERSION_DEFAULT 0
#define SW_TLS_VERSION_1_1 0x0302
#define SW_TLS_VERSION_1_2 0x0303
#define SW_TLS_VERSION_1_3 0x0304

/* A self-signed CA (EC P-256, valid 397 days, as the server certificates sw_pki_make_leaf issues): PEM certificate and key written to the given paths (key 0600). */
int sw_pki_make_ca(const char *cert_path, const char *key_path, const char *common_name, char *err, size_t errlen);

/* A server certificate signed by the CA. `sans` is an OpenSSL subjectAltName list such as
   "DNS:localhost,IP:127.0.0.1" (any names, so a host-name mismatch certificate can be made). */
int sw_pki_make_leaf(const char *ca_cert_path, const char *ca_key_path, const char *cert_path, const char *key_path,
                     const char *common_name, const char *sans, char *err, size_t errlen);

/* A self-signed app (client) certificate with an RSA key of `bits` (key 0600), valid from now + not_before_seconds
   to now + not_after_seconds, as uploaded to an Entra app registration for client assertions. */
int sw_pki_make_app_cert(const char *cert_path, const char *key_path, const char *common_name, int bits,
                         long not_before_seconds, long not_after_seconds, char *err, size_t errlen);

/* A certificate signed by the CA, valid from `not_before` to `not_after` seconds from now (negative: in the past):
   a server certificate, or with `is_ca` an intermediate CA (pathlen 0) that can sign server certificates. */
int sw_pki_make_cert(const char *ca_cert_path, const char *ca_key_path, const char *cert_path, const char *key_path,
                     const char *common_name, const char *sans, int is_ca, long not_before, long not_after,
                     char *err, size_t errlen);

/* A server context (SSL_CTX) with this certificate chain and key, limited to [min_version, max_version]
   (SW_TLS_VERSION_*; 0 = library default). */
void *sw_tls_server_new(const char *cert_path, const char *key_path, int min_version, int max_version,
                        char *err, size_t errlen);
void sw_tls_server_free(void *ctx);

/* Runs the server side of a TLS handshake on an accepted (blocking) socket, which may already have carried
   plaintext (STARTTLS upgrade). Returns an SSL session, or NULL with the reason. The socket is not owned. */
void *sw_tls_accept(void *ctx, int fd, char *err, size_t errlen);

/* > 0 bytes, 0 on orderly close, -1 on error (reason in err). */
long sw_tls_read(void *session, void *buffer, size_t length, char *err, size_t errlen);
/* Writes everything: length on success, -1 on error. */
long sw_tls_write(void *session, const void *buffer, size_t length, char *err, size_t errlen);
/* Sends close_notify (best effort) and frees the session; the socket stays open. */
void sw_tls_session_free(void *session);

#endif
