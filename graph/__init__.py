"""The only package that speaks Cypher: driver lifecycle, migrations, one function per statement."""
