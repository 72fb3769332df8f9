"""Process-level parts: settings, the local Neo4j server, the Starlette app and the command line."""
