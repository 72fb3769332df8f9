"""One module per use case: read the input, call the rules, map the result to schema types."""
