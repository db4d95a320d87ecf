"""Directory API for staff screens: organizations, communities, member search, card look-up."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth import directory
from server.auth.permissions import login_required, require_user
from server.extensions import Blueprint

blp = Blueprint("directory", __name__, url_prefix="/api/v1",
                description="Organizations, communities and members, within the caller's scope")


class ManagedArgs(Schema):
    managed = fields.Boolean(load_default=False, metadata={"description": "only those I manage"})


class SearchArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=40))


class OrganizationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()
    parent_id = fields.Integer(allow_none=True)


class CommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)


class MemberHitSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    branch_name = fields.String(allow_none=True)
    community_id = fields.Integer(allow_none=True)


class CardHolderSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)
    active = fields.Boolean()


@blp.route("/organizations")
class Organizations(MethodView):
    decorators = [login_required]

    @blp.arguments(ManagedArgs, location="query")
    @blp.response(200, OrganizationSchema(many=True))
    def get(self, args):
        """With managed=true the organizations I may host events for; else my own branch and its parents."""
        return directory.organizations(require_user(), args["managed"])


@blp.route("/communities")
class Communities(MethodView):
    decorators = [login_required]

    @blp.arguments(ManagedArgs, location="query")
    @blp.response(200, CommunitySchema(many=True))
    def get(self, args):
        """With managed=true the communities I serve as liaison; else all communities."""
        return directory.communities(require_user(), args["managed"])


@blp.route("/members")
class Members(MethodView):
    decorators = [login_required]

    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, MemberHitSchema(many=True))
    @blp.alt_response(403, description="Only organizers, liaisons and admins search members")
    def get(self, args):
        """Up to 20 members in my scope whose name or phone contains q, to check in by hand."""
        return directory.search_members(require_user(), args["q"])


@blp.route("/cards/<token>")
class Card(MethodView):
    decorators = [login_required]

    @blp.response(200, CardHolderSchema)
    @blp.alt_response(403, description="Not the member, nor a manager over them")
    @blp.alt_response(409, description="A card replaced by a newer one (card_revoked)")
    @blp.alt_response(422, description="Not a valid member card")
    def get(self, token):
        """Whose card this is, before checking them in."""
        return directory.card_holder(require_user(), token)
