"""Shared marshmallow fields: times are UTC inside, deployment-local outside."""
from marshmallow import Schema, ValidationError, fields, validate

from server.common.timeutil import YEARS, iso_local, to_utc_naive


class LocalDateTime(fields.DateTime):
    """Dumps naive UTC as local ISO with offset; loads any ISO time to naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_local(value)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not YEARS[0] <= value.year <= YEARS[1]:  # year 1 or 9999 would overflow in time zone conversion
            raise ValidationError(f"the year is {YEARS[0]}..{YEARS[1]}")
        return to_utc_naive(value)


MAX_ID = 2**31 - 1  # the database's integer columns (int4 on PostgreSQL); SQLite overflows past 2**63


class Id(fields.Integer):
    """An object id in a query or a body: positive and within the database's integer columns, so a larger
    number is an invalid field (422) instead of an error in the database."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(1, MAX_ID), **kwargs)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=[lambda n: n >= 1 or _bad("page starts at 1"),
                                                    lambda n: n <= MAX_ID or _bad(f"page is at most {MAX_ID}")])
    page_size = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500 or _bad("page_size is 1..500"))


def _bad(msg: str):
    raise ValidationError(msg)
