from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    phone = fields.String(required=True, validate=validate.Regexp(
        r"^\+?\d{5,20}$", error="手机号格式不正确 / phone must be digits"))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class BranchSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    roles = fields.List(fields.String())
    branch = fields.Nested(BranchSchema, allow_none=True)
    community_id = fields.Integer(allow_none=True)
    organizer_of = fields.List(fields.Integer())
    liaison_of = fields.List(fields.Integer())
    csrf_token = fields.String()
