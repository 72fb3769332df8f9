"""Unit tests of the order lifecycle decisions (R7-R12), without a database."""
