#ifndef SECRETWATCH_PROCESS_SETUP_H
#define SECRETWATCH_PROCESS_SETUP_H

/// The malloc arena cap applied before main (0 when it could not be applied).
int sw_process_arena_max(void);

/// 0 once core dumps and ptrace are refused (done before main); 1 (or -1) if that failed.
int sw_process_dumpable(void);

/// The git commit the binary was built from, or "unknown".
const char *sw_build_revision(void);

#endif
