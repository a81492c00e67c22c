"""Helpers shared by the test suite: fakes, the endpoint call table, emulator and network."""
