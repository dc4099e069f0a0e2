"""Gatehouse: a school's Social Media Policy, put into practice."""

from gatehouse.celery import app as celery_app

__all__ = ["celery_app"]
