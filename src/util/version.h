/* version.h — the version of suanwang, for `suanwang version` and
 * /metrics. */
#ifndef SW_UTIL_VERSION_H
#define SW_UTIL_VERSION_H

#define SW_VERSION_STRING "0.1.0"

#endif
