"""Points rules admin API (its own blueprint): read and edit the rules per activity kind, party-day
absence deductions (list, excuse), and a member's yearly totals."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth.permissions import login_required, require_user
from server.common.schemas import Id
from server.events.models import KINDS
from server.extensions import Blueprint
from server.points import rules_admin

blp = Blueprint("points_rules", __name__, url_prefix="/api/v1",
                description="Points rules as data (admin), absence deductions, yearly totals")

POINTS = validate.Range(min=0, max=10000)


class RuleSchema(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    checkin_points = fields.Integer(metadata={"description": "check-in on time, for kinds paid at check-in"})
    late_checkin_points = fields.Integer(metadata={"description": "late check-in, for kinds paid at check-in"})
    absence_points = fields.Integer(metadata={"description": "≤ 0: roster member absent when a party_day closes"})
    per_hour_points = fields.Integer(metadata={"description": "per confirmed hour (volunteer / community hours)"})
    cap_per_activity = fields.Integer(allow_none=True, metadata={"description": "most hours points per "
                                                                                "attendance; null: no cap"})
    updated_at = fields.String()


class RulesSchema(Schema):
    rules = fields.List(fields.Nested(RuleSchema))
    codes = fields.Dict(keys=fields.String(), values=fields.String(),
                        metadata={"description": "ledger rule codes and what pays them"})
    changed = fields.List(fields.String(), metadata={"description": "kinds changed by this PUT"})


class RuleChangeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    checkin_points = fields.Integer(validate=POINTS)
    late_checkin_points = fields.Integer(validate=POINTS)
    absence_points = fields.Integer(validate=validate.Range(min=-10000, max=0))
    per_hour_points = fields.Integer(validate=POINTS)
    cap_per_activity = fields.Integer(allow_none=True, validate=POINTS)


class RulesInSchema(Schema):
    rules = fields.List(fields.Nested(RuleChangeSchema), required=True, validate=validate.Length(min=1))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class AbsenceSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)
    amount = fields.Integer(metadata={"description": "the deduction paid (≤ 0), as the rule was then"})
    excused = fields.Boolean()
    created_at = fields.String()
    points_reversed = fields.Integer()


class AbsencesSchema(Schema):
    event_id = fields.Integer()
    items = fields.List(fields.Nested(AbsenceSchema))


class EventArgs(Schema):
    event_id = Id(required=True)


class ExcuseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))


class MemberArgs(Schema):
    member_id = Id(load_default=None, metadata={"description": "admins and organizers only"})


class YearSchema(Schema):
    year = fields.Integer()
    total = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class YearlySchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    years = fields.List(fields.Nested(YearSchema))


@blp.route("/points/rules")
class Rules(MethodView):
    decorators = [login_required]

    @blp.response(200, RulesSchema)
    def get(self):
        """The rules per activity kind, for everyone signed in (how points are earned)."""
        return rules_admin.list_rules()

    @blp.arguments(RulesInSchema)
    @blp.response(200, RulesSchema)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(422, description="Unknown kind, a kind twice, or a value out of range")
    def put(self, body):
        """Change rule fields (those given) per kind; audited. Only payments made afterwards use the new values:
        the ledger stores every amount as paid."""
        return rules_admin.update_rules(require_user(), body["rules"], body["reason"])


@blp.route("/points/absences")
class Absences(MethodView):
    decorators = [login_required]

    @blp.arguments(EventArgs, location="query")
    @blp.response(200, AbsencesSchema)
    @blp.alt_response(403, description="Not a manager of the event")
    @blp.alt_response(404, description="No such event")
    def get(self, args):
        """Absence deductions written when the party day closed."""
        return rules_admin.list_absences(require_user(), args["event_id"])


@blp.route("/points/absences/<int:absence_id>/excuse")
class Excuse(MethodView):
    decorators = [login_required]

    @blp.arguments(ExcuseSchema)
    @blp.response(200, AbsenceSchema)
    @blp.alt_response(403, description="Not a manager of the event")
    @blp.alt_response(409, description="Already excused (points_absence_excused)")
    def post(self, body, absence_id):
        """Excuse an absence (leave granted, or checked in by hand later): a reversing ledger entry, audited."""
        return rules_admin.excuse_absence(require_user(), absence_id, body["reason"])


@blp.route("/points/yearly-totals")
class YearlyTotals(MethodView):
    decorators = [login_required]

    @blp.arguments(MemberArgs, location="query")
    @blp.response(200, YearlySchema)
    @blp.alt_response(403, description="Another member outside the caller's organizations")
    @blp.alt_response(404, description="No such member (answered to admins)")
    def get(self, args):
        """A member's points per calendar year (deployment time zone), split by activity kind."""
        return rules_admin.yearly_totals(require_user(), args["member_id"])
