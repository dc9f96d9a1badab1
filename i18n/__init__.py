"""Message catalogues and formatting for Dutch (default) and English."""
