"""The checked-in SDL must match the code, so every API change shows up as a diff."""

from schema.root import schema
from service.cli import SDL_PATH


def test_schema_graphql_matches_the_code() -> None:
    expected = schema.as_str() + "\n"
    assert SDL_PATH.read_text() == expected, "schema.graphql is stale: run `make schema` and commit it"
