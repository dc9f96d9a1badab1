"""Drop everything about people from API payloads before anything is written (METRICS.md §7).

Koers is built so that it cannot watch individual performance: names, usernames, e-mail
addresses and account ids never reach the warehouse, not even its raw layer.
"""

from __future__ import annotations

from typing import Any

# Keys whose value describes a person (a user object, a list of them, or an identifier).
PEOPLE_KEYS = frozenset(
    {
        "author",
        "assignee",
        "assignees",
        "reporter",
        "creator",
        "user",
        "users",
        "updateAuthor",
        "merged_by",
        "merge_user",
        "closed_by",
        "reviewers",
        "approved_by",
        "owner",
        "watches",
        "votes",
        "emailAddress",
        "accountId",
        "displayName",
        "author_name",
        "author_email",
        "committer_name",
        "committer_email",
        "tmpFromAccountId",
        "tmpToAccountId",
        # GitLab: people objects and ids beyond the ones above
        "resolved_by",
        "updated_by",
        "last_edited_by",
        "created_by",
        "author_id",
        "assignee_id",
        "assignee_ids",
        "reviewer_ids",
        "merge_user_id",
        "closed_by_id",
        "creator_id",  # a project's creator
    }
)

# What is kept of a project in a person's namespace (`namespace.kind == "user"`): its name,
# username and avatar are all over the rest of the payload (`owner`, `namespace`,
# `name_with_namespace`, `web_url`, the clone and readme URLs).
PERSONAL_PROJECT_KEYS = frozenset(
    {
        "id",
        "name",
        "path",
        "path_with_namespace",
        "created_at",
        "updated_at",
        "last_activity_at",
        "default_branch",
        "archived",
        "visibility",
        "empty_repo",
    }
)

# Changelog items are kept only for these fields: any other field (assignee, reporter, a custom
# user picker…) may carry a person's name in its from/to strings, so it is dropped whole.
KEPT_CHANGELOG_FIELDS = frozenset(
    {
        "status",
        "resolution",
        "flagged",
        "sprint",
        "story points",
        "story point estimate",
        "epic link",
        "parent",
        "parent link",
        "issueparentassociation",
        "fix version",
        "issuetype",
        "key",
        "project",
        "priority",
        "labels",
        "component",
        "rank",
        "summary",
    }
)


def scrub(value: Any) -> Any:
    """A copy of `value` with people's fields removed, at any depth."""
    if isinstance(value, dict):
        if "items" in value and "created" in value and isinstance(value["items"], list):
            value = {**value, "items": [i for i in value["items"] if _kept(i)]}
        return {k: scrub(v) for k, v in value.items() if k not in PEOPLE_KEYS}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _kept(change_item: Any) -> bool:
    return (
        isinstance(change_item, dict)
        and str(change_item.get("field") or "").lower() in KEPT_CHANGELOG_FIELDS
    )


def is_personal_project(project: Any) -> bool:
    """A GitLab project in a person's namespace rather than a group's."""
    namespace = project.get("namespace") if isinstance(project, dict) else None
    return isinstance(namespace, dict) and namespace.get("kind") == "user"


def personal_project(project: dict, configured_path: str | None) -> dict:
    """A project in a person's namespace, with nothing that names its owner: the keys of
    PERSONAL_PROJECT_KEYS and the namespace's kind. Its path is the one the team wrote in its
    config (`configured_path`), which holds that username already and is how the metrics find
    the team's projects; GitLab's own path_with_namespace would name the owner's current username
    after a rename. Without a configured path, GitLab's is kept (nothing else identifies it).
    Other payloads of the project (merge requests, deployments, incidents) keep URLs and
    references with the project's path, for the same reason."""
    kept = {k: v for k, v in project.items() if k in PERSONAL_PROJECT_KEYS}
    if configured_path:
        kept["path_with_namespace"] = configured_path.strip("/")
    kept["namespace"] = {"kind": "user"}
    return kept
