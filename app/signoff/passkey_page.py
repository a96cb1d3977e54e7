"""What the decision page needs to sign with a passkey (issue 20, part 5): the checkpoint shown, the challenge for
each decision, the signatory's credentials and the relying party. Worked out by the view (templates run no
queries)."""
import json
from dataclasses import dataclass

from flask_login import current_user

from app.extensions import db
from app.partnerships.models import Partnership
from app.passkeys import services as passkeys
from app.signoff import assertions
from app.signoff.services import partner_label
from app.trail import services as trail
from app.trail import signing


@dataclass(frozen=True)
class PasskeySigning:
    checkpoint: str
    partner: str
    version_hash: str
    challenges: dict  # decision -> base64url challenge
    credentials: str  # JSON list of base64url credential ids
    rp_id: str
    passkeys: list
    required: bool  # the partnership refuses the password


def current_checkpoint():
    """The newest signed checkpoint, made now if the newest does not cover the whole log (so it is current)."""
    latest = signing.latest()
    if latest is None or latest.size < trail.head()[0]:
        latest = signing.checkpoint_on_demand()
    return latest.note


def passkey_signing(request, partner, form):
    note = current_checkpoint()
    form.checkpoint.data = note
    own = passkeys.passkeys_of(current_user)
    label = partner_label(partner)
    return PasskeySigning(
        checkpoint=note, partner=label, version_hash=request.version_hash,
        challenges={decision: assertions.b64url(assertions.challenge_for(note, decision, label, request.version_hash))
                    for decision in ("approved", "returned")},
        credentials=json.dumps([assertions.b64url(p.credential_id) for p in own]), rp_id=passkeys.rp_id(),
        passkeys=own, required=passkeys.passkey_required(db.session.get(Partnership, current_user.partnership_id)))
