"""Leave (请假) and make-up (补课) API: members ask and record their own; the event's managers decide."""
from flask.views import MethodView
from marshmallow import Schema, fields

from server.auth.permissions import login_required, require_user
from server.common.fields import text
from server.common.schemas import Id, LocalDateTime
from server.orglife import leave, makeup
from server.orglife.routes import blp


class LeaveAskSchema(Schema):
    event_id = Id(required=True, strict=True)
    reason = fields.String(required=True, validate=text(500, "请假原因", 1))


class LeaveDecisionSchema(Schema):
    note = fields.String(load_default="", validate=text(255, "处理意见"))


class LeaveWithdrawSchema(Schema):
    reason = fields.String(required=True, validate=text(255, "原因", min_len=1))


class LeaveRequestSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    event_title = fields.String(allow_none=True)
    member_id = fields.Integer()
    member_name = fields.String(allow_none=True)
    reason = fields.String()
    status = fields.String(metadata={"description": "pending, approved (the member is excused) or declined"})
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decision_note = fields.String()
    created_at = fields.String()


class MakeUpCreateSchema(Schema):
    event_id = Id(required=True, strict=True)
    content = fields.String(required=True, validate=text(5000, "补课内容", 1))
    studied_at = LocalDateTime(required=True)


class MakeUpSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    event_title = fields.String(allow_none=True)
    member_id = fields.Integer()
    member_name = fields.String(allow_none=True)
    content = fields.String()
    studied_at = fields.String()
    confirmed = fields.Boolean(metadata={"description": "confirmed by the secretary: shown as made up"})
    confirmed_by_id = fields.Integer(allow_none=True)
    confirmed_at = fields.String(allow_none=True)
    created_at = fields.String()


@blp.route("/orglife/leave")
class Leave(MethodView):
    decorators = [login_required]

    @blp.response(200, LeaveRequestSchema(many=True))
    def get(self):
        """My own leave requests (a member sees only theirs)."""
        return leave.mine(require_user())

    @blp.arguments(LeaveAskSchema)
    @blp.response(201, LeaveRequestSchema)
    @blp.alt_response(403, description="You are not expected at this meeting (orglife_leave_not_expected)")
    @blp.alt_response(404, description="No such event visible to you")
    @blp.alt_response(409, description="Started, cancelled, already asked or checked in (orglife_leave_*)")
    def post(self, body):
        """Ask leave from a meeting or Party day before it starts (audited)."""
        return leave.ask(require_user(), body["event_id"], body["reason"])


@blp.route("/orglife/leave/<int:leave_id>/approve")
class LeaveApprove(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaveDecisionSchema)
    @blp.response(200, LeaveRequestSchema)
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such request in an event you see")
    @blp.alt_response(409, description="Already decided, or the member checked in (orglife_leave_*)")
    def post(self, body, leave_id):
        """Approve: the member becomes excused (not absent, no absence deduction); audited."""
        return leave.decide(require_user(), leave_id, True, body["note"])


@blp.route("/orglife/leave/<int:leave_id>/withdraw")
class LeaveWithdraw(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaveWithdrawSchema)
    @blp.response(200, LeaveRequestSchema)
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such request in an event you see")
    @blp.alt_response(409, description="Not an approved leave (orglife_leave_decided)")
    def post(self, body, leave_id):
        """Withdraw an approved leave (the member came after all): they can check in again; audited."""
        return leave.withdraw(require_user(), leave_id, body["reason"])


@blp.route("/orglife/leave/<int:leave_id>/decline")
class LeaveDecline(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaveDecisionSchema)
    @blp.response(200, LeaveRequestSchema)
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such request in an event you see")
    @blp.alt_response(409, description="Already decided (orglife_leave_decided)")
    def post(self, body, leave_id):
        """Decline a leave request; audited."""
        return leave.decide(require_user(), leave_id, False, body["note"])


@blp.route("/orglife/events/<int:event_id>/leave")
class EventLeave(MethodView):
    decorators = [login_required]

    @blp.response(200, LeaveRequestSchema(many=True))
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such event visible to you")
    def get(self, event_id):
        """The leave requests of one event, for its managers."""
        return leave.for_event(require_user(), event_id)


@blp.route("/orglife/makeups")
class MakeUps(MethodView):
    decorators = [login_required]

    @blp.response(200, MakeUpSchema(many=True))
    def get(self):
        """My own make-ups."""
        return makeup.mine(require_user())

    @blp.arguments(MakeUpCreateSchema)
    @blp.response(201, MakeUpSchema)
    @blp.alt_response(403, description="You were not expected at this meeting")
    @blp.alt_response(404, description="No such event visible to you")
    @blp.alt_response(409, description="Not ended, attended, or already recorded (orglife_makeup_*)")
    def post(self, body):
        """Record a make-up for a meeting I missed (audited); the secretary confirms it."""
        return makeup.record(require_user(), body["event_id"], body["content"], body["studied_at"])


@blp.route("/orglife/makeups/<int:makeup_id>/confirm")
class MakeUpConfirm(MethodView):
    decorators = [login_required]

    @blp.response(200, MakeUpSchema)
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such make-up in an event you see")
    @blp.alt_response(409, description="Already confirmed")
    def post(self, makeup_id):
        """Confirm a make-up: the member shows as made up (audited)."""
        return makeup.confirm(require_user(), makeup_id)


@blp.route("/orglife/events/<int:event_id>/makeups")
class EventMakeUps(MethodView):
    decorators = [login_required]

    @blp.response(200, MakeUpSchema(many=True))
    @blp.alt_response(403, description="You see the event but do not manage it")
    @blp.alt_response(404, description="No such event visible to you")
    def get(self, event_id):
        """The make-ups of one event, for its managers."""
        return makeup.for_event(require_user(), event_id)


class InboxSchema(Schema):
    leave = fields.List(fields.Nested(LeaveRequestSchema), metadata={"description": "undecided leave requests"})
    makeups = fields.List(fields.Nested(MakeUpSchema), metadata={"description": "make-ups to confirm"})


@blp.route("/orglife/inbox")
class Inbox(MethodView):
    decorators = [login_required]

    @blp.response(200, InboxSchema)
    def get(self):
        """What waits for me as secretary: leave to decide and make-ups to confirm, of the events I manage
        (empty for a member who manages none)."""
        actor = require_user()
        return {"leave": leave.pending(actor), "makeups": makeup.unconfirmed(actor)}
