#ifndef CSECRETWATCHCURL_SHIM_H
#define CSECRETWATCHCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic and cannot be called from Swift:
   one typed wrapper per argument kind. */
static inline CURLcode sw_curl_setopt_long(CURL *h, CURLoption opt, long value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode sw_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode sw_curl_setopt_string(CURL *h, CURLoption opt, const char *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode sw_curl_setopt_pointer(CURL *h, CURLoption opt, void *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode sw_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value) {
    return curl_easy_setopt(h, opt, value);
}
typedef size_t (*sw_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode sw_curl_setopt_data_callback(CURL *h, CURLoption opt, sw_curl_data_callback cb) {
    return curl_easy_setopt(h, opt, cb);
}
typedef int (*sw_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);
static inline CURLcode sw_curl_setopt_debug_callback(CURL *h, sw_curl_debug_callback cb) {
    return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, cb);
}
/* Named CURLOPT_MAIL_RCPT_ALLLOWFAILS (sic) before curl 8.2. */
static inline CURLcode sw_curl_setopt_mail_rcpt_allowfails(CURL *h, long value) {
    return curl_easy_setopt(h, (CURLoption)290, value);
}
static inline CURLcode sw_curl_getinfo_long(CURL *h, CURLINFO info, long *out) {
    return curl_easy_getinfo(h, info, out);
}
static inline CURLcode sw_curl_getinfo_double(CURL *h, CURLINFO info, double *out) {
    return curl_easy_getinfo(h, info, out);
}
/* The chain the server presented on the transfer's new connection (CURLOPT_CERTINFO): per certificate an slist of
   "name:value" fields, "Cert:" holding the PEM text. Owned by the handle; valid until its next transfer. */
static inline CURLcode sw_curl_getinfo_certinfo(CURL *h, struct curl_certinfo **out) {
    return curl_easy_getinfo(h, CURLINFO_CERTINFO, out);
}

#endif
