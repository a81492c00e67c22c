"""Shared test configuration. Area-specific helpers live beside their tests."""
