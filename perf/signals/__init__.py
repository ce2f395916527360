"""Signals: found as data arrives, listed and answered until closed, and emailed to their owners."""
