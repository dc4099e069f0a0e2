"""Endpoints with no domain (browsers' Content-Security-Policy violation reports), and the
response for private files."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gatehouse.lib.ratelimit import RateLimited, check_rate

logger = logging.getLogger("gatehouse.csp")
MAX_REPORT_BYTES = 16 * 1024


@csrf_exempt  # browsers send reports without a token; nothing here changes any state
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REPORT_BYTES:
        return HttpResponse("Report too large.", status=413, content_type="text/plain")
    try:
        check_rate(request, "csp_report")
        report = json.loads(request.body)
    except RateLimited:
        return HttpResponse(status=429)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse("Not a JSON report.", status=400, content_type="text/plain")
    body = report.get("csp-report", report) if isinstance(report, dict) else report
    logger.warning("Content-Security-Policy violation: %s", json.dumps(body)[:2000])
    return HttpResponse(status=204)


def private_file(data: bytes, content_type: str, filename: str, *,
                 download: bool = True) -> HttpResponse:
    """A file only this person may have: never cached, saved or shown under `filename`."""
    response = HttpResponse(data, content_type=content_type)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
