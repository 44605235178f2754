"""The site: page contexts, jinja templates, charts and the mkdocs build."""
