/* include/podinit/config_keys.h — the key tables of the config file, one
 * per JSON object, each key with the function that reads its value.
 * Internal to the config parser: config_parse_text walks the top level. */
#ifndef PODINIT_CONFIG_KEYS_H
#define PODINIT_CONFIG_KEYS_H

#include <stdbool.h>

#include "podinit/config.h"
#include "podinit/config_walk.h"

/* A lifecycle hook (postStart, preStop): one of exec, httpGet, sleep. */
void config_keys_hook(struct config_walk *w, const cJSON *v, struct config_hook *h);

/* A probe: one of exec, httpGet, tcpSocket, and its timing; one_success
 * for liveness and startup probes (successThreshold must be 1). */
void config_keys_probe(struct config_walk *w, const cJSON *v, struct config_probe *p,
                       bool one_success);

/* The top-level object, processes and all. */
void config_keys_top(struct config_walk *w, const cJSON *root, struct config *cfg);

#endif
