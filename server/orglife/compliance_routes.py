"""Requirements (admin, per year) and the compliance calendar of an organization's tree, with XLSX export."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth.permissions import login_required, require_user
from server.common.fields import text
from server.common.schemas import Id
from server.common.sheets import Sheet, xlsx_response
from server.common.timeutil import to_local, utcnow
from server.orglife import compliance
from server.orglife.routes import blp

STATUS_ZH = {"held": "已完成", "due": "待开", "overdue": "逾期"}


class RequirementYearArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class ComplianceArgs(RequirementYearArgs):
    org_id = Id(required=True)


class RequirementItemSchema(Schema):
    kind = fields.String(required=True)
    period = fields.String(required=True, validate=validate.OneOf(tuple(compliance.PERIODS)))
    min_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=31))


class RequirementsBodySchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    items = fields.List(fields.Nested(RequirementItemSchema), required=True, validate=validate.Length(min=1, max=20))
    reason = fields.String(required=True, validate=text(255, "调整原因", 1))


class RequirementSchema(Schema):
    year = fields.Integer()
    kind = fields.String()
    period = fields.String(metadata={"description": "month, quarter or year"})
    min_count = fields.Integer(metadata={"description": "at least this many per period; 0: not required"})
    default = fields.Boolean(metadata={"description": "the kinds table's default, not edited for this year"})


class ComplianceCellSchema(Schema):
    period = fields.Integer(metadata={"description": "1-12 (month), 1-4 (quarter) or 1 (year)"})
    held = fields.Integer(metadata={"description": "meetings of the kind hosted by the branch that have started"})
    min_count = fields.Integer()
    status = fields.String(metadata={"description": "held, due (period not over) or overdue"})


class ComplianceKindSchema(Schema):
    kind = fields.String()
    label = fields.String()
    period = fields.String()
    cells = fields.List(fields.Nested(ComplianceCellSchema))


class ComplianceBranchSchema(Schema):
    org_id = fields.Integer()
    name = fields.String()
    members = fields.Integer()
    overdue = fields.Integer()
    kinds = fields.List(fields.Nested(ComplianceKindSchema))


class ComplianceCalendarSchema(Schema):
    org = fields.Dict()
    year = fields.Integer()
    branches = fields.List(fields.Nested(ComplianceBranchSchema))
    behind = fields.List(fields.Dict(), metadata={"description": "branches with an overdue period"})
    requirements = fields.List(fields.Dict())


def _year(args) -> int:
    return args.get("year") or to_local(utcnow()).year


@blp.route("/orglife/requirements")
class Requirements(MethodView):
    decorators = [login_required]

    @blp.arguments(RequirementYearArgs, location="query")
    @blp.response(200, RequirementSchema(many=True))
    def get(self, args):
        """The year's minimum frequencies per kind (defaults from the national rules unless edited)."""
        require_user()
        return compliance.list_requirements(_year(args))

    @blp.arguments(RequirementsBodySchema)
    @blp.response(200, RequirementSchema(many=True))
    @blp.alt_response(403, description="Admins only")
    def put(self, body):
        """Set the year's minimum frequencies (admin; audited with before and after)."""
        return compliance.put_requirements(require_user(), body["year"], body["items"], body["reason"])


@blp.route("/orglife/compliance")
class Calendar(MethodView):
    decorators = [login_required]

    @blp.arguments(ComplianceArgs, location="query")
    @blp.response(200, ComplianceCalendarSchema)
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def get(self, args):
        """Each branch's year: per required kind and period, held / due / overdue; behind-schedule roll-up."""
        return compliance.calendar(require_user(), args["org_id"], _year(args))


@blp.route("/orglife/compliance.xlsx")
class CalendarExport(MethodView):
    decorators = [login_required]

    @blp.arguments(ComplianceArgs, location="query")
    @blp.response(200, description="The calendar as a workbook (formula-safe)")
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def get(self, args):
        """The compliance calendar as XLSX: a row per branch and kind, a column per period."""
        cal = compliance.calendar(require_user(), args["org_id"], _year(args))
        width = max((len(k["cells"]) for b in cal["branches"] for k in b["kinds"]), default=1)
        header = ["组织", "类型", "周期", *(f"第{i}期" for i in range(1, width + 1)), "逾期期数"]
        rows = [[b["name"], k["label"], {"month": "每月", "quarter": "每季度", "year": "每年"}[k["period"]],
                 *(f"{STATUS_ZH[c['status']]} {c['held']}/{c['min_count']}" for c in k["cells"]),
                 *([""] * (width - len(k["cells"]))), sum(c["status"] == "overdue" for c in k["cells"])]
                for b in cal["branches"] for k in b["kinds"]]
        year = cal["year"]
        return xlsx_response([Sheet("组织生活", header, rows, widths={1: 20, 2: 14})],
                             f"orglife-{cal['org']['id']}-{year}.xlsx", f"组织生活-{cal['org']['name']}-{year}.xlsx")
