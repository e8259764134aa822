"""Row helper for the probe12 set: hand-written rows, no generation."""

PROVENANCE = "written by the mailclerk team (helper probe12), 2026-12-08, blind probe"


def R(label, subject, body, tags=(), reason=None, html=False):
    row = {"label": label, "subject": subject, "body": body, "tags": list(tags)}
    if reason:
        row["reason"] = reason
    if html:
        row["content_type"] = "text/html"
    return row
