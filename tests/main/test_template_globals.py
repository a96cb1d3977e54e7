"""Views pass data; templates do not query (issue 15). The globals every template can reach are named here: a new
one fails this test until it is either moved into the view that needs its data or added here with a reason."""
import jinja2

# Helpers that run no query: building URLs and forms, the remembered fragments (given all their data by the view)
ALLOWED = {
    "url_for", "csrf_token", "config", "g", "request", "session", "get_flashed_messages",  # Flask's own
    "service_navigation",  # the menu from the signed-in person's roles (app/access.py), no query
    "error_summary_items",  # a form's errors as GOV.UK summary items
    "comment_card", "thread_head", "comment_form", "vote_form", "vote_tally",  # app/fragments.py: draw what they are given
    "voice_account_html",  # a workshop's group-voice account described in words, from the Person given
    # issue 15 (memo): a page's per-reader parts (name, messages, the moderation counts base.html showed before
    # through moderation_status), drawn now or left as holes filled per reader (app/fragments.py)
    "reader_part",
}


def test_no_new_template_global_runs_queries(app):
    added = set(app.jinja_env.globals) - set(jinja2.Environment().globals)
    assert added - ALLOWED == set(), "a new template global: give the template data from its view"


def test_no_view_hands_a_module_to_a_template(app):
    """No keyword argument of any call in a view module is a module (`services=services` once was)."""
    import ast
    import importlib
    import inspect
    import pkgutil
    import types

    import app as package

    handed = []
    for info in pkgutil.walk_packages(package.__path__, "app."):
        if not info.name.endswith("routes"):
            continue
        module = importlib.import_module(info.name)
        modules = {name for name, value in vars(module).items() if isinstance(value, types.ModuleType)}
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call):
                handed += [f"{info.name}: {k.arg}={k.value.id}" for k in node.keywords
                           if isinstance(k.value, ast.Name) and k.value.id in modules]
    assert handed == []
