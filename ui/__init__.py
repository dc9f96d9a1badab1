"""Shared UI pieces: the Altair theme and chart helpers."""
