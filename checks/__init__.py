"""The demo county's content-check lists (shipped as `hub.demo.lists`; `hub demo` copies
them beside the channels.yaml it writes). A county keeps its own: docs/checks.md."""
