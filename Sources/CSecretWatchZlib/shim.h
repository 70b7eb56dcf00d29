#ifndef CSECRETWATCHZLIB_SHIM_H
#define CSECRETWATCHZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 is a macro (it passes the library version and struct size): a typed wrapper. */
static inline int sw_deflate_init2(z_streamp stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}

/* inflateInit2 likewise (a plain answer inflates kept-compressed segments; tests decompress what is sent). */
static inline int sw_inflate_init2(z_streamp stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}

#endif
