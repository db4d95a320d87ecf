"""Routes: the needs list with time slots, claiming and withdrawing, claims per slot."""
from functools import partial

from flask.views import MethodView

from server.auth.permissions import require_user
from server.community.api import community_blueprint, dump, errors
from server.community.duties import claims
from server.community.duties import services as duties
from server.community.schemas import (
    DutyCreateSchema,
    DutyPatchSchema,
    IncludePastArgs,
    SlotCreateSchema,
    SlotPatchSchema,
)
from server.community.views import ClaimSchema, DutySchema, SlotClaimsSchema, SlotSchema

blp = community_blueprint(
    "duties", "Double registration: a community's needs (需求清单), duties, slots and members' claims")
documented = partial(errors, blp)


@blp.route("/communities/<int:community_id>/duties")
class Duties(MethodView):
    @blp.arguments(IncludePastArgs, location="query")
    @blp.response(200, DutySchema(many=True))
    @documented(401, 403, 404)
    def get(self, args, community_id):
        """The community's needs list: open needs with slots not yet over (include_past=true for all).

        Members registered with the community, its liaisons and admins. Each slot tells the caller
        claimed / remaining / claimed_by_me / can_claim / can_withdraw."""
        return duties.list_duties(require_user(), community_id, args["include_past"])

    @blp.arguments(DutyCreateSchema)
    @blp.response(201, DutySchema)
    @documented(401, 403, 404, 422)
    def post(self, body, community_id):
        """Post a need with its time slots (liaison of the community, admin).

        Each slot gets its own community_duty event (audience "claimers": only members holding a
        claim on the slot can check in; hours wait for the liaison's confirmation)."""
        return duties.create_duty(require_user(), community_id, body)


@blp.route("/duties/<int:duty_id>")
class DutyItem(MethodView):
    @blp.response(200, DutySchema)
    @documented(401, 403, 404)
    def get(self, duty_id):
        """One need with all its slots (members registered with the community, its liaisons, admins)."""
        return duties.duty_view(require_user(), duty_id)

    @blp.arguments(DutyPatchSchema)
    @blp.response(200, DutySchema)
    @documented(401, 403, 404, 422)
    def patch(self, body, duty_id):
        """Edit a need (liaison, admin); title, description and place follow into the slots' events.
        status=closed stops new claims; status=cancelled cancels the slots not yet over and their events."""
        return duties.update_duty(require_user(), duty_id, body)


@blp.route("/duties/<int:duty_id>/slots")
class DutySlots(MethodView):
    @blp.arguments(SlotCreateSchema)
    @blp.response(201, SlotSchema)
    @documented(401, 403, 404, 409, 422)
    def post(self, body, duty_id):
        """Add a time slot to an open need (liaison, admin)."""
        return duties.add_slot(require_user(), duty_id, body)


@blp.route("/duty-slots/<int:slot_id>")
class DutySlotItem(MethodView):
    @blp.arguments(SlotPatchSchema)
    @blp.response(200, SlotSchema)
    @documented(401, 403, 404, 409, 422)
    def patch(self, body, slot_id):
        """Change the people wanted (409 claim_capacity_below_claims under the claims held) or, before
        the slot starts, its times (409 duty_slot_started after); liaison, admin."""
        return duties.update_slot(require_user(), slot_id, body)


@blp.route("/duty-slots/<int:slot_id>/cancel")
class CancelDutySlot(MethodView):
    @blp.response(200, SlotSchema)
    @documented(401, 403, 404)
    def post(self, slot_id):
        """Cancel a slot and its event (liaison, admin); claims stay on record."""
        return duties.cancel_slot(require_user(), slot_id)


@blp.route("/duty-slots/<int:slot_id>/claim")
class ClaimSlot(MethodView):
    @blp.response(201, ClaimSchema)
    @blp.alt_response(200, schema=ClaimSchema, description="Already claimed by this member")
    @documented(401, 403, 404, 409)
    def post(self, slot_id):
        """Claim (认领) a slot; members registered with the duty's community.

        Refusals: 403 claim_not_registered, 409 claim_full (details: capacity, claimed),
        claim_slot_over, claim_slot_cancelled, duty_not_open."""
        payload, status = claims.claim(require_user(), slot_id)
        return dump(ClaimSchema(), payload, status)


@blp.route("/duty-slots/<int:slot_id>/withdraw")
class WithdrawClaim(MethodView):
    @blp.response(200, ClaimSchema)
    @documented(401, 404, 409)
    def post(self, slot_id):
        """Withdraw the caller's claim; only before the slot starts and before checking in
        (409 claim_withdraw_too_late), 409 claim_not_claimed without an active claim."""
        return claims.withdraw(require_user(), slot_id)


@blp.route("/duty-slots/<int:slot_id>/claims")
class SlotClaims(MethodView):
    @blp.response(200, SlotClaimsSchema)
    @documented(401, 403, 404)
    def get(self, slot_id):
        """Who claimed the slot (withdrawn too) with each attendance; liaison of the community, admin."""
        return claims.slot_claims(require_user(), slot_id)


@blp.route("/duty-claims/mine")
class MyClaims(MethodView):
    @blp.arguments(IncludePastArgs, location="query")
    @blp.response(200, ClaimSchema(many=True))
    @documented(401)
    def get(self, args):
        """The caller's active claims ("my duties"), soonest first, with the attendance of each slot."""
        return claims.mine(require_user(), args["include_past"])
