"""hub's default theme, shipped as the package `hub.theme` (see pyproject.toml).

A site overrides any of these templates by putting a file of the same name in the
templates/ folder beside its channels.yaml.
"""
