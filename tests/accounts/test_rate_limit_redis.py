"""The login limit with Redis storage: shared between every app instance (host) that uses the same Redis."""
import re
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
import redis

from tests.conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_db():
    """Database 15 of the local Redis, emptied first so counts from earlier runs do not leak in."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def app_config(redis_db):
    return {"RATELIMIT_STORAGE_URI": REDIS_URL}


def _fail_login(client, login="nobody@example.org"):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/login", data={"email": login, "password": "not the password", "csrf_token": token}).status_code


def fail_logins_in_another_instance(database_url, count):
    """Run in a separate process: its own app, its own limiter, the same Redis and database."""
    from app import create_app
    from config import TestConfig

    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI=REDIS_URL)
    with other.test_client() as client:
        return [_fail_login(client) for _ in range(count)]


def test_the_sixth_failure_is_refused_with_redis_storage(client, csrf, make_person, redis_db):
    person = make_person()
    assert [_fail_login(client, person.email) for _ in range(5)] == [200] * 5
    assert redis_db.dbsize() > 0  # the count lives in Redis, not in this process
    assert _fail_login(client, person.email) == 429
    token = csrf(client, "/login")
    assert client.post("/login", data={"email": person.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 429


def test_a_successful_login_is_not_counted(client, csrf, make_person, redis_db):
    person = make_person()
    for _ in range(3):
        response = client.post("/login", data={"email": person.email, "password": PASSWORD,
                                               "csrf_token": csrf(client, "/login")})
        assert response.status_code == 303
        client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})
    assert [_fail_login(client) for _ in range(6)] == [200] * 5 + [429]


def test_two_app_instances_share_the_count(client, database_url, redis_db):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        elsewhere = pool.submit(fail_logins_in_another_instance, database_url, 3).result(timeout=120)
    assert elsewhere == [200, 200, 200]
    assert [_fail_login(client) for _ in range(3)] == [200, 200, 429]
