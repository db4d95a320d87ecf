"""Double registration (双报到): see server/community/routes.py for the API."""
from server.community import messages  # noqa: F401  (registers the feature's messages once)
