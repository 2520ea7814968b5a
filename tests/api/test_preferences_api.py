"""The web app's language is the account's: chosen once, it follows the user to any device."""

from __future__ import annotations

from tests.conftest import ApiClient


def test_language_is_zh_cn_until_the_user_chooses_english(api: ApiClient) -> None:
    me = api.client.get("/api/v1/auth/me", headers=api.headers("owner101"))
    assert me.json()["language"] == "zh-CN"

    changed = api.client.patch(
        "/api/v1/auth/me", json={"language": "en"}, headers=api.headers("owner101")
    )
    assert changed.status_code == 200
    assert changed.json()["language"] == "en"

    fresh_login = api.login("owner101")["access_token"]
    again = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh_login}"})
    assert again.json()["language"] == "en"
    other = api.client.get("/api/v1/auth/me", headers=api.headers("owner102"))
    assert other.json()["language"] == "zh-CN"


def test_only_the_apps_languages_are_accepted(api: ApiClient) -> None:
    answer = api.client.patch(
        "/api/v1/auth/me", json={"language": "fr"}, headers=api.headers("owner101")
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"
