#include "process_setup.h"

// The git commit the binary was built from: Package.swift defines SECRETWATCH_REVISION from the variable of
// that name at build time (the Makefile sets it from `git rev-parse`); a build without it says "unknown".
#ifndef SECRETWATCH_REVISION
#define SECRETWATCH_REVISION "unknown"
#endif

const char *sw_build_revision(void) { return SECRETWATCH_REVISION; }
