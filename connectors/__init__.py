"""Collectors that land Jira and GitLab API payloads in the raw layer (issues 4 and 5)."""
