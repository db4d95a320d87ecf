from flask_smorest import Blueprint

blp = Blueprint("attendance", __name__, url_prefix="/api/v1", description="attendance")
