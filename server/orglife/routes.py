"""Organizational life API: Party groups and committee members (the audiences of 支委会 and 党小组会)."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth.permissions import login_required, require_user
from server.auth.scope import scope_of
from server.common.fields import text
from server.common.schemas import Id
from server.extensions import Blueprint
from server.orglife import birthdays, groups

blp = Blueprint("orglife", __name__, url_prefix="/api/v1", description="Organizational life (组织生活)")


class PartyGroupArgs(Schema):
    org_id = Id(required=True, metadata={"description": "an organization you manage: its tree's groups"})


class PartyGroupCreateSchema(Schema):
    branch_id = Id(required=True)
    name = fields.String(required=True, validate=text(80, "党小组名称", 1))


class PartyGroupSchema(Schema):
    id = fields.Integer()
    branch_id = fields.Integer()
    name = fields.String()
    members = fields.Integer(metadata={"description": "active members in the group"})


class MemberPatchSchema(Schema):
    is_committee = fields.Boolean(metadata={"description": "a committee member (支委): expected at 支委会"})
    party_group_id = Id(allow_none=True, metadata={"description": "the member's Party group (党小组), of their branch"})
    joined_party_on = fields.Date(allow_none=True, metadata={"description": "入党时间: the political birthday"})
    reason = fields.String(load_default="", validate=text(255, "原因"))


class MemberOrgLifeSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    branch_id = fields.Integer(allow_none=True)
    is_committee = fields.Boolean()
    party_group_id = fields.Integer(allow_none=True)
    joined_party_on = fields.String(allow_none=True)


class BirthdayArgs(Schema):
    org_id = Id(required=True)
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                          metadata={"description": "YYYY-MM"})


class BirthdayItemSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)
    joined_party_on = fields.String()
    birthday = fields.String(metadata={"description": "the day this year (28 February for a 29 February joiner)"})
    years = fields.Integer(metadata={"description": "years in the Party on that day"})


class BirthdayMonthSchema(Schema):
    org_id = fields.Integer()
    month = fields.String()
    items = fields.List(fields.Nested(BirthdayItemSchema))


class GreetingSchema(Schema):
    joined_party_on = fields.String(allow_none=True)
    today = fields.Boolean(metadata={"description": "today is the member's political birthday: greet them"})
    years = fields.Integer(allow_none=True)


@blp.route("/orglife/groups")
class Groups(MethodView):
    decorators = [login_required]

    @blp.arguments(PartyGroupArgs, location="query")
    @blp.response(200, PartyGroupSchema(many=True))
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(422, description="No such organization")
    def get(self, args):
        """The Party groups of an organization's tree."""
        return groups.list_groups(scope_of(require_user()), args["org_id"])

    @blp.arguments(PartyGroupCreateSchema)
    @blp.response(201, PartyGroupSchema)
    @blp.alt_response(403, description="Not an organizer of this branch, nor an admin")
    @blp.alt_response(409, description="The branch has a group of that name (orglife_group_name_taken)")
    @blp.alt_response(422, description="No such branch")
    def post(self, body):
        """Create a Party group in a branch (audited)."""
        return groups.create_group(scope_of(require_user()), body["branch_id"], body["name"])


@blp.route("/orglife/members/<int:member_id>")
class Member(MethodView):
    decorators = [login_required]

    @blp.arguments(MemberPatchSchema)
    @blp.response(200, MemberOrgLifeSchema)
    @blp.alt_response(404, description="No such member in an organization you manage")
    def patch(self, body, member_id):
        """Mark a committee member (支委) or set a member's Party group (audited, before and after)."""
        reason = body.pop("reason")
        return groups.set_member(scope_of(require_user()), member_id, body, reason)


@blp.route("/orglife/birthdays")
class Birthdays(MethodView):
    decorators = [login_required]

    @blp.arguments(BirthdayArgs, location="query")
    @blp.response(200, BirthdayMonthSchema)
    @blp.alt_response(403, description="Not an organizer of this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def get(self, args):
        """The month's political birthdays (政治生日) of an organization's tree, for its secretaries."""
        year, month = (int(p) for p in args["month"].split("-"))
        return birthdays.month_list(require_user(), args["org_id"], year, month)


@blp.route("/orglife/me/birthday")
class MyBirthday(MethodView):
    decorators = [login_required]

    @blp.response(200, GreetingSchema)
    def get(self):
        """Whether today is my political birthday, and my years in the Party (the home's greeting)."""
        return birthdays.greeting(require_user())
