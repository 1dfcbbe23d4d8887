# SPDX-License-Identifier: MIT
# The MQTT wing: what the daemon says on a broker and takes from it
# (mqtt/*.c, pure: built in every build, tested without a broker), and
# the client thread (thermostat/thread_mqtt.c), which links libmosquitto
# when configure found it (HAVE_MQTT).  The daemon against a real
# mosquitto broker: tests/thermostat/daemon-mqtt*.sh.
thermostat_libthermo_la_SOURCES += \
	thermostat/mqtt/commands.c \
	thermostat/mqtt/commands.h \
	thermostat/mqtt/messages.c \
	thermostat/mqtt/messages.h \
	thermostat/mqtt/mqtt.c \
	thermostat/mqtt/mqtt.h

if HAVE_CHECK
check_PROGRAMS += tests/thermostat/check-mqtt
TESTS += tests/thermostat/check-mqtt
tests_thermostat_check_mqtt_SOURCES = tests/thermostat/check_mqtt.c \
	tests/thermostat/runner.c tests/thermostat/runner.h
tests_thermostat_check_mqtt_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_mqtt_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_mqtt_LDADD = $(THERMO_TEST_LIBS)
endif

# The daemon on a real broker: Debian's mosquitto started by the tests on
# a loopback port (mqtt-lib.sh), mosquitto_sub/pub standing in for Home
# Assistant.  Discovery and state, commands, coalescing, two daemons, the
# broker killed and restarted, the last will (daemon-mqtt.sh); 10,000 bad
# messages (daemon-mqtt-flood.sh); passwords and TLS with a CA made at
# test time (daemon-mqtt-security.sh).  They need mosquitto,
# mosquitto-clients and openssl (scripts/deps.sh).
THERMO_MQTT_TESTS = \
	tests/thermostat/daemon-mqtt.sh \
	tests/thermostat/daemon-mqtt-flood.sh \
	tests/thermostat/daemon-mqtt-security.sh
if HAVE_MQTT
TESTS += $(THERMO_MQTT_TESTS)
endif
EXTRA_DIST += $(THERMO_MQTT_TESTS) tests/thermostat/mqtt-lib.sh
