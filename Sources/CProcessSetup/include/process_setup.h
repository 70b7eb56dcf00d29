#ifndef SECRETWATCH_PROCESS_SETUP_H
#define SECRETWATCH_PROCESS_SETUP_H

/// The malloc arena cap applied before main (0 when it could not be applied).
int sw_process_arena_max(void);

#endif
