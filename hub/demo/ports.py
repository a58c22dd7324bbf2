"""Where `hub demo` listens unless told otherwise: the county's sites and the portal."""

WORLD_PORT = 8001
PORTAL_PORT = 8000
