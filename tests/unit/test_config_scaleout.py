"""Settings for several processes: EXTERIOR_DATABASE_URL and the shard variables."""

from __future__ import annotations

import pytest

from bot.runtime.config import ConfigError, load_settings


def test_database_url_is_chosen_over_the_sqlite_path_and_kept_out_of_repr() -> None:
    url = "postgresql://exterior:hunter2@db:5432/exterior"
    settings = load_settings({"EXTERIOR_DATABASE_URL": url}, dotenv=None)
    assert settings.database == url
    assert "hunter2" not in repr(settings)
    assert str(load_settings({}, dotenv=None).database) == "exterior-bot.sqlite3"


def test_shards_are_parsed_and_checked() -> None:
    settings = load_settings({"DISCORD_SHARD_COUNT": "3", "DISCORD_SHARD_IDS": "2, 0"}, None)
    assert (settings.shard_count, settings.shard_ids) == (3, (0, 2))
    assert load_settings({}, dotenv=None).shard_ids is None


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"EXTERIOR_DATABASE_URL": "mysql://x"}, "must start with postgresql://"),
        ({"DISCORD_SHARD_IDS": "0"}, "needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"}, "below DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "a"}, "comma-separated numbers"),
        ({"DISCORD_SHARD_COUNT": "0"}, "at least 1"),
    ],
)
def test_bad_scale_out_settings_are_one_sentence(env, words) -> None:
    with pytest.raises(ConfigError, match=words):
        load_settings(env, dotenv=None)
