/* Preloaded into the daemon by HTTPServerStopTests: every EPOLL_CTL_DEL made by a thread that is not one of
   libmicrohttpd's ("MHD-...") waits 300 ms before the system call. A stop that asks libmicrohttpd to remove the
   listening socket from its workers' epoll sets from another thread then races, every time, with the workers
   removing it themselves when a connection wakes them. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) {
    if (op == EPOLL_CTL_DEL) {
        char name[16] = "";
        pthread_getname_np(pthread_self(), name, sizeof name);
        if (strncmp(name, "MHD-", 4) != 0) usleep(300 * 1000);
    }
    return (int)syscall(SYS_epoll_ctl, epfd, op, fd, event);
}
