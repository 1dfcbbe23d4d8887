/* SPDX-License-Identifier: MIT */
/* systemd notifications (Type=notify, WatchdogSec=); without libsystemd at
 * build time they compile away. */
#ifndef THERMO_NOTIFY_H
#define THERMO_NOTIFY_H

#include "config.h" /* configure's: THERMO_HAVE_SYSTEMD */

#ifdef THERMO_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
/* READY=1: the sensor has a first reading and the web server listens. */
static inline void notify_ready(void) { sd_notify(0, "READY=1"); }
/* WATCHDOG=1: from the control loop, only while it makes progress. */
static inline void notify_watchdog(void) { sd_notify(0, "WATCHDOG=1"); }
static inline void notify_stopping(void) { sd_notify(0, "STOPPING=1"); }
#else
static inline void notify_ready(void) {}
static inline void notify_watchdog(void) {}
static inline void notify_stopping(void) {}
#endif

#endif
