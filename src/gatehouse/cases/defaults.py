"""The wording a school starts with for each letter; the head teacher can change it."""

from __future__ import annotations

MEETING = """<p>Dear {{ recipient }},</p>
<p>I am writing about comments posted in {{ school }}'s parents' group, which break the group
rules and the Home-School Agreement you accepted when you joined.</p>
<p>The comments concerned are:</p>
{% for comment in comments %}<blockquote>“{{ comment.text }}” ({{ comment.date }})</blockquote>
{% endfor %}
<p>The Home-School Agreement says:</p>
<blockquote>{{ hsa_clauses|linebreaksbr }}</blockquote>
<p>I would like to meet you to discuss this on <strong>{{ meeting_date }}</strong> at
<strong>{{ meeting_time }}</strong>, at {{ place }}. Please let the school office know if
this time is not possible.</p>
<p>Yours sincerely,</p>"""

WARNING = """<p>Dear {{ recipient }},</p>
<p>We met, or invited you to meet, about comments you have posted about the school community.
The following remain a concern:</p>
{% for comment in comments %}<blockquote>“{{ comment.text }}” ({{ comment.date }})</blockquote>
{% endfor %}
<p>These comments breach the Home-School Agreement and the school's Social Media Policy.
I ask you to remove this material, wherever it is posted, by
<strong>{{ deadline }}</strong>.</p>
<p>If it is not removed by then, the school may take further steps set out in its policy,
which include restricting your access to the school's parents' group, asking the host to
remove the content, taking legal advice and contacting the police.</p>
<p>Yours sincerely,</p>"""

PROVIDER = """<p>To the trust and safety team at {{ platform }},</p>
<p>I am the head teacher of {{ school }}. Content at the address below is about members of
our school community and breaches your terms of service:</p>
<p><strong>{{ content_url }}</strong></p>
{% for comment in comments %}<blockquote>“{{ comment.text }}” ({{ comment.date }})</blockquote>
{% endfor %}
<p>We have asked the author to remove it, without result. Please remove this content. Our
reference is {{ reference }}.</p>
<p>Yours faithfully,</p>"""

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "meeting": ("Invitation to a meeting about comments in the parents' group", MEETING),
    "warning": ("Written warning: please remove the material by {{ deadline }}", WARNING),
    "provider": ("Request to remove content ({{ reference }})", PROVIDER),
}
