"""The double-registration API (双报到): one blueprint per subpackage, composed here for the app factory."""
from server.community.duties.routes import blp as duties_blp
from server.community.registration.routes import blp as registration_blp
from server.community.reporting.routes import blp as reporting_blp

BLUEPRINTS = (registration_blp, duties_blp, reporting_blp)
