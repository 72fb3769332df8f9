"""Pure decisions of the MACD domain: which lines an order creates, which states follow, which errors.

Nothing in this package imports strawberry or neo4j; every function takes and returns plain data.
"""
