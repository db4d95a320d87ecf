"""Reports and exports: a member's service record (JSON, CSV, printable HTML), an event's attendance
sheet (CSV, XLSX), and the monthly participation report of an organization (JSON, CSV, XLSX)."""
from flask.views import MethodView

from server.auth.permissions import login_required, require_user
from server.extensions import Blueprint
from server.reports import attendance_export, participation, participation_export, service_record
from server.reports.schemas import ParticipationArgs, ParticipationSchema, ServiceRecordArgs, ServiceRecordSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="Service records, attendance sheets and participation reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _formats(json_schema: str, *others: str) -> dict:
    """Document one 200 answer in several formats (chosen by the `format` query argument)."""
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{json_schema}"}}}
    content.update({t: {"schema": {"type": "string", "format": "binary"}} for t in others})
    return {"responses": {"200": {"description": "by `format`", "content": content}}}


@blp.route("/members/<int:member_id>/service-record")
class ServiceRecord(MethodView):
    decorators = [login_required]

    @blp.arguments(ServiceRecordArgs, location="query")
    @blp.response(200, ServiceRecordSchema)
    @blp.doc(**_formats("ServiceRecord", "text/csv", "text/html"))
    @blp.alt_response(403, description="Only the member, admins, organizers over the member's branch and "
                                       "liaisons of the member's community")
    def get(self, args, member_id):
        """The member's service record for a period: entries, totals, cumulative hours and star level."""
        record = service_record.service_record(require_user(), member_id, args["date_from"], args["date_to"])
        if args["format"] == "csv":
            return service_record.as_csv(record)
        if args["format"] == "html":
            return service_record.as_html(record)
        return record


@blp.route("/events/<int:event_id>/attendance.csv")
class AttendanceCsv(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="text/csv", description="UTF-8 with BOM; Chinese headers; local times")
    @blp.alt_response(403, description="Not a manager of the event")
    @blp.alt_response(404, description="No such event")
    def get(self, event_id):
        """The event's attendance sheet: name, branch, check-in time, late, check-out time, hours, state,
        how each was recorded; a party day's absent roster members last (状态 缺席)."""
        return attendance_export.export_csv(require_user(), event_id)


@blp.route("/events/<int:event_id>/attendance.xlsx")
class AttendanceXlsx(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type=XLSX, description="sheets 签到表 and 活动信息 (summary)")
    @blp.alt_response(403, description="Not a manager of the event")
    @blp.alt_response(404, description="No such event")
    def get(self, event_id):
        """The same sheet as the CSV as an Excel workbook, times as real dates, plus the event's summary."""
        return attendance_export.export_xlsx(require_user(), event_id)


@blp.route("/reports/participation")
class Participation(MethodView):
    decorators = [login_required]

    @blp.arguments(ParticipationArgs, location="query")
    @blp.response(200, ParticipationSchema)
    @blp.doc(**_formats("Participation", "text/csv", XLSX))
    @blp.alt_response(403, description="Not an organizer of the organization (or above), nor an admin")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(422, description="Bad month, or no org_id for an admin")
    def get(self, args):
        """Participation of an organization's tree in a month: party-day attendance rate, absentees, late
        arrivals, volunteer hours, double-registration coverage; per sub-organization, with chart series."""
        fmt = args["format"]
        report = participation.participation(require_user(), args["org_id"], args["month"],
                                             with_detail=fmt == "xlsx")
        if fmt == "csv":
            return participation_export.as_csv(report)
        if fmt == "xlsx":
            return participation_export.as_xlsx(report)
        return report
