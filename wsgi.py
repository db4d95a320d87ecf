"""The one place that builds the app: gunicorn wsgi:app, flask --app wsgi."""
from server import create_app

app = create_app()
