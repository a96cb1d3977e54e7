"""The demo partnership's data protection settings: the host council as controller, as is usual for an LSCP."""
from app.extensions import db
from app.privacy import services
from app.privacy.models import DataProtectionSetting


def load_demo_privacy(partnership, facilitator):
    """Saved once; a second run finds them and changes nothing."""
    if db.session.get(DataProtectionSetting, partnership.id) is not None:
        return None
    return services.save_settings(
        facilitator, partnership,
        controller_name="North Somerset Council (host of the North Somerset Safeguarding Children Partnership)",
        contact_name="The Data Protection Officer, North Somerset Council",
        contact_email="data.protection@north-somerset.example",
        contact_address="Town Hall, Walliscote Grove Road, Weston-super-Mare, BS23 1UJ",
        lawful_basis="public_task", young_account_months=12, outbox_days=30, session_days=30)
