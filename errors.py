"""The one exception type that means "the user can fix this": shown as one line, exit code 1."""


class KoersError(Exception):
    """A mistake in input, configuration or environment, worded for the person who can fix it."""
