"""Synthetic but plausible demo traffic, and the ``seed`` command that stores it."""
