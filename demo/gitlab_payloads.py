"""GitLab REST v4 entities shaped as the API returns them (the reference's §14 samples).

Used by the demo generator, which lands them through the same raw path as synced data, and by
the fake GitLab that the connector is tested against. People in them are fictional; Koers drops
them at landing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

WEB = "https://gitlab.example.gov"  # where web_url and avatar links point


# --- times ----------------------------------------------------------------------------------------


def gl_time(value: datetime | str) -> str:
    """A datetime (naive = UTC) → GitLab's '2026-03-04T12:00:00.000Z'; strings pass unchanged."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# --- builders: entities shaped as the reference's §14 samples ---------------------------------


def user(user_id: int, username: str, name: str | None = None) -> dict:
    return {
        "id": user_id,
        "username": username,
        "name": name or username.capitalize(),
        "state": "active",
        "locked": False,
        "avatar_url": None,
        "web_url": f"{WEB}/{username}",
    }


def _sha(*parts: Any) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def merge_request(
    project_id: int,
    iid: int,
    *,
    created: datetime | str,
    updated: datetime | str | None = None,
    merged: datetime | str | None = None,
    closed: datetime | str | None = None,
    state: str | None = None,
    author: dict | None = None,
    merger: dict | None = None,
    path: str = "gov/app",
    squash: bool = False,
    fast_forward: bool = False,
    sha: str | None = None,
    commits: Iterable[dict] = (),
    notes: Iterable[dict] = (),
    **extra: Any,
) -> dict:
    """A `MergeRequestBasic` (plus the server-side `commits` and `notes`).

    A squash merge gets a `squash_commit_sha` and a merge commit; a fast-forward merge gets
    neither (`merge_commit_sha` null: the deployed SHA is the rebased head)."""
    author = author or user(21, "bo")
    commits = list(commits)
    notes = list(notes)
    state = state or ("merged" if merged else "closed" if closed else "opened")
    head = sha or _sha("head", project_id, iid)
    merge_sha = None
    squash_sha = None
    if merged and not fast_forward:
        merge_sha = _sha("merge", project_id, iid)
    if merged and squash:
        squash_sha = _sha("squash", project_id, iid)
    last = merged or closed or created
    merge_user = (merger or user(17, "ana")) if merged else None
    out = {
        "id": project_id * 100_000 + iid,
        "iid": iid,
        "project_id": project_id,
        "title": f"Change {iid}",
        "description": "",
        "state": state,
        "created_at": gl_time(created),
        "updated_at": gl_time(updated or last),
        "merged_by": merge_user,
        "merge_user": merge_user,
        "merged_at": gl_time(merged) if merged else None,
        "closed_by": user(17, "ana") if closed and not merged else None,
        "closed_at": gl_time(closed) if closed and not merged else None,
        "target_branch": "main",
        "source_branch": f"feat/{iid}",
        "user_notes_count": len([n for n in notes if not n.get("system")]),
        "upvotes": 0,
        "downvotes": 0,
        "author": author,
        "assignees": [],
        "assignee": None,
        "reviewers": [],
        "source_project_id": project_id,
        "target_project_id": project_id,
        "labels": [],
        "draft": False,
        "imported": False,
        "imported_from": "none",
        "work_in_progress": False,
        "milestone": None,
        "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged",
        "detailed_merge_status": "not_open" if merged or closed else "mergeable",
        "merge_after": None,
        "sha": head,
        "merge_commit_sha": merge_sha,
        "squash_commit_sha": squash_sha,
        "discussion_locked": None,
        "should_remove_source_branch": True,
        "force_remove_source_branch": True,
        "prepared_at": gl_time(created),
        "reference": f"!{iid}",
        "references": {"short": f"!{iid}", "relative": f"!{iid}", "full": f"{path}!{iid}"},
        "web_url": f"{WEB}/{path}/-/merge_requests/{iid}",
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "squash": squash,
        "squash_on_merge": squash,
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_conflicts": False,
        "blocking_discussions_resolved": True,
        "commits": commits,
        "notes": notes,
    }
    out.update(extra)
    return out


def commit(
    sha: str,
    authored: datetime | str,
    *,
    committed: datetime | str | None = None,
    title: str = "Work",
    author_name: str = "Bo",
    author_email: str = "bo@example.gov",
    path: str = "gov/app",
    parent_ids: Iterable[str] = (),
) -> dict:
    """An MR commit; `authored` may be a string with an offset ('2026-03-02T09:00:00.000+02:00')."""
    authored_text = gl_time(authored)
    committed_text = gl_time(committed) if committed is not None else authored_text
    return {
        "id": sha,
        "short_id": sha[:8],
        "created_at": committed_text,
        "parent_ids": list(parent_ids),
        "title": title,
        "message": f"{title}\n",
        "author_name": author_name,
        "author_email": author_email,
        "authored_date": authored_text,
        "committer_name": author_name,
        "committer_email": author_email,
        "committed_date": committed_text,
        "trailers": {},
        "extended_trailers": {},
        "web_url": f"{WEB}/{path}/-/commit/{sha}",
    }


def note(
    note_id: int,
    author: dict,
    created: datetime | str,
    body: str = "Looks good",
    *,
    system: bool = False,
    noteable_iid: int = 1,
    note_type: str | None = None,
    updated: datetime | str | None = None,
) -> dict:
    """An MR note; `system=True, body="approved this merge request"` is an approval."""
    return {
        "id": note_id,
        "type": note_type,
        "body": body,
        "attachment": None,
        "author": author,
        "created_at": gl_time(created),
        "updated_at": gl_time(updated or created),
        "system": system,
        "noteable_id": noteable_iid,
        "noteable_type": "MergeRequest",
        "project_id": None,
        "resolvable": False,
        "confidential": False,
        "internal": False,
        "imported": False,
        "imported_from": "none",
        "noteable_iid": noteable_iid,
        "commands_changes": {},
    }


def environment(
    env_id: int,
    project_id: int,
    name: str,
    tier: str,
    *,
    created: datetime | str = "2025-01-10T09:00:00.000Z",
    state: str = "available",
    external_url: str | None = None,
) -> dict:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return {
        "id": env_id,
        "project_id": project_id,
        "name": name,
        "slug": slug,
        "external_url": external_url,
        "created_at": gl_time(created),
        "updated_at": gl_time(created),
        "tier": tier,
        "state": state,
        "auto_stop_at": None,
    }


def deployment(
    deployment_id: int,
    project_id: int,
    environment_name: str,
    finished: datetime | str | None,
    *,
    iid: int | None = None,
    status: str = "success",
    sha: str | None = None,
    ref: str = "main",
    created: datetime | str | None = None,
    merge_request_iids: Iterable[int] = (),
    job: bool = True,
    path: str = "gov/app",
) -> dict:
    """A deployment; `job=False` gives an API-created one (`deployable: null`, finish time kept in
    the server-side `finished_at`)."""
    finished_text = gl_time(finished) if finished is not None else None
    if created is None:
        created_dt = datetime.fromisoformat((finished_text or "2026-01-01T00:00:00Z")[:19])
        created = created_dt - timedelta(minutes=5)
    created_text = gl_time(created)
    sha = sha or _sha("deploy", project_id, deployment_id)
    deployer = user(17, "ana")
    deployable = None
    if job:
        deployable = {
            "id": deployment_id * 10 + 7,
            "status": status,
            "stage": "deploy",
            "name": f"deploy:{environment_name}",
            "ref": ref,
            "tag": False,
            "coverage": None,
            "allow_failure": False,
            "created_at": created_text,
            "started_at": created_text,
            "finished_at": finished_text,
            "duration": 300.0,
            "queued_duration": 2.1,
            "user": {k: deployer[k] for k in ("id", "username", "name", "state")},
            "commit": {
                "id": sha,
                "short_id": sha[:8],
                "title": f"Deploy {sha[:8]}",
                "author_name": "Ana",
                "author_email": "ana@example.gov",
                "created_at": created_text,
                "message": f"Deploy {sha[:8]}",
            },
            "pipeline": {
                "id": deployment_id * 10 + 3,
                "iid": deployment_id,
                "project_id": project_id,
                "sha": sha,
                "ref": ref,
                "status": status,
                "source": "push",
                "created_at": created_text,
                "updated_at": finished_text or created_text,
                "web_url": f"{WEB}/{path}/-/pipelines/{deployment_id * 10 + 3}",
            },
            "web_url": f"{WEB}/{path}/-/jobs/{deployment_id * 10 + 7}",
            "project": {"ci_job_token_scope_enabled": False},
            "artifacts": [],
            "runner": None,
            "artifacts_expire_at": None,
        }
    out = {
        "id": deployment_id,
        "iid": iid if iid is not None else deployment_id,
        "project_id": project_id,
        "ref": ref,
        "sha": sha,
        "status": status,
        "created_at": created_text,
        "updated_at": finished_text or created_text,
        "user": deployer,
        "environment": environment_name,
        "deployable": deployable,
        "merge_request_iids": list(merge_request_iids),
    }
    if finished_text is not None:
        out["finished_at"] = finished_text
    return out


def incident(
    issue_id: int,
    project_id: int,
    iid: int,
    created: datetime | str,
    closed: datetime | str | None = None,
    *,
    issue_type: str = "incident",
    updated: datetime | str | None = None,
    path: str = "gov/app",
) -> dict:
    """An issue as `GET /projects/:id/issues` lists it (an incident unless `issue_type` says)."""
    base = f"{WEB}/api/v4/projects/{project_id}/issues/{iid}"
    return {
        "id": issue_id,
        "iid": iid,
        "project_id": project_id,
        "title": f"Incident {iid}",
        "description": "",
        "state": "closed" if closed else "opened",
        "created_at": gl_time(created),
        "updated_at": gl_time(updated or closed or created),
        "closed_at": gl_time(closed) if closed else None,
        "closed_by": user(17, "ana") if closed else None,
        "labels": ["incident"] if issue_type == "incident" else [],
        "milestone": None,
        "assignees": [],
        "author": user(21, "bo"),
        "type": issue_type.upper(),
        "assignee": None,
        "user_notes_count": 0,
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": None,
        "confidential": False,
        "discussion_locked": None,
        "issue_type": issue_type,
        "web_url": f"{WEB}/{path}/-/issues/{iid}",
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_tasks": False,
        "references": {"short": f"#{iid}", "relative": f"#{iid}", "full": f"{path}#{iid}"},
        "moved_to_id": None,
        "_links": {
            "self": base,
            "notes": f"{base}/notes",
            "award_emoji": f"{base}/award_emoji",
            "project": f"{WEB}/api/v4/projects/{project_id}",
        },
    }
