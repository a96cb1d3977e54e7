"""A real SMTP server (aiosmtpd) on a free port of 127.0.0.1, for tests that check email end to end."""
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class RecordingHandler:
    """Keeps every message it accepts; answers `reply` instead while that is set (e.g. "451 try later"), and
    refuses recipients at the domains in `unknown_domains` with "550 no such mailbox"."""

    def __init__(self):
        self.messages = []
        self.refused = 0
        self.reply = None
        self.unknown_domains = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rpartition("@")[2].lower() in self.unknown_domains:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            self.refused += 1
            return self.reply
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = _free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp():
    """A real SMTP server on a free port of 127.0.0.1; a test may stop and start it."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def smtp_settings(server):
    """The app settings that send mail to `server`: return them from a test module's `app_config` fixture."""
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_TIMEOUT_SECONDS": 5,
            "MAIL_DEFAULT_SENDER": "portal@partnership.example"}
