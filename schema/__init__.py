"""The GraphQL surface: Strawberry types, inputs, enums and errors; `schema.root` assembles it."""
