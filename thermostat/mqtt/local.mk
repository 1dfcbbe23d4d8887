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
