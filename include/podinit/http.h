/* include/podinit/http.h — addresses as podinit takes them (no DNS). The
 * HTTP itself is http_client.h and http_message.h. */
#ifndef PODINIT_HTTP_H
#define PODINIT_HTTP_H

#include <sys/socket.h>

/* host: an IPv4 or IPv6 address, or "localhost" (127.0.0.1); no DNS.
 * Returns 0 or -EINVAL. */
int http_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len);

#endif
