"""Reading and validating the annual returns: safe YAML, the schema walker, the rules and the crosswalk."""
