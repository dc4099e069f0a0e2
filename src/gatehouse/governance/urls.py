from __future__ import annotations

staff_urlpatterns: list = []
school_urlpatterns: list = []
