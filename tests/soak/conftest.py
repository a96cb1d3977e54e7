def pytest_configure(config):
    config.addinivalue_line("markers", "soak: load and fault test against gunicorn and PostgreSQL (make soak runs it longer)")
