"""Routes: the liaison's evaluations and the quarterly / yearly report, as JSON or XLSX."""
import io
from functools import partial

from flask import send_file
from flask.views import MethodView

from server.auth.permissions import require_user
from server.community.api import community_blueprint, errors
from server.community.reporting import evaluations, export
from server.community.reporting import services as reports
from server.community.schemas import EvaluationListArgs, EvaluationPutSchema, ReportArgs
from server.community.views import EvaluationSchema, ReportSchema

blp = community_blueprint(
    "reporting", "Double registration: reporting back to the branch, evaluations and the workbook")
documented = partial(errors, blp)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(report: dict):
    resp = send_file(io.BytesIO(export.workbook_bytes(report)), mimetype=XLSX, as_attachment=True,
                     download_name=export.filename(report), max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.route("/communities/<int:community_id>/evaluations")
class Evaluations(MethodView):
    @blp.arguments(EvaluationListArgs, location="query")
    @blp.response(200, EvaluationSchema(many=True))
    @documented(401, 403, 404)
    def get(self, args, community_id):
        """The community's evaluations of members (liaison, admin), optionally for one period."""
        return evaluations.listing(require_user(), community_id, args.get("period"))

    @blp.arguments(EvaluationPutSchema)
    @blp.response(200, EvaluationSchema)
    @documented(401, 403, 404, 409, 422)
    def put(self, body, community_id):
        """Set the evaluation (评价) of a member registered with or serving in the community for a year
        or quarter (liaison, admin); it appears in the branch's report; audited."""
        return evaluations.put(require_user(), community_id, body)


@blp.route("/organizations/<int:organization_id>/community-report")
class BranchReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportSchema)
    @documented(401, 403, 404, 422)
    def get(self, args, organization_id):
        """Quarterly (quarter=1..4) or yearly report of the organization's members (its subtree):
        registered or not, community, duties claimed, attended, confirmed hours, the liaison's evaluation,
        flags not_registered / under_threshold. Organizers of the organization or above, admins."""
        return reports.branch_report(require_user(), organization_id, args["year"], args.get("quarter"),
                                     args.get("min_hours"))


@blp.route("/organizations/<int:organization_id>/community-report.xlsx")
class BranchReportXlsx(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, content_type=XLSX, description="The same report as an XLSX workbook, Chinese headers")
    @documented(401, 403, 404, 422)
    def get(self, args, organization_id):
        """The branch report as XLSX (sheet 双报到情况, plus 说明)."""
        return _xlsx(reports.branch_report(require_user(), organization_id, args["year"], args.get("quarter"),
                                           args.get("min_hours")))


@blp.route("/communities/<int:community_id>/report")
class CommunityReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportSchema)
    @documented(401, 403, 404, 422)
    def get(self, args, community_id):
        """The same report from the community's side: its registrants and whoever claimed or served there
        in the period, counting only this community's duties. Liaisons of the community, admins."""
        return reports.community_report(require_user(), community_id, args["year"], args.get("quarter"),
                                        args.get("min_hours"))


@blp.route("/communities/<int:community_id>/report.xlsx")
class CommunityReportXlsx(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, content_type=XLSX, description="The community report as an XLSX workbook")
    @documented(401, 403, 404, 422)
    def get(self, args, community_id):
        """The community report as XLSX."""
        return _xlsx(reports.community_report(require_user(), community_id, args["year"], args.get("quarter"),
                                              args.get("min_hours")))
