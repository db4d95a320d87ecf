"""Evaluation API: the scoring sheet, the league table and one branch's breakdown, adjustments and
publishing (admins), the XLSX of the table, and the live board."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth.permissions import login_required, require_user
from server.common.fields import between, one_of, text
from server.common.schemas import Id
from server.common.sheets import Sheet, xlsx_response
from server.common.timeutil import to_local, utcnow
from server.evaluation import board, rating, sheet
from server.extensions import Blueprint

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1", description="Branch ratings, the committee's view, "
                                                                            "the live board")


class YearArgs(Schema):
    year = fields.Integer(load_default=None, validate=between(2000, 2100, "年度"))
    org_id = Id(load_default=None)


class BoardArgs(Schema):
    org_id = Id(load_default=None)
    since = fields.String(load_default=None, validate=validate.Length(max=80),
                          metadata={"description": "the cursor of the last answer: unchanged boards say so"})


class IndicatorSchema(Schema):
    code = fields.String(required=True, validate=one_of(tuple(sheet.INDICATORS), "指标"))
    weight = fields.Float(required=True, validate=between(0, 100, "权重"))
    target = fields.Float(required=True, validate=between(0, 100000, "目标值"))
    kinds = fields.List(fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=10))
    days = fields.Integer(validate=between(1, 90, "天数"))
    min_hours = fields.Float(validate=between(0, 1000, "时长"))


class SheetSchema(Schema):
    year = fields.Integer(required=True, validate=between(2000, 2100, "年度"))
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1, max=20))
    stars = fields.List(fields.Float(), required=True, validate=validate.Length(equal=5))
    reason = fields.String(required=True, validate=text(500, "原因", min_len=1))


class RatingAdjustSchema(Schema):
    year = fields.Integer(required=True, validate=between(2000, 2100, "年度"))
    branch_id = Id(required=True, strict=True)
    kind = fields.String(required=True, validate=one_of(("veto", "deduct"), "调整类型"))
    points = fields.Float(load_default=0, validate=between(0, 100, "扣分"))
    reason = fields.String(required=True, validate=text(500, "原因", min_len=1))


class PublishSchema(Schema):
    year = fields.Integer(required=True, validate=between(2000, 2100, "年度"))


def _year(args) -> int:
    return args.get("year") or to_local(utcnow()).year


@blp.route("/evaluation/sheet")
class ScoreSheet(MethodView):
    decorators = [login_required]

    @blp.arguments(YearArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """The year's scoring sheet (its newest version; version 0 is the default)."""
        require_user()
        return {**sheet.current(_year(args)), "labels": {c: {"zh": z, "en": e, "unit": u}
                                                         for c, (z, e, u) in sheet.INDICATORS.items()}}

    @blp.arguments(SheetSchema)
    @blp.response(200)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(422, description="Unknown or repeated indicators, weights not adding up to 100, bad stars")
    def put(self, body):
        """Save a new version of the year's sheet (a published year keeps the version it used; audited)."""
        return sheet.save(require_user(), body["year"], body, body["reason"])


@blp.route("/evaluation/ratings")
class Ratings(MethodView):
    decorators = [login_required]

    @blp.arguments(YearArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(422, description="A year not begun")
    def get(self, args):
        """The league table of the organization's branches (draft, or as published), with the stars'
        distribution, the monthly trend and the branches behind schedule."""
        return rating.table(require_user(), args["org_id"], _year(args))


@blp.route("/evaluation/ratings.xlsx")
class RatingsExport(MethodView):
    decorators = [login_required]

    @blp.arguments(YearArgs, location="query")
    @blp.response(200, description="The league table as a workbook (formula-safe)")
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(422, description="A year not begun")
    def get(self, args):
        """The league table as XLSX: rank, branch, organ, score, stars, each indicator's value."""
        body = rating.table(require_user(), args["org_id"], _year(args))
        codes = [i["code"] for i in body["sheet"]["indicators"]]
        header = ["名次", "支部", "上级组织", "得分", "星级", *(sheet.INDICATORS[c][0] for c in codes)]
        rows = [[r["rank"], r["name"], r["organ"] or "", r["score"], r["stars"],
                 *(next((p["value"] for p in r["parts"] if p["code"] == c), None) for c in codes)]
                for r in body["rows"]]
        status = "已发布" if body["status"] == "published" else "草稿"
        return xlsx_response([Sheet(f"{body['year']}年星级评定（{status}）", header, rows, widths={2: 24, 3: 20})],
                             f"ratings-{body['year']}.xlsx", f"{body['org']['name']}{body['year']}年星级评定.xlsx")


@blp.route("/evaluation/ratings/<int:branch_id>")
class Breakdown(MethodView):
    decorators = [login_required]

    @blp.arguments(YearArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, description="Not an organizer over this branch, nor an admin")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(409, description="Not a branch (evaluation_not_branch)")
    @blp.alt_response(422, description="A year not begun")
    def get(self, args, branch_id):
        """One branch's rating: each indicator's value, target, points and the records behind it."""
        return rating.breakdown(require_user(), branch_id, _year(args))


@blp.route("/evaluation/adjustments")
class Adjustments(MethodView):
    decorators = [login_required]

    @blp.arguments(RatingAdjustSchema)
    @blp.response(201)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(404, description="No such organization")
    @blp.alt_response(409, description="Not a branch, or the year is published")
    def post(self, body):
        """A documented adjustment: a veto (一票否决, no stars) or points off (audited)."""
        return rating.adjust(require_user(), body["branch_id"], body["year"], body["kind"], body["points"],
                             body["reason"])


@blp.route("/evaluation/publish")
class Publish(MethodView):
    decorators = [login_required]

    @blp.arguments(PublishSchema)
    @blp.response(201)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(409, description="Already published (evaluation_published)")
    @blp.alt_response(422, description="A year not begun")
    def post(self, body):
        """Publish the year: every branch's figures are stored with the sheet used, and locked."""
        return rating.publish(require_user(), body["year"])


@blp.route("/evaluation/live")
class LiveBoard(MethodView):
    decorators = [login_required]

    @blp.arguments(BoardArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def get(self, args):
        """Every event of the tree open for check-in now: expected, checked in, excused."""
        return board.board(require_user(), args["org_id"], args["since"])
