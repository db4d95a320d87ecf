from flask_smorest import Blueprint

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="events")
