/* Preloaded into the daemon by DescriptorHygieneTests: a close() of a descriptor that is not open (EBADF) is
   written, with its backtrace, to the file named by SW_CLOSE_CHECK_LOG. Such a close is the visible half of a
   double close; the other half closes whatever another thread opened under the same number meanwhile (the
   database, a socket). On loading it creates "<SW_CLOSE_CHECK_LOG>.loaded", so that the test knows the check
   was in place. */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((constructor)) static void loaded(void) {
    const char *path = getenv("SW_CLOSE_CHECK_LOG");
    if (path == NULL) return;
    char marker[4096];
    snprintf(marker, sizeof marker, "%s.loaded", path);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) syscall(SYS_close, fd);
}

int close(int fd) {
    long rc = syscall(SYS_close, fd);
    if (rc == 0 || errno != EBADF || fd < 0) return (int)rc;
    int saved = errno;
    const char *path = getenv("SW_CLOSE_CHECK_LOG");
    if (path != NULL) {
        pthread_mutex_lock(&lock);
        int log = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (log >= 0) {
            char head[64];
            int n = snprintf(head, sizeof head, "close(%d): EBADF\n", fd);
            (void)!write(log, head, (size_t)n);
            void *frames[48];
            backtrace_symbols_fd(frames, backtrace(frames, 48), log);
            syscall(SYS_close, log);
        }
        pthread_mutex_unlock(&lock);
    }
    errno = saved;
    return -1;
}
