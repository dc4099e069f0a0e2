"""The policy's moderation categories: stable snake_case keys and the labels people read."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "threat_of_violence",
    "racist_or_identity_hate",
    "insult_harassment_or_cyberbullying",
    "obscene_or_grossly_offensive",
    "allegation_about_staff_or_pupil",
    "defamatory_statement",
    "complaint_about_school_or_staff",
    "negative_comment_about_person",
)

LABELS: dict[str, str] = {
    "threat_of_violence": "Threat of violence",
    "racist_or_identity_hate": "Racist or other identity hate",
    "insult_harassment_or_cyberbullying": "Insult, harassment or cyberbullying",
    "obscene_or_grossly_offensive": "Obscene or grossly offensive",
    "allegation_about_staff_or_pupil": "Allegation about a member of staff or a pupil",
    "defamatory_statement": "Defamatory statement about the school or staff",
    "complaint_about_school_or_staff": "Complaint about the school or staff",
    "negative_comment_about_person": "Negative comment about a specific pupil or member of staff",
}

# Categories whose meaning depends on who is being talked about; the pipeline combines the
# text model with roster matches for these.
SCHOOL_CATEGORIES: frozenset[str] = frozenset(
    {
        "allegation_about_staff_or_pupil",
        "defamatory_statement",
        "complaint_about_school_or_staff",
        "negative_comment_about_person",
    }
)


def label(category: str) -> str:
    """Human label for a category key (raises KeyError for an unknown key)."""
    return LABELS[category]
