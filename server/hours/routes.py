"""Hours API: the reviewers' queue, confirm / adjust / reject / set, bulk confirm, disputes, publication
(公示) and its setting, and the service details an event's record shows.

Who: a liaison reviews their communities' community_duty hours; an organizer the volunteer_service hours
of events hosted in their organizations (and below); admins all; nobody their own (403 hours_own)."""
from flask.views import MethodView

from server.auth.permissions import login_required, require_user
from server.common.schemas import PageArgs
from server.extensions import Blueprint
from server.hours import disputes, publication, queue, review, service_info
from server.hours import schemas as s

blp = Blueprint("hours", __name__, url_prefix="/api/v1",
                description="Service hours: liaison / organizer review, disputes, publication and lock")

REVIEWERS = ("Not a reviewer of this record (liaison of the host community for community_duty, organizer of "
             "the host organization for volunteer_service, admin), or the caller's own record (hours_own)")
STATE = "Not allowed in the record's state (hours_state), locked (hours_locked), or changed concurrently"


@blp.route("/hours")
class Queue(MethodView):
    decorators = [login_required]

    @blp.arguments(s.QueueArgs, location="query")
    @blp.response(200, s.QueueSchema)
    @blp.alt_response(403, description="Not a liaison, organizer or admin")
    def get(self, args):
        """The review queue (liaison's phone): by default pending, no_checkout and disputed records in scope.

        Ordered by event start then member name; `counts` gives the badges whatever the filter."""
        return queue.queue(require_user(), args["state"], args["event_id"], args["community_id"], args["q"],
                              args["page"], args["page_size"])


@blp.route("/hours/mine")
class Mine(MethodView):
    decorators = [login_required]

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, s.MineSchema)
    def get(self, args):
        """The signed-in member's own hours records (newest first), with lock and open dispute."""
        return queue.mine(require_user(), args["page"], args["page_size"])


@blp.route("/hours/<int:attendance_id>")
class Detail(MethodView):
    decorators = [login_required]

    @blp.response(200, s.HoursDetailSchema)
    @blp.alt_response(403, description="Neither the member, a reviewer nor a manager of the event")
    @blp.alt_response(404, description="No such attendance")
    def get(self, attendance_id):
        """One record with all its disputes and its audit history (who changed what, when and why)."""
        return queue.detail(require_user(), attendance_id)


@blp.route("/hours/<int:attendance_id>/confirm")
class Confirm(MethodView):
    decorators = [login_required]

    @blp.arguments(s.ConfirmSchema)
    @blp.response(200, s.ActionResultSchema)
    @blp.alt_response(403, description=REVIEWERS)
    @blp.alt_response(404, description="No such attendance")
    @blp.alt_response(409, description=STATE + "; or the event records no hours (hours_no_hours)")
    def post(self, body, attendance_id):
        """pending → confirmed with the claimed hours; pays the hours points; optional evaluation."""
        return review.act(require_user(), attendance_id, "confirm", reason=body["reason"],
                            evaluation=body["evaluation"], comment=body["comment"])


@blp.route("/hours/<int:attendance_id>/adjust")
class Adjust(MethodView):
    decorators = [login_required]

    @blp.arguments(s.AdjustSchema)
    @blp.response(200, s.ActionResultSchema)
    @blp.alt_response(403, description=REVIEWERS)
    @blp.alt_response(409, description=STATE)
    @blp.alt_response(422, description="Missing reason, hours ≤ 0, or above the scheduled length "
                                       "(hours_above_scheduled)")
    def post(self, body, attendance_id):
        """pending | confirmed | rejected | checked_out → confirmed with other hours, with a reason.

        Points already paid are reversed and the new amount paid under the next rule code."""
        return review.act(require_user(), attendance_id, "adjust", hours=body["hours"], reason=body["reason"],
                            evaluation=body["evaluation"], comment=body["comment"], correction=body["correction"])


@blp.route("/hours/<int:attendance_id>/reject")
class Reject(MethodView):
    decorators = [login_required]

    @blp.arguments(s.RejectSchema)
    @blp.response(200, s.ActionResultSchema)
    @blp.alt_response(403, description=REVIEWERS)
    @blp.alt_response(409, description=STATE)
    @blp.alt_response(422, description="Missing reason")
    def post(self, body, attendance_id):
        """pending | confirmed | checked_out | no_checkout → rejected, with a reason; paid points are reversed."""
        return review.act(require_user(), attendance_id, "reject", reason=body["reason"],
                            comment=body["comment"], correction=body["correction"])


@blp.route("/hours/<int:attendance_id>/set")
class SetHours(MethodView):
    decorators = [login_required]

    @blp.arguments(s.AdjustSchema)
    @blp.response(200, s.ActionResultSchema)
    @blp.alt_response(403, description=REVIEWERS)
    @blp.alt_response(409, description=STATE)
    @blp.alt_response(422, description="Missing reason, hours ≤ 0 or above the scheduled length")
    def post(self, body, attendance_id):
        """no_checkout → confirmed with hours set by hand (capped at the scheduled length), with a reason."""
        return review.act(require_user(), attendance_id, "set", hours=body["hours"], reason=body["reason"],
                            evaluation=body["evaluation"], comment=body["comment"], correction=body["correction"])


@blp.route("/hours/bulk-confirm")
class BulkConfirm(MethodView):
    decorators = [login_required]

    @blp.arguments(s.BulkConfirmSchema)
    @blp.response(200, s.BulkResultSchema)
    @blp.alt_response(403, description="One of the records is the caller's own or outside their scope: "
                                       "nothing is changed")
    @blp.alt_response(404, description="Unknown attendance ids: nothing is changed")
    def post(self, body):
        """Confirm up to 500 records at once (a week of duty); records not pending are skipped and listed."""
        return review.bulk_confirm(require_user(), body["attendance_ids"], body["evaluation"], body["reason"])


@blp.route("/hours/<int:attendance_id>/disputes")
class Disputes(MethodView):
    decorators = [login_required]

    @blp.arguments(s.DisputeInSchema)
    @blp.response(201, s.DisputeSchema)
    @blp.alt_response(403, description="Not the caller's own record (hours_not_yours)")
    @blp.alt_response(409, description="Locked, already disputed (hours_dispute_open), or not disputable")
    def post(self, body, attendance_id):
        """The member disputes their own hours with a message; it shows in the reviewers' queue."""
        return disputes.open_dispute(require_user(), attendance_id, body["message"])


@blp.route("/hours/disputes/<int:dispute_id>/answer")
class Answer(MethodView):
    decorators = [login_required]

    @blp.arguments(s.AnswerInSchema)
    @blp.response(200, s.DisputeSchema)
    @blp.alt_response(403, description=REVIEWERS)
    @blp.alt_response(409, description="Already answered (hours_dispute_not_open)")
    def post(self, body, dispute_id):
        """A reviewer answers a dispute (to change the hours too, call adjust or set as well)."""
        return disputes.answer_dispute(require_user(), dispute_id, body["answer"])


@blp.route("/hours/publication")
class Publication(MethodView):
    decorators = [login_required]

    @blp.arguments(s.ScopeArgs, location="query")
    @blp.response(200, s.PublicationSchema)
    @blp.alt_response(403, description="Not a member or manager of that community or organization")
    @blp.alt_response(404, description="No such organization")
    def get(self, args):
        """Confirmed hours in publication (公示) now, until their locks_at; members may dispute them meanwhile."""
        return publication.publication(require_user(), args["community_id"], args["org_id"])


@blp.route("/hours/settings")
class Settings(MethodView):
    decorators = [login_required]

    @blp.arguments(s.ScopeArgs, location="query")
    @blp.response(200, s.SettingSchema)
    @blp.alt_response(403, description="Not a liaison of the community, organizer of the organization, or admin")
    @blp.alt_response(404, description="No such community or organization")
    def get(self, args):
        """Publication days of a community or an organization (0: no publication, records never lock)."""
        return publication.get_setting(require_user(), args["community_id"], args["org_id"])

    @blp.arguments(s.SettingInSchema)
    @blp.response(200, s.SettingSchema)
    @blp.alt_response(403, description="Not a liaison of the community, organizer of the organization, or admin")
    @blp.alt_response(404, description="No such community or organization")
    def put(self, body):
        """Set publication days; applies to hours confirmed from now on. An organization's setting covers
        its tree unless a nearer organization has its own."""
        return publication.put_setting(require_user(), body["community_id"], body["org_id"], body["publicity_days"],
                                    body["reason"])


@blp.route("/hours/events/<int:event_id>/service-info")
class ServiceInfo(MethodView):
    decorators = [login_required]

    @blp.response(200, s.ServiceInfoSchema)
    @blp.alt_response(403, description="Not a manager or reviewer of the event")
    def get(self, event_id):
        """Service recipient, content, leader and recorder shown in members' service records for this event."""
        return service_info.get_service_info(require_user(), event_id)

    @blp.arguments(s.ServiceInfoSchema)
    @blp.response(200, s.ServiceInfoSchema)
    @blp.alt_response(403, description="Not a manager or reviewer of the event")
    def put(self, body, event_id):
        """Set the service details (fields left out keep their value); audited."""
        return service_info.put_service_info(require_user(), event_id, body)
