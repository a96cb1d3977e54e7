"""Domain errors: services raise them, views turn them into form errors or status codes."""


class DomainError(Exception):
    """A rule was broken. `field` names the form field to show it on, if any."""

    status_code = 409

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404
