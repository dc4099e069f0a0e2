"""Placeholder until scripts/train_moderation.py writes the real operating points."""

from __future__ import annotations

DEFAULT_THRESHOLDS: dict[str, float] = {
    "threat_of_violence": 0.5,
    "racist_or_identity_hate": 0.5,
    "insult_harassment_or_cyberbullying": 0.5,
    "obscene_or_grossly_offensive": 0.5,
    "allegation_about_staff_or_pupil": 0.5,
    "defamatory_statement": 0.5,
    "complaint_about_school_or_staff": 0.5,
    "negative_comment_about_person": 0.5,
}
AUX_THRESHOLDS: dict[str, float] = {"toxic": 0.5, "severe_toxic": 0.5}
