"""WSGI entry point: `gunicorn wsgi:app`."""

from app import create_app

app = create_app()

# `celery -A wsgi.celery worker` / `celery -A wsgi.celery beat` in production.
celery = app.extensions["celery"]
