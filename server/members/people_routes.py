"""Staff managing people: a member's record, deactivate / reactivate, move (API)."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from server.auth.permissions import login_required, require_user
from server.common.fields import one_of, text
from server.common.schemas import Id
from server.extensions import Blueprint
from server.members import people

blp = Blueprint("people", __name__, url_prefix="/api/v1", description="Members for staff: record, status, moves")


class MemberReasonSchema(Schema):
    reason = fields.String(required=True, validate=text(200, "原因", min_len=1))


class GrantSchema(MemberReasonSchema):
    role = fields.String(required=True, validate=one_of(("organizer", "liaison", "admin"), "角色"))
    organization_id = Id(load_default=None, strict=True)
    community_id = Id(load_default=None, strict=True)


class MoveSchema(MemberReasonSchema):
    branch_id = Id(load_default=None, strict=True)
    community_id = Id(load_default=None, strict=True)

    @validates_schema
    def _something(self, data, **_kw):
        if data.get("branch_id") is None and data.get("community_id") is None:
            raise SchemaError("请指定新的支部或社区 / give branch_id or community_id", "branch_id")


class FindArgs(Schema):
    q = fields.String(load_default="", validate=text(40, "搜索词"))
    branch_id = Id(load_default=None)
    status = fields.String(load_default="active", validate=one_of(people.STATUSES, "状态"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


@blp.route("/people")
class People(MethodView):
    decorators = [login_required]

    @blp.arguments(FindArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, description="Organizers and admins only")
    @blp.alt_response(422, description="No such branch")
    def get(self, args):
        """Members of my organizations: search by name or phone, filter by branch and status, 50 a page."""
        return people.find(require_user(), args["q"].strip(), args["branch_id"], args["status"], args["page"])


@blp.route("/members/<int:member_id>")
class Member(MethodView):
    decorators = [login_required]

    @blp.response(200)
    @blp.alt_response(403, description="Not a manager of this member (admin, organizer over their branch)")
    @blp.alt_response(404, description="No such member")
    def get(self, member_id):
        """One member: roles, branch, community, card version, latest attendance."""
        return people.record(require_user(), member_id)


@blp.route("/members/<int:member_id>/deactivate")
class Deactivate(MethodView):
    decorators = [login_required]

    @blp.arguments(MemberReasonSchema)
    @blp.response(200)
    @blp.alt_response(403, description="Not a manager of this member, or oneself")
    @blp.alt_response(404, description="No such member")
    def post(self, body, member_id):
        """Deactivate: their sessions end at once; their history stays."""
        return people.set_active(require_user(), member_id, False, body["reason"])


@blp.route("/members/<int:member_id>/reactivate")
class Reactivate(MethodView):
    decorators = [login_required]

    @blp.arguments(MemberReasonSchema)
    @blp.response(200)
    @blp.alt_response(403, description="Not a manager of this member")
    @blp.alt_response(404, description="No such member")
    def post(self, body, member_id):
        """Reactivate a deactivated member."""
        return people.set_active(require_user(), member_id, True, body["reason"])


@blp.route("/members/<int:member_id>/move")
class Move(MethodView):
    decorators = [login_required]

    @blp.arguments(MoveSchema)
    @blp.response(200)
    @blp.alt_response(403, description="Not a manager of this member or of the new branch")
    @blp.alt_response(404, description="No such member")
    @blp.alt_response(422, description="No such branch or community, or neither given")
    def post(self, body, member_id):
        """Move to another branch and/or community; open claims on the old community's future slots end."""
        return people.move(require_user(), member_id, body["reason"], body["branch_id"], body["community_id"])


@blp.route("/members/<int:member_id>/roles")
class Roles(MethodView):
    decorators = [login_required]

    @blp.arguments(GrantSchema)
    @blp.response(201)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(409, description="The member has this role already")
    @blp.alt_response(422, description="A role without its scope")
    def post(self, body, member_id):
        """Grant organizer (with an organization), liaison (with a community) or admin; audited."""
        return people.grant(require_user(), member_id, body["role"], body["reason"], body["organization_id"],
                            body["community_id"])


@blp.route("/members/<int:member_id>/roles/<int:grant_id>/remove")
class RemoveRole(MethodView):
    decorators = [login_required]

    @blp.arguments(MemberReasonSchema)
    @blp.response(200)
    @blp.alt_response(403, description="Admins only (and not their own admin role)")
    @blp.alt_response(404, description="No such grant of this member")
    def post(self, body, member_id, grant_id):
        """Remove a role; audited with what it was."""
        return people.revoke(require_user(), member_id, grant_id, body["reason"])
