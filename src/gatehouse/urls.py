"""URLs: parents' pages under /s/<school>/, the staff console under /s/<school>/staff/."""

from __future__ import annotations

from django.urls import include, path

from gatehouse.accounts import urls as accounts_urls
from gatehouse.audit import urls as audit_urls
from gatehouse.cases import urls as cases_urls
from gatehouse.community import urls as community_urls
from gatehouse.community.views import home
from gatehouse.consent import urls as consent_urls
from gatehouse.evidence import urls as evidence_urls
from gatehouse.governance import urls as governance_urls
from gatehouse.incidents import urls as incidents_urls
from gatehouse.lib.views import csp_report
from gatehouse.moderation import urls as moderation_urls
from gatehouse.publishing import urls as publishing_urls

# Each app contributes its staff pages; all are served under one "staff" namespace.
staff_urlpatterns = [
    *community_urls.staff_urlpatterns,
    *accounts_urls.staff_urlpatterns,
    *audit_urls.staff_urlpatterns,
    *moderation_urls.staff_urlpatterns,
    *consent_urls.staff_urlpatterns,
    *cases_urls.staff_urlpatterns,
    *evidence_urls.staff_urlpatterns,
    *incidents_urls.staff_urlpatterns,
    *governance_urls.staff_urlpatterns,
    *publishing_urls.staff_urlpatterns,
]

school_urlpatterns = [
    *community_urls.school_urlpatterns,
    *accounts_urls.school_urlpatterns,
    *moderation_urls.school_urlpatterns,
    *consent_urls.school_urlpatterns,
    *governance_urls.school_urlpatterns,
    *publishing_urls.school_urlpatterns,
]

urlpatterns = [
    path("", home, name="home"),
    path("csp-report/", csp_report, name="csp_report"),
    *publishing_urls.urlpatterns,
    path("accounts/", include("allauth.urls")),
    path("s/<slug:slug>/staff/", include((staff_urlpatterns, "staff"))),
    path("s/<slug:slug>/", include(school_urlpatterns)),
]
