"""Organizer attendance API: live list and summary, roster, manual check-in, annulment, member cards."""
from flask import current_app, jsonify
from flask.views import MethodView

from server.attendance import history, manual, services
from server.attendance.schemas import (
    AnnulOutSchema,
    AnnulSchema,
    AttendanceListArgs,
    AttendanceListSchema,
    ManualCheckinOutSchema,
    ManualCheckinSchema,
    MyAttendanceArgs,
    MyAttendanceSchema,
    ReissueOutSchema,
    RestoreOutSchema,
    RosterSchema,
    SearchArgs,
    encode_cursor,
)
from server.auth.permissions import login_required, require_user
from server.extensions import Blueprint

blp = Blueprint("attendance", __name__, url_prefix="/api/v1",
                description="Attendance of an event, for its organizers: list, roster, manual check-in, annulment")

MANAGERS_ONLY = "Not a manager of this event (admin, organizer of the host organization, liaison of the host community)"


@blp.route("/events/<int:event_id>/attendance")
class EventAttendance(MethodView):
    decorators = [login_required]  # 401 before the body is judged

    @blp.arguments(AttendanceListArgs, location="query")
    @blp.response(200, AttendanceListSchema)
    @blp.alt_response(403, description=MANAGERS_ONLY)
    @blp.alt_response(404, description="No such event")
    def get(self, args, event_id):
        """The summary, and the attendances changed since `since` (all without it), with member names."""
        answer = services.list_attendance(require_user(), event_id, since=args["since"], q=args["q"])
        return jsonify({**answer, "cursor": encode_cursor(answer["cursor"])})  # already JSON-shaped: skip dump

    @blp.arguments(ManualCheckinSchema)
    @blp.response(201, ManualCheckinOutSchema)
    @blp.alt_response(200, schema=ManualCheckinOutSchema, description="Checked out (direction out)")
    @blp.alt_response(403, description="Not a manager, or the member is not eligible or inactive")
    @blp.alt_response(404, description="No such event or member")
    @blp.alt_response(409, description="Already checked in or out, annulled, not checked in, cancelled event, or a "
                                       "replaced card (card_revoked)")
    @blp.alt_response(422, description="Missing reason, neither or both of member_id and card_token, bad card")
    def post(self, body, event_id):
        """Check a member in by id or by their card, with a reason; points are paid as for a scan."""
        answer = manual.manual_checkin(require_user(), event_id, body["reason"], member_id=body["member_id"],
                                         card_token=body["card_token"], direction=body["direction"])
        return answer, 201 if body["direction"] == "in" else 200


@blp.route("/events/<int:event_id>/attendance/<int:attendance_id>/annul")
class Annul(MethodView):
    decorators = [login_required]

    @blp.arguments(AnnulSchema)
    @blp.response(200, AnnulOutSchema)
    @blp.alt_response(403, description=MANAGERS_ONLY)
    @blp.alt_response(404, description="No such event, or the attendance is not of this event")
    @blp.alt_response(409, description="Already annulled")
    def post(self, body, event_id, attendance_id):
        """Annul an attendance in any state, reversing its points; the reason is audited."""
        return services.annul(require_user(), event_id, attendance_id, body["reason"])


@blp.route("/events/<int:event_id>/roster")
class Roster(MethodView):
    decorators = [login_required]

    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, RosterSchema)
    @blp.alt_response(403, description=MANAGERS_ONLY)
    @blp.alt_response(409, description="The event has no roster (open audience)")
    def get(self, args, event_id):
        """Expected members with their attendance or null, searchable by name or phone."""
        return jsonify({"items": services.roster(require_user(), event_id, q=args["q"])})


@blp.route("/me/attendance")
class MyAttendance(MethodView):
    decorators = [login_required]

    @blp.arguments(MyAttendanceArgs, location="query")
    @blp.response(200, MyAttendanceSchema)
    def get(self, args):
        """The signed-in member's own check-ins of a year, newest first, with the year's hours."""
        return history.my_attendance(require_user().id, args["year"], args["page"], args["page_size"])


@blp.route("/events/<int:event_id>/attendance/<int:attendance_id>/restore")
class Restore(MethodView):
    decorators = [login_required]

    @blp.arguments(AnnulSchema)
    @blp.response(200, RestoreOutSchema)
    @blp.alt_response(403, description=MANAGERS_ONLY)
    @blp.alt_response(404, description="No such event or attendance")
    @blp.alt_response(409, description="Not annulled")
    @blp.alt_response(422, description="A reason is required")
    def post(self, body, event_id, attendance_id):
        """Undo an annulment with a reason: the state it had before, its points paid again; audited."""
        return services.restore(require_user(), event_id, attendance_id, body["reason"])


@blp.route("/members/<int:member_id>/card.png")
class MemberCard(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="image/png", description="QR of {PUBLIC_BASE_URL}/c/{card token}")
    @blp.alt_response(403, description="Only the member, admins and organizers over the member's branch")
    def get(self, member_id):
        """The member's personal card QR, which an organizer scans to check them in by hand."""
        png = services.card_png(require_user(), member_id)
        resp = current_app.response_class(png, mimetype="image/png")
        resp.headers["Cache-Control"] = "private, no-cache"  # a reissued card must show at once
        return resp


@blp.route("/members/<int:member_id>/card/reissue")
class ReissueCard(MethodView):
    decorators = [login_required]

    @blp.arguments(AnnulSchema)
    @blp.response(200, ReissueOutSchema)
    @blp.alt_response(403, description="Only the member, admins and organizers over the member's branch")
    @blp.alt_response(422, description="A reason is required")
    def post(self, body, member_id):
        """A new card (a lost one): the old card is refused from now on with card_revoked; audited."""
        return services.reissue_card(require_user(), member_id, body["reason"])
