"""hub: crawl a county's department sources, route their posts into the sections of one
publication, and publish a static portal with Chinese full-text search.
"""

__version__ = "0.1.0"
