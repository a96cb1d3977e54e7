"""Helpers shared by every room's forms."""


def add_domain_error(form, error):
    """Show a service's DomainError on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def error_summary_items(form):
    """GOV.UK error summary items: each links to its field."""
    items = [{"text": message} for message in form.form_errors]
    for field in form:
        for message in field.errors:
            items.append({"text": message, "href": f"#{field.id}"})
    return items


def field_error(field):
    return {"text": field.errors[0]} if field.errors else None
