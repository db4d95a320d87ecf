"""Shared marshmallow fields: times are UTC inside, deployment-local outside."""
from marshmallow import Schema, ValidationError, fields

from server.common.timeutil import iso_local, to_utc_naive


class LocalDateTime(fields.DateTime):
    """Dumps naive UTC as local ISO with offset; loads any ISO time to naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_local(value)

    def _deserialize(self, value, attr, data, **kwargs):
        return to_utc_naive(super()._deserialize(value, attr, data, **kwargs))


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=lambda n: n >= 1 or _bad("page starts at 1"))
    page_size = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500 or _bad("page_size is 1..500"))


def _bad(msg: str):
    raise ValidationError(msg)
