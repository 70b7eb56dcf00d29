// Process-wide settings that must be in place before any thread starts, so they run as a constructor,
// before main and before the Swift runtime or Dispatch create their threads.
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include "process_setup.h"

static int arena_max = 0;

// glibc gives every allocating thread (HTTP threads, the metrics render queue, libcurl transfers on Dispatch
// threads) an arena of its own by default, and memory freed there stays cached: with 100,000 credentials that
// doubled secretwatch's resident size. Two arenas are plenty for its few busy threads.
__attribute__((constructor)) static void sw_limit_malloc_arenas(void) {
    if (mallopt(M_ARENA_MAX, 2) == 1) arena_max = 2;
}

// The process holds client secrets, access tokens and the API token in memory: no core dump may write them to
// disk, and no other process of the same user may attach with ptrace or read /proc/<pid>/mem or environ. Not
// dumpable also hands /proc/<pid> to root. Done before any secret is read.
__attribute__((constructor)) static void sw_refuse_core_dumps(void) {
    struct rlimit none = {0, 0};
    (void) setrlimit(RLIMIT_CORE, &none);
    (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int sw_process_arena_max(void) { return arena_max; }

int sw_process_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
