"""Points read API: a member's ledger and balance, and leaderboards by organization or community."""
from flask.views import MethodView

from server.auth.permissions import login_required, require_user
from server.extensions import Blueprint
from server.points import services
from server.points.schemas import LeaderboardArgs, LeaderboardSchema, LedgerArgs, LedgerSchema

blp = Blueprint("points", __name__, url_prefix="/api/v1", description="Points ledger and leaderboards")


@blp.route("/points/ledger")
class Ledger(MethodView):
    decorators = [login_required]

    @blp.arguments(LedgerArgs, location="query")
    @blp.response(200, LedgerSchema)
    @blp.alt_response(403, description="Another member's ledger, outside the caller's organizations")
    @blp.alt_response(404, description="No such member (answered to admins)")
    def get(self, args):
        """Ledger entries (newest first) and balance: one's own, or a member's for admins and organizers."""
        member = services.member_in_view(require_user(), args["member_id"])
        return services.ledger(member, args["page"], args["page_size"])


@blp.route("/points/leaderboard")
class Leaderboard(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaderboardArgs, location="query")
    @blp.response(200, LeaderboardSchema)
    @blp.alt_response(403, description="Scope outside the caller's branch, organizations or communities")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(422, description="Both org_id and community_id, or no scope for a member without a branch")
    def get(self, args):
        """Top 50 members by points this month, this year or all time, in one organization or community."""
        return services.leaderboard(require_user(), args["org_id"], args["community_id"], args["period"])
