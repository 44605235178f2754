"""Paths, problems, the schema, the reference table and the plain model every stage shares."""
