"""Modbus TCP: register maps, the one client wrapper, and a server for simulators and tests."""

import logging

# pymodbus logs refused connects (with frame dumps) and server chatter; our wrappers report instead.
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
