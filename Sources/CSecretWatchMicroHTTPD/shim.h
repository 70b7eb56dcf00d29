#ifndef SECRETWATCH_CSECRETWATCHMICROHTTPD_SHIM_H
#define SECRETWATCH_CSECRETWATCHMICROHTTPD_SHIM_H
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdarg.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic: a typed wrapper with the options secretwatch uses. `notify` is told of every
   connection opened and closed; `logger` receives libmicrohttpd's own messages. */
static inline struct MHD_Daemon *sw_mhd_start(unsigned int flags, uint16_t port,
                                              const struct sockaddr *bind_addr,
                                              MHD_AccessHandlerCallback handler, void *handler_cls,
                                              MHD_RequestCompletedCallback completed, void *completed_cls,
                                              MHD_NotifyConnectionCallback notify, void *notify_cls,
                                              MHD_LogCallback logger, void *logger_cls,
                                              unsigned int connection_limit, unsigned int per_ip_limit,
                                              unsigned int connection_timeout,
                                              unsigned int thread_pool_size, size_t memory_limit) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, bind_addr,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_NOTIFY_CONNECTION, notify, notify_cls,
                            MHD_OPTION_EXTERNAL_LOGGER, logger, logger_cls,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout,
                            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_END);
}

/* MHD_get_connection_info is variadic: the socket of a connection, or -1 when libmicrohttpd cannot tell. */
static inline int sw_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/* MHD_get_daemon_info is variadic too: the port the daemon listens on (the real one after binding port 0),
   or 0 when libmicrohttpd cannot tell. */
static inline uint16_t sw_mhd_bind_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

#endif
