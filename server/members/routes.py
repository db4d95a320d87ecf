"""Roster import API: upload a CSV or XLSX, see the row-by-row dry run, then apply it."""
from flask import request
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from server.auth.permissions import forbid, is_admin, login_required, organizer_org_ids, require_user
from server.common.errors import Invalid
from server.common.sheets import Sheet, csv_response, xlsx_response
from server.db_setup import reading
from server.extensions import Blueprint, db
from server.members import importer

blp = Blueprint("members", __name__, url_prefix="/api/v1", description="Roster import (CSV or XLSX)")


class ImportFormSchema(Schema):
    """multipart/form-data: the file, and the options as form fields."""

    file = Upload(load_default=None, metadata={"description": "required: CSV (UTF-8 or GBK) or XLSX; columns 姓名, "
                                                             "手机号, 支部, 社区, 角色 (English names also accepted)"})
    dry_run = fields.Boolean(load_default=True, metadata={"description": "true (default): judge only"})
    deactivate_missing = fields.Boolean(load_default=False, metadata={
        "description": "also deactivate the active members of the branches in the file who are not in it "
                       "(shown as action 'deactivate' in the dry run)"})
    initial_password = fields.String(load_default=None, validate=validate.Length(min=8, max=128), metadata={
        "description": "password for the members created; without it they cannot sign in until one is set"})


class ImportReasonSchema(Schema):
    code = fields.String()
    message = fields.String()


class ImportRowSchema(Schema):
    row = fields.Integer(metadata={"description": "row number in the spreadsheet (the header is row 1)"})
    action = fields.String(metadata={"description": "create | update | unchanged | refuse | deactivate (row 0: "
                                                    "a member of a branch in the file who is not in it)"})
    name = fields.String()
    phone = fields.String()
    branch = fields.String()
    community = fields.String()
    roles = fields.List(fields.String())
    member_id = fields.Integer(allow_none=True)
    changes = fields.Dict(metadata={"description": "field → [before, after] (name, branch_id, community_id, "
                                                   "joined_party_on, active, roles_added)"})
    reasons = fields.List(fields.Nested(ImportReasonSchema), metadata={"description": "why refused"})
    details = fields.Dict()


class ImportSummarySchema(Schema):
    rows = fields.Integer()
    create = fields.Integer()
    update = fields.Integer()
    unchanged = fields.Integer()
    refuse = fields.Integer()
    deactivate = fields.Integer()


class ImportResultSchema(Schema):
    dry_run = fields.Boolean()
    applied = fields.Boolean()
    columns = fields.Dict(metadata={"description": "field → the column title recognised"})
    summary = fields.Nested(ImportSummarySchema)
    rows = fields.List(fields.Nested(ImportRowSchema))


class TemplateArgs(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


def _importer_only():
    user = require_user()
    if not is_admin(user) and not organizer_org_ids(user):
        forbid({"hint": "roster import is for admins and organizers"})
    return user


@blp.route("/members/import")
class Import(MethodView):
    # No login_required: its user read would open the request's write transaction (on SQLite, the write
    # lock) before the upload is parsed; post() checks the user in a read-only transaction instead.

    @blp.arguments(ImportFormSchema, location="form", content_type="multipart/form-data")
    @blp.response(200, ImportResultSchema)
    @blp.alt_response(403, description="Not an admin or organizer")
    @blp.alt_response(409, description="A racing change took a phone: run it again")
    @blp.alt_response(422, description="Unreadable file, missing columns, too large; or, on a real run, "
                                       "refused rows (import_has_errors: details.rows) and nothing written")
    def post(self, form):
        """Import a roster keyed by phone: dry run by default; `dry_run=false` applies all or nothing.

        Admins import anywhere and may grant organizer (scoped to the row's branch) and liaison (scoped to
        the row's community) roles; organizers import plain members of their organizations."""
        with reading(db.session):  # 401/403 first, and no write lock held while the file is read
            user = _importer_only()
        upload = request.files.get("file")
        if upload is None:
            raise Invalid({"file": "import_file_required"}, location="files")
        return importer.run(user, upload.filename or "", upload.read(importer.MAX_BYTES + 1), form["dry_run"],
                            form["initial_password"], form["deactivate_missing"])


@blp.route("/members/import/template")
class Template(MethodView):
    decorators = [login_required]

    @blp.arguments(TemplateArgs, location="query")
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  description="an empty roster with the expected columns and two example rows")
    @blp.alt_response(403, description="Not an admin or organizer")
    def get(self, args):
        """Download a roster template (XLSX or CSV)."""
        user = _importer_only()
        rows = importer.template_rows(*importer.example_names(user))
        if args["format"] == "csv":
            return csv_response(importer.TEMPLATE_HEADER, rows, "roster-template.csv", "名册模板.csv")
        return xlsx_response([Sheet("名册", importer.TEMPLATE_HEADER, rows, widths={2: 16, 3: 20, 4: 20, 6: 12})],
                             "roster-template.xlsx", "名册模板.xlsx")
