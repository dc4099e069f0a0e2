"""Background work for cases: letters emailed with their PDF, and deadline reminders."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage

from gatehouse.cases.models import Letter


def _send_letter(letter_id: int) -> int:
    letter = Letter.objects.select_related("pdf", "case__school").get(pk=letter_id)
    school = letter.case.school
    body = (f"Dear {letter.recipient_name},\n\nPlease find attached a letter from "
            f"{school.name} (our reference {letter.case.reference}).\n\n{school.name}\n"
            f"{school.phone}\n")
    message = EmailMessage(letter.subject, body, settings.DEFAULT_FROM_EMAIL,
                           [letter.recipient_email],
                           reply_to=[school.staff_email] if school.staff_email else None)
    message.attach(f"{letter.case.reference}-{letter.kind}.pdf", letter.pdf.read_original(),
                   "application/pdf")
    return message.send(fail_silently=False)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_letter(letter_id: int) -> int:
    """Email a sent (frozen) letter with its PDF attached, byte for byte as stored."""
    return _send_letter(letter_id)


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Celery beat runs this every few minutes; `manage.py run_case_deadlines` does without."""
    from gatehouse.cases.deadlines import run_due

    return run_due()
